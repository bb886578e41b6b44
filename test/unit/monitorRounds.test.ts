/**
 * What the monitor's collection rounds hand to the store (monitor.ts `loop`): the /proc
 * collectors of one interval in one batch, in collector order; a scrape's own `process_*`
 * series left out (the /proc ones are kept); the derived error ratio added to the scrape's
 * batch, not to the local one; each batch once, with its own samples only (the loop reuses
 * its arrays between rounds, so what the store saw is copied here at once).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Collector } from '../../engine/collect/types';
import type { SeriesSample } from '../../engine/metrics/series';
import { Monitor } from '../../engine/monitor/monitor';
import type { ComponentConfig } from '../../engine/workspace/config';

const key = (name: string, labels: Record<string, string> = {}) => ({ name, labels: { component: 'engine', ...labels } });
const K = {
  cpu: key('process_cpu_ratio'),
  sys: { name: 'system_load1', labels: {} },
  promProc: key('process_cpu_seconds_total_rate'),
  ticksOk: key('ticks_total_rate', { outcome: 'ok' }),
  ticksFailed: key('ticks_total_rate', { outcome: 'failed' }),
  errors: key('errors_total_rate', { kind: 'a' }),
};

function local(id: string, make: (now: number, round: number) => SeriesSample[]): Collector {
  let round = 0;
  return { id, defaultIntervalMs: 20, collect: async (now) => ({ samples: make(now, round++), problems: [] }), collectSync: (now) => ({ samples: make(now, round++), problems: [] }) };
}

function scrape(id: string, make: (now: number, round: number) => SeriesSample[]): Collector {
  let round = 0;
  return { id, defaultIntervalMs: 30, collect: async (now) => { await new Promise((r) => setImmediate(r)); return { samples: make(now, round++), problems: [] }; } };
}

it('stores each round as one batch: grouped /proc collectors, scrapes without their process_* series, the derived error ratio', async () => {
  const batches: { from: string; samples: [string, number, number][] }[] = [];
  const names = (s: readonly SeriesSample[]) => s.map((x): [string, number, number] => [`${x.series.name}${JSON.stringify(x.series.labels)}`, x.t, x.v]);
  const store = {
    append: (s: readonly SeriesSample[]) => batches.push({ from: s.some((x) => x.series.name.startsWith('ticks')) ? 'scrape' : 'local', samples: names(s) }),
    flush: async () => undefined, readOnly: false, memoryOnly: false, problems: [], diskUsage: () => ({ rawBytes: 0, rollupBytes: 0, walBytes: 0, bytesPerSample: 0 }),
  };
  const components = [{ name: 'engine', metrics: { throughput: 'ticks_total', errors: 'errors_total' }, slos: { errorRate: 0.01 } }] as unknown as ComponentConfig[];
  let done!: () => void;
  const enough = new Promise<void>((r) => (done = r));
  const m = new Monitor({
    collectors: [
      { collector: local('system', (t, r) => [{ series: K.sys, t, v: r }]), intervalMs: 20 },
      { collector: local('process:engine', (t, r) => [{ series: K.cpu, t, v: r / 10 }]), intervalMs: 20 },
      { collector: scrape('scrape:engine', (t, r) => [
        { series: K.promProc, t, v: 9 },
        { series: K.ticksOk, t, v: 300 + r },
        { series: K.ticksFailed, t, v: 100 },
        { series: K.errors, t, v: 8 },
      ]), intervalMs: 30 },
    ],
    store: store as never,
    storePath: '',
    rules: [],
    components,
    statusIntervalMs: 60_000,
    predictIntervalMs: 60_000,
    onStatus: () => undefined,
  });
  const check = setInterval(() => {
    if (batches.filter((b) => b.from === 'scrape').length >= 4 && batches.filter((b) => b.from === 'local').length >= 6) done();
  }, 5);
  m.start();
  await enough;
  clearInterval(check);
  await m.stop();
  const locals = batches.filter((b) => b.from === 'local');
  const scrapes = batches.filter((b) => b.from === 'scrape');
  locals.forEach((b, r) => {
    const t = b.samples[0][1];
    assert.deepEqual(b.samples, [[`system_load1{}`, t, r], [`process_cpu_ratio{"component":"engine"}`, t, r / 10]], `local round ${r}`);
  });
  scrapes.forEach((b, r) => {
    const t = b.samples[0][1];
    assert.deepEqual(b.samples, [
      [`ticks_total_rate{"component":"engine","outcome":"ok"}`, t, 300 + r],
      [`ticks_total_rate{"component":"engine","outcome":"failed"}`, t, 100],
      [`errors_total_rate{"component":"engine","kind":"a"}`, t, 8],
      [`slo_error_ratio{"component":"engine"}`, t, 8 / (400 + r)],
    ], `scrape round ${r}`);
  });
});
