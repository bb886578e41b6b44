// `alluse-perf monitor` (the built CLI) on the real demo system: JSON lines with every
// component up, samples into the workspace's store, exit 0 at the end of --duration; and
// `alluse-perf validate` on good and broken files.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startDemoWorkspace, type DemoWorkspace } from '../helpers/demoWorkspace';
import { ROOT } from '../helpers/lspClient';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist/cli.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('alluse-perf monitor', () => {
  let ws: DemoWorkspace;
  before(async () => {
    ws = await startDemoWorkspace({ prefix: 'alluse-cli-monitor-' });
  });
  after(async () => ws?.system.stop());

  it('prints one JSON status a second with every component up, and writes the store', async () => {
    const r = await cli(['monitor', '--workspace', ws.folder, '--duration', '4s', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.length >= 2, `${lines.length} status lines`);
    const last = lines.at(-1);
    assert.equal(last.running, true);
    assert.deepEqual(last.components.map((c: { name: string; up: boolean }) => [c.name, c.up]).sort(), [
      ['account-service', true],
      ['learning-worker', true],
      ['market-feed', true],
      ['protocol-engine', true],
    ]);
    assert.ok(last.series > 50 && last.samplesPerSecond > 0);
    assert.ok(existsSync(join(ws.folder, 'store')), 'the store folder of monitor.storePath');
  });

  it('draws a live table on a terminal (a pseudo-terminal from util-linux script)', async () => {
    // `script` gives the CLI a real terminal, so it draws the table instead of JSON lines.
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} monitor --workspace ${JSON.stringify(ws.folder)} --duration 3s`;
    const r = await promisify(execFile)('script', ['-qfec', cmd, '/dev/null'], { maxBuffer: 16 * 1024 * 1024 }).catch((e: { stdout: string; code: number }) => {
      assert.fail(`script failed (${e.code}); it comes with util-linux: apt-get install -y bsdutils\n${e.stdout}`);
    });
    const screens = r.stdout.split('\x1b[2J\x1b[H').filter((x) => x.trim());
    assert.ok(screens.length >= 2, `${screens.length} screens drawn`);
    const last = screens[screens.length - 1];
    assert.match(last, /^component\s+state\s+pid\s+cpu\s+rss\s+alerts/m);
    for (const name of ['market-feed', 'protocol-engine', 'account-service', 'learning-worker']) assert.match(last, new RegExp(`^${name}\\s+up\\s+\\d+`, 'm'));
    assert.match(last, /monitor: [\d.]+% of a core/);
  });

  it('refuses a workspace with errors, naming them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-cli-bad-'));
    writeFileSync(join(dir, 'alluse-perf.yaml'), 'version: 1\ncomponents:\n  - name: a\n    process: { pidFile: a.pid }\nmonitor:\n  interval: 100\n');
    const r = await cli(['monitor', '--workspace', dir, '--duration', '1s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /alluse-perf\.yaml:6:13: error missing-unit/);
    const none = await cli(['monitor', '--workspace', join(dir, 'nope')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no alluse-perf\.yaml/);
    const badDuration = await cli(['monitor', '--workspace=' + dir, '--duration', '1x']);
    assert.equal(badDuration.code, 2);
    assert.match(badDuration.stderr, /--duration "1x" is not a duration/);
  });

  it('leaves help and usage errors to the whole command line (commander)', async () => {
    const help = await cli(['monitor', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: alluse-perf monitor \[options\]/);
    const unknown = await cli(['monitor', '--bogus']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
    const missing = await cli(['monitor', '--workspace']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /option '--workspace <dir>' argument missing/);
  });

  it('starts from an entry that carries neither commander nor the monitor (the main thread stays small)', () => {
    const entry = readFileSync(CLI, 'utf8');
    assert.ok(entry.length < 20_000, `dist/cli.js is ${entry.length} bytes`);
    assert.doesNotMatch(entry, /node_modules\/commander|engine\/(store|monitor|collect)\//);
  });
});

describe('alluse-perf validate', () => {
  it('prints file:line:col: severity code message and exits 1 on errors, 0 otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-cli-validate-'));
    const file = join(dir, 'alluse-perf.yaml');
    writeFileSync(file, 'version: 1\ncomponents:\n  - name: a\n    process: { pidFile: a.pid }\n    kind: nod\nmonitor:\n  intervall: 100ms\n');
    const bad = await cli(['validate', file]);
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.stdout.trim().split('\n').map((l) => l.replace(/^.*alluse-perf\.yaml:/, '')), [
      '5:11: error invalid-value "kind" must be one of "node", "process". Did you mean "node"?',
      '7:3: warning unknown-key Unknown key "intervall" in monitor. Did you mean "interval"?',
    ]);
    writeFileSync(file, 'version: 1\ncomponents:\n  - name: a\n    process: { pidFile: a.pid }\n');
    const good = await cli(['validate', file]);
    assert.equal(good.code, 0);
    assert.equal(good.stdout, '');
    const json = await cli(['validate', '--format', 'json', file]);
    assert.deepEqual(JSON.parse(json.stdout).findings, []);
    writeFileSync(file, Buffer.from([0x76, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
    const binary = await cli(['validate', file]);
    assert.equal(binary.code, 1);
    assert.match(binary.stdout, /error not-utf8/);
    const help = await cli(['validate', '--help']);
    assert.match(help.stdout, /Usage: alluse-perf validate/);
  });
});

describe('alluse-perf capacity', () => {
  it('asks for a load or a growth, and says when there are no metrics yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-cli-capacity-'));
    writeFileSync(join(dir, 'alluse-perf.yaml'), 'version: 1\ncomponents:\n  - name: a\n    process: { pidFile: a.pid }\n    metrics: { url: "http://127.0.0.1:1/metrics", throughput: ticks_total }\n');
    const none = await cli(['capacity', '--workspace', dir]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /one of --load N .* --growth F .* --months M/);
    const empty = await cli(['capacity', '--workspace', dir, '--load', '1000']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no metrics yet in .*store.*Monitor the system first/);
  });
});
