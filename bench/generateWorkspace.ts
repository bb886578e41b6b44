/** Generates a realistic workspace file of about `lines` lines, for benchmarks. */
export function generateWorkspace(lines: number): string {
  const out = ['# generated for the LSP benchmark', 'version: 1', 'components:'];
  let i = 0;
  while (out.length < lines - 40) {
    out.push(
      `  - name: component-${i}`,
      `    description: Component number ${i} of the generated system`,
      '    kind: node',
      '    process:',
      `      pidFile: .run/component-${i}.pid`,
      `      commandMatch: "component-${i}\\\\.js"`,
      `      start: { command: node, args: [dist/component-${i}.js, --port, "${10000 + (i % 50000)}"] }`,
      '    metrics:',
      `      url: http://127.0.0.1:${10000 + (i % 50000)}/metrics`,
      '      interval: 100ms',
      `    configFiles: [config/component-${i}.yaml]`,
      '    limits: { memory: 512MiB, cpuCores: 2, queueCapacity: 1024 }',
      '    slos:',
      '      latency: { p95: 50ms, p99: 120ms }',
      '      errorRate: 0.01',
    );
    i++;
  }
  out.push('monitor:', '  interval: 100ms', '  retention: 24h', '  alerts:');
  out.push('    - name: p95', '      expr: component-0.latency_p95_ms > 50', '      for: 30s', '      severity: warning');
  out.push('tuning:', '  studies:', '    - name: s0', '      component: component-0', '      configFile: config/component-0.yaml', '      parameters:');
  out.push('        workers: { type: int, min: 1, max: 8 }', '      objectives:', '        - { metric: throughput_tps, direction: maximize }', '      trial: { command: node, args: [bench] }');
  return out.join('\n') + '\n';
}
