/**
 * Starts the real demo system on free ports in a temporary folder and writes an
 * alluse-perf.yaml that points at it, for the monitoring tests.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo } from '../../examples/all-use/build.mjs';
import { COMPONENT_NAMES, DEMO_ROOT, startSystem, type RunningSystem } from '../../examples/all-use/src/system.ts';

export interface DemoWorkspace {
  folder: string;
  file: string;
  text: string;
  system: RunningSystem;
}

/** Metric names of the demo components, as in examples/all-use/alluse-perf.yaml. */
const METRICS: Record<string, string[]> = {
  'market-feed': ['throughput: alluse_feed_ticks_total', 'errors: alluse_errors_total'],
  'protocol-engine': ['latency: alluse_engine_tick_latency_seconds', 'throughput: alluse_engine_ticks_total', 'errors: alluse_errors_total', 'queueDepth: alluse_engine_queue_depth'],
  'account-service': ['latency: alluse_http_request_duration_seconds', 'throughput: alluse_account_updates_total', 'errors: alluse_errors_total'],
  'learning-worker': ['throughput: alluse_learning_ticks_total', 'errors: alluse_errors_total'],
};

/**
 * `ratePerS` sets a light market-feed rate (without bursts), so latency stays low on a
 * busy 2-core machine until a test injects a fault. `engineSlos` is written under the
 * protocol engine's `slos:`. `engineLimits` replaces the protocol engine's `limits:` (a flow
 * map); as a function it gets the engine's resident memory in bytes once it runs, to set a
 * memory limit relative to it.
 */
export async function startDemoWorkspace(
  opts: { ratePerS?: number; engineSlos?: string; engineLimits?: string | ((rssBytes: number) => string); prefix?: string; monitorLines?: string[]; configFiles?: boolean; topLines?: string[] } = {},
): Promise<DemoWorkspace> {
  await buildDemo();
  const folder = mkdtempSync(join(tmpdir(), opts.prefix ?? 'alluse-demo-ws-'));
  mkdirSync(join(folder, 'config'));
  const feed = readFileSync(join(DEMO_ROOT, 'config/market-feed.yaml'), 'utf8')
    .replace(/^rate_per_s:.*$/m, `rate_per_s: ${opts.ratePerS ?? 200}`)
    .replace(/^burst_every_s:.*$/m, 'burst_every_s: 0');
  writeFileSync(join(folder, 'config/market-feed.yaml'), feed);
  // `configFiles`: every component reads its own copy in the workspace, named under `configFiles`.
  if (opts.configFiles) for (const n of COMPONENT_NAMES) if (n !== 'market-feed') writeFileSync(join(folder, `config/${n}.yaml`), readFileSync(join(DEMO_ROOT, `config/${n}.yaml`), 'utf8'));
  const system = await startSystem({ ports: 'ephemeral', runDir: join(folder, 'run'), logs: 'file', configDir: join(folder, 'config') });
  const engineLimits =
    typeof opts.engineLimits === 'function'
      ? opts.engineLimits(Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${system.components['protocol-engine'].pid}/status`, 'utf8'))?.[1] ?? 0) * 1024)
      : (opts.engineLimits ?? '{ memory: 512MiB, cpuCores: 1.5, queueCapacity: 20000 }');
  const comps = COMPONENT_NAMES.map((n) => {
    const c = system.components[n];
    const engine = n === 'protocol-engine';
    return [
      `  - name: ${n}`,
      '    kind: node',
      `    process: { pidFile: ${JSON.stringify(c.pidFile)} }`,
      '    metrics:',
      `      url: ${c.metricsUrl}`,
      ...METRICS[n].map((m) => `      ${m}`),
      ...(engine ? [`    limits: ${engineLimits}`] : ['    limits: { memory: 384MiB }']),
      ...(engine && opts.engineSlos ? [`    slos: ${opts.engineSlos}`] : []),
      ...(opts.configFiles ? [`    configFiles: [config/${n}.yaml]`] : []),
    ].join('\n');
  });
  const text = ['version: 1', 'components:', ...comps, 'monitor:', '  interval: 100ms', '  retention: 1h', '  storePath: store', ...(opts.monitorLines ?? []), ...(opts.topLines ?? []), ''].join('\n');
  const file = join(folder, 'alluse-perf.yaml');
  writeFileSync(file, text);
  return { folder, file, text, system };
}
