import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diskWatches, mountOf, predictLimits } from '../../engine/monitor/bottlenecks';
import type { MetricQuery, MetricStore } from '../../engine/monitor/storeApi';
import type { ComponentConfig } from '../../engine/workspace/config';
import { Rng } from '../../engine/util/rng';

const NOW = 1_700_000_000_000;

/** File-system ratios sampled every 10 s (as the slow collector does), answered as step means. */
function diskStore(byMount: Record<string, (t: number) => number>, fromMs: number): MetricStore {
  const every = 10_000;
  return {
    listSeries: (m?: { name?: string }) => (m?.name === 'system_filesystem_used_ratio' ? Object.keys(byMount).map((mount) => ({ name: m.name!, labels: { mount } })) : []),
    query(q: MetricQuery) {
      if (q.name !== 'system_filesystem_used_ratio') return [];
      return Object.entries(byMount)
        .filter(([mount]) => !q.labels?.mount || q.labels.mount === mount)
        .map(([mount, f]) => {
          const step = Math.max(q.stepMs || every, every);
          const points = [];
          for (let t = Math.ceil(Math.max(q.from, fromMs) / step) * step; t <= q.to; t += step) {
            let sum = 0;
            let n = 0;
            for (let s = Math.ceil(t / every) * every; s < t + step && s <= q.to; s += every) {
              sum += f(s);
              n++;
            }
            if (n) points.push({ t, v: sum / n });
          }
          return { series: { name: q.name, labels: { mount } }, points };
        });
    },
  } as unknown as MetricStore;
}

const component = (name: string, diskPath?: string): ComponentConfig => ({ name, kind: 'node', process: {}, configFiles: [], limits: { diskPath }, slos: { severity: 'critical', forMs: 0 } });

describe('disk fill predictions', () => {
  it('finds the mount that holds a path (the longest prefix, not a name that merely starts the same)', () => {
    const mounts = ['/', '/var', '/var/lib/docker', '/data'];
    assert.equal(mountOf('/var/log/x', mounts), '/var');
    assert.equal(mountOf('/var', mounts), '/var');
    assert.equal(mountOf('/variable/x', mounts), '/');
    assert.equal(mountOf('/var/lib/docker/v', mounts), '/var/lib/docker');
    assert.equal(mountOf('/home/u', ['/data']), undefined);
  });

  it('watches the store and each component diskPath, resolved against the workspace folder', () => {
    const w = diskWatches([component('engine', 'data/engine'), component('api')], '/ws', '/ws/.alluse-perf/store');
    assert.deepEqual(w, [
      { path: '/ws/data/engine', component: 'engine', limitKey: 'limits.diskPath' },
      { path: '/ws/.alluse-perf/store', limitKey: 'monitor.storePath' },
    ]);
  });

  it('predicts when a filling file system reaches 95%, with an interval that holds the truth', () => {
    // /var at 60%, filling 1% every 5 minutes with measurement noise: 95% is 175 min away.
    const r = new Rng(11);
    const noise = new Map<number, number>();
    const fill = (t: number) => 0.6 + ((t - NOW) / 300_000) * 0.01 + (noise.get(t) ?? noise.set(t, 0.0005 * r.normal()).get(t)!);
    const flat = () => 0.3;
    const store = diskStore({ '/': flat, '/var': fill }, NOW - 6 * 3_600_000);
    const preds = predictLimits(store, [component('engine', '/var/lib/engine')], NOW, { disks: diskWatches([component('engine', '/var/lib/engine')], '/ws', '/home/u/ws/store') });
    assert.equal(preds.length, 1, `only /var fills: ${preds.map((p) => p.message).join('; ')}`);
    const [p] = preds;
    assert.equal(p.resource, 'disk');
    assert.equal(p.mount, '/var');
    assert.equal(p.component, 'engine');
    assert.equal(p.limitKey, 'limits.diskPath');
    const truth = 175 * 60_000;
    // Up to one sampling interval (10 s) of slack: a rollup bucket's mean is of samples at its start, not its middle.
    assert.ok(p.etaLowMs - 10_000 <= truth && truth <= p.etaHighMs + 10_000, `80% interval ${p.etaLowMs}..${p.etaHighMs} holds ${truth}`);
    assert.ok(Math.abs(p.etaMs - truth) < 0.05 * truth, `eta ${p.etaMs} near ${truth}`);
    assert.match(p.message, /^disk \/var reaches 95% in 2 h 5\d min \(80%: .+ to .+\)$/);
  });

  it('ranks the store file system with the other limits and says when one is already over', () => {
    const store = diskStore({ '/': (t) => 0.5 + ((t - NOW) / 60_000) * 0.01, '/data': () => 0.97 }, NOW - 3_600_000);
    const preds = predictLimits(store, [component('engine', '/data/engine')], NOW, { disks: diskWatches([component('engine', '/data/engine')], '/ws', '/ws/store') });
    assert.deepEqual(
      preds.map((p) => [p.mount, p.component, p.limitKey]),
      [
        ['/data', 'engine', 'limits.diskPath'],
        ['/', '', 'monitor.storePath'],
      ],
    );
    assert.equal(preds[0].etaMs, 0);
    assert.equal(preds[0].message, 'disk /data is over 95% full (97%)');
    // 50% now, +1%/min: 45 min to 95%.
    assert.ok(Math.abs(preds[1].etaMs - 45 * 60_000) < 60_000, `eta ${preds[1].etaMs}`);
  });

  it('predicts nothing for a file system that does not fill, and reads no mounts when nothing is watched', () => {
    const r = new Rng(3);
    const store = diskStore({ '/': () => 0.4 + 0.001 * r.normal() }, NOW - 3_600_000);
    assert.deepEqual(predictLimits(store, [], NOW, { disks: diskWatches([], '/ws', '/ws/store') }), []);
    const noList = { query: () => [], listSeries: () => assert.fail('listSeries without disks') } as unknown as MetricStore;
    assert.deepEqual(predictLimits(noList, [], NOW), []);
  });
});
