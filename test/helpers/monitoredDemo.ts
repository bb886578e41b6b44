/**
 * The real demo system, monitored through the built analysis server over LSP: what the
 * monitoring tests share (start, the latest status, faults, and a clean stop).
 */
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { MonitorControlRequest, MonitorStatusNotification, type MonitorStatus } from '../../protocol/index';
import type { ComponentName } from '../../examples/all-use/src/system.ts';
import { startDemoWorkspace, type DemoWorkspace } from './demoWorkspace';
import { TestLspClient } from './lspClient';

export interface MonitoredDemo {
  ws: DemoWorkspace;
  client: TestLspClient;
  uri: string;
  /** The latest status the server sent. */
  latest(): MonitorStatus | undefined;
  /** How many statuses arrived so far (to wait for the next one). */
  statusCount(): number;
  /** Switches a fault of a demo component (its loopback admin endpoint). */
  fault(component: ComponentName, body: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export async function startMonitoredDemo(opts: Parameters<typeof startDemoWorkspace>[0]): Promise<MonitoredDemo> {
  const ws = await startDemoWorkspace(opts);
  const uri = pathToFileURL(ws.file).href;
  const client = await TestLspClient.start();
  let last: MonitorStatus | undefined;
  let count = 0;
  // The one handler of this notification (a second `on` would replace it).
  client.on<MonitorStatus>(MonitorStatusNotification.method, (s) => {
    last = s;
    count++;
  });
  await client.open(uri, ws.text, 1);
  await client.diagnosticsFor(uri, 1);
  const s = (await client.connection.sendRequest(MonitorControlRequest.method, { uri, action: 'start', trusted: true })) as MonitorStatus;
  assert.equal(s.running, true, s.message);
  const faults = new Set<string>();
  const fault = async (component: ComponentName, body: Record<string, unknown>) => {
    const r = await fetch(`${ws.system.components[component].url}/admin/fault`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(r.status, 200, `switching ${JSON.stringify(body)} on ${component}`);
    if (body.on) faults.add(`${component}\u0000${String(body.fault)}`);
  };
  return {
    ws,
    client,
    uri,
    latest: () => last,
    statusCount: () => count,
    fault,
    stop: async () => {
      for (const f of faults) {
        const [component, name] = f.split('\u0000');
        await fault(component as ComponentName, { fault: name, on: false }).catch(() => undefined);
      }
      // A refusal is fine here (monitoring may have stopped already); the server dying is not.
      let died: unknown;
      await client.request(MonitorControlRequest.method, { uri, action: 'stop', trusted: true }).catch((e) => { if (client.exited) died = e; });
      await client.stop();
      await ws.system.stop();
      if (died) throw died;
    },
  };
}
