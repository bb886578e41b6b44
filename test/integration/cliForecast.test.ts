/**
 * `alluse-perf forecast` end to end (the built dist/cli.js): CSV and JSON lines input, the
 * output shape, and the errors users see (named by file and line).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT } from '../helpers/lspClient';

const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-forecast-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'forecast', ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let n = 0;
function file(text: string, ext = 'csv'): string {
  const p = join(dir, `in${n++}.${ext}`);
  writeFileSync(p, text);
  return p;
}

/** A daily-seasonal hourly series with a little deterministic noise. */
function hourly(len: number, base = 100): number[] {
  return Array.from({ length: len }, (_, i) => base + 20 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 13) / 2);
}

function checkShape(line: Record<string, unknown>, h: number): void {
  for (const k of ['mean', 'lo80', 'hi80', 'lo95', 'hi95']) {
    assert.ok(Array.isArray(line[k]), k);
    assert.equal((line[k] as number[]).length, h, k);
  }
  assert.equal(typeof line.model, 'string');
  const { mean, lo80, hi80, lo95, hi95 } = line as Record<string, number[]>;
  for (let i = 0; i < h; i++) {
    assert.ok(lo95[i] <= lo80[i] && lo80[i] <= mean[i] + 1e-9 && mean[i] <= hi80[i] + 1e-9 && hi80[i] <= hi95[i], `ordered at ${i}`);
  }
}

describe('alluse-perf forecast', () => {
  it('forecasts a timestamp,value CSV into one JSON line', async () => {
    const start = Date.UTC(2024, 0, 1);
    const rows = hourly(24 * 21).map((v, i) => `${new Date(start + i * 3_600_000).toISOString()},${v}`);
    const r = await cli('--input', file('timestamp,value\n' + rows.join('\n') + '\n'), '--horizon', '24', '--season', '24,168');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const out = JSON.parse(lines[0]);
    checkShape(out, 24);
    // the daily shape is forecast: the peak 6 hours after the start of a day
    const mean = out.mean as number[];
    assert.ok(mean[6] > mean[18] + 20, `peak ${mean[6]} vs trough ${mean[18]}`);
  });

  it('forecasts JSON lines, one output line per series in order, to --output', async () => {
    const input = [1, 2, 3].map((k) => JSON.stringify({ id: `s${k}`, values: hourly(24 * 14, 100 * k) })).join('\n');
    const output = join(dir, 'out.jsonl');
    const r = await cli('--input', file(input + '\n', 'jsonl'), '--horizon', '12', '--season', '24', '--output', output);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.id), ['s1', 's2', 's3']);
    for (const l of lines) checkShape(l, 12);
    assert.ok(Math.abs(lines[2].mean[0] / lines[0].mean[0] - 3) < 1, 'each series keeps its own level');
  });

  it('weighs the optional models too with --with ets,mstl,lstm (MSTL\'s WebAssembly loads from beside dist/cli.js)', async () => {
    const input = JSON.stringify({ id: 'w', values: Array.from({ length: 24 * 7 * 4 }, (_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 24) + 15 * Math.sin((2 * Math.PI * i) / 168)) });
    const r = await cli('--input', file(input + '\n', 'jsonl'), '--horizon', '24', '--season', '24,168', '--with', 'ets,mstl,lstm');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    checkShape(out, 24);
    // a noiseless daily + weekly series: the weighted forecast follows it closely
    const n = 24 * 7 * 4;
    const truth = (i: number) => 100 + 20 * Math.sin((2 * Math.PI * i) / 24) + 15 * Math.sin((2 * Math.PI * i) / 168);
    const mae = (out.mean as number[]).reduce((s, v, h) => s + Math.abs(v - truth(n + h)), 0) / 24;
    assert.ok(mae < 2, `MAE ${mae}`);
  });

  it('names the line of a bad CSV value and of a bad JSON line', async () => {
    const csv = await cli('--input', file('timestamp,value\n1,10\n2,11\n3,abc\n'), '--horizon', '2');
    assert.equal(csv.code, 1);
    assert.match(csv.stderr, /in\d+\.csv:4: the value "abc" is not a number/);
    const jl = await cli('--input', file('{"id":"a","values":[1,2,3]}\n{"id":"b","values":[1,"x"]}\n', 'jsonl'), '--horizon', '2');
    assert.equal(jl.code, 1);
    assert.match(jl.stderr, /in\d+\.jsonl:2: values\[1\] is not a finite number/);
    const broken = await cli('--input', file('{"id":"a","values":[1,2,3]}\n{"id":\n', 'jsonl'), '--horizon', '2');
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /in\d+\.jsonl:2: not valid JSON/);
  });

  it('rejects a bad horizon, season or missing file', async () => {
    const f = file('timestamp,value\n1,1\n2,2\n3,3\n');
    assert.match((await cli('--input', f, '--horizon', '0')).stderr, /--horizon: "0" is not a positive integer/);
    assert.match((await cli('--input', f, '--horizon', '2', '--season', '24,x')).stderr, /--season: "x"/);
    assert.match((await cli('--input', f, '--horizon', '2', '--with', 'mstl,arma')).stderr, /--with: "arma" is not one of ets, mstl, lstm/);
    const missing = await cli('--input', join(dir, 'nope.csv'), '--horizon', '2');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.csv: cannot read \(ENOENT\)/);
  });

  it('forecasts a very short series with the naive fallback', async () => {
    const r = await cli('--input', file('timestamp,value\n1,5\n2,6\n3,7\n'), '--horizon', '4');
    assert.equal(r.code, 0, r.stderr);
    checkShape(JSON.parse(r.stdout), 4);
  });
});
