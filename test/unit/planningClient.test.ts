import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatLocalTime, parseChangeTime } from '../../client/src/changeTime';
import { LimitNotificationPolicy, type Prediction } from '../../client/src/limitNotificationPolicy';
import { AssessImpactRequest, CapacityPlanRequest, ImpactTargetsRequest, parseWebviewMessage } from '../../protocol/index';

const pred = (etaMs: number, extra: Partial<Prediction> = {}): Prediction => ({
  component: 'engine',
  resource: 'memory',
  series: 'process_resident_memory_bytes',
  limitKey: 'limits.memory',
  limit: 1,
  unit: 'bytes',
  current: 0,
  level: 0,
  slopePerS: 1,
  at: 0,
  etaMs,
  etaLowMs: etaMs,
  etaHighMs: etaMs,
  message: '',
  ...extra,
});

describe('limit notifications', () => {
  const H = 3_600_000;
  it('notifies once per limit when it comes within the threshold, not at every update', () => {
    const p = new LimitNotificationPolicy(10 * 60_000);
    assert.equal(p.update([pred(2 * H)], H, 0).length, 0, 'beyond the threshold: nothing');
    assert.equal(p.update([pred(0.9 * H)], H, 5000).length, 1, 'within: one notification');
    for (let t = 10_000; t < 20 * 60_000; t += 5000) assert.equal(p.update([pred(0.8 * H - t)], H, t).length, 0, 'then quiet while it stays near');
    // Another limit is its own: a disk of the store.
    const disk = pred(0.5 * H, { component: '', resource: 'disk', limitKey: 'monitor.storePath', mount: '/' });
    assert.equal(p.update([pred(0.5 * H), disk], H, 20 * 60_000).length, 1);
  });

  it('does not re-notify a prediction that flickers around the threshold or drops out briefly', () => {
    const p = new LimitNotificationPolicy(10 * 60_000);
    let shown = 0;
    for (let i = 0; i < 200; i++) {
      const t = i * 5000;
      const list = i % 7 === 3 ? [] : [pred(i % 2 ? 0.95 * H : 1.1 * H)];
      shown += p.update(list, H, t).length;
    }
    assert.equal(shown, 1);
  });

  it('notifies again after the limit was clear for the re-arm time, and never when turned off', () => {
    const p = new LimitNotificationPolicy(10 * 60_000);
    assert.equal(p.update([pred(0.5 * H)], H, 0).length, 1);
    assert.equal(p.update([], H, 5 * 60_000).length, 0);
    assert.equal(p.update([], H, 11 * 60_000).length, 0);
    assert.equal(p.update([pred(0.5 * H)], H, 12 * 60_000).length, 1);
    assert.equal(new LimitNotificationPolicy().update([pred(0)], 0, 0).length, 0);
  });
});

describe('change time input', () => {
  const now = new Date(2026, 10, 27, 14, 30, 0).getTime();
  it('reads durations ago, clock times, local dates and ISO times', () => {
    assert.equal(parseChangeTime('20m', now), now - 20 * 60_000);
    assert.equal(parseChangeTime('2 h ago', now), now - 2 * 3_600_000);
    assert.equal(parseChangeTime('14:05', now), new Date(2026, 10, 27, 14, 5).getTime());
    assert.equal(parseChangeTime('15:00', now), new Date(2026, 10, 26, 15, 0).getTime(), 'a clock time still to come is yesterday');
    assert.equal(parseChangeTime('2026-11-27 09:15:30', now), new Date(2026, 10, 27, 9, 15, 30).getTime());
    assert.equal(parseChangeTime('2026-11-27T06:10:00Z', now), Date.UTC(2026, 10, 27, 6, 10));
    assert.equal(parseChangeTime('soon', now), undefined);
    assert.equal(parseChangeTime('25:00', now), undefined);
    assert.equal(parseChangeTime(formatLocalTime(now - 12_345_000), now), now - 12_345_000);
  });
});

describe('the planning protocol', () => {
  it('accepts a capacity question with a load, months or neither, and nothing else', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'planCapacity', query: { load: 2000 } }), { type: 'planCapacity', query: { load: 2000 } });
    assert.deepEqual(parseWebviewMessage({ type: 'planCapacity', query: { months: 6 } }), { type: 'planCapacity', query: { months: 6 } });
    assert.deepEqual(parseWebviewMessage({ type: 'planCapacity', query: {} }), { type: 'planCapacity', query: {} });
    for (const bad of [{ load: -1 }, { months: 1000 }, { load: 'x' }, { load: 1, months: 1 }, { load: Infinity }]) assert.equal(parseWebviewMessage({ type: 'planCapacity', query: bad }), undefined, JSON.stringify(bad));
    assert.equal(parseWebviewMessage({ type: 'planCapacity' }), undefined);
  });

  it('documents its methods in docs/architecture.md', () => {
    const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
    for (const m of [CapacityPlanRequest.method, ImpactTargetsRequest.method, AssessImpactRequest.method]) assert.ok(doc.includes(m), `${m} is named in docs/architecture.md`);
  });
});
