/**
 * Cost of parsing a Prometheus payload of 1,000 samples (counters, histograms, gauges with
 * labels), with the engine's minimal parser, and of parse + conversion (rates, quantiles).
 * Run: node --import tsx bench/prometheusParse.bench.ts   (BENCH_RUNS=N for more rounds)
 */
import { parsePrometheusText, PrometheusConverter } from '../engine/collect/index';
import { goodPayload } from '../test/fixtures/collect/badServer';

const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const payloads = [0, 1, 2, 3].map((t) => goodPayload(1000, t));
const samples = parsePrometheusText(payloads[0]).sampleCount;

function measure(label: string, f: (i: number) => void): void {
  for (let i = 0; i < 200; i++) f(i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    f(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(1);
  console.log(`${label.padEnd(28)} p50 ${pct(50)} µs   p95 ${pct(95)} µs   (${RUNS} runs)`);
}

console.log(`payload: ${samples} samples, ${payloads[0].length} bytes; Node ${process.version}`);
measure('parse', (i) => parsePrometheusText(payloads[i % 4]));
const conv = new PrometheusConverter('bench');
let mono = 0;
measure('parse + convert', (i) => conv.convert(parsePrometheusText(payloads[i % 4]).families, Date.now(), (mono += 100)));
