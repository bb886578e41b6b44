// Prometheus metrics common to every component. Each component gets its own registry
// (so /metrics shows exactly one process) with prom-client's default process metrics
// (CPU, RSS, heap, GC, event-loop lag, handles) plus request/error/fault series.
import client from 'prom-client';

export interface CommonMetrics {
  registry: client.Registry;
  requests: client.Counter<'route' | 'code'>;
  requestDuration: client.Histogram<'route'>;
  errors: client.Counter<'kind'>;
  faultActive: client.Gauge<'fault'>;
}

/** Latency buckets from 0.5 ms to 10 s: tick latencies live in the 1-200 ms range. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(component: string): CommonMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ component });
  // precision 10 ms keeps the lag monitor cheap while still catching a stalled loop.
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  new client.Gauge({ name: 'alluse_component_info', help: 'Constant 1; labels describe the component', labelNames: ['version'], registers: [registry] }).set({ version: '0.1.0' }, 1);
  return {
    registry,
    requests: new client.Counter({ name: 'alluse_http_requests_total', help: 'HTTP requests served, by route and status code', labelNames: ['route', 'code'], registers: [registry] }),
    requestDuration: new client.Histogram({ name: 'alluse_http_request_duration_seconds', help: 'HTTP request handling time', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    errors: new client.Counter({ name: 'alluse_errors_total', help: 'Errors, by kind', labelNames: ['kind'], registers: [registry] }),
    faultActive: new client.Gauge({ name: 'alluse_fault_active', help: '1 while the injected fault is switched on', labelNames: ['fault'], registers: [registry] }),
  };
}

export { client };
