/**
 * What the monitor's timer change saves, apart from everything else the monitor does: the
 * demo's schedule (a 100 ms loop, four 1 s scrape loops, a 1 s status, a 5 s prediction
 * tick) with trivial rounds, three ways, as three child processes side by side for the same
 * minutes:
 * - `before`: main's schedule: the scrape loops started at 0, 250, 500, 750 ms (spread over
 *   their interval), a setTimeout per loop (phases kept by nextRoundAt), setInterval for the
 *   status and the predictions;
 * - `aligned`: the scrape loops started on the 100 ms loop's moments (0, 200, 500, 700 ms),
 *   the status and the predictions too, still a setTimeout per loop;
 * - `shared`: the same on one SharedTimer (engine/monitor/sharedTimer.ts), as the monitor now.
 * Each prints its process CPU time (utime + stime from /proc/self/stat, 10 ms ticks) over the
 * window and its voluntary context switches per second (its wake-ups).
 *
 *   node --import tsx bench/sharedTimerCost.ts      (SECONDS=60)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SharedTimer } from '../engine/monitor/sharedTimer';
import { nextRoundAt } from '../engine/monitor/monitor';

const SECONDS = Number(process.env.SECONDS ?? 60);
/** [interval, first delay] of the loops, then the status and the predictions (first after one interval). */
const ALIGNED: [number, number][] = [[100, 0], [1000, 0], [1000, 200], [1000, 500], [1000, 700], [1000, 1000], [5000, 5000]];
const BEFORE: [number, number][] = [[100, 0], [1000, 0], [1000, 250], [1000, 500], [1000, 750]];

function cpuTicks(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
}
function wakeups(): number {
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

let work = 0;
const round = () => {
  for (let i = 0; i < 50; i++) work += Math.sqrt(i);
};

function separate(origin: number, loops: [number, number][]): void {
  for (const [interval, delay] of loops) {
    let planned = origin + delay;
    const run = () => {
      round();
      planned = nextRoundAt(planned, performance.now(), interval);
      setTimeout(run, Math.max(0, planned - performance.now()));
    };
    setTimeout(run, delay);
  }
}

function before(origin: number): void {
  separate(origin, BEFORE);
  setInterval(round, 1000);
  setInterval(round, 5000);
}

function shared(origin: number): void {
  const t = new SharedTimer();
  for (const [interval, delay] of ALIGNED) {
    let planned = origin + delay;
    const c = t.add(() => {
      round();
      planned = nextRoundAt(planned, performance.now(), interval);
      t.plan(c, planned);
    });
    t.plan(c, planned);
  }
}

if (process.argv[2] === 'child') {
  const mode = process.argv[3];
  const origin = performance.now();
  if (mode === 'shared') shared(origin);
  else if (mode === 'aligned') separate(origin, ALIGNED);
  else before(origin);
  setTimeout(() => {
    const c0 = cpuTicks();
    const w0 = wakeups();
    setTimeout(() => {
      process.stdout.write(JSON.stringify({ mode, cpuPct: (cpuTicks() - c0) / SECONDS, wakeupsPerS: (wakeups() - w0) / SECONDS }) + '\n');
      process.exit(0);
    }, SECONDS * 1000);
  }, 3000);
} else {
  const run = (mode: string) =>
    new Promise<string>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', __filename, 'child', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('exit', () => resolve(out.trim()));
    });
  void Promise.all([run('before'), run('aligned'), run('shared')]).then((rs) => {
    console.log(`The demo's timer schedule with trivial rounds, ${SECONDS} s, side by side (CPU: % of one core, from clock ticks):`);
    for (const r of rs) console.log(r);
  });
}
