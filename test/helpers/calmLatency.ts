/**
 * Waits until the demo's protocol engine has a calm latency baseline in the monitor's store:
 * its p95 below `maxSeconds` for the last `spanMs`. A governor test needs one: on a machine
 * loaded many times over, the engine's p95 swings by seconds, and no fault can then be told
 * apart from the load (the governor rightly calls nothing). Fails with what it saw.
 */
import assert from 'node:assert/strict';
import { DashboardDataRequest } from '../../protocol/index';
import type { TestLspClient } from './lspClient';

export async function waitForCalmLatency(client: TestLspClient, uri: string, opts: { spanMs?: number; maxSeconds?: number; timeoutMs?: number } = {}): Promise<void> {
  const span = opts.spanMs ?? 20_000;
  const max = opts.maxSeconds ?? 0.5;
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  let seen = '';
  for (;;) {
    const d = (await client.connection.sendRequest(DashboardDataRequest.method, { uri, range: '5m' })) as DashboardDataRequest.Result;
    const pts = d?.components.find((c) => c.name === 'protocol-engine')?.panels.find((p) => p.id === 'latency')?.series.find((s) => s.label === 'p95')?.points ?? [];
    const last = pts.length ? pts[pts.length - 1][0] : 0;
    const recent = pts.filter((p) => p[0] >= last - span && p[1] !== null) as [number, number][];
    const covered = recent.length > 1 && recent[recent.length - 1][0] - recent[0][0] >= span - 2000 && pts[0][0] <= last - span;
    const worst = Math.max(0, ...recent.map((p) => p[1]));
    seen = `${pts.length} p95 points, the worst of the last ${span / 1000} s ${worst.toFixed(3)} s`;
    if (covered && worst < max) return;
    if (Date.now() > deadline) assert.fail(`no calm latency baseline of the protocol engine (p95 under ${max} s for ${span / 1000} s): ${seen}. The machine is too loaded to tell a fault from the load.`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
