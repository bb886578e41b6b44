/**
 * Cost of `alluse-perf report`: the built CLI on a store with 24 hours of known history at
 * 30 s (test/helpers/reportWorkspace.ts: 2 components, 11 series, a study, an applied change),
 * for a 24h and a 7d range, with and without forecasts. Measures the CLI process's CPU time
 * (user + system, by /usr/bin/time) and wall time, the median of 3 runs each, and the HTML's
 * size. CPU time, not wall time, is the figure to compare on a shared machine. Run: node scripts/build.mjs && node --import tsx bench/report.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { makeReportWorkspace } from '../test/helpers/reportWorkspace';

const CLI = join(__dirname, '..', 'dist/cli.js');

async function main(): Promise<void> {
  const ws = await makeReportWorkspace();
  console.log(`method: ${process.execPath} ${CLI} report on a 24 h synthetic store (2 components, 11 series at 30 s); CPU = user+sys of the child process; 3 runs each, median; ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`);
  console.log('range  forecasts  cpu_s  wall_s  html_kB');
  for (const [range, forecast] of [['24h', true], ['24h', false], ['7d', true]] as const) {
    const rows: { cpu: number; wall: number }[] = [];
    const out = join(ws.dir, `r-${range}-${forecast}.html`);
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, CLI, 'report', '--workspace', ws.dir, '--range', range, '--out', out, ...(forecast ? [] : ['--no-forecast'])], { encoding: 'utf8' });
      const wall = (performance.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(r.stderr);
      const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
      rows.push({ cpu: u + s, wall });
    }
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[1];
    console.log(`${range.padEnd(6)} ${String(forecast).padEnd(10)} ${med(rows.map((x) => x.cpu)).toFixed(2).padStart(5)}  ${med(rows.map((x) => x.wall)).toFixed(2).padStart(6)}  ${(statSync(out).size / 1024).toFixed(0).padStart(7)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
