/**
 * Tells a long task from a descheduled thread: for every stall of the server's main thread
 * over STALL ms (bench/load/gcTrace.cjs's LOOP file: gaps between ticks of a 10 ms timer, on
 * the wall clock), what its scheduler figures (bench:load's BENCH_SCHED_TRACE=SCHED, sampled
 * every 50 ms) say about the window of samples around it:
 * - ran: ms the main thread was on a CPU (schedstat's run time): a long task or GC;
 * - waited: ms it was runnable but not on a CPU (schedstat's run-queue wait): descheduled;
 * - blocked: the rest (neither running nor runnable: a lock, such as GC helper threads not
 *   done, or a synchronous system call that sleeps, such as an fsync);
 * - involuntary context switches of the main thread, the whole server's CPU (all threads:
 *   GC helpers, the encode worker) and the load generator's, the machine's running tasks and
 *   load average.
 * Usage: node bench/load/schedAround.mjs SCHED LOOP [STALL=100] [--from=S] (S: seconds since
 * the server's start).
 */
import { readFileSync } from 'node:fs';

const [schedFile, loopFile, stallArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const STALL = Number(stallArg ?? 100);
const from = Number(process.argv.find((a) => a.startsWith('--from='))?.slice(7) ?? 0) * 1000;
const sched = readFileSync(schedFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const loop = readFileSync(loopFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const origin = loop[0].timeOrigin;
const r0 = (x) => Math.round(x);

/** The last sample at or before t, and the first at or after t. */
const before = (t) => { let s = sched[0]; for (const x of sched) { if (x.t > t) break; s = x; } return s; };
const after = (t) => sched.find((x) => x.t >= t) ?? sched[sched.length - 1];

/** The whole run's shares, for comparison: ran / waited per second of wall time. */
const a = sched.find((x) => x.t - origin >= from) ?? sched[0];
const z = sched[sched.length - 1];
const wall = z.t - a.t;
console.log(`whole run from ${from / 1000} s: main thread ran ${((z.run - a.run) / 1e6 / wall * 100).toFixed(0)}% and waited for a CPU ${((z.wait - a.wait) / 1e6 / wall * 100).toFixed(0)}% of the wall time; ${r0((z.nv - a.nv) / (wall / 1000))} involuntary switches/s; server ${((z.cpu - a.cpu) * 1000 / wall).toFixed(0)}% of a core (all threads), load generator ${((z.gen - a.gen) * 1000 / wall).toFixed(0)}%`);
console.log(`\nstalls over ${STALL} ms and the window of 50 ms samples around each: wall | ran | waited for a CPU | blocked | involuntary switches | server CPU (all threads) | generator CPU | running tasks | load`);
const rows = [];
for (const s of loop.filter((e) => e.stall > STALL && e.end - origin >= from)) {
  const begin = s.end - s.stall;
  const p = before(begin);
  const q = after(s.end);
  const w = q.t - p.t;
  const ran = (q.run - p.run) / 1e6;
  const waited = (q.wait - p.wait) / 1e6;
  const running = sched.filter((x) => x.t >= p.t && x.t <= q.t).map((x) => x.running);
  rows.push({ stall: s.stall, ran, waited });
  console.log(`  ${((begin - origin) / 1000).toFixed(1)} s (epoch ${begin}): stall ${s.stall} ms; window ${w} ms: ran ${r0(ran)}, waited ${r0(waited)}, blocked ${r0(w - ran - waited)} ms; ${q.nv - p.nv} involuntary; server ${(q.cpu - p.cpu) * 10} ms CPU (other threads about ${r0((q.cpu - p.cpu) * 10 - ran)}), generator ${(q.gen - p.gen) * 10} ms; running ${Math.min(...running)}-${Math.max(...running)}; load ${q.load}`);
}
const sum = (f) => rows.reduce((a, r) => a + f(r), 0);
if (rows.length) console.log(`\n${rows.length} stalls, ${sum((r) => r.stall)} ms: the main thread ran ${r0(sum((r) => r.ran))} ms and waited for a CPU ${r0(sum((r) => r.waited))} ms in their windows; ${rows.filter((r) => r.waited > r.ran).length} of them waited more than they ran`);
