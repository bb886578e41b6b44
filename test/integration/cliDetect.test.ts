/**
 * `alluse-perf detect` end to end (the built dist/cli.js): the CSV round trip (LF and CRLF,
 * timestamp forms, value texts kept as written), causality, and the errors users see.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { ROOT } from '../helpers/lspClient';

const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-detect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'detect', ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let n = 0;
function file(text: string): string {
  const p = join(dir, `in${n++}.csv`);
  writeFileSync(p, text);
  return p;
}

/** A series with a daily shape and noise, one row a minute, as `timestamp,value` lines. */
function series(values: number[], start = Date.UTC(2024, 0, 1)): string[] {
  return values.map((v, i) => `${new Date(start + i * 60_000).toISOString().replace('T', ' ').slice(0, 19)},${v}`);
}

function scores(csv: string): number[] {
  return csv.trim().split('\n').slice(1).map((l) => Number(l.split(',')[2]));
}

describe('alluse-perf detect', () => {
  const rows = ['2014-04-01 00:00:00,18.6221849224', '2014-04-01T00:05:00Z,8.16', '2014-04-01T00:10:00.250Z,1e1', '1396311300,  7', '1396311600000,-0.50', '2014-04-01 00:25:00,3'];

  it('keeps the rows, their order and their texts, and adds a score in [0, 1] (LF and CRLF alike)', async () => {
    const lf = await cli('--input', file(['timestamp,value', ...rows].join('\n') + '\n'));
    assert.equal(lf.code, 0, lf.stderr);
    const lines = lf.stdout.split('\n');
    assert.equal(lines[0], 'timestamp,value,anomaly_score');
    assert.equal(lines.length, rows.length + 2); // and the final newline
    assert.equal(lines.at(-1), '');
    rows.forEach((r, i) => {
      const cells = lines[i + 1].split(',');
      assert.equal(`${cells[0]},${cells[1]}`, r);
      const s = Number(cells[2]);
      assert.ok(cells[2] !== '' && s >= 0 && s <= 1, `score "${cells[2]}"`);
    });
    // CRLF, a byte-order mark, no final newline and a blank line: the same output.
    const crlf = await cli('--input', file('\uFEFFtimestamp,value\r\n' + rows.slice(0, 3).join('\r\n') + '\r\n\r\n' + rows.slice(3).join('\r\n')));
    assert.equal(crlf.code, 0, crlf.stderr);
    assert.equal(crlf.stdout, lf.stdout);
  });

  it('writes --output instead of standard output, the same bytes, across read chunks', async () => {
    // About 2.4 MB with CRLF: more than two of the command's 1 MiB read chunks.
    const input = file(['timestamp,value', ...series(Array.from({ length: 60_000 }, (_, i) => Math.sin(i / 30) + (i % 7) / 10))].join('\r\n'));
    const toStdout = await cli('--input', input);
    const out = join(dir, 'out.csv');
    const toFile = await cli('--input', input, '--output', out);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.equal(toFile.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), toStdout.stdout);
    assert.equal(scores(toStdout.stdout).length, 60_000);
    const first = toStdout.stdout.split('\n').slice(1, -1).map((l) => l.split(',').slice(0, 2).join(','));
    assert.deepEqual(first, readFileSync(input, 'utf8').split('\r\n').slice(1));
  });

  it('is causal: the score of a row does not change when later rows change (property, seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 20, maxLength: 400 }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 100 }),
        fc.nat(),
        fc.constantFrom('default', 'windowed-gaussian'),
        async (base, tail, cutSeed, detector) => {
          const cut = 1 + (cutSeed % (base.length - 1));
          const changed = [...base.slice(0, cut), ...tail];
          const a = await cli('--input', file(['timestamp,value', ...series(base)].join('\n')), '--detector', detector);
          const b = await cli('--input', file(['timestamp,value', ...series(changed)].join('\n')), '--detector', detector);
          assert.equal(a.code, 0, a.stderr);
          assert.equal(b.code, 0, b.stderr);
          assert.deepEqual(scores(b.stdout).slice(0, cut), scores(a.stdout).slice(0, cut));
        },
      ),
      { seed: 20261127, numRuns: 8 },
    );
  });

  it('reports a missing file, a bad header and bad rows with their line, and leaves no output file', async () => {
    const missing = await cli('--input', join(dir, 'nope.csv'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.csv: no such file/);

    const out = join(dir, 'never.csv');
    const header = await cli('--input', file('time,val\n2014-04-01 00:00:00,1\n'), '--output', out);
    assert.equal(header.code, 2);
    assert.match(header.stderr, /:1: the header must be "timestamp,value", found "time,val"/);

    const value = await cli('--input', file('timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,abc\n'), '--output', out);
    assert.equal(value.code, 2);
    assert.match(value.stderr, /:3: "abc" is not a number/);

    const crlfValue = await cli('--input', file('timestamp,value\r\n2014-04-01 00:00:00,1\r\n2014-04-01 00:05:00,\r\n'));
    assert.equal(crlfValue.code, 2);
    assert.match(crlfValue.stderr, /:3: "" is not a number/);

    const time = await cli('--input', file('timestamp,value\n2014-04-01 00:00:00,1\nyesterday,2\n'), '--output', out);
    assert.equal(time.code, 2);
    assert.match(time.stderr, /:3: "yesterday" is not a timestamp/);

    const cells = await cli('--input', file('timestamp,value\n2014-04-01 00:00:00,1,2\n'), '--output', out);
    assert.equal(cells.code, 2);
    assert.match(cells.stderr, /:2: expected 2 cells/);

    const empty = await cli('--input', file(''));
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /empty/);

    assert.ok(!existsSync(out), 'no output file after an error');
  });
});
