/**
 * Where the monitor's CPU goes, measured as CPU time instead of sampled (a `--cpu-prof`
 * profile of the monitor's worker charges native calls and rarely run code far more than
 * they cost: docs/performance.md, "Monitoring", s7-moncpu).
 *
 * Method: the real demo system on free ports (as `npm run bench:monitor`) and the monitor of
 * its workspace in this process (from the sources, in the main thread: no worker, V8's
 * default young generation), its status turned into a JSON line each second as the CLI does.
 * The main parts of the monitor (prototype methods) are wrapped with `process.cpuUsage()`
 * before and after, each part's time without the wrapped parts it calls; after WARM s
 * (default 30) the parts are summed over WIN s (default 60) and printed with the process's
 * whole CPU time. What is not in a part ("rest"): timers and the event loop, promises, the
 * HTTP client's callbacks, the WAL's writes, garbage collection, the cut. Each wrapped call
 * costs two getrusage calls (about 1-2 µs), a few hundred a second.
 *
 *   node --import tsx bench/monitorCpuAttribution.ts     (WARM=30 WIN=60)
 */
import { startDemoWorkspace } from '../test/helpers/demoWorkspace';
import { createMonitor } from '../engine/monitor/createMonitor';
import { loadWorkspaceConfig } from '../cli/workspaceFile';
import { Monitor } from '../engine/monitor/monitor';
import { AnomalyTracker } from '../engine/monitor/anomalies';
import { AnomalyFeed } from '../engine/monitor/anomalyFeed';
import { AlertEvaluator } from '../engine/alerts/evaluator';
import { TimeSeriesStore } from '../engine/store/store';
import { RepeatedScrape } from '../engine/collect/promRepeat';
import { PrometheusConverter } from '../engine/collect/promConvert';
import { ProcSystemCollector } from '../engine/collect/procSystem';
import { ProcessCollector } from '../engine/collect/procProcess';
import { KeepAliveHttpClient } from '../engine/collect/keepAliveGet';
import * as bott from '../engine/monitor/bottlenecks';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const acc = new Map<string, { us: number; n: number }>();
let on = false; let depth: { name: string; child: number }[] = [];
const now = () => { const c = process.cpuUsage(); return c.user + c.system; };
function wrap(proto: any, m: string, name: string) {
  const f = proto[m];
  proto[m] = function (this: any, ...a: any[]) {
    if (!on) return f.apply(this, a);
    const fr = { name, child: 0 }; depth.push(fr); const t0 = now();
    try { return f.apply(this, a); } finally {
      const d = now() - t0; depth.pop(); if (depth.length) depth[depth.length - 1].child += d;
      const e = acc.get(name) ?? { us: 0, n: 0 }; e.us += d - fr.child; e.n++; acc.set(name, e);
    }
  };
}
wrap(Monitor.prototype, 'ingest', 'monitor.ingest (own)');
wrap(Monitor.prototype, 'tickStatus', 'monitor.tickStatus+onStatus');
wrap(Monitor.prototype, 'predictNow', 'predictions');
wrap(AnomalyTracker.prototype, 'observe', 'anomaly.observe');
wrap(AnomalyFeed.prototype, 'select', 'anomalyFeed.select');
wrap(AlertEvaluator.prototype, 'observe', 'alerts.observe');
wrap(TimeSeriesStore.prototype, 'append', 'store.append');
wrap(RepeatedScrape.prototype, 'parse', 'scrape.parse');
wrap(PrometheusConverter.prototype, 'convert', 'scrape.convert');
wrap(ProcSystemCollector.prototype, 'collectSync', 'proc.system');
wrap(ProcessCollector.prototype, 'collectSync', 'proc.process');
wrap(KeepAliveHttpClient.prototype, 'get', 'http.get (sync part)');
async function main() {
  const ws = await startDemoWorkspace({ prefix: 'alluse-bench-attrib-' });
  try {
    const w = loadWorkspaceConfig(ws.folder, console.error);
    if (typeof w === 'number') throw new Error('the workspace file did not load');
    const { monitor, store } = await createMonitor(w.config, w.dir, { onStatus: (s) => { JSON.stringify({ t: Date.now(), ...s }); } });
    monitor.start();
    await sleep(Number(process.env.WARM ?? 30) * 1000);
    on = true; const c0 = now(); const t0 = performance.now();
    await sleep(Number(process.env.WIN ?? 60) * 1000);
    on = false; const total = now() - c0; const wall = (performance.now() - t0) * 1000;
    console.log('process CPU', (total / wall * 100).toFixed(2), '% of a core over', (wall / 1e6).toFixed(0), 's');
    let sum = 0;
    for (const [k, v] of [...acc].sort((a, b) => b[1].us - a[1].us)) { sum += v.us; console.log(k.padEnd(32), (v.us / wall * 100).toFixed(3) + '%', (v.us / v.n).toFixed(1).padStart(8), 'us/call', v.n, 'calls'); }
    console.log('rest (timers, loop, GC, status outside, WAL, ...)', ((total - sum) / wall * 100).toFixed(3) + '%');
    await monitor.stop(); await store.close();
  } finally { await ws.system.stop(); }
}
main();
