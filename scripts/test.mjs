#!/usr/bin/env node
// Runs every test suite of the project and ends with one line that sums them all up:
// "N passed, N failed" (", N skipped" when any were skipped).
// Usage: node scripts/test.mjs [suite ...]   (suites: unit integration demo e2e-ui e2e-host)
import { spawn } from 'node:child_process';
import { readdirSync, statSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each suite is a folder of `*.test.ts` files run by node's test runner (through tsx). */
const SUITES = {
  unit: { dir: 'test/unit', needsBuild: false },
  integration: { dir: 'test/integration', needsBuild: true },
  demo: { dir: 'test/demo', needsBuild: true },
  'e2e-ui': { dir: 'test/e2e/ui', needsBuild: true, needsVsix: true },
  'e2e-host': { dir: 'test/e2e/host-driver', needsBuild: true, needsVsix: true },
};

function findTests(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out = [];
  for (const name of readdirSync(abs).sort()) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out.push(...findTests(relative(root, p)));
    else if (/\.test\.(ts|mts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/**
 * Reads the totals from the TAP summary that node's test runner prints at the end. Skipped
 * and todo results are counted from their directives: node's "# skipped" leaves out a skipped
 * `describe` (one result line, `ok N - name # SKIP reason`, for the whole suite).
 */
function tapTotals(out) {
  const num = (k) => { const m = out.match(new RegExp(`^# ${k} (\\d+)$`, 'm')); return m ? Number(m[1]) : 0; };
  // Every skipped or todo test has the directive too, so this count includes node's own.
  const skipped = (out.match(/^\s*(?:not )?ok \d+ - .*# (?:SKIP|TODO)\b/gm) ?? []).length;
  return { passed: num('pass'), failed: num('fail') + num('cancelled'), skipped };
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SUITES);
for (const s of wanted) if (!SUITES[s]) { console.error(`Unknown suite "${s}". Known: ${Object.keys(SUITES).join(', ')}`); process.exit(2); }

const selected = wanted.map((name) => ({ name, ...SUITES[name], files: findTests(SUITES[name].dir) }));
if (selected.some((s) => s.needsBuild && s.files.length)) {
  const needsVsix = selected.some((s) => s.needsVsix && s.files.length);
  const b = await run(process.execPath, [join(root, needsVsix ? 'scripts/package-vsix.mjs' : 'scripts/build.mjs')]);
  if (b.code !== 0) { console.log('\nbuild failed\n0 passed, 1 failed'); process.exit(1); }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const suite of selected) {
  if (!suite.files.length) { lines.push(`${suite.name}: no tests`); continue; }
  console.log(`\n=== ${suite.name} (${suite.files.length} files) ===`);
  // Each suite's temporary folders (workspaces, stores, editor profiles: everything the tests
  // make under os.tmpdir()) go into one folder of its own, removed when the suite passes and
  // kept, with its path printed, when it fails. Without this every run left ~100 MB in /tmp.
  const suiteTmp = mkdtempSync(join(tmpdir(), `alluse-test-${suite.name}-`));
  const r = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', ...suite.files], {
    env: { ...process.env, TMPDIR: suiteTmp },
  });
  const t = tapTotals(r.out);
  // A runner that crashed before reporting still counts as a failure.
  if (r.code !== 0 && t.failed === 0) t.failed = 1;
  if (t.failed === 0) rmSync(suiteTmp, { recursive: true, force: true, maxRetries: 3 });
  else console.log(`# ${suite.name}: the failed suite's temporary files are kept in ${suiteTmp}`);
  totals.passed += t.passed; totals.failed += t.failed; totals.skipped += t.skipped;
  lines.push(`${suite.name}: ${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}`);
}
console.log('\n' + lines.join('\n'));
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed ? 1 : 0);
