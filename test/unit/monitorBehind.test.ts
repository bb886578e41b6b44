/**
 * A monitor short of CPU collects less often (it never queues rounds) and says so in its
 * status; one that keeps up says nothing. The collector here is a stub that takes a given
 * time per round (busy, as a slow parse would).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Collector } from '../../engine/collect/types';
import { Monitor } from '../../engine/monitor/monitor';
import type { MonitorStatus } from '../../engine/monitor/types';

const store = { append: () => undefined, flush: async () => undefined, readOnly: false, memoryOnly: false, problems: [], diskUsage: () => ({ rawBytes: 0, rollupBytes: 0, walBytes: 0, bytesPerSample: 0 }) };

function collector(id: string, busyMs: number): Collector {
  return {
    id,
    defaultIntervalMs: 10,
    collect: async () => ({ samples: [], problems: [] }),
    collectSync: (now) => {
      const end = performance.now() + busyMs;
      while (performance.now() < end) { /* a round that takes busyMs of CPU */ }
      return { samples: [{ series: { name: 'x', labels: {} }, t: now, v: 1 }], problems: [] };
    },
  };
}

/** Runs a monitor with one collector until `statuses` statuses arrived; returns them. */
async function run(busyMs: number, intervalMs: number, statuses = 5): Promise<MonitorStatus[]> {
  const got: MonitorStatus[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const m = new Monitor({
    collectors: [{ collector: collector('process:slow', busyMs), intervalMs }],
    store: store as never,
    storePath: '',
    rules: [],
    components: [],
    statusIntervalMs: 300,
    predictIntervalMs: 60_000,
    onStatus: (s) => {
      got.push(s);
      if (got.length >= statuses) done();
    },
  });
  m.start();
  await finished;
  await m.stop();
  return got;
}

it('says it is behind when rounds take longer than their interval', async () => {
  const got = await run(25, 10);
  const last = got.at(-1)!;
  const p = last.problems.find((x) => x.startsWith('Monitoring is behind'));
  assert.ok(p, JSON.stringify(last.problems));
  // 25 ms rounds every 10 ms: at most about 40% of the rounds due can run, three statuses in a row.
  const pct = Number(/behind: (\d+)%/.exec(p)![1]);
  assert.ok(pct <= 50, p);
});

it('says nothing when it keeps up', async () => {
  // At 10 Hz even a loaded machine runs well over half of the rounds.
  const got = await run(0, 100);
  for (const s of got) assert.ok(!s.problems.some((x) => x.startsWith('Monitoring is behind')), JSON.stringify(s.problems));
});
