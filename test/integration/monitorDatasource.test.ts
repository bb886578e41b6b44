// A Prometheus server as the data source: a real Prometheus scrapes the real demo system,
// the workspace names it under `monitor.datasource`, and the monitor reads the components'
// series through its HTTP API. Everything downstream (store, alerts, dashboard data) works
// as with local collection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeWorkspace } from '../../engine/index';
import { createMonitor, type CreatedMonitor } from '../../engine/monitor/createMonitor';
import { buildDashboard } from '../../engine/monitor/dashboard';
import type { MonitorStatus } from '../../engine/monitor/types';
import { workspaceConfigFrom } from '../../engine/workspace/config';
import { startDemoWorkspace, type DemoWorkspace } from '../helpers/demoWorkspace';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheusServer';

describe('monitoring through a Prometheus server (monitor.datasource)', () => {
  let ws: DemoWorkspace;
  let prom: PrometheusServer;
  let created: CreatedMonitor;
  let status: MonitorStatus | undefined;
  const fired: string[] = [];
  let wake: () => void = () => undefined;

  const until = async <T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = f();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; status: ${JSON.stringify(status)?.slice(0, 1500)}\nPrometheus: ${prom.log().slice(-1000)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 500);
      });
    }
  };

  before(async () => {
    ws = await startDemoWorkspace({ prefix: 'alluse-datasource-' });
    const c = ws.system.components;
    prom = await startPrometheus(Object.fromEntries(Object.values(c).map((x) => [x.name, `127.0.0.1:${x.port}`])));
    const text = ws.text
      .replace('  storePath: store\n', `  storePath: store\n  datasource: { url: ${prom.url}, step: 1s }\n  alerts:\n    - { name: engine-queue-seen, expr: "protocol-engine.alluse_engine_queue_depth >= 0", severity: info }\n`);
    writeFileSync(ws.file, text);
    const a = analyzeWorkspace(text);
    assert.deepEqual(a.findings.filter((f) => f.severity === 'error'), []);
    created = await createMonitor(workspaceConfigFrom(a.doc!), ws.folder, {
      onStatus: (s) => {
        status = s;
        wake();
      },
      onAlert: (e) => {
        if (e.type === 'firing') fired.push(e.alert.rule.name);
        wake();
      },
    });
    created.monitor.start();
  });

  after(async () => {
    await created?.monitor.stop();
    await created?.store.close();
    await prom?.stop();
    await ws?.system.stop();
  });

  it('reads every component from the server and reports it up', async () => {
    const s = await until('all four components up through Prometheus', () => (status?.components.length === 4 && status.components.every((c) => c.up) ? status : undefined));
    assert.equal(s.running, true);
  });

  it('stores the series under the local names and evaluates alerts on them', async () => {
    await until('the alert on the queue depth read from Prometheus', () => fired.includes('engine-queue-seen') || undefined);
    // A rate needs a few scrapes on the server before it has a value.
    const points = await until('the engine throughput in the store', () => {
      const now = Date.now();
      const p = created.store.query({ name: 'alluse_engine_ticks_total_rate', labels: { component: 'protocol-engine' }, from: now - 10 * 60_000, to: now }).flatMap((r) => r.points);
      return p.length ? p : undefined;
    });
    assert.ok(points.some((p) => p.v > 0), 'the engine processes ticks');
  });

  it('draws the same dashboard panels from it', async () => {
    const config = workspaceConfigFrom(analyzeWorkspace(ws.text).doc!);
    const d = await until('dashboard panels with points', () => {
      const dash = buildDashboard(created.store, config.components, '5m', Date.now(), { alerts: [], cost: { cpuRatio: 0, rssBytes: 0 }, up: () => true });
      const engine = dash.components.find((c) => c.name === 'protocol-engine')!;
      const ok = ['throughput', 'latency', 'memory'].every((id) => engine.panels.find((p) => p.id === id)?.series.some((x) => x.points.length > 0));
      return ok ? dash : undefined;
    });
    assert.equal(d.components.length, 4);
  });
});
