/**
 * The server's young generation (protocol/serverProcess.ts) is large enough that objects which
 * live for a little allocation die young. Under `bench:load` the server allocates some 50 MB/s
 * and a collection round's, a scrape's or a cut slice's objects live a few turns of the event
 * loop; with 2 MiB semi-spaces (the setting before) such objects reached the old generation,
 * which then filled with short-lived garbage and was mark-compacted every few seconds: the GC
 * pauses in the stalls at the store's cuts (docs/performance.md, "Load"). A child node process
 * allocates 2 million small objects, each alive while the next 20,000 are made (about 2 MiB),
 * and counts its mark-compacts from V8's own trace. The count depends on allocation only, not
 * on time, so a loaded machine does not change it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import { SERVER_NODE_FLAGS } from '../../protocol/serverProcess';

const CHILD = `
const RING = 20000;
const ring = new Array(RING);
let sink = 0;
for (let i = 0; i < 2000000; i++) {
  ring[i % RING] = { t: i, v: i * 0.5, tag: 'x' + (i & 1023), arr: [i, i + 1, i + 2] };
  sink += ring[(i * 7) % RING]?.t ?? 0;
}
if (!(sink > 0)) throw new Error('the workload did not run');
`;

/** Mark-compacts and scavenges of the child run with `flags`. */
function collections(flags: readonly string[]): { mc: number; scavenges: number } {
  const out = execFileSync(process.execPath, [...flags, '--trace-gc-nvp', '-e', CHILD], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  const lines = out.split('\n');
  return { mc: lines.filter((l) => / gc=mc /.test(l)).length, scavenges: lines.filter((l) => / gc=s /.test(l)).length };
}

it('objects that live for a couple of MiB of allocation die young in the server: few mark-compacts, unlike with 2 MiB semi-spaces', { timeout: 240_000 }, () => {
  const server = collections(SERVER_NODE_FLAGS);
  const small = collections([...SERVER_NODE_FLAGS.filter((f) => !f.startsWith('--max-semi-space-size=')), '--max-semi-space-size=2']);
  assert.ok(server.scavenges > 0, 'the trace shows no scavenge: V8 no longer prints gc=s with --trace-gc-nvp, the test cannot count');
  assert.ok(server.mc <= 5, `with the server's flags the old generation was mark-compacted ${server.mc} times for short-lived objects (with 2 MiB semi-spaces ${small.mc})`);
  assert.ok(small.mc >= 3 * Math.max(1, server.mc), `with 2 MiB semi-spaces only ${small.mc} mark-compacts against ${server.mc}: the test no longer shows the difference`);
});
