/**
 * A workspace with 24 hours of known synthetic history for the report tests: two components,
 * `api` (memory leaking towards its 600 MiB limit, a CPU step after an applied change 3 hours
 * ago, throughput with latency percentiles against a p95 SLO) and `worker` (a CPU spike 6 hours
 * ago), the system's CPU and memory, a tuning study log with its re-measurement, and the audit
 * entry of the applied change. Seeded: the same history every run. Untrusted-looking text (a
 * parameter value with markup) is in the study log on purpose.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../engine/coordinate/audit';
import { TimeSeriesStore } from '../../engine/store/index';
import { Rng } from '../../engine/util/rng';

export const HOUR = 3_600_000;
export const MIB = 1024 * 1024;
export const HOSTILE = '<script>alert("x")</script><img src="https://evil.example/x.png">';

export interface ReportWorkspace {
  dir: string;
  now: number;
  changeAt: number;
  spikeAt: number;
}

export const REPORT_YAML = `version: 1
components:
  - name: api
    kind: node
    process: { pidFile: api.pid }
    metrics:
      url: "http://127.0.0.1:1/metrics"
      throughput: requests_total
      latency: request_duration_seconds
    configFiles: [config/api.json]
    limits: { memory: 600MiB, cpuCores: 2 }
    slos: { latency: { p95: 250ms } }
  - name: worker
    kind: process
    process: { pidFile: worker.pid }
    limits: { cpuCores: 1 }
`;

export async function makeReportWorkspace(opts: { stepMs?: number; hours?: number } = {}): Promise<ReportWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-report-'));
  writeFileSync(join(dir, 'alluse-perf.yaml'), REPORT_YAML);
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config/api.json'), JSON.stringify({ pool: { workers: 4 } }, null, 2));
  const stepMs = opts.stepMs ?? 30_000;
  const hours = opts.hours ?? 24;
  const now = Math.floor(Date.now() / stepMs) * stepMs;
  const changeAt = now - 3 * HOUR;
  const spikeAt = now - 6 * HOUR;
  const store = await TimeSeriesStore.open({ dir: join(dir, '.alluse-perf/store') });
  const r = new Rng(11);
  const api = { component: 'api' };
  const worker = { component: 'worker' };
  for (let t = now - hours * HOUR; hours > 0 && t <= now; t += stepMs) {
    const h = (t - (now - hours * HOUR)) / HOUR;
    const daily = Math.sin((2 * Math.PI * t) / (24 * HOUR));
    const load = 120 * (1 + 0.25 * daily) * (1 + 0.03 * r.normal());
    const spike = Math.abs(t - spikeAt) < 4 * stepMs ? 0.6 : 0;
    store.append([
      { series: { name: 'requests_total_rate', labels: api }, t, v: load },
      { series: { name: 'request_duration_seconds_p50', labels: api }, t, v: 0.04 + 0.005 * r.normal() },
      { series: { name: 'request_duration_seconds_p95', labels: api }, t, v: 0.12 + 0.0004 * load + 0.01 * r.normal() },
      { series: { name: 'request_duration_seconds_p99', labels: api }, t, v: 0.2 + 0.0006 * load + 0.015 * r.normal() },
      { series: { name: 'process_cpu_ratio', labels: api }, t, v: 0.2 + 0.002 * load + 0.02 * r.normal() + (t >= changeAt ? 0.25 : 0) },
      { series: { name: 'process_resident_memory_bytes', labels: api }, t, v: 200 * MIB + 12 * MIB * h + 2 * MIB * r.normal() },
      { series: { name: 'process_cpu_ratio', labels: worker }, t, v: 0.1 + 0.01 * r.normal() + spike },
      { series: { name: 'process_resident_memory_bytes', labels: worker }, t, v: 80 * MIB + MIB * r.normal() },
      { series: { name: 'system_cpu_ratio', labels: { cpu: 'total' } }, t, v: 0.3 + 0.1 * daily + 0.02 * r.normal() + spike / 4 },
      { series: { name: 'system_memory_used_bytes', labels: {} }, t, v: 4096 * MIB + 12 * MIB * h + 8 * MIB * r.normal() },
      { series: { name: 'system_load1', labels: {} }, t, v: 1.2 + 0.5 * daily + 0.1 * r.normal() },
    ]);
  }
  await store.close();

  // A study of the api's workers, with a hostile parameter value, and its re-measurement.
  const studies = join(dir, '.alluse-perf/studies');
  mkdirSync(studies, { recursive: true });
  const iso = (t: number) => new Date(t).toISOString();
  const lines: unknown[] = [{ type: 'header', version: 1, study: 'api-workers', hash: 'h', definition: { objectives: [{ name: 'throughput_rps', direction: 'maximize' }] }, createdAt: iso(now - 5 * HOUR) }];
  const tps = [310, 342, 295, 388, 401, 377, 420, 415];
  tps.forEach((v, i) => {
    const params = { workers: i + 1, mode: i === 6 ? HOSTILE : 'fast' };
    lines.push({ type: 'trial-started', trial: i, params, at: iso(now - 5 * HOUR + i * 60_000) });
    lines.push({ type: 'trial-finished', trial: i, state: 'complete', values: [v], metrics: { throughput_rps: v }, feasible: true, repeats: 1, durationMs: 50_000, at: iso(now - 5 * HOUR + i * 60_000 + 50_000) });
  });
  lines.push({ type: 'trial-started', trial: 8, params: { workers: 9, mode: 'fast' }, at: iso(now - 4 * HOUR) });
  lines.push({ type: 'trial-finished', trial: 8, state: 'failed', feasible: false, reason: 'exit code 1', repeats: 1, durationMs: 1000, at: iso(now - 4 * HOUR + 1000) });
  writeFileSync(join(studies, 'api-workers.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  writeFileSync(
    join(studies, 'api-workers.remeasure.json'),
    JSON.stringify({ trial: 6, params: { workers: 7 }, at: iso(now - 3.5 * HOUR), result: { recommended: { workers: 7 }, pairs: 5, effects: [{ metric: 'throughput_rps', direction: 'maximize', medianCurrent: 330, medianRecommended: 412, improvement: 0.248, ci95: [0.18, 0.31], verdict: 'better', n: 5 }], runs: [], feasible: true, cancelled: false } }),
  );

  // The change applied from the study's recommendation, 3 hours ago.
  new AuditLog(dir).append({ actor: 'apply-all', source: 'study "api-workers"', component: 'api', file: 'config/api.json', edits: [{ keyPath: 'pool.workers', before: 4, after: 7 }], time: iso(changeAt) });
  return { dir, now, changeAt, spikeAt };
}
