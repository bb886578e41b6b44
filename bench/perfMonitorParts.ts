/**
 * Where the monitor's CPU goes, from a Linux `perf` profile of its process: CPU-time samples
 * (the `cpu-clock` event fires on CPU time only, unlike V8's `--cpu-prof`, which samples the
 * thread's wall time and charges native calls and rarely run code far more than they cost:
 * docs/performance.md, "Monitoring"), with the kernel's and V8's own native frames, so the
 * JIT compiler, the garbage collector and the system calls are seen beside the JavaScript.
 *
 * Record (root, or perf_event_paranoid ≤ 1), JavaScript names from `--perf-basic-prof`:
 *   BENCH_WARMUP_S=150 BENCH_NODE_FLAGS=--perf-basic-prof npm run bench:monitor &
 *   perf record -e cpu-clock -F 1999 -g -p <monitor pid> -o mon.data -- sleep 90
 *   perf script -i mon.data -F tid,time,ip,sym > mon.txt
 *   node --import tsx bench/perfMonitorParts.ts mon.txt [binSeconds]
 * Prints each part's share of one core (the busiest thread is the monitor's worker; a sample
 * goes to the first part, in the order below, that one of its frames belongs to), and with
 * `binSeconds` the JIT compiler's and the collector's shares per bin of time (without
 * `--perf-basic-prof` only those two and "rest" can be told apart). PERF_HZ: the rate given
 * to `perf record -F` (default 1999).
 */
import { readFileSync } from 'node:fs';

/** First match wins: V8's own work first (it runs inside whatever JavaScript triggered it). */
const PARTS: [string, RegExp][] = [
  ['JIT compile (TurboFan, lazy, baseline)', /Runtime_CompileOptimized|compiler::|CompileLazy|BaselineBatchCompiler/],
  ['garbage collection', /Scavenge|Heap::Collect|MarkCompact|Sweeper|ConcurrentMarking|IncrementalMarking|Heap::Perform|MinorMC/],
  ['predictions', /JS:\S*predictNow /],
  ['status', /JS:\S*(tickStatus|onStatus) /],
  ['store cut and checkpoint', /JS:\S*(sealNow|startCut|writeBucket|encodeValues|checkpoint\w*) /],
  ['WAL write', /JS:\S*(flushWal|appendWal|writeWal) /],
  ['store append', /JS:\S*append \S*monitorWorker/],
  ['alerts, anomaly feed, detectors', /JS:\S*(observe|select) /],
  ['Monitor.ingest itself', /JS:\S*ingest \S*monitorWorker/],
  ['/proc collectors', /JS:\S*collectSync /],
  ['scrapes (request, answer, parse, convert)', /JS:\S*(collect|collectOne|convert|parse\w*|onStreamRead) /],
  ['timers and the event loop', /JS:\S*(processTimers|listOnTimeout|processImmediate) |uv_run|epoll/],
];

interface Sample { tid: string; t: number; frames: string }

function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').map((l) => l.trim()).filter(Boolean);
    if (lines.length < 2) continue;
    const head = lines[0].split(/\s+/);
    out.push({ tid: head[0], t: Number(head[1]?.replace(/:$/, '')), frames: lines.slice(1).map((l) => l.split(/\s+/).slice(1).join(' ')).join('\n') });
  }
  return out;
}

function main(): void {
  const [file, binArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: node --import tsx bench/perfMonitorParts.ts <perf script output> [binSeconds]');
  const samples = parse(readFileSync(file, 'utf8'));
  if (samples.length < 2) throw new Error(`${file}: no samples (record with -g, and print with perf script -F tid,time,ip,sym)`);
  // Printed without times (-F tid,ip,sym), the recording's length is given instead.
  const span = Number.isFinite(samples[0].t) ? samples[samples.length - 1].t - samples[0].t : Number(process.env.PERF_SECONDS);
  if (!(span > 0)) throw new Error('the samples have no times: print them with perf script -F tid,time,ip,sym, or give the recording\'s length as PERF_SECONDS');
  const perThread = new Map<string, number>();
  for (const s of samples) perThread.set(s.tid, (perThread.get(s.tid) ?? 0) + 1);
  const worker = [...perThread].sort((a, b) => b[1] - a[1])[0][0];
  // Samples per second of CPU: from the recording's -F, which perf script does not print; ask for it.
  const hz = Number(process.env.PERF_HZ ?? 1999);
  const share = (n: number, seconds = span) => `${((n / hz / seconds) * 100).toFixed(3)}%`;
  const counts = new Map<string, number>();
  const partOf = (s: Sample) => (s.tid !== worker ? 'other threads (main, thread pool, V8)' : (PARTS.find(([, re]) => re.test(s.frames))?.[0] ?? 'other'));
  for (const s of samples) counts.set(partOf(s), (counts.get(partOf(s)) ?? 0) + 1);
  console.log(`${samples.length} samples over ${span.toFixed(0)} s at ${hz} Hz (PERF_HZ): ${share(samples.length)} of one core; the worker (tid ${worker}) ${share(perThread.get(worker)!)}`);
  console.log('| part | share of one core |\n|---|---|');
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`| ${k} | ${share(n)} |`);
  if (binArg) {
    const bin = Number(binArg);
    const t0 = samples[0].t;
    const bins = new Map<number, { all: number; jit: number; gc: number }>();
    for (const s of samples) {
      const k = Math.floor((s.t - t0) / bin);
      const b = bins.get(k) ?? { all: 0, jit: 0, gc: 0 };
      b.all++;
      if (PARTS[0][1].test(s.frames)) b.jit++;
      else if (PARTS[1][1].test(s.frames)) b.gc++;
      bins.set(k, b);
    }
    console.log(`\n| from the first sample | all | JIT compile | GC | rest |\n|---|---|---|---|---|`);
    for (const [k, b] of [...bins].sort((a, c) => a[0] - c[0])) console.log(`| ${k * bin}-${(k + 1) * bin} s | ${share(b.all, bin)} | ${share(b.jit, bin)} | ${share(b.gc, bin)} | ${share(b.all - b.jit - b.gc, bin)} |`);
  }
}

main();
