#!/usr/bin/env node
// Sums a V8 sampling heap profile (`node --heap-prof`, written when the process exits: the
// objects still alive then, sampled) by allocating function and by the nearest frame in our
// own sources, and prints the largest. Used on the server of `npm run bench:load` to find
// what holds its memory: BENCH_NODE_FLAGS="--heap-prof --heap-prof-dir=DIR".
// Usage: node bench/load/heapProfileTop.mjs FILE.heapprofile [N]
import { readFileSync } from 'node:fs';

const [file, nArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/load/heapProfileTop.mjs FILE.heapprofile [N]');
  process.exit(2);
}
const N = Number(nArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const bySelf = new Map();
const byOurs = new Map();
let total = 0;
const ours = (f) => /\/(engine|server|cli|protocol)\//.test(f.url) || /dist\/(server|cli)\.js/.test(f.url);
const name = (f) => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(engine|server|cli|protocol|node_modules|dist)\//, '$1/')}:${f.lineNumber + 1}`;

function walk(node, stack) {
  const f = node.callFrame;
  const here = [...stack, f];
  if (node.selfSize) {
    total += node.selfSize;
    const k = name(f);
    bySelf.set(k, (bySelf.get(k) ?? 0) + node.selfSize);
    const mine = [...here].reverse().find(ours);
    const o = mine ? name(mine) : '(no frame of ours)';
    byOurs.set(o, (byOurs.get(o) ?? 0) + node.selfSize);
  }
  for (const c of node.children ?? []) walk(c, here);
}
walk(profile.head, []);

const mib = (b) => (b / 1048576).toFixed(1).padStart(8);
const top = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, N);
console.log(`${file}: ${mib(total)} MiB sampled live at exit`);
console.log('\nby allocating function:');
for (const [k, v] of top(bySelf)) console.log(`${mib(v)} MiB  ${k}`);
console.log('\nby the nearest frame in our sources (engine/, server/, cli/, or the bundles):');
for (const [k, v] of top(byOurs)) console.log(`${mib(v)} MiB  ${k}`);
