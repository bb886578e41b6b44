/**
 * Sums a sampling heap profile of the monitor (bench/monitorAllocProbe.cjs) by part of the
 * monitor, in KB/s: each sample goes to the first part, in the order below, that any frame of
 * its stack belongs to (by function name; the bundle keeps them). "steady" leaves out what
 * does not run every round: the store's cut, the predictions (every 5 s), the baselines' save
 * (every 5 minutes and at the stop).
 *
 *   node --import tsx bench/allocSummary.ts alloc.worker1.heapprofile [seconds sampled: 60]
 */
import { readFileSync } from 'node:fs';

interface Node { callFrame: { functionName: string }; selfSize: number; children?: Node[] }

const PARTS: [string, RegExp, boolean][] = [
  ['store cut (seal, checkpoint)', /^(startCut|seal|sealNow|sealWithWorker|checkpointSliced|buildGroupSliced|applyEncoded|firstTurn|checkpointEntryNow)$/, false],
  ['predictions', /^predictNow$/, false],
  ['baselines save', /^(saveBaselinesSliced|persistNow)$/, false],
  ['status', /^(tickStatus|status)$/, true],
  ['anomaly feed', /^select$/, true],
  ['anomaly detectors', /^(update|score|next)$/, true],
  ['store append', /^append$/, true],
  ['WAL write', /^(flushWal|writeWal|appendWal)$/, true],
  ['scrapes (HTTP, parse, conversion)', /^(collectOne|collect|httpGetBytes|request|run|whenFree|send)$/, true],
  ['/proc collectors', /^collectSync$/, true],
  ['monitor rounds (alerts, tracker loop, rest)', /^(round|ingest|finish|loop|take|derive|observe)$/, true],
];

const [file, secondsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node --import tsx bench/allocSummary.ts <file.heapprofile> [seconds sampled]');
const seconds = Number(secondsArg ?? 60);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: Node };
const bytes = new Map<string, number>();
let total = 0;
let steady = 0;
const walk = (n: Node, stack: string[]) => {
  const st = [...stack, n.callFrame.functionName];
  const part = PARTS.find(([, re]) => st.some((f) => re.test(f)));
  const name = part?.[0] ?? 'other';
  total += n.selfSize;
  if (!part || part[2]) steady += n.selfSize;
  bytes.set(name, (bytes.get(name) ?? 0) + n.selfSize);
  for (const c of n.children ?? []) walk(c, st);
};
walk(profile.head, []);
const kb = (b: number) => (b / seconds / 1024).toFixed(0).padStart(5);
console.log(`allocation, ${file}, ${seconds} s: total ${kb(total)} KB/s, steady (every round) ${kb(steady)} KB/s`);
for (const [name, b] of [...bytes].sort((a, c) => c[1] - a[1])) console.log(`${kb(b)} KB/s  ${name}`);
