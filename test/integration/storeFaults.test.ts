/**
 * The store's disk fails under the real analysis server (dist/server.js over LSP): the disk
 * fills up, or the store's folder becomes read-only while the monitor writes, or is
 * read-only from the start. In each case collection goes on in memory, the status says so
 * (message, store.memoryOnly, the store's problem with the error code), the dashboard still
 * gets new samples, and the server keeps answering.
 *
 * A full disk and a read-only folder are real mounts: a 64 KiB tmpfs, and the same tmpfs
 * remounted read-only (tests run as root, where chmod does not stop writes). Where mounting
 * is not allowed (no root or no CAP_SYS_ADMIN), the read-only case falls back to a store
 * path that is a file (the folder cannot be created), and the full-disk cases are skipped
 * with that reason.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { DashboardDataRequest, MonitorControlRequest, MonitorStatusNotification, ServerInfoRequest, type MonitorStatus } from '../../protocol/index';
import { TestLspClient } from '../helpers/lspClient';

const dir = mkdtempSync(join(tmpdir(), 'alluse-store-faults-'));
const mounts: string[] = [];
after(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      /* already gone */
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Mounts a tmpfs of `size` at a new folder; undefined (with the reason) where mounting is not allowed. */
function tmpfs(name: string, size: string): { path: string } | { error: string } {
  const path = join(dir, name);
  mkdirSync(path);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'pipe' });
    mounts.push(path);
    return { path };
  } catch (e) {
    return { error: `cannot mount a tmpfs here (${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}); run as root` };
  }
}

const canMount = (() => {
  const r = tmpfs('probe', '16k');
  return 'path' in r ? true : r.error;
})();

/** A workspace whose one component is this test process (found by its pid file), storing in `storePath`. */
function workspace(name: string, storePath: string): { folder: string; uri: string; text: string } {
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'self.pid'), `${process.pid}\n`);
  const text = ['version: 1', 'components:', '  - name: test-runner', '    kind: node', '    process: { pidFile: self.pid }', 'monitor:', '  interval: 100ms', '  retention: 1h', `  storePath: ${JSON.stringify(storePath)}`, ''].join('\n');
  writeFileSync(join(folder, 'alluse-perf.yaml'), text);
  return { folder, uri: pathToFileURL(join(folder, 'alluse-perf.yaml')).href, text };
}

interface Monitored {
  client: TestLspClient;
  uri: string;
  latest(): MonitorStatus | undefined;
  /** The newest sample time of the component's memory on the raw dashboard. */
  newestPoint(): Promise<number>;
  stop(): Promise<void>;
}

async function monitor(ws: { uri: string; text: string }): Promise<Monitored> {
  const client = await TestLspClient.start();
  let last: MonitorStatus | undefined;
  client.on<MonitorStatus>(MonitorStatusNotification.method, (s) => (last = s));
  await client.open(ws.uri, ws.text, 1);
  await client.diagnosticsFor(ws.uri, 1);
  const s = (await client.connection.sendRequest(MonitorControlRequest.method, { uri: ws.uri, action: 'start', trusted: true })) as MonitorStatus;
  assert.equal(s.running, true, `monitoring started: ${s.message}`);
  return {
    client,
    uri: ws.uri,
    latest: () => last,
    newestPoint: async () => {
      const d = (await client.connection.sendRequest(DashboardDataRequest.method, { uri: ws.uri, range: '5m' })) as DashboardDataRequest.Result;
      const pts = d?.components.flatMap((c) => c.panels.flatMap((p) => p.series.flatMap((x) => x.points.map((q) => q[0])))) ?? [];
      return pts.length ? Math.max(...pts) : 0;
    },
    stop: async () => {
      await client.connection.sendRequest(MonitorControlRequest.method, { uri: ws.uri, action: 'stop', trusted: true }).catch(() => undefined);
      await client.stop();
    },
  };
}

