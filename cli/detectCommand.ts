/**
 * `alluse-perf detect --input FILE.csv [--output FILE.csv]`: scores every row of a
 * `timestamp,value` CSV with the streaming anomaly detector of the extension and writes
 * `timestamp,value,anomaly_score`, the same rows in the same order. Each score comes from
 * that row and the rows before it only: the rows are fed to one detector in file order.
 *
 * The file is read in chunks and written as it goes, so its size does not matter. The
 * timestamp and value texts are copied as they are; lines end with `\n` (CRLF input is read).
 */
import { createReadStream, createWriteStream, existsSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';
import type { DetectorFactory } from '../engine/anomaly/types';
import { parseTimestamp } from '../engine/text/timestamps';

export interface DetectOptions {
  input: string;
  output?: string;
}

export interface DetectStats {
  rows: number;
  ms: number;
}

/** An input problem, reported as `FILE:LINE: message`. */
export class CsvError extends Error {}

/**
 * Streams `input` through a fresh detector into `out`. Throws `CsvError` on a bad header or
 * row (the rows before it have been written).
 */
export async function detectStream(input: string, out: Writable, factory: DetectorFactory): Promise<DetectStats> {
  const t0 = performance.now();
  const detector = factory();
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  let rows = 0;
  let header = true;

  const processText = (text: string, final: boolean): string => {
    const parts: string[] = [];
    let start = 0;
    for (;;) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) {
        if (!final || start >= text.length) break;
        nl = text.length;
      }
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      const line = text.slice(start, end);
      start = nl + 1;
      lineNo++;
      if (header) {
        const cols = line.replace(/^\uFEFF/, '').split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
        if (cols.length !== 2 || cols[0] !== 'timestamp' || cols[1] !== 'value') {
          throw new CsvError(`${input}:${lineNo}: the header must be "timestamp,value", found "${clip(line)}"`);
        }
        header = false;
        parts.push('timestamp,value,anomaly_score\n');
        continue;
      }
      if (line.length === 0 || line.trim() === '') continue;
      const comma = line.indexOf(',');
      if (comma < 0 || line.indexOf(',', comma + 1) >= 0) {
        throw new CsvError(`${input}:${lineNo}: expected 2 cells "timestamp,value", found "${clip(line)}"`);
      }
      const ts = line.slice(0, comma);
      const vs = line.slice(comma + 1);
      const t = parseTimestamp(ts);
      if (Number.isNaN(t)) throw new CsvError(`${input}:${lineNo}: "${clip(ts)}" is not a timestamp (use YYYY-MM-DD HH:MM:SS, ISO 8601, or epoch seconds or milliseconds)`);
      const v = vs.trim() === '' ? NaN : Number(vs);
      if (!Number.isFinite(v)) throw new CsvError(`${input}:${lineNo}: "${clip(vs)}" is not a number`);
      const r = detector.update(t, v);
      const score = Number.isFinite(r.score) ? Math.min(1, Math.max(0, r.score)) : 0;
      parts.push(ts, ',', vs, ',', String(score), '\n');
      rows++;
    }
    carry = text.slice(start);
    return parts.join('');
  };

  // A closed output (e.g. `| head`) ends the run: the error surfaces at the next write.
  let outError: Error | undefined;
  const onError = (e: Error): void => {
    outError = e;
  };
  out.on('error', onError);
  const write = async (s: string): Promise<void> => {
    if (outError) throw outError;
    if (s && !out.write(s)) await once(out, 'drain');
    if (outError) throw outError;
  };

  const stream = createReadStream(input, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    await write(processText(carry + decoder.write(chunk as Buffer), false));
  }
  await write(processText(carry + decoder.end(), true));
  out.off('error', onError);
  if (header) throw new CsvError(`${input}:1: the file is empty; expected the header "timestamp,value"`);
  return { rows, ms: performance.now() - t0 };
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** The command: exit code 0, or 2 with a message on `err` for a missing file or bad input. */
export async function detectFile(opts: DetectOptions, factory: DetectorFactory, stdout: Writable, err: (s: string) => void): Promise<number> {
  if (!existsSync(opts.input) || !statSync(opts.input).isFile()) {
    err(`alluse-perf detect: ${opts.input}: no such file. Give a CSV with the header "timestamp,value".`);
    return 2;
  }
  // Write to a temporary file beside the output and rename it at the end, so a failed run
  // never leaves a half-written output behind.
  const tmp = opts.output ? `${opts.output}.${process.pid}.tmp` : undefined;
  let out = stdout;
  if (tmp) {
    try {
      out = createWriteStream(tmp, { fd: openSync(tmp, 'w') });
    } catch (e) {
      err(`alluse-perf detect: cannot write ${opts.output}: ${(e as Error).message}`);
      return 2;
    }
  }
  try {
    await detectStream(opts.input, out, factory);
    if (tmp) {
      out.end();
      await once(out, 'finish');
      renameSync(tmp, opts.output!);
    }
    return 0;
  } catch (e) {
    if (tmp) {
      out.destroy();
      rmSync(tmp, { force: true });
    }
    // The reader of standard output went away (`| head`): not an error of ours.
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    err(`alluse-perf detect: ${(e as Error).message}`);
    return 2;
  }
}
