/**
 * The cut's pacer (engine/store/cutPacer.ts): a token bucket of milliseconds of work. Its
 * budget logic is pure (`nextSlice`, `afterSlice`); the driver runs one slice at a time,
 * round robin between the chains that queue them, within the share over time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { afterSlice, CutPacer, nextSlice, tokensAt, type PaceOptions } from '../../engine/store/cutPacer';

const o: PaceOptions = { sliceMs: 8, share: 0.25, burstMs: 16, minSliceMs: 2 };

describe('cut pacer: budget', () => {
  it('runs at once while it has tokens, a slice at most sliceMs or the tokens left', () => {
    assert.deepEqual(nextSlice({ tokens: 16, at: 0 }, 0, o), { waitMs: 0, sliceMs: 8 });
    assert.deepEqual(nextSlice({ tokens: 5, at: 0 }, 0, o), { waitMs: 0, sliceMs: 5 });
    assert.deepEqual(nextSlice({ tokens: 2, at: 0 }, 0, o), { waitMs: 0, sliceMs: 2 });
  });

  it('refills at `share` per ms of wall time up to the burst', () => {
    assert.equal(tokensAt({ tokens: 0, at: 100 }, 140, o), 10);
    assert.equal(tokensAt({ tokens: 0, at: 100 }, 1000, o), 16);
    assert.equal(tokensAt({ tokens: -4, at: 0 }, 8, o), -2);
  });

  it('below minSliceMs tokens, waits for a whole slice\'s worth, debt of an overrun slice included', () => {
    // 1 token: 7 more needed at 0.25/ms = 28 ms.
    assert.deepEqual(nextSlice({ tokens: 1, at: 0 }, 0, o), { waitMs: 28, sliceMs: 8 });
    // A 30 ms slice with 16 tokens (refilling 7.5 meanwhile, capped at 16) leaves -14: 22 needed = 88 ms.
    const s = afterSlice({ tokens: 16, at: 0 }, 0, 30, o);
    assert.deepEqual(s, { tokens: -14, at: 30 });
    assert.deepEqual(nextSlice(s, 30, o), { waitMs: 88, sliceMs: 8 });
    assert.deepEqual(nextSlice(s, 118, o), { waitMs: 0, sliceMs: 8 });
    // Refilled during a slice: 4 tokens, a 4 ms slice at 0.25 leaves 1.
    assert.deepEqual(afterSlice({ tokens: 4, at: 0 }, 0, 4, o), { tokens: 1, at: 4 });
  });

  it('keeps the work of a long run of slices near `share` of the wall time', () => {
    // Slices that use all they are given, scheduled as the driver does: work over wall time.
    for (const share of [0.1, 0.3, 0.5, 1]) {
      const p = { ...o, share };
      let s = { tokens: p.burstMs, at: 0 };
      let t = 0;
      let work = 0;
      for (let k = 0; k < 2000; k++) {
        const plan = nextSlice(s, t, p);
        t += plan.waitMs;
        s = afterSlice(s, t, t + plan.sliceMs, p);
        t += plan.sliceMs;
        work += plan.sliceMs;
      }
      assert.ok(Math.abs(work / t - share) < 0.02, `share ${share}: ${(work / t).toFixed(3)} of the time`);
    }
  });

  it('a zero-length slice (sealSliceMs: 0) never waits without a debt', () => {
    const z = { ...o, sliceMs: 0 };
    assert.deepEqual(nextSlice({ tokens: 0, at: 0 }, 0, z), { waitMs: 0, sliceMs: 0 });
    assert.ok(nextSlice({ tokens: -1, at: 0 }, 0, z).waitMs > 0);
  });
});

describe('cut pacer: driver', () => {
  it('runs one slice per turn, round robin between chains, in the order queued', async () => {
    const pacer = new CutPacer({ ...o, share: 1, burstMs: 1000 });
    const log: string[] = [];
    const chain = async (name: string, n: number) => {
      for (let k = 0; k < n; k++) await pacer.run(() => log.push(`${name}${k}`));
    };
    await Promise.all([chain('a', 3), chain('b', 2)]);
    assert.deepEqual(log, ['a0', 'b0', 'a1', 'b1', 'a2']);
  });

  it('gives each slice a deadline sliceMs ahead at most, and passes results and errors', async () => {
    let t = 0;
    const pacer = new CutPacer({ ...o, share: 1 }, () => t);
    assert.equal(await pacer.run((deadline) => deadline), 8);
    await assert.rejects(pacer.run(() => { throw new Error('boom'); }), /boom/);
    assert.equal(await pacer.run(() => 'after'), 'after');
  });

  it('holds slices back by the wall time their work needs at the share, and not urgent ones', async () => {
    let t = 0;
    const pacer = new CutPacer({ sliceMs: 8, share: 0.5, burstMs: 8, minSliceMs: 8 }, () => t);
    const started: number[] = [];
    // Each slice "works" 8 ms of the fake clock; waits are real setTimeouts, so the fake clock
    // is moved by what the pacer asked to wait (read through the timers it sets).
    const realSetTimeout = globalThis.setTimeout;
    const waits: number[] = [];
    (globalThis as { setTimeout: unknown }).setTimeout = ((fn: () => void, ms: number) => { waits.push(ms); t += ms; return realSetTimeout(fn, 0); }) as unknown;
    try {
      for (let k = 0; k < 4; k++) await pacer.run(() => { started.push(t); t += 8; });
      await pacer.run(() => { started.push(t); t += 8; }, true);
    } finally {
      (globalThis as { setTimeout: unknown }).setTimeout = realSetTimeout;
    }
    // 8 tokens at the start, then 8 ms of work per 16 ms of wall time; the urgent one does not wait.
    assert.deepEqual(started, [0, 24, 48, 72, 80]);
    assert.deepEqual(waits, [16, 16, 16]);
  });
});
