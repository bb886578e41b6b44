/**
 * The checkpoint alone at the load benchmark's scale: 10,000 series with 200 samples in each of
 * 5 minutes (4 finished minutes waiting per series, 40,000 in all, plus the open minute and
 * hour), encoded four times in one step as at successive cuts (the first encodes the waiting
 * minutes, later ones reuse their bytes). CPU time of the thread for the entries
 * (`CheckpointWriter.entry` per series), for the open buckets' part of it (`openBucket` and
 * `writeBucket` alone), and for `finish` (the file's one copy and its CRC).
 * `node --import tsx bench/checkpointCost.ts [series]`
 */
import { loadavg } from 'node:os';
import { ByteWriter } from '../engine/store/bytes';
import { TIERS, writeBucket } from '../engine/store/rollup';
import { CheckpointWriter, SeriesState } from '../engine/store/seriesState';

const SERIES = Number(process.argv[2] ?? 10_000);
const T0 = Date.UTC(2026, 10, 1, 10, 20);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

const states = Array.from({ length: SERIES }, (_, i) => new SeriesState(`s${i}`, { name: 'load_gauge', labels: { i: String(i) } }));
for (let m = 0; m < 5; m++) {
  for (let j = 0; j < 200; j++) {
    const t = T0 + m * 60_000 + j * 100;
    states.forEach((st, k) => st.ingest(t, Math.round(Math.sin(k + j / 9) * 1000 + ((k * 31 + j * 17) % 13))));
  }
}
const waiting = states.reduce((a, s) => a + s.pending[1].length, 0);
console.log(`checkpoint of ${SERIES} series, ${waiting} waiting 1 min buckets (CPU ms; Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
for (let round = 1; round <= 4; round++) {
  let c = cpuMs();
  const w = new CheckpointWriter(round, states.length);
  states.forEach((s, i) => w.entry(i, s));
  const entries = cpuMs() - c;
  c = cpuMs();
  const bytes = w.finish();
  const finish = cpuMs() - c;
  c = cpuMs();
  const scratch = new ByteWriter(1 << 16);
  for (const s of states) for (let i = 0; i < TIERS.length; i++) { scratch.len = 0; const o = s.openBucket(i); if (o) writeBucket(scratch, o); }
  const open = cpuMs() - c;
  console.log(`cut ${round}: entries ${entries.toFixed(0).padStart(5)} ms (open buckets alone ${open.toFixed(0)} ms); finish ${finish.toFixed(0).padStart(4)} ms; ${(bytes.length / 1e6).toFixed(1)} MB`);
}
console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
