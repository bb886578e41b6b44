/**
 * Property and fuzz tests (fast-check, seeded) of the CLI's input readers: `forecast`'s
 * `readSeries` (a `timestamp,value` CSV or JSON lines) and `detect`'s streaming CSV reader
 * (`detectStream`, through a real file).
 * - Round trip: series written in every accepted layout (header or not, LF or CRLF, blank
 *   lines, JSON lines with ids) read back as exactly the values written; `detect` copies
 *   every timestamp and value text verbatim, in order, one output row per input row.
 * - Garbage (any text, any bytes, including invalid UTF-8 and NUL): the reader answers
 *   with its own input error (`FILE:LINE: message`) or a valid result, never another
 *   exception, never a non-finite value.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { CsvError, detectStream } from '../../cli/detectCommand';
import { ForecastInputError, readSeries } from '../../cli/forecastCommand';
import type { DetectorFactory } from '../../engine/anomaly/types';

const dir = mkdtempSync(join(tmpdir(), 'alluse-cli-readers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FINITE = fc.double({ noNaN: true, noDefaultInfinity: true });
const EOL = fc.constantFrom('\n', '\r\n');

/** A detector that only checks what it is fed (finite numbers) and scores rows by their index. */
const checkingFactory: DetectorFactory = () => {
  let n = 0;
  return {
    update: (t: number, v: number) => {
      assert.ok(Number.isFinite(t) && Number.isFinite(v), `fed ${t}, ${v}`);
      return { score: (n++ % 10) / 10 } as never;
    },
  };
};

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString('utf8');
    cb();
  }
}

let fileNo = 0;
function tempFile(content: string | Uint8Array): string {
  const f = join(dir, `in-${fileNo++}.csv`);
  writeFileSync(f, content);
  return f;
}

describe('forecast input reader (readSeries)', () => {
  it('CSV round trip: any finite values, with or without a header, LF or CRLF, blank lines', () => {
    fc.assert(
      fc.property(fc.array(FINITE, { minLength: 2, maxLength: 50 }), fc.boolean(), EOL, fc.array(fc.nat(60), { maxLength: 3 }), (values, header, eol, blanks) => {
        const lines = values.map((v, i) => `${1_700_000_000 + i},${String(v)}`);
        for (const b of blanks) lines.splice(Math.min(b, lines.length), 0, '');
        if (header) lines.unshift('timestamp,value');
        const series = readSeries('x.csv', lines.join(eol) + eol);
        assert.equal(series.length, 1);
        assert.deepEqual(series[0].values, values.map((v) => Number(String(v))));
        assert.equal(series[0].id, 'x');
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('JSON lines round trip: ids and values as written', () => {
    const ITEM = fc.record({ id: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), values: fc.array(FINITE, { minLength: 2, maxLength: 20 }) });
    fc.assert(
      fc.property(fc.array(ITEM, { minLength: 1, maxLength: 8 }), EOL, (items, eol) => {
        const series = readSeries('m.jsonl', items.map((x) => JSON.stringify(x)).join(eol));
        assert.deepEqual(series, items.map((x) => ({ id: x.id, values: x.values.map((v) => JSON.parse(JSON.stringify(v)) as number) })));
      }),
      { seed: 12, numRuns: 200 },
    );
  });

  it('any text: a ForecastInputError naming the file, or series of finite numbers', () => {
    const TEXT = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(fc.oneof(fc.constantFrom('timestamp,value', '1,2', '{"values":[1,2]}', '{', 'NaN', '1,Infinity', '1,1e400', ',', '\u0000', '\ufffd', '{"values":"x"}', '{"values":[1,null]}', '[1,2]', 'null'), fc.string({ maxLength: 20 })), { maxLength: 20 }).map((ls) => ls.join('\n')),
    );
    fc.assert(
      fc.property(TEXT, (text) => {
        try {
          const series = readSeries('bad.csv', text);
          for (const s of series) {
            assert.ok(s.values.length >= 2);
            for (const v of s.values) assert.ok(Number.isFinite(v), `${v} from ${JSON.stringify(text)}`);
          }
        } catch (e) {
          assert.ok(e instanceof ForecastInputError, `${(e as Error).name}: ${(e as Error).message} for ${JSON.stringify(text)}`);
          assert.match((e as Error).message, /^bad\.csv(:\d+)?: /);
        }
      }),
      { seed: 13, numRuns: 1000 },
    );
  });
});

describe('detect input reader (detectStream)', () => {
  it('round trip: every row out once, in order, with its timestamp and value text verbatim', async () => {
    const TS = fc.oneof(
      fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }).map(String),
      fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString().replace('T', ' ').slice(0, 19)),
    );
    const VALUE_TEXT = fc.oneof(FINITE.map(String), fc.integer().map((i) => ` ${i} `), fc.constantFrom('0', '-0', '1e-300', '0x10', '.5'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(TS, VALUE_TEXT), { minLength: 0, maxLength: 40 }), EOL, fc.boolean(), async (rows, eol, finalEol) => {
        const text = ['timestamp,value', ...rows.map(([t, v]) => `${t},${v}`)].join(eol) + (finalEol ? eol : '');
        const out = new Collect();
        const stats = await detectStream(tempFile(text), out, checkingFactory);
        assert.equal(stats.rows, rows.length);
        const lines = out.text.split('\n');
        assert.equal(lines.pop(), '', 'ends with a newline');
        assert.equal(lines.shift(), 'timestamp,value,anomaly_score');
        assert.deepEqual(lines.map((l) => l.slice(0, l.lastIndexOf(','))), rows.map(([t, v]) => `${t},${v}`));
        for (const l of lines) {
          const s = Number(l.slice(l.lastIndexOf(',') + 1));
          assert.ok(s >= 0 && s <= 1);
        }
      }),
      { seed: 21, numRuns: 150 },
    );
  });

  it('any bytes (invalid UTF-8, NUL, no newline at all): a CsvError with FILE:LINE, or a result; never another exception', async () => {
    const BYTES = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 2e9 }), FINITE), { maxLength: 5 })).map(([junk, rows]) =>
        Buffer.concat([Buffer.from('timestamp,value\n' + rows.map(([t, v]) => `${t},${v}\n`).join('')), Buffer.from(junk)]),
      ),
      fc.constantFrom(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('timestamp,value\n1,2\n')]), Buffer.from('timestamp,value\n1,\xff\xfe\n', 'latin1'), Buffer.from('timestamp,value\n1,2,3\n'), Buffer.from('timestamp,value\r\n\r\n1,2'), Buffer.alloc(0)),
    );
    await fc.assert(
      fc.asyncProperty(BYTES, async (bytes) => {
        const file = tempFile(bytes);
        try {
          await detectStream(file, new Collect(), checkingFactory);
        } catch (e) {
          assert.ok(e instanceof CsvError, `${(e as Error).name}: ${(e as Error).message}`);
          assert.ok((e as Error).message.startsWith(`${file}:`), (e as Error).message);
          assert.match((e as Error).message, /^[^:]+:\d+: /);
        }
      }),
      { seed: 22, numRuns: 400 },
    );
  });
});