/** Collection goes on after the store failed: newer samples reach the dashboard, and the server answers. */
async function collectionGoesOn(m: Monitored, since: number): Promise<void> {
  await m.client.waitFor(() => (m.latest()?.samplesPerSecond ?? 0) > 0 && m.latest(), 15_000, 'statuses with samples after the failure');
  const deadline = Date.now() + 15_000;
  let newest = 0;
  while ((newest = await m.newestPoint()) <= since + 1000) {
    assert.ok(Date.now() < deadline, `no sample newer than the failure on the dashboard (newest ${newest}, failure ${since})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const info = (await m.client.connection.sendRequest(ServerInfoRequest.method, {})) as ServerInfoRequest.Result;
  assert.equal(info.pid, m.client.proc.pid, 'the same server process answers: nothing crashed');
  assert.equal(m.client.proc.exitCode, null);
}

describe('store faults under the real server', () => {
  it('a full disk: the store degrades to memory, says so with ENOSPC, and collection goes on', { skip: canMount === true ? false : canMount }, async () => {
    const mnt = tmpfs('full', '64k');
    assert.ok('path' in mnt);
    const m = await monitor(workspace('ws-full', join(mnt.path, 'store')));
    try {
      // 64 KiB fill within seconds at 100 ms (the WAL alone is a few KiB a second).
      const s = await m.client.waitFor(() => m.latest()?.store.memoryOnly && m.latest(), 60_000, 'the store to degrade to memory on the full disk');
      const failedAt = Date.now();
      assert.match(s.message ?? '', /not writable: samples are kept in memory only/);
      assert.ok(s.store.problems.some((p) => /ENOSPC/.test(p) && /memory only/.test(p)), JSON.stringify(s.store.problems));
      await collectionGoesOn(m, failedAt);
    } finally {
      await m.stop();
    }
  });

  it('the store folder becomes read-only while monitoring: degrades to memory with EROFS, collection goes on', { skip: canMount === true ? false : canMount }, async () => {
    const mnt = tmpfs('ro-later', '8m');
    assert.ok('path' in mnt);
    const m = await monitor(workspace('ws-ro-later', join(mnt.path, 'store')));
    try {
      await m.client.waitFor(() => (m.latest()?.samplesPerSecond ?? 0) > 0 && !m.latest()?.store.memoryOnly, 15_000, 'samples written to the store');
      await remountReadOnly(mnt.path);
      const remountedAt = Date.now();
      const s = await m.client.waitFor(() => m.latest()?.store.memoryOnly && m.latest(), 30_000, 'the store to degrade to memory on the read-only folder');
      assert.match(s.message ?? '', /not writable: samples are kept in memory only/);
      assert.ok(s.store.problems.some((p) => /EROFS/.test(p)), JSON.stringify(s.store.problems));
      await collectionGoesOn(m, remountedAt);
    } finally {
      await m.stop();
    }
  });

  it('a store folder that cannot be written from the start: opened read-only or in memory, collection goes on', async () => {
    let storePath: string;
    if (canMount === true) {
      const mnt = tmpfs('ro-start', '1m');
      assert.ok('path' in mnt);
      mkdirSync(join(mnt.path, 'store'));
      execFileSync('mount', ['-o', 'remount,ro', mnt.path]);
      storePath = join(mnt.path, 'store');
    } else {
      // Fallback without mounts: the store path is a file, so its folder cannot be created.
      storePath = join(dir, 'store-is-a-file');
      writeFileSync(storePath, 'not a folder');
    }
    const startedAt = Date.now();
    const m = await monitor(workspace('ws-ro-start', storePath));
    try {
      const s = await m.client.waitFor(() => m.latest()?.running && m.latest(), 15_000, 'a status');
      assert.equal(s.store.memoryOnly, true);
      assert.match(s.message ?? '', /not writable: samples are kept in memory only/);
      assert.ok(s.store.problems.some((p) => /EROFS|ENOTDIR|EEXIST/.test(p)), JSON.stringify(s.store.problems));
      await collectionGoesOn(m, startedAt);
    } finally {
      await m.stop();
    }
  });
});

/**
 * `mount -o remount,ro` fails with "mount point is busy" while any file on it is open for
 * writing: the store opens its WAL segment for each 500 ms flush, so a remount that lands
 * inside a flush is refused. The kernel's own remount on an I/O error does not wait; here the
 * next free moment is taken (polling, up to 10 s).
 */
async function remountReadOnly(path: string): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      execFileSync('mount', ['-o', 'remount,ro', path], { stdio: 'pipe' });
      return;
    } catch (e) {
      if (!/busy/i.test(String((e as { stderr?: Buffer }).stderr ?? (e as Error).message)) || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
