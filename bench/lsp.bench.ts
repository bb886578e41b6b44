/**
 * `npm run bench:lsp`: latency of the analysis server on a generated 5,000-line
 * alluse-perf.yaml, through a real LSP client over stdio against the built dist/server.js.
 *
 * - didChange → publishDiagnostics: wall time from sending a full-text change to receiving
 *   the diagnostics of that version, with the debounce set to 0 (so it is the time after
 *   the debounce: transport + analysis + serialization). Also the server's own analysis time.
 * - code action: wall time of a textDocument/codeAction request for a diagnostic's range.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction } from 'vscode-languageserver-protocol';
import { TestLspClient } from '../test/helpers/lspClient';
import { generateWorkspace } from './generateWorkspace';

const LINES = 5000;
const WARMUP = 30;
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  const base = generateWorkspace(LINES);
  const folder = mkdtempSync(join(tmpdir(), 'alluse-bench-'));
  const uri = pathToFileURL(join(folder, 'alluse-perf.yaml')).href;
  writeFileSync(join(folder, 'alluse-perf.yaml'), base);
  // The config files exist, as in a real workspace, so the server's file checks are measured too.
  mkdirSync(join(folder, 'config'));
  for (const m of base.matchAll(/config\/component-\d+\.yaml/g)) writeFileSync(join(folder, m[0]), 'workers: 2\n');
  const lineCount = base.split('\n').length - 1;
  const client = await TestLspClient.start({ debounceMs: 0 });
  await client.open(uri, base, 1);
  await client.diagnosticsFor(uri, 1);

  // Each change edits one line, as typing does, and leaves one fixable problem in the file.
  const variant = (v: number) => base.replace('  retention: 24h', `  retention: ${v % 2 ? 24 : 48}`);
  const change: number[] = [];
  const server: number[] = [];
  const actions: number[] = [];
  let version = 1;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    version++;
    const t0 = performance.now();
    await client.change(uri, version, variant(version));
    const diags = await client.diagnosticsFor(uri, version);
    const t1 = performance.now();
    const done = await client.waitFor(() => client.analyses.find((a) => a.version === version && a.uri === uri));
    const d = diags.find((x) => x.code === 'missing-unit');
    if (!d || diags.length !== 1) throw new Error(`expected one missing-unit diagnostic, got ${JSON.stringify(diags).slice(0, 500)}`);
    const t2 = performance.now();
    const acts = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
    const t3 = performance.now();
    if (acts.length !== 1) throw new Error(`expected one quick fix, got ${acts.length} at version ${version} for ${JSON.stringify(diags)}`);
    if (i >= WARMUP) {
      change.push(t1 - t0);
      server.push(done.ms);
      actions.push(t3 - t2);
    }
  }
  await client.stop();
  const row = (name: string, xs: number[]) => `| ${name} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;
  console.log(`LSP benchmark: ${lineCount}-line alluse-perf.yaml, ${RUNS} measured edits after ${WARMUP} warm-up edits, debounce 0, node ${process.version}, ${os()}`);
  console.log('| measure (ms) | p50 | p95 | max |');
  console.log('|---|---|---|---|');
  console.log(row('didChange → diagnostics published', change));
  console.log(row('analysis in the server', server));
  console.log(row('code action request', actions));
  const ok = pct(change, 95) < 50 && pct(actions, 95) < 20;
  console.log(`targets (p95 < 50 ms analysis, < 20 ms code action): ${ok ? 'met' : 'NOT met'}`);
}

function os(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const o = require('node:os') as typeof import('node:os');
  return `${o.cpus().length} × ${o.cpus()[0]?.model ?? 'cpu'}, load ${o.loadavg()[0].toFixed(2)}`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
