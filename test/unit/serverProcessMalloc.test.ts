/**
 * The malloc settings the server is started with (protocol/serverProcess.ts) give large array
 * buffers back to the system when they are freed. With glibc's defaults, the first freed
 * mmapped block raises the mmap threshold to its size, so later blocks of that size come from
 * malloc's heaps, and freeing them leaves memory that small long-lived allocations between
 * them pin: the pattern of the store's cut buffers among the monitor's small buffers, which
 * kept the server's RSS up under `bench:load` (docs/performance.md, "Load"). A child node
 * process makes that pattern, frees the large buffers and reports its anonymous memory.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { removeServerEnv, SERVER_ENV, SERVER_ENV_ADDED, serverEnv } from '../../protocol/serverProcess';

const CHILD = `
const { readFileSync } = require('node:fs');
const anonMiB = () => Number(/^Anonymous:\\s+(\\d+)/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))[1]) / 1024;
const keep = [];
let big = [];
const round = (n) => { for (let i = 0; i < n; i++) { big.push(new Uint8Array(1 << 20).fill(1)); keep.push(new Uint8Array(2048).fill(2)); } };
for (let r = 0; r < 6; r++) { round(40); big = []; gc(); }
round(200);
big = [];
gc();
setTimeout(() => { gc(); setTimeout(() => console.log(JSON.stringify({ anonMiB: anonMiB(), kept: keep.length })), 200); }, 200);
`;

function anonAfterFree(env: NodeJS.ProcessEnv): number {
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', CHILD], { env, encoding: 'utf8', timeout: 30_000 });
  const r = JSON.parse(out) as { anonMiB: number; kept: number };
  assert.equal(r.kept, 440);
  return r.anonMiB;
}

const glibc = process.platform === 'linux' && !!(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime && existsSync('/proc/self/smaps_rollup');

it('freed large array buffers go back to the system with the server\'s malloc settings, and stay without them', { skip: !glibc && 'glibc on Linux only' }, () => {
  const plain = { ...process.env };
  for (const k of Object.keys(SERVER_ENV)) delete plain[k];
  delete plain.GLIBC_TUNABLES;
  const tuned = anonAfterFree({ ...plain, ...SERVER_ENV });
  const untuned = anonAfterFree(plain);
  // 240 MiB were allocated in 1 MiB buffers and freed; 440 small buffers (0.9 MiB) stay.
  assert.ok(tuned < 20, `with the settings ${tuned.toFixed(1)} MiB of anonymous memory are left`);
  assert.ok(untuned > tuned + 20, `without them ${untuned.toFixed(1)} MiB are left (with them ${tuned.toFixed(1)}): the test no longer shows the difference`);
});

it('the launcher adds only the variables a person has not set, and the server takes out exactly those', () => {
  const env = serverEnv({ PATH: '/bin', MALLOC_ARENA_MAX: '8', UNSET: undefined });
  assert.equal(env.MALLOC_ARENA_MAX, '8', 'a person\'s own setting stays');
  assert.equal(env.MALLOC_MMAP_THRESHOLD_, SERVER_ENV.MALLOC_MMAP_THRESHOLD_);
  assert.equal(env.PATH, '/bin');
  assert.ok(!('UNSET' in env));
  assert.deepEqual(env[SERVER_ENV_ADDED].split(',').sort(), Object.keys(SERVER_ENV).filter((k) => k !== 'MALLOC_ARENA_MAX').sort());
  // What the server's children inherit: the environment it was started from.
  const own: Record<string, string | undefined> = { ...env };
  removeServerEnv(own);
  assert.deepEqual(own, { PATH: '/bin', MALLOC_ARENA_MAX: '8' });
  const untouched: Record<string, string | undefined> = { PATH: '/bin', MALLOC_MMAP_THRESHOLD_: '1' };
  removeServerEnv(untouched); // not started by our launcher: nothing to take out
  assert.deepEqual(untouched, { PATH: '/bin', MALLOC_MMAP_THRESHOLD_: '1' });
});
