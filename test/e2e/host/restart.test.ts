/**
 * Faults of the analysis server inside a real VS Code extension host: a server killed with
 * SIGKILL while it monitors is restarted, monitors the same file again, and serves the data
 * it had stored before the kill; a server that keeps crashing is given up on with a message,
 * and "Restart Analysis Server" brings it back.
 *
 * Every wait is a poll on a condition with a deadline; nothing sleeps for a fixed time.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AllUsePerformanceApi } from '../../../client/src/extension';

const EXTENSION_ID = 'alluse.alluse-performance';

async function until<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeout = 20_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A valid workspace file (so monitoring starts) whose one component is the extension host itself, found by its pid file. */
const MONITORED = ['version: 1', 'components:', '  - name: extension-host', '    kind: node', '    process: { pidFile: host.pid }', 'monitor:', '  interval: 100ms', '  retention: 1h', '  storePath: store', ''].join('\n');

/** The time of the oldest point of the system CPU panel's first series in the 5-minute dashboard, if any. */
async function oldestSystemPoint(api: AllUsePerformanceApi): Promise<number | undefined> {
  const d = await api.dashboardData('5m');
  const pts = d?.system.flatMap((p) => p.series.flatMap((s) => s.points.map((x) => x[0]))) ?? [];
  return pts.length ? Math.min(...pts) : undefined;
}

describe('ALL-USE Performance: server faults in the extension host', () => {
  let api: AllUsePerformanceApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<AllUsePerformanceApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the host`);
    api = await ext.activate();
    await api.whenServerReady();
  });

  it('a server killed while monitoring is restarted and serves the data stored before the kill', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const uri = vscode.Uri.joinPath(folder.uri, 'restart', 'alluse-perf.yaml');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder.uri, 'restart', 'host.pid'), Buffer.from(`${process.pid}\n`, 'utf8'));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(MONITORED, 'utf8'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await vscode.commands.executeCommand('alluse-perf.startMonitoring');
    await until(`monitoring of restart/alluse-perf.yaml, status ${JSON.stringify(api.monitorStatus()?.message)}`, () => api.monitorStatus()?.running);
    // At least 3 s of data, so some of it is surely in the store's WAL (flushed every 500 ms).
    const oldest = await until('3 s of system data on the dashboard', async () => {
      const t = await oldestSystemPoint(api);
      return t !== undefined && Date.now() - t > 3000 && t;
    });
    const before = (await api.serverInfo()).pid;
    // Another editor becomes active: the restarted server must monitor the same file, not this one.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'alluse-perf.yaml')));
    const killedAt = Date.now();
    process.kill(before, 'SIGKILL');
    const after = await until('a new server process', () => api.serverInfo().then((i) => (i.pid !== before ? i.pid : undefined)).catch(() => undefined), 30_000);
    assert.notEqual(after, before);
    // The new server monitors again and its dashboard holds the points from before the kill.
    const back = await until('dashboard data from before the kill, served by the new server', async () => {
      const t = await oldestSystemPoint(api).catch(() => undefined);
      return t !== undefined && t <= oldest + 1000 && t < killedAt - 2000 && t;
    }, 30_000);
    assert.ok(back < killedAt - 2000, `the oldest point (${new Date(back).toISOString()}) is from before the kill`);
    assert.equal(api.monitorStatus()?.running, true);
  });

  it('a server that keeps crashing is given up on with a message, and Restart Analysis Server brings it back', async () => {
    let kills = 0;
    for (;;) {
      const pid = (await until('a running server', () => api.serverInfo().catch(() => undefined), 30_000)).pid;
      process.kill(pid, 'SIGKILL');
      kills++;
      const next = await until('a restarted server or the give-up message', async () => {
        if (api.serverGaveUp()) return 'gave up';
        const i = await api.serverInfo().catch(() => undefined);
        return i && i.pid !== pid ? 'restarted' : undefined;
      }, 30_000);
      if (next === 'gave up') break;
      assert.ok(kills <= 6, 'the server was restarted more than 5 times in 3 minutes');
    }
    assert.match(api.serverGaveUp()!, /was not restarted again/);
    assert.match(api.serverGaveUp()!, /Restart Analysis Server/);
    await assert.rejects(api.serverInfo(), 'no server answers after giving up');
    await vscode.commands.executeCommand('alluse-perf.restartServer');
    const info = await until('the server started by hand', () => api.serverInfo().catch(() => undefined), 30_000);
    assert.ok(info.pid > 0);
    assert.equal(api.serverGaveUp(), undefined);
    // Monitoring was on before: the new server picks it up again.
    await until('monitoring again after the restart by hand', () => api.monitorStatus()?.running && api.dashboardData('5m').then((d) => !!d).catch(() => false), 30_000);
  });
});
