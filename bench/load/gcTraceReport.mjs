/**
 * Reads what `bench:load` wrote with BENCH_GC_TRACE=NVP (V8's `--trace-gc-nvp` of the server)
 * and ALLUSE_GC_TRACE=LOOP (bench/load/gcTrace.cjs: the main thread's stalls and GC pauses on
 * the wall clock), and prints:
 * - the main thread's GC pauses by kind (scavenge `s`, mark-compact `mc`, minor mark-compact
 *   `mmc`): count, sum, p50 / p90 / p99 / max, and for scavenges the bytes promoted and the
 *   survival rate; for mark-compacts the atomic pause's phases (mark, evacuate = compaction,
 *   sweep, clear) and `reduce_memory`;
 * - every stall over STALL ms (default 100) with the collections that ran in it.
 * Usage: node bench/load/gcTraceReport.mjs NVP LOOP [STALL] [--from=S] (S: seconds since the
 * process started; skip the start-up).
 */
import { readFileSync } from 'node:fs';

const [nvpFile, loopFile, stallArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const from = Number(process.argv.find((a) => a.startsWith('--from='))?.slice(7) ?? 0) * 1000;
const STALL = Number(stallArg ?? 100);

const byIsolate = new Map();
for (const line of readFileSync(nvpFile, 'utf8').split('\n')) {
  const m = /^\[\d+:(0x[0-9a-f]+)\]\s+(\d+) ms: (.*)$/.exec(line);
  if (!m) continue;
  const f = { t: Number(m[2]) };
  for (const kv of m[3].split(' ')) {
    const i = kv.indexOf('=');
    if (i > 0) f[kv.slice(0, i)] = kv.slice(i + 1);
  }
  f.pause = Number(f.pause);
  if (!byIsolate.has(m[1])) byIsolate.set(m[1], []);
  byIsolate.get(m[1]).push(f);
}
// The main thread's isolate is the first to collect (the encode worker starts at the first big cut).
const [mainIso, gcs] = [...byIsolate.entries()][0];
const loop = readFileSync(loopFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const origin = loop[0].timeOrigin;

// The nvp time is ms since the isolate started, a little after the process's timeOrigin: find
// the shift that lines the big pauses up with node's gc entries of the same length.
// (gcs are in time order: a binary search finds the candidates; 300 entries are enough.)
const perf = loop.filter((e) => e.gc && e.ms > 5).slice(0, 300);
const firstAtOrAfter = (t) => {
  let lo = 0;
  let hi = gcs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (gcs[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
let shift = 0;
let best = -1;
for (let s = -100; s <= 1000; s++) {
  let hits = 0;
  for (const p of perf) {
    const tEnd = p.start + p.ms - origin - s;
    for (let i = firstAtOrAfter(tEnd - 3); i < gcs.length && gcs[i].t <= tEnd + 3; i++) {
      if (Math.abs(gcs[i].pause - p.ms) <= Math.max(0.6, p.ms * 0.05)) { hits++; break; }
    }
  }
  if (hits > best) [best, shift] = [hits, s];
}
const at = (g) => origin + shift + g.t; // epoch ms at the end of the pause (about)

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const r1 = (x) => Math.round(x * 10) / 10;
const MiB = (b) => r1(b / 1048576);
const inRange = gcs.filter((g) => g.t >= from);
console.log(`main isolate ${mainIso}: ${inRange.length} collections from ${from / 1000} s (of ${gcs.length}); ${byIsolate.size - 1} other isolate(s) with ${[...byIsolate.values()].reduce((a, x) => a + x.length, 0) - gcs.length}; clock shift ${shift} ms (${best} of ${perf.length} node gc entries over 5 ms matched)`);
console.log('kind | count | sum ms | p50 | p90 | p99 | max | over 20 ms | over 40 ms');
for (const kind of [...new Set(inRange.map((g) => g.gc))]) {
  const ps = inRange.filter((g) => g.gc === kind).map((g) => g.pause);
  console.log(`${kind} | ${ps.length} | ${Math.round(ps.reduce((a, b) => a + b, 0))} | ${r1(pct(ps, 50))} | ${r1(pct(ps, 90))} | ${r1(pct(ps, 99))} | ${r1(Math.max(...ps))} | ${ps.filter((p) => p > 20).length} | ${ps.filter((p) => p > 40).length}`);
}
const sc = inRange.filter((g) => g.gc === 's');
if (sc.length) {
  const promoted = sc.map((g) => Number(g.promoted));
  const surv = sc.map((g) => parseFloat(g.average_survival_ratio ?? g.new_space_survive_rate_));
  console.log(`scavenges: promoted per scavenge p50 ${MiB(pct(promoted, 50))} / p90 ${MiB(pct(promoted, 90))} / max ${MiB(Math.max(...promoted))} MiB, total ${MiB(promoted.reduce((a, b) => a + b, 0))} MiB; survival p50 ${pct(sc.map((g) => parseFloat(g.new_space_survive_rate_)), 50)}%`);
  const slow = sc.filter((g) => g.pause > 10);
  if (slow.length) console.log(`scavenges over 10 ms: ${slow.length}; their promoted p50 ${MiB(pct(slow.map((g) => Number(g.promoted)), 50))} MiB, survived p50 ${MiB(pct(slow.map((g) => Number(g.new_space_survived)), 50))} MiB; fast (<5 ms) promoted p50 ${MiB(pct(sc.filter((g) => g.pause < 5).map((g) => Number(g.promoted)), 50))} MiB`);
}
for (const g of inRange.filter((x) => x.gc === 'mc')) {
  console.log(`  mc at ${r1(g.t / 1000)} s: pause ${g.pause} (mark ${g.mark} evacuate ${g.evacuate} sweep ${g.sweep} clear ${g.clear} finish ${g.finish} incremental.sweep_array_buffers ${g['incremental.sweep_array_buffers']}) reduce_memory=${g.reduce_memory} heap ${MiB(Number(g.total_size_before))} -> ${MiB(Number(g.total_size_after))} MiB, background.mark ${g['background.mark']}`);
}

console.log(`\nstalls over ${STALL} ms (wall, from the 10 ms timer) and the main thread's collections in them:`);
for (const s of loop.filter((e) => e.stall > STALL && e.end - origin >= from)) {
  const begin = s.end - s.stall;
  const inside = [];
  for (let i = firstAtOrAfter(begin - origin - shift); i < gcs.length && at(gcs[i]) - gcs[i].pause <= s.end; i++) inside.push(gcs[i]);
  const sum = inside.reduce((a, g) => a + g.pause, 0);
  const desc = inside.map((g) => `${g.gc} ${g.pause}${g.gc === 's' ? ` (promoted ${MiB(Number(g.promoted))} MiB)` : ''}`).join(', ');
  console.log(`  ${r1((begin - origin) / 1000)} s: ${s.stall} ms; GC ${r1(sum)} ms in ${inside.length}: ${desc}`);
}
