/**
 * `alluse-perf forecast --input FILE --horizon H [--season S[,S2]] [--with ets,mstl,lstm] [--output FILE]`: forecasts
 * one series (a `timestamp,value` CSV) or many (JSON lines `{"id": ..., "values": [...]}`)
 * and writes one JSON line per series: `{"id", "mean", "lo80", "hi80", "lo95", "hi95", "model"}`.
 * Input problems are reported as `FILE:LINE: message` with exit code 1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { forecastMany, type SeriesInput } from '../engine/forecast/index';

export interface ForecastOptions {
  input: string;
  horizon: string;
  season?: string;
  output?: string;
  /** Optional models to weigh too, comma-separated: ets, mstl (augurs' MSTL + AutoETS), lstm. */
  with?: string;
}

export class ForecastInputError extends Error {}

/** Reads the series of a CSV (`timestamp,value`, header optional) or JSON lines file. */
export function readSeries(file: string, text: string): SeriesInput[] {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new ForecastInputError(`${file}: the file is empty`);
  if (lines[first].trim().startsWith('{')) {
    const out: SeriesInput[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        throw new ForecastInputError(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
      const o = obj as { id?: unknown; values?: unknown };
      if (typeof o !== 'object' || o === null || !Array.isArray(o.values)) throw new ForecastInputError(`${file}:${i + 1}: expected {"id": ..., "values": [numbers]}`);
      const bad = o.values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
      if (bad >= 0) throw new ForecastInputError(`${file}:${i + 1}: values[${bad}] is not a finite number`);
      if (o.values.length < 2) throw new ForecastInputError(`${file}:${i + 1}: at least 2 values are needed`);
      out.push({ id: typeof o.id === 'string' || typeof o.id === 'number' ? o.id : out.length, values: o.values as number[] });
    });
    return out;
  }
  const values: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = line.split(',');
    if (cells.length < 2) throw new ForecastInputError(`${file}:${i + 1}: expected "timestamp,value"`);
    const cell = cells[cells.length - 1].trim();
    const v = Number(cell);
    if (cell === '' || !Number.isFinite(v)) {
      if (i === first && values.length === 0) return; // header
      throw new ForecastInputError(`${file}:${i + 1}: the value "${cell}" is not a number`);
    }
    values.push(v);
  });
  if (values.length < 2) throw new ForecastInputError(`${file}: at least 2 values are needed`);
  return [{ id: basename(file).replace(/\.[^.]*$/, ''), values }];
}

function parseSeasons(s: string | undefined): number[] {
  if (!s) return [];
  return s.split(',').map((p) => {
    const v = Number(p.trim());
    if (!Number.isInteger(v) || v < 2) throw new ForecastInputError(`--season: "${p}" is not an integer ≥ 2`);
    return v;
  });
}

const EXTRA_MODELS = ['ets', 'mstl', 'lstm'] as const;

/** `--with ets,mstl,lstm`: the optional candidates (off by default: no gain on M4 Hourly for their run time). */
function parseExtraModels(s: string | undefined): Partial<Record<(typeof EXTRA_MODELS)[number], boolean>> {
  const out: Partial<Record<(typeof EXTRA_MODELS)[number], boolean>> = {};
  for (const p of (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(EXTRA_MODELS as readonly string[]).includes(p)) throw new ForecastInputError(`--with: "${p}" is not one of ${EXTRA_MODELS.join(', ')}`);
    out[p as (typeof EXTRA_MODELS)[number]] = true;
  }
  return out;
}

/** Runs the command; returns the exit code (0 ok, 1 bad input). */
export async function forecastFile(opts: ForecastOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  try {
    const horizon = Number(opts.horizon);
    if (!Number.isInteger(horizon) || horizon < 1) throw new ForecastInputError(`--horizon: "${opts.horizon}" is not a positive integer`);
    const seasons = parseSeasons(opts.season);
    let text: string;
    try {
      text = readFileSync(opts.input, 'utf8');
    } catch (e) {
      throw new ForecastInputError(`${opts.input}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const series = readSeries(opts.input, text);
    const results = await forecastMany(series, { horizon, seasons, ...parseExtraModels(opts.with) });
    const round = (xs: number[]) => xs.map((v) => Number(v.toPrecision(8)));
    const body = results
      .map((r) => JSON.stringify({ id: r.id, mean: round(r.mean), lo80: round(r.lo80), hi80: round(r.hi80), lo95: round(r.lo95), hi95: round(r.hi95), model: r.model }))
      .join('\n') + '\n';
    if (opts.output) writeFileSync(opts.output, body);
    else out(body.slice(0, -1));
    return 0;
  } catch (e) {
    if (e instanceof ForecastInputError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
}
