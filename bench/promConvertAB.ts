/**
 * In-process A/B of scrape conversion (PrometheusConverter, as the scrape collector runs it:
 * the body read by RepeatedScrape with the parser's series cache, `labelsRepeat` and `resultsRepeat`): this
 * tree's engine against another one (`git archive <commit> engine | tar -x -C /tmp/old`),
 * both bundled with esbuild, interleaved, CPU time of the process around the conversions only.
 * The body is shaped after prom-client's (the demo's components): histograms of 14 buckets
 * over a few label sets, counters, gauges, a summary; every value changes each scrape. The
 * samples of both engines are compared scrape by scrape (series ids, times, values): any
 * difference fails the run.
 *
 * Usage: node --import tsx bench/promConvertAB.ts [oldEngineDir]   (default /tmp/old/engine);
 * BENCH_ROUNDS (3), BENCH_SCRAPES (5000 per run).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleEngine } from './bundleEngine';

const OLD = resolve(process.argv[2] ?? '/tmp/old/engine');
const NEW = resolve(__dirname, '../engine');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 5000);

interface Sample { series: { name: string; labels: Record<string, string> }; t: number; v: number }
interface Engine {
  name: string;
  pipeline(): { parse(b: Buffer): { families: unknown[] }; convert(f: unknown[], now: number, mono: number): Sample[] };
  seriesId(k: Sample['series']): string;
}

async function load(dir: string, name: string, out: string): Promise<Engine> {
  const m = await bundleEngine(dir, name, out, {
    'collect/promConvert': ['PrometheusConverter'],
    'collect/promRepeat': ['RepeatedScrape'],
    'metrics/series': ['seriesId'],
  });
  return {
    name,
    seriesId: m.seriesId,
    pipeline: () => {
      const rep = new m.RepeatedScrape(new Map());
      // As the scrape collector makes it (an engine without the replay ignores `resultsRepeat`).
      const conv = new m.PrometheusConverter('engine', { labelsRepeat: true, resultsRepeat: true });
      return { parse: (b: Buffer) => rep.parse(b), convert: (f: unknown[], now: number, mono: number) => conv.convert(f, now, mono) };
    },
  };
}

const LE = ['0.001', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

/** The body of scrape `k` (every value moves; the lines stay the same). */
function body(k: number): Buffer {
  const lines: string[] = [];
  for (const h of ['http_request_duration_seconds', 'tick_duration_seconds', 'queue_wait_seconds', 'gc_duration_seconds']) {
    lines.push(`# HELP ${h} A histogram.`, `# TYPE ${h} histogram`);
    for (const route of ['/a', '/b', '/c']) {
      let c = 0;
      for (const [i, le] of LE.entries()) {
        c += (k * (i + 1)) % 7 + (i < 6 ? 3 * k : 0);
        lines.push(`${h}_bucket{le="${le}",route="${route}"} ${c}`);
      }
      lines.push(`${h}_sum{route="${route}"} ${(c * 0.0123).toFixed(6)}`, `${h}_count{route="${route}"} ${c}`);
    }
  }
  for (const cn of ['ticks_total', 'errors_total', 'bytes_sent_total', 'messages_total']) {
    lines.push(`# TYPE ${cn} counter`);
    for (const kind of ['ok', 'failed', 'retried']) lines.push(`${cn}{kind="${kind}"} ${k * 17 + kind.length}`);
  }
  for (const g of ['queue_depth', 'workers_busy', 'cache_entries', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
    lines.push(`# TYPE ${g} gauge`, `${g} ${((k * 7919) % 1000) / 7}`);
  }
  lines.push('# TYPE rpc_latency_seconds summary');
  for (const q of ['0.5', '0.9', '0.99']) lines.push(`rpc_latency_seconds{quantile="${q}"} ${(k % 13) / 100 + Number(q)}`);
  lines.push(`rpc_latency_seconds_sum ${k * 1.5}`, `rpc_latency_seconds_count ${k * 3}`);
  return Buffer.from(lines.join('\n') + '\n');
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const bodies = Array.from({ length: SCRAPES }, (_, k) => body(k + 1));
  const out = mkdtempSync(join(tmpdir(), 'alluse-convert-ab-'));
  const engines = [await load(OLD, 'old', out), await load(NEW, 'new', out)];
  // The same scrapes through both engines, compared.
  const p = engines.map((e) => e.pipeline());
  let n = 0;
  for (let k = 0; k < 300; k++) {
    const got = engines.map((e, i) => p[i].convert(p[i].parse(bodies[k]).families, 1000 * k, 1000 * k).map((s) => [e.seriesId(s.series), s.t, s.v]));
    if (JSON.stringify(got[0]) !== JSON.stringify(got[1])) throw new Error(`scrape ${k}: the samples differ`);
    n = got[0].length;
  }
  console.log(`A/B of scrape conversion: a ${bodies[0].length}-byte body, ${n} samples per scrape, ${SCRAPES} scrapes per run\nold: ${OLD}\nnew: ${NEW}\nidentical samples in 300 scrapes; CPU time (user + system) of the conversions, interleaved, ${ROUNDS} rounds; µs per scrape`);
  const res: Record<string, number[]> = { old: [], new: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const la = loadavg()[0].toFixed(1);
    for (const e of r % 2 ? [...engines].reverse() : engines) {
      const pl = e.pipeline();
      const parsed = bodies.map(() => undefined as unknown);
      let ms = 0;
      for (let k = 0; k < SCRAPES; k++) {
        const f = pl.parse(bodies[k]).families;
        parsed[k] = undefined;
        const c0 = cpuMs();
        pl.convert(f, 1000 * k, 1000 * k);
        ms += cpuMs() - c0;
      }
      res[e.name].push((ms * 1000) / SCRAPES);
    }
    console.log(`round ${r + 1} (load average ${la}): old ${res.old[r].toFixed(1)} / new ${res.new[r].toFixed(1)} µs (×${(res.new[r] / res.old[r]).toFixed(2)})`);
  }
}

void main();
