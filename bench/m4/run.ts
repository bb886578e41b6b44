/**
 * `npm run bench:m4`: forecasts the 414 M4 Hourly series 48 steps ahead from all but their last
 * 48 points, and scores the forecasts on those 48 (our validation split; the M4 test set is not
 * used): sMAPE, MASE (m = 24), OWA against our Naive2, and the coverage of the 80% and 95%
 * intervals, beside the seasonal naive and Naive2 baselines, with the run time.
 *
 * M4_DIR=… reads the data from elsewhere; M4_LIMIT=N scores the first N series only;
 * M4_WITHOUT=arima,prophet,mlp,pooled leaves default candidates out and M4_WITH=ets,mstl,lstm
 * adds the optional ones (the ablation of docs/performance.md); M4_POWER=p changes the exponent
 * of the CV weights.
 */
import { naive2, seasonalNaive } from '../../engine/forecast/baselines';
import { forecastMany } from '../../engine/forecast/index';
import { loadM4, splitValidation } from './data';
import { coverage, mase, msis, owa, smape } from './metrics';

const H = 48;
const M = 24;
const SEASONS = [24, 168];

interface Row {
  name: string;
  smape: number;
  mase: number;
  owa?: number;
  cov80?: number;
  cov95?: number;
  msis?: number;
  ms?: number;
}

function score(name: string, data: ReturnType<typeof splitValidation>, fcs: number[][]): Row {
  let s = 0;
  let m = 0;
  data.forEach((d, i) => {
    s += smape(d.test, fcs[i]);
    m += mase(d.train, d.test, fcs[i], M);
  });
  return { name, smape: s / data.length, mase: m / data.length };
}

async function main(): Promise<void> {
  const all = loadM4();
  const limit = process.env.M4_LIMIT ? Number(process.env.M4_LIMIT) : all.length;
  const data = splitValidation(all.slice(0, limit), H);
  console.log(`M4 Hourly: ${data.length} series, horizon ${H}, validation = the last ${H} points of each training series (not the M4 test set)`);

  const rows: Row[] = [];
  const n2 = score('Naive2', data, data.map((d) => naive2(d.train, H, M)));
  rows.push(n2);
  rows.push(score('Seasonal naive (24)', data, data.map((d) => seasonalNaive(d.train, H, 24))));
  rows.push(score('Seasonal naive (168)', data, data.map((d) => seasonalNaive(d.train, H, 168))));

  // M4_WITHOUT / M4_WITH: the ablation switches (see the header)
  const without = Object.fromEntries((process.env.M4_WITHOUT ?? '').split(',').filter(Boolean).map((k) => [k.trim(), false]));
  const withExtra = Object.fromEntries((process.env.M4_WITH ?? '').split(',').filter(Boolean).map((k) => [k.trim(), true]));
  if (Object.keys(without).length) console.log(`without: ${Object.keys(without).join(', ')}`);
  if (Object.keys(withExtra).length) console.log(`with: ${Object.keys(withExtra).join(', ')}`);
  const timings = new Map<string, number>();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const results = await forecastMany(data.map((d) => ({ id: d.id, values: d.train })), { horizon: H, seasons: SEASONS, folds: process.env.M4_FOLDS ? Number(process.env.M4_FOLDS) : undefined, ...without, timings, weightPower: process.env.M4_POWER ? Number(process.env.M4_POWER) : undefined, ...withExtra });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const ours = score('ALL-USE (forecastMany)', data, results.map((r) => r.mean));
  let in80 = 0, in95 = 0, tot = 0, ms95 = 0;
  data.forEach((d, i) => {
    const r = results[i];
    in80 += coverage(d.test, r.lo80, r.hi80).inside;
    const c95 = coverage(d.test, r.lo95, r.hi95);
    in95 += c95.inside;
    tot += c95.total;
    ms95 += msis(d.train, d.test, r.lo95, r.hi95, M);
  });
  Object.assign(ours, { cov80: in80 / tot, cov95: in95 / tot, msis: ms95 / data.length, ms });
  rows.push(ours);

  const models = new Map<string, number>();
  // (the 12 most frequent)
  for (const r of results) models.set(r.model, (models.get(r.model) ?? 0) + 1);

  const pct = (x?: number) => (x === undefined ? '' : (100 * x).toFixed(1) + '%');
  console.log('');
  console.log('| method | sMAPE | MASE | OWA | 80% cover | 95% cover | MSIS (95%) | time |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    r.owa = owa(r.smape, r.mase, n2.smape, n2.mase);
    console.log(`| ${r.name} | ${r.smape.toFixed(2)} | ${r.mase.toFixed(3)} | ${r.owa.toFixed(4)} | ${pct(r.cov80)} | ${pct(r.cov95)} | ${r.msis === undefined ? '' : r.msis.toFixed(2)} | ${r.ms === undefined ? '' : (r.ms / 1000).toFixed(1) + ' s (' + (r.ms / data.length).toFixed(1) + ' ms/series)'} |`);
  }
  console.log('');
  console.log(`CPU time of the forecasting: ${cpuS.toFixed(1)} s (wall ${(ms / 1000).toFixed(1)} s; wall above CPU means the machine was shared)`);
  console.log('Time per candidate (s): ' + [...timings].map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', '));
  console.log('Models chosen: ' + [...models].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ×${v}`).join(', '));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
