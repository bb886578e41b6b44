import { LineIndex, type TextEdit } from '../../engine/index';

/** Applies LSP-style edits to a text (last edit first, so earlier offsets stay valid). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const idx = new LineIndex(text);
  const sorted = edits
    .map((e) => ({ start: idx.offsetAt(e.range.start), end: idx.offsetAt(e.range.end), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The text a range covers. */
export function textAt(text: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  const idx = new LineIndex(text);
  return text.slice(idx.offsetAt(range.start), idx.offsetAt(range.end));
}

/** A valid workspace file that uses every section, for tests that start from something correct. */
export const VALID_WORKSPACE = `# ALL-USE demo
version: 1
components:
  - name: protocol-engine
    kind: node
    process:
      pidFile: .run/engine.pid
      commandMatch: "protocol-engine\\\\.js"
      start: { command: node, args: [dist/protocol-engine.js, --port, "9462"] }
      inspectPort: 9229
    metrics:
      url: http://127.0.0.1:9462/metrics
      interval: 100ms
    configFiles: [config/protocol-engine.yaml]
    limits: { memory: 512MiB, cpuCores: 2, queueCapacity: 1024 }
    slos:
      latency: { p95: 50ms, p99: 120ms }
      errorRate: 0.01
      throughputMin: 500
  - name: account-service
    process:
      commandMatch: account-service
monitor:
  interval: 100ms
  retention: 24h
  alerts:
    - name: engine-p95
      expr: protocol-engine.latency_p95_ms > 50
      for: 30s
      severity: warning
tuning:
  studies:
    - name: engine-throughput
      component: protocol-engine
      configFile: config/protocol-engine.yaml
      parameters:
        workers: { type: int, min: 1, max: 8 }
        batch_size: { type: int, min: 1, max: 256, log: true }
        eviction: { type: categorical, choices: [lru, lfu] }
      objectives:
        - { metric: throughput_tps, direction: maximize }
        - metric: p95_latency_ms
          direction: minimize
      constraints: ["p95_latency_ms <= 50"]
      trial: { command: node, args: [bench, --config, "\${trialConfigDir}"] }
      budget: { trials: 40 }
      repeats: 2
      algorithm: auto
`;
