/**
 * `objectiveSource: monitor`: the window mean over a store (summed over label sets), the wait
 * for the monitor's samples to cover the window's end, and a trial's window (its run after
 * the warm-up), with the reasons when it cannot be measured.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoreQuery, QueryResult } from '../../engine/store/types';
import type { StudyDefinition } from '../../engine/tune/studyConfig';
import { studyFromYaml } from '../../engine/tune/studyConfig';
import { monitorReader, windowMean, type MonitorStoreView } from '../../engine/tune/trialMonitorMetrics';
import { runTrial } from '../../engine/tune/trialRunner';

/** An in-memory store view: series by name and labels, samples (t, v); `visibleUntil` is what has reached the disk. */
function fakeStore(series: { name: string; labels: Record<string, string>; points: [number, number][] }[]) {
  const view = {
    visibleUntil: Number.POSITIVE_INFINITY,
    refreshes: 0,
    async refresh() {
      view.refreshes++;
    },
    query(q: StoreQuery): QueryResult[] {
      return series
        .filter((s) => s.name === q.name && Object.entries(q.labels ?? {}).every(([k, v]) => s.labels[k] === v))
        .map((s) => ({ id: s.name, series: { name: s.name, labels: s.labels }, resolution: 'raw' as const, points: s.points.filter(([t]) => t >= q.from && t <= q.to && t <= view.visibleUntil).map(([t, v]) => ({ t, v })) }));
    },
  };
  return view satisfies MonitorStoreView;
}

describe('metrics from the monitor', () => {
  const store = fakeStore([
    { name: 'lat', labels: { component: 'svc' }, points: [[0, 100], [1000, 10], [2000, 20], [3000, 30], [4000, 1000]] },
    { name: 'lat', labels: { component: 'other' }, points: [[2000, 999]] },
    { name: 'req_rate', labels: { component: 'svc', route: '/a' }, points: [[1000, 1], [2000, 3]] },
    { name: 'req_rate', labels: { component: 'svc', route: '/b' }, points: [[1000, 10], [2000, NaN]] },
  ]);

  it('averages the window of the component, sums label sets, and leaves out other components', () => {
    assert.equal(windowMean(store, 'lat', 'svc', 1000, 3000), 20);
    assert.equal(windowMean(store, 'req_rate', 'svc', 1000, 2000), 2 + 10);
    assert.equal(windowMean(store, 'lat', 'svc', 5000, 6000), undefined);
    assert.equal(windowMean(store, 'nope', 'svc', 0, 6000), undefined);
  });

  it('waits until the monitor has written past the window end, then reads', async () => {
    const s = fakeStore([{ name: 'lat', labels: { component: 'svc' }, points: [[1000, 10], [2000, 20], [3000, 30], [3500, 99]] }]);
    s.visibleUntil = 2000; // the monitor's last flush
    const slept: number[] = [];
    const read = monitorReader(s, {
      component: 'svc',
      pollMs: 100,
      maxWaitMs: 5000,
      sleep: async (ms) => {
        slept.push(ms);
        if (slept.length === 3) s.visibleUntil = Number.POSITIVE_INFINITY; // the next flush arrives
      },
    });
    assert.deepEqual(await read(['lat', 'missing'], 1000, 3000), { lat: 20 });
    assert.equal(s.refreshes, 4);
    assert.deepEqual(slept, [100, 100, 100]);
    // A monitor that never catches up: read what there is after maxWaitMs.
    const stale = fakeStore([{ name: 'lat', labels: { component: 'svc' }, points: [[1000, 10]] }]);
    let waits = 0;
    const r2 = monitorReader(stale, { component: 'svc', pollMs: 100, maxWaitMs: 300, sleep: async () => void waits++ });
    assert.deepEqual(await r2(['lat'], 0, 3000), { lat: 10 });
    assert.equal(waits, 3);
  });

  it('reads a trial over its run after the warm-up, with the JSON line as extra metrics', async () => {
    const def: StudyDefinition = {
      ...studyFromYaml(
        {
          name: 'm',
          component: 'svc',
          configFile: __filename,
          parameters: { x: { type: 'int', min: 1, max: 2 } },
          objectives: [{ metric: 'lat', direction: 'minimize' }],
          constraints: ['err_rate <= 0.1'],
          trial: { command: process.execPath, args: ['-e', 'setTimeout(() => console.log(JSON.stringify({ extra: 7 })), 400)'] },
          objectiveSource: 'monitor',
          warmup: '150ms',
        },
        0,
        __dirname,
      ),
      configFile: undefined,
    };
    assert.equal(def.objectiveSource, 'monitor');
    assert.equal(def.warmupMs, 150);
    const windows: { names: readonly string[]; from: number; to: number }[] = [];
    const t0 = Date.now();
    const o = await runTrial(def, { x: 1 }, { trialNumber: 0, readMonitor: async (names, from, to) => (windows.push({ names, from, to }), { lat: 12.5, err_rate: 0 }) });
    const t1 = Date.now();
    assert.equal(o.state, 'complete', o.reason);
    assert.deepEqual(o.values, [12.5]);
    assert.equal(o.metrics!.extra, 7);
    assert.deepEqual(windows[0].names, ['lat', 'err_rate']);
    assert.ok(windows[0].from >= t0 + 150 && windows[0].to <= t1 && windows[0].to - windows[0].from >= 400 - 150, JSON.stringify({ t0, t1, ...windows[0] }));
    const none = await runTrial(def, { x: 1 }, { trialNumber: 1, readMonitor: async () => ({}) });
    assert.match(none.reason!, /the monitor has no samples of "lat" for component "svc" between .* is the monitor running/);
    const short = await runTrial({ ...def, warmupMs: 60_000 }, { x: 1 }, { trialNumber: 2, readMonitor: async () => ({ lat: 1 }) });
    assert.match(short.reason!, /no longer than the warmup of 60\.0 s/);
    const without = await runTrial(def, { x: 1 }, { trialNumber: 3 });
    assert.match(without.reason!, /needs the monitor's store/);
  });

  it('needs a component to read, and a sane source name', () => {
    const raw = { name: 'm', configFile: 'c.yaml', parameters: { x: { type: 'int', min: 1, max: 2 } }, objectives: [{ metric: 'lat', direction: 'minimize' }], trial: { command: 'node' } };
    assert.throws(() => studyFromYaml({ ...raw, objectiveSource: 'monitor' }, 0, '/'), /component: objectiveSource: monitor reads the series/);
    assert.throws(() => studyFromYaml({ ...raw, objectiveSource: 'stdout' }, 0, '/'), /objectiveSource: must be command or monitor/);
    assert.equal(studyFromYaml(raw, 0, '/').objectiveSource, undefined);
  });
});
