/**
 * `alluse-perf compare` and `alluse-perf gate` end to end through the built dist/cli.js,
 * with a real Node script as the benchmark: it sleeps as long as its configuration says and
 * prints the measured time as JSON. A slower configuration must come out "worse" with an
 * interval above 0; the runs must alternate A B A B; the result file must feed `gate`,
 * which fails the regression (exit 1, JUnit failure) and passes identical results (exit 0);
 * usage errors exit 2. No shell anywhere: a hostile path stays one argument.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT } from '../helpers/lspClient';
import { xmlProblems } from '../helpers/xmlWellFormed';

const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-compare-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

// The benchmark: reads {"sleep_ms": N} from the config given as its argument, logs its arm,
// sleeps, prints a noise line and then the measured time and the configured one.
const BENCH = join(dir, 'bench.js');
writeFileSync(
  BENCH,
  `const fs = require('node:fs');
const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
fs.appendFileSync(${JSON.stringify(join(dir, 'order.log'))}, process.env.ALLUSE_ARM + ' ' + (process.env.ALLUSE_CONFIG === process.argv[2]) + '\\n');
const t0 = process.hrtime.bigint();
setTimeout(() => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log('bench: done');
  console.log(JSON.stringify({ elapsed_ms: ms, configured: { sleep_ms: cfg.sleep_ms } }));
}, cfg.sleep_ms);
`,
);
const A = join(dir, 'fast.json');
const B = join(dir, 'slow dir; rm -rf x', 'slow.json');
mkdirSync(join(dir, 'slow dir; rm -rf x'));
writeFileSync(A, JSON.stringify({ sleep_ms: 15 }));
writeFileSync(B, JSON.stringify({ sleep_ms: 45 }));

describe('alluse-perf compare', () => {
  it('finds a slower configuration worse, runs A B A B, and writes the samples and a report', { timeout: 120_000 }, async () => {
    const out = join(dir, 'result.json');
    const html = join(dir, 'report.html');
    const r = await cli(['compare', '--a', A, '--b', B, '--command', `node ${BENCH} {config}`, '--repeats', '8', '--out', out, '--html', html]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /elapsed_ms .* worse/);
    assert.match(r.stdout, /configured\.sleep_ms/);
    const order = readFileSync(join(dir, 'order.log'), 'utf8').trim().split('\n');
    assert.deepEqual(order, Array.from({ length: 18 }, (_, i) => `${i % 2 ? 'b' : 'a'} true`));
    const json = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(json.kind, 'alluse-perf.compare');
    assert.equal(json.arms.a.samples.elapsed_ms.length, 8);
    assert.equal(json.arms.b.config, B);
    const el = json.metrics.find((m: { metric: string }) => m.metric === 'elapsed_ms');
    assert.equal(el.verdict, 'worse');
    assert.equal(el.direction, 'minimize');
    assert.ok(el.relativeCi.lo > 0.5, JSON.stringify(el.relativeCi)); // 45 ms against 15 ms
    assert.ok(el.median.b > 40 && el.median.a >= 14, JSON.stringify(el.median));
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<svg [^>]*aria-label="elapsed_ms/);
    assert.equal((page.match(/<circle /g) ?? []).length, 2 * 16); // every run of both metrics is a dot
    assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org)/); // self-contained, no network
  });

  it('--json prints the result as one line; --metric narrows and sets the direction', { timeout: 60_000 }, async () => {
    const r = await cli(['compare', '--a', A, '--b', A, '--command', `node ${BENCH} {config}`, '--repeats', '3', '--warmup', '0', '--metric', 'configured.sleep_ms:min', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const json = JSON.parse(lines[0]);
    assert.deepEqual(json.metrics.map((m: { metric: string }) => m.metric), ['configured.sleep_ms']);
    assert.equal(json.metrics[0].verdict, 'no detectable difference');
  });

  it('replaces {config} and {arm} inside a longer argument, as one argument', { timeout: 60_000 }, async () => {
    // As in docs/ci-gate.md, where {config} is a checkout and the program a path inside it.
    const script = "const [p, arm] = process.argv.slice(1); console.log(JSON.stringify({ ok: p === 'in:' + process.env.ALLUSE_CONFIG + '/bench' && arm === 'arm-' + process.env.ALLUSE_ARM ? 1 : 0 }))";
    const r = await cli(['compare', '--a', A, '--b', B, '--command', `node -e "${script}" in:{config}/bench arm-{arm}`, '--repeats', '2', '--warmup', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(json.arms.a.samples.ok, [1, 1]);
    assert.deepEqual(json.arms.b.samples.ok, [1, 1]);
  });

  it('usage errors exit 2 and say what to do; a failing command exits 1 with the reason', { timeout: 60_000 }, async () => {
    const missing = await cli(['compare', '--a', A, '--b', join(dir, 'nope.json'), '--command', 'node x']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json does not exist/);
    const noB = await cli(['compare', '--a', A, '--command', 'node x']);
    assert.equal(noB.code, 2);
    const badRepeats = await cli(['compare', '--a', A, '--b', B, '--command', 'node x', '--repeats', '1']);
    assert.equal(badRepeats.code, 2);
    assert.match(badRepeats.stderr, /--repeats must be a whole number of at least 2/);
    const badMetric = await cli(['compare', '--a', A, '--b', B, '--command', 'node x', '--metric', 'p95']);
    assert.equal(badMetric.code, 2);
    assert.match(badMetric.stderr, /--metric "p95" is not NAME:min or NAME:max/);
    const failing = await cli(['compare', '--a', A, '--b', B, '--command', `node -e process.exit(3)`, '--repeats', '2', '--warmup', '0']);
    assert.equal(failing.code, 1);
    assert.match(failing.stderr, /exited with code 3/);
  });
});

describe('alluse-perf gate', () => {
  it('fails the regression (exit 1) with JUnit XML, passes identical results (exit 0)', { timeout: 30_000 }, async () => {
    const result = join(dir, 'result.json');
    const junit = join(dir, 'junit.xml');
    const fail = await cli(['gate', '--baseline', result, '--current', result, '--budget', 'elapsed_ms=+10%', '--metric', 'elapsed_ms', '--junit', junit]);
    assert.equal(fail.code, 1, fail.stdout + fail.stderr);
    assert.match(fail.stdout, /FAIL {2}elapsed_ms/);
    assert.match(fail.stdout, /Gate FAILED: elapsed_ms/);
    const xml = readFileSync(junit, 'utf8');
    assert.deepEqual(xmlProblems(xml), []);
    assert.match(xml, /<failure message="elapsed_ms regressed beyond its budget \+10%"/);
    // The same arm against itself: nothing regressed.
    const pass = await cli(['gate', '--baseline', result, '--current', result, '--current-arm', 'a', '--json']);
    assert.equal(pass.code, 0, pass.stdout + pass.stderr);
    const json = JSON.parse(pass.stdout);
    assert.equal(json.passed, true);
    assert.ok(json.metrics.every((m: { status: string }) => m.status === 'pass'));
  });

  it('reads JSON lines of bench runs and passes on noise within budget', { timeout: 30_000 }, async () => {
    const base = join(dir, 'base.jsonl');
    const cur = join(dir, 'cur.jsonl');
    const noisy = (seed: number) => Array.from({ length: 10 }, (_, i) => JSON.stringify({ p95_latency_ms: 20 + ((i * 7 + seed) % 5) * 0.3, throughput_tps: 1000 - ((i * 3 + seed) % 4) * 5 })).join('\n');
    writeFileSync(base, `[bench] building\n${noisy(1)}\n`);
    writeFileSync(cur, `${noisy(2)}\n`);
    const r = await cli(['gate', '--baseline', base, '--current', cur, '--budget', 'p95_latency_ms=+10%', '--budget', 'throughput_tps=-5%']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Gate passed/);
  });

  it('usage errors exit 2', { timeout: 30_000 }, async () => {
    const result = join(dir, 'result.json');
    assert.equal((await cli(['gate', '--baseline', join(dir, 'missing.json'), '--current', result])).code, 2);
    assert.equal((await cli(['gate', '--current', result])).code, 2);
    const bad = await cli(['gate', '--baseline', result, '--current', result, '--budget', 'elapsed_ms=lots']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not METRIC=\+10%/);
    const unknown = await cli(['gate', '--baseline', result, '--current', result, '--budget', 'nope=+5%']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /not a metric of both files/);
  });
});
