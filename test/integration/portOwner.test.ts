/**
 * A component's metrics port taken by another program that answers Prometheus text, with
 * real processes and the real monitor (createMonitor, its store in a temporary folder):
 *
 * - the component is a small Node server (test/fixtures/collect/metricsServer.cjs) started
 *   through a wrapper shell that writes the pid file, so it holds its port through a child;
 * - it is killed and another program (otherExporter.cjs) takes the same port and answers
 *   Prometheus text with the component's metric at another value and a series of its own;
 * - the monitor must report the port's holder (pid and command line) as a problem of the
 *   component and store nothing of that program under the component;
 * - the program stops, the component starts again on its port: the problem goes and the
 *   component's samples are stored again.
 *
 * Linux only (the holder is read from /proc). Waits are conditions with deadlines.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeWorkspace } from '../../engine/index';
import { createMonitor, type CreatedMonitor } from '../../engine/monitor/createMonitor';
import type { MonitorStatus } from '../../engine/monitor/types';
import { workspaceConfigFrom } from '../../engine/workspace/config';

const FIXTURES = join(__dirname, '..', 'fixtures', 'collect');
const COMPONENT = 'protocol-engine';

/** Starts a process in a group of its own and resolves with it once it printed `listening PORT`. */
async function startListening(command: string, args: string[], cwd: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited (${code}) before listening: ${out}`)));
  });
  return { child, port };
}

/** Kills a process group started by startListening and waits until its leader is gone. */
async function killGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

describe('a component’s metrics port held by another program', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'alluse-port-owner-'));
  let component: ChildProcess | undefined;
  let other: ChildProcess | undefined;
  let port = 0;
  let created: CreatedMonitor;
  const statuses: MonitorStatus[] = [];
  let wake: () => void = () => undefined;

  /** The component through a wrapper shell that writes the pid file and is not the process that listens. */
  const startComponent = async (p: number) => {
    const script = `echo $$ > run/engine.pid; ${JSON.stringify(process.execPath)} ${JSON.stringify(join(FIXTURES, 'metricsServer.cjs'))} --port ${p} --value 1; true`;
    const r = await startListening('sh', ['-c', script], folder);
    component = r.child;
    return r.port;
  };

  const until = async <T>(what: string, f: () => T | undefined, ms = 20_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = f();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(statuses.at(-1)?.components)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };
  const engine = (s: MonitorStatus | undefined) => s?.components.find((c) => c.name === COMPONENT);
  const points = (name: string, from: number) => created.store.query({ name, labels: { component: COMPONENT }, from, to: Date.now() + 1000 }).flatMap((r) => r.points);

  before(async () => {
    mkdirSync(join(folder, 'run'));
    port = await startComponent(0);
    const text = [
      'version: 1',
      'components:',
      `  - name: ${COMPONENT}`,
      '    process: { pidFile: run/engine.pid }',
      `    metrics: { url: "http://127.0.0.1:${port}/metrics", interval: 200ms }`,
      'monitor:',
      '  interval: 100ms',
      '  storePath: store',
      '',
    ].join('\n');
    writeFileSync(join(folder, 'alluse-perf.yaml'), text);
    const a = analyzeWorkspace(text);
    assert.deepEqual(a.findings.filter((f) => f.severity === 'error'), []);
    created = await createMonitor(workspaceConfigFrom(a.doc!), folder, {
      onStatus: (s) => {
        statuses.push(s);
        wake();
      },
    });
    created.monitor.start();
  });

  after(async () => {
    await created?.monitor.stop();
    await created?.store.close();
    await killGroup(other);
    await killGroup(component);
    rmSync(folder, { recursive: true, force: true });
  });

  it('scrapes the component while it holds its port through a child of its wrapper', async () => {
    const t0 = Date.now();
    await until('the component up with its marker stored', () => engine(statuses.at(-1))?.up && points('fixture_marker', t0).length > 0);
    assert.ok(points('fixture_marker', t0).every((p) => p.v === 1));
    assert.equal(engine(statuses.at(-1))?.problem, undefined);
  });

  it('reports another program on its port by pid and command line, and stores nothing of it as the component’s', async () => {
    await killGroup(component);
    const r = await startListening(process.execPath, [join(FIXTURES, 'otherExporter.cjs'), '--port', String(port)], folder);
    other = r.child;
    const takenAt = Date.now();
    const from = statuses.length;
    const held = new RegExp(`${COMPONENT}'s metrics port ${port} is held by pid ${other.pid} \\(\\S+ \\S+otherExporter\\.cjs --port ${port}\\), not by ${COMPONENT} \\(its process was not found\\): stop that process or change \`metrics:\` in alluse-perf\\.yaml`);
    const s = await until('the port-taken problem', () => statuses.slice(from).find((x) => held.test(engine(x)?.problem ?? '')));
    console.log(`# ${Date.now() - takenAt} ms after the takeover: ${engine(s)?.problem}`);
    assert.equal(engine(s)?.up, false);
    // It stays while the program holds the port, across scrapes (not only in the round that found it).
    const n = statuses.length;
    await until('three more statuses', () => statuses.length >= n + 3);
    for (const x of statuses.slice(n)) assert.match(engine(x)?.problem ?? '', held);
    // The program's answers were scraped (it counts requests) but none is stored as the component's.
    assert.deepEqual(points('other_exporter_only', 0), []);
    assert.deepEqual(points('fixture_marker', takenAt).filter((p) => p.v !== 1), []);
    assert.ok(points('up', takenAt).length > 0 && points('up', takenAt).every((p) => p.v === 0), 'up is 0 while another program holds the port');
  });

  it('recovers when the component holds its port again', async () => {
    await killGroup(other);
    other = undefined;
    assert.equal(await startComponent(port), port);
    const back = Date.now();
    await until('the component up again without a problem, and its samples stored', () => {
      const e = engine(statuses.at(-1));
      return e?.up && e.problem === undefined && points('fixture_marker', back).length > 0;
    });
    assert.ok(points('fixture_marker', back).every((p) => p.v === 1));
    assert.deepEqual(points('other_exporter_only', 0), []);
  });
});
