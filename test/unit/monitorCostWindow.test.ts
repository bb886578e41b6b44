/**
 * The monitor's own CPU figure spans the last minute (engine/monitor/costWindow.ts): a status
 * each second that reported only that second missed the work done every few seconds or minutes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CostWindow } from '../../engine/monitor/costWindow';

test('the CPU figure spans the last minute, so work every few seconds is in every figure', () => {
  const w = new CostWindow(60_000);
  let cpu = 0;
  w.reset(cpu, 0);
  const figures: number[] = [];
  for (let s = 1; s <= 300; s++) {
    cpu += 10_000; // 1% of a core every second …
    if (s % 5 === 0) cpu += 50_000; // … and 50 ms every 5 s: 2% in all
    figures.push(w.add(cpu, s * 1000));
  }
  // A one-second figure was 1% in four seconds of five; over the minute it is 2% from the first minute on.
  for (const f of figures.slice(60)) assert.ok(Math.abs(f - 0.02) < 0.0015, `${f}`);
  // Before a minute has passed: since the start.
  assert.ok(Math.abs(figures[9] - 0.02) < 1e-9, `${figures[9]}`);
  assert.ok(Math.abs(figures[0] - 0.01) < 1e-9, `${figures[0]}`);
});

test('a cut of 3 s of CPU moves the figure for one minute, then leaves it', () => {
  const w = new CostWindow(60_000);
  let cpu = 0;
  w.reset(cpu, 0);
  const at = new Map<number, number>();
  for (let s = 1; s <= 400; s++) {
    cpu += 10_000;
    if (s === 200) cpu += 3_000_000;
    at.set(s, w.add(cpu, s * 1000));
  }
  assert.ok(Math.abs(at.get(199)! - 0.01) < 1e-9);
  assert.ok(Math.abs(at.get(200)! - 0.06) < 0.002, `${at.get(200)}`);
  assert.ok(Math.abs(at.get(259)! - 0.06) < 0.002, `${at.get(259)}`);
  assert.ok(Math.abs(at.get(261)! - 0.01) < 1e-9, `${at.get(261)}`);
});

test('no figure before two readings or without time between them', () => {
  const w = new CostWindow();
  w.reset(5, 100);
  assert.ok(Number.isNaN(w.add(5, 100)));
  assert.equal(w.add(1005, 200), 0.01);
});
