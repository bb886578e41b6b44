/**
 * The busy stretches of a --cpu-prof profile (bench:load's server with
 * BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR"): runs of samples without "(idle)" between
 * them longer than a threshold, each with its wall time and the functions that took it (self
 * time, and the task-level frames: the outermost frame of our code in each sample's stack).
 * A stretch without an idle sample is a stretch the event loop's timers waited behind (a
 * sample is a wall-clock tick: on a loaded machine, time the thread was not scheduled counts too).
 * Usage: node bench/load/profileStretches.mjs FILE.cpuprofile [minMs=80] [top=8] [--turns] [--summary] [--from=S]
 */
import { readFileSync } from 'node:fs';

const [file, minArg, topArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const MIN = Number(minArg ?? 80);
const TOP = Number(topArg ?? 8);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
/** The outermost frame that is not node's own (the task: a round's ingest, a cut's slice, a parse). */
const taskOf = new Map();
function task(id) {
  if (taskOf.has(id)) return taskOf.get(id);
  const chain = [];
  for (let x = id; x !== undefined; x = parent.get(x)) chain.push(byId.get(x));
  chain.reverse();
  const t = chain.find((n) => n.callFrame.url.includes('dist/server.js') && n.callFrame.functionName) ?? chain[chain.length - 1];
  const r = name(t);
  taskOf.set(id, r);
  return r;
}
const gc = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(garbage collector)').map((n) => n.id));
const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
/** Samples in the timers phase (a timer's callback ran: the loop turned). A stretch across turns is busy, not stalled: `--turns` ends stretches where the loop enters or leaves it. */
const inTimers = new Set();
for (const n of p.nodes) {
  let x = n.id;
  while (x !== undefined && !['processTimers', 'listOnTimeout'].includes(byId.get(x).callFrame.functionName)) x = parent.get(x);
  if (x !== undefined) inTimers.add(n.id);
}
const TURNS = process.argv.includes('--turns');
/** `--from=S`: stretches from S seconds into the profile on (the server's start and the monitor's first rounds left out). */
const FROM = Number(process.argv.find((a) => a.startsWith('--from='))?.slice(7) ?? 0);
const stretches = [];
let cur;
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i];
  const id = p.samples[i];
  const dt = p.timeDeltas[i + 1] ?? 0;
  // A collection belongs to the turn it interrupts.
  const timers = gc.has(id) && cur ? cur.timers : inTimers.has(id);
  // `--turns`: the timers phase is a turn of its own (a long timer callback is a stretch too:
  // the predictions' index read at about 480 s ran in one; it was left out before).
  if (idle.has(id) || (TURNS && cur && timers !== cur.timers)) {
    if (cur && cur.ms >= MIN && cur.at >= FROM) stretches.push(cur);
    cur = undefined;
    if (idle.has(id)) continue;
  }
  cur ??= { at: (t - p.startTime) / 1e6, ms: 0, samples: 0, self: new Map(), tasks: new Map(), timers };
  const ms = dt / 1000;
  cur.ms += ms;
  cur.samples++;
  const n = byId.get(id);
  cur.self.set(name(n), (cur.self.get(name(n)) ?? 0) + ms);
  cur.tasks.set(task(id), (cur.tasks.get(task(id)) ?? 0) + ms);
}
const total = (p.endTime - p.startTime) / 1e6;
// The sampling interval (the median gap between samples): a stretch's samples times it is the
// main thread's CPU in it; its wall time is more when the machine took the CPU away meanwhile.
const gaps = [...p.timeDeltas].sort((a, b) => a - b);
const interval = gaps[gaps.length >> 1] / 1000;
const cpu = (s) => s.samples * interval;
console.log(`${file}: ${total.toFixed(0)} s, ${stretches.length} busy stretches of ${MIN} ms or more of wall time; sampling every ${interval.toFixed(2)} ms`);
const over = (ms) => stretches.filter((s) => cpu(s) >= ms).length;
console.log(`by the main thread's CPU in them (samples x interval): ${over(MIN)} of ${MIN} ms or more, the longest ${Math.max(0, ...stretches.map(cpu)).toFixed(0)} ms`);
if (process.argv.includes('--summary')) process.exit(0);
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, v]) => `    ${v.toFixed(1).padStart(6)} ms  ${k}`).join('\n');
for (const s of stretches) console.log(`at ${s.at.toFixed(1)} s: ${s.ms.toFixed(0)} ms (CPU ${cpu(s).toFixed(0)} ms)\n  tasks:\n${top(s.tasks)}\n  self:\n${top(s.self)}`);
