// Prints one series of a store (raw samples) as JSON {points: [[t, v], ...]}, e.g. the CPU of
// the protocol engine from a failed test's kept workspace:
//   node --import tsx bench/diag/storeSeries.ts STORE_DIR process_cpu_ratio component=protocol-engine > FILE
import { TimeSeriesStore } from '../../engine/store/store';

async function main(): Promise<void> {
  const [dir, name, ...labelArgs] = process.argv.slice(2);
  const labels = Object.fromEntries(labelArgs.map((a) => a.split('=') as [string, string]));
  const store = await TimeSeriesStore.open({ dir });
  const r = store.query({ name, labels, from: 0, to: Date.now() + 86_400_000 });
  if (r.length !== 1) throw new Error(`${r.length} series match: ${r.map((x) => x.id).join(', ')}`);
  process.stdout.write(JSON.stringify({ id: r[0].id, points: r[0].points.map((p) => [p.t, p.v]) }));
  await store.close();
}
void main();
