/**
 * Faults of a monitored component, on the real demo system (free ports; no demo lock) under
 * the built analysis server: the learning worker is restarted (the same command line, so the
 * same pid file and port, a new pid) and found again; then it is stopped and a foreign HTTP
 * server (in this test's process) takes its port, answering something that is not Prometheus
 * text: that is reported as a problem of the component naming the port's holder, nothing from
 * it is stored as the component's series, and the other components are still collected.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DashboardDataRequest, MonitorStatusNotification, type MonitorStatus } from '../../protocol/index';
import { DEMO_ROOT } from '../../examples/all-use/src/system.ts';
import { startMonitoredDemo, type MonitoredDemo } from '../helpers/monitoredDemo';

const WORKER = 'learning-worker';

describe('component faults under the real server', () => {
  let demo: MonitoredDemo;
  let relaunched: ChildProcess | undefined;
  let foreign: Server | undefined;
  const statuses: MonitorStatus[] = [];

  before(async () => {
    demo = await startMonitoredDemo({ prefix: 'alluse-component-faults-' });
    // Every status, so a problem reported between two polls is not missed.
    // (This replaces the helper's handler: demo.latest() is not used here.)
    demo.client.on<MonitorStatus>(MonitorStatusNotification.method, (s) => statuses.push(s));
  });

  after(async () => {
    foreign?.close();
    if (relaunched && relaunched.exitCode === null) {
      relaunched.kill('SIGKILL');
      await new Promise((r) => relaunched!.once('exit', r));
    }
    await demo?.stop();
  });

  const worker = (s: MonitorStatus | undefined) => s?.components.find((c) => c.name === WORKER);
  const waitStatus = (what: string, cond: (s: MonitorStatus) => boolean, ms = 30_000) => demo.client.waitFor(() => statuses.find((s, i) => i >= statuses.length - 3 && cond(s)), ms, what);

  /** The newest point of a component's panels on the raw dashboard (0 when none). */
  async function newestPoint(component: string): Promise<number> {
    const d = (await demo.client.connection.sendRequest(DashboardDataRequest.method, { uri: demo.uri, range: '5m' })) as DashboardDataRequest.Result;
    const c = d?.components.find((x) => x.name === component);
    const pts = c?.panels.flatMap((p) => p.series.flatMap((s) => s.points.map((q) => q[0]))) ?? [];
    return pts.length ? Math.max(...pts) : 0;
  }

  /** Stops the worker (SIGTERM, as its supervisor would) and waits for its exit. */
  async function stopWorker(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
    child.kill('SIGTERM');
    await exited;
  }

  it('a restarted component (new pid, same pid file and port) is found again', async () => {
    const c = demo.ws.system.components[WORKER];
    await waitStatus('the worker up with its first pid', (s) => worker(s)?.up === true && worker(s)?.pid === c.pid);
    // Its exact command line, to start it again as a supervisor would.
    const argv = readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    await stopWorker(c.child, c.exited);
    await waitStatus('the worker down', (s) => worker(s)?.up === false);
    relaunched = spawn(argv[0], argv.slice(1), { cwd: DEMO_ROOT, stdio: ['pipe', 'ignore', 'ignore'] });
    const pid = relaunched.pid!;
    assert.notEqual(pid, c.pid);
    const s = await waitStatus(`the worker up again with pid ${pid}`, (x) => worker(x)?.up === true && worker(x)?.pid === pid);
    assert.equal(worker(s)?.pid, pid);
    // Its scrape works again too: new points after the restart.
    const restartedAt = Date.now();
    const deadline = Date.now() + 20_000;
    while ((await newestPoint(WORKER)) <= restartedAt) {
      assert.ok(Date.now() < deadline, 'no new point of the restarted worker');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('a foreign process on the component’s port is reported, not stored as the component; the rest is collected', async () => {
    assert.ok(relaunched, 'the first test restarted the worker');
    const port = demo.ws.system.components[WORKER].port;
    await stopWorker(relaunched, new Promise((r) => relaunched!.once('exit', r)));
    // Another program takes the port at once and answers every request with a web page.
    foreign = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>\n');
    });
    await new Promise<void>((resolve, reject) => {
      foreign!.once('error', reject);
      foreign!.listen(port, '127.0.0.1', () => resolve());
    });
    const takenAt = Date.now();
    const from = statuses.length;
    await demo.client.waitFor(
      // The server (a child of this test) finds this process holding the port: it names it (portOwner.ts)
      // instead of parsing its answer.
      () => statuses.slice(from).some((s) => new RegExp(`${WORKER}'s metrics port ${port} is held by pid ${process.pid} \\(`).test(worker(s)?.problem ?? '')),
      20_000,
      `a problem of ${WORKER} naming this process as the holder of its port (${statuses.length - from} statuses since, with ${JSON.stringify([...new Set(statuses.slice(from).map((s) => worker(s)?.problem))])})`,
    );
    // The problem stays in the status while the port answers garbage (not only in the round that found it).
    const n = statuses.length;
    await demo.client.waitFor(() => statuses.length >= n + 3 && statuses, 10_000, 'three more statuses');
    for (const s of statuses.slice(n)) {
      assert.equal(worker(s)?.up, false);
      assert.ok(worker(s)?.problem, `the worker's problem is still shown: ${JSON.stringify(worker(s))}`);
    }
    // Nothing of the page was stored as the worker's series, and the engine is still collected.
    const newestWorker = await newestPoint(WORKER);
    assert.ok(newestWorker < takenAt + 1000, `the worker got points after its port was taken (${newestWorker - takenAt} ms after)`);
    const engineBefore = await newestPoint('protocol-engine');
    const deadline = Date.now() + 10_000;
    while ((await newestPoint('protocol-engine')) <= Math.max(engineBefore, takenAt)) {
      assert.ok(Date.now() < deadline, 'the protocol engine is no longer collected');
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
