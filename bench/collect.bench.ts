/**
 * Cost of collection: polls the system collector, 4 process collectors and 4 scrape collectors
 * every 100 ms for 20 s (BENCH_SECONDS), like the monitor will, and reports the CPU time of
 * the collecting process (process.cpuUsage, as % of one core) and its RSS. The 4 components
 * are separate Node processes (test/fixtures/collect/busyChild.cjs) serving prom-client
 * metrics, so their own work is not counted.
 * Run: node --import tsx bench/collect.bench.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessCollector, ProcSystemCollector, ScrapeCollector, type Collector } from '../engine/collect/index';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const INTERVAL = 100;
const FIXTURE = join(__dirname, '..', 'test', 'fixtures', 'collect', 'busyChild.cjs');

async function startChild(folder: string, i: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [FIXTURE, '--tag', `bench-${i}`, '--pid-file', `.run/c${i}.pid`, '--port', '0', '--busy-ms', '2'], { cwd: folder, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error('fixture exited')));
  });
  return { child, port };
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'alluse-bench-collect-'));
  const kids = await Promise.all([0, 1, 2, 3].map((i) => startChild(join(folder), i)));
  const collectors: Collector[] = [new ProcSystemCollector()];
  kids.forEach((k, i) => {
    collectors.push(new ProcessCollector(`c${i}`, { pidFile: `.run/c${i}.pid` }, folder));
    collectors.push(new ScrapeCollector(`c${i}`, `http://127.0.0.1:${k.port}/metrics`));
  });
  // one warm-up round (module loading, first /proc reads)
  await Promise.all(collectors.map((c) => c.collect(Date.now())));
  const payload = (await (await fetch(`http://127.0.0.1:${kids[0].port}/metrics`)).text()).split('\n').filter((l) => l && !l.startsWith('#')).length;

  const rounds: number[] = [];
  let samples = 0;
  let problems = 0;
  const problemKinds = new Map<string, number>();
  let skipped = 0;
  let busy = false;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(async () => {
      if (performance.now() - t0 >= SECONDS * 1000) {
        clearInterval(timer);
        return resolve();
      }
      if (busy) return void skipped++;
      busy = true;
      const s = performance.now();
      const results = await Promise.all(collectors.map((c) => c.collect(Date.now())));
      rounds.push(performance.now() - s);
      for (const r of results) {
        samples += r.samples.length;
        problems += r.problems.length;
        for (const p of r.problems) problemKinds.set(p.kind, (problemKinds.get(p.kind) ?? 0) + 1);
        if (process.env.BENCH_VERBOSE) for (const p of r.problems) console.log(p.message);
      }
      busy = false;
    }, INTERVAL);
  });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const rss = process.memoryUsage().rss;
  for (const c of collectors) c.dispose?.();
  for (const k of kids) k.child.kill('SIGTERM');
  rmSync(folder, { recursive: true, force: true });

  rounds.sort((a, b) => a - b);
  const pct = (p: number) => rounds[Math.min(rounds.length - 1, Math.floor((p / 100) * rounds.length))].toFixed(2);
  const load = (await import('node:os')).loadavg()[0];
  console.log(`collect bench: system + 4 processes + 4 scrapes (${payload} samples each, prom-client default + fixture metrics), every ${INTERVAL} ms for ${(wall / 1000).toFixed(1)} s; Node ${process.version}, load average ${load.toFixed(2)}`);
  console.log(`rounds: ${rounds.length} (${skipped} skipped while one was running), ${samples} samples, ${problems} problems${problems ? ` (${[...problemKinds].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`);
  console.log(`round time: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms`);
  console.log(`CPU of the collecting process: ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1)}% of one core (user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms)`);
  console.log(`RSS of the collecting process: ${(rss / 1024 / 1024).toFixed(1)} MiB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
