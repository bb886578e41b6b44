// Pricing worker thread: prices one batch of jobs at a time. Each batch first
// calibrates a volatility surface per symbol it contains (the fixed cost that batching
// amortises), then prices every leg with Black-Scholes Greeks and a scenario risk grid
// (the per-tick cost).
import { parentPort, workerData } from 'node:worker_threads';
import { blackScholes, impliedVol } from '../shared/blackscholes.js';
import type { BatchRequest, JobResult, PositionUpdate, WorkerControl, WorkerReply } from './types.js';

interface Init { stuckFlag: Int32Array; spotShocks: number; volShocks: number; surfaceStrikes: number; surfaceExpiries: number }
const init = workerData as Init;
const port = parentPort!;

/** Smile: vol rises away from the money (skew on the put side) and with the forecast level. */
function smile(base: number, moneyness: number, years: number): number {
  const skew = moneyness < 1 ? 0.6 * (1 - moneyness) : 0.25 * (moneyness - 1);
  return Math.max(0.02, base * (1 + skew * 4) * (1 + 0.1 * Math.sqrt(years)));
}

/**
 * Calibrates a surface for one symbol: synthetic quotes are generated from the smile,
 * then inverted back to implied vols (as a desk does with real quotes) and stored on a
 * grid. The result depends on the batch's market state, so it cannot be cached across batches.
 */
function calibrate(spot: number, base: number, rate: number): Float64Array {
  const nK = init.surfaceStrikes, nT = init.surfaceExpiries;
  const grid = new Float64Array(nK * nT);
  for (let t = 0; t < nT; t++) {
    const years = (t + 1) / nT;
    for (let k = 0; k < nK; k++) {
      const m = 0.6 + (0.8 * k) / (nK - 1);
      const quote = blackScholes(spot, spot * m, years, rate, smile(base, m, years), m >= 1).price;
      grid[t * nK + k] = impliedVol(quote, spot, spot * m, years, rate, m >= 1, base);
    }
  }
  return grid;
}

function surfaceVol(grid: Float64Array, moneyness: number, years: number): number {
  const nK = init.surfaceStrikes, nT = init.surfaceExpiries;
  const kf = Math.min(nK - 1, Math.max(0, ((moneyness - 0.6) / 0.8) * (nK - 1)));
  const tf = Math.min(nT - 1, Math.max(0, years * nT - 1));
  const k0 = Math.floor(kf), t0 = Math.floor(tf);
  const k1 = Math.min(nK - 1, k0 + 1), t1 = Math.min(nT - 1, t0 + 1);
  const wk = kf - k0, wt = tf - t0;
  const a = grid[t0 * nK + k0] * (1 - wk) + grid[t0 * nK + k1] * wk;
  const b = grid[t1 * nK + k0] * (1 - wk) + grid[t1 * nK + k1] * wk;
  return a * (1 - wt) + b * wt;
}

function priceBatch(req: BatchRequest): JobResult[] {
  // Last tick of each symbol in the batch defines its market state for the surface.
  const state = new Map<string, { spot: number; vol: number }>();
  for (const j of req.jobs) state.set(j.tick.symbol, { spot: j.tick.price, vol: j.tick.vol });
  const surfaces = new Map<string, Float64Array>();
  for (const [sym, s] of state) surfaces.set(sym, calibrate(s.spot, req.predictions[sym] ?? s.vol, req.rate));

  const results: JobResult[] = [];
  const { spotShocks, volShocks } = init;
  for (const job of req.jobs) {
    const S = job.tick.price;
    const grid = surfaces.get(job.tick.symbol)!;
    const byAccount = new Map<number, PositionUpdate>();
    for (const leg of job.legs) {
      const sigma = surfaceVol(grid, leg.strike / S, leg.years);
      const g = blackScholes(S, leg.strike, leg.years, req.rate, sigma, leg.call);
      // Scenario grid: worst loss over spot and vol shocks, as margin systems compute it.
      let worst = 0;
      for (let i = 0; i < spotShocks; i++) {
        const s2 = S * (1 + (i - (spotShocks - 1) / 2) * 0.03);
        for (let v = 0; v < volShocks; v++) {
          const p = blackScholes(s2, leg.strike, leg.years, req.rate, sigma * (1 + (v - (volShocks - 1) / 2) * 0.25), leg.call).price;
          worst = Math.min(worst, (p - g.price) * leg.qty);
        }
      }
      let u = byAccount.get(leg.account);
      if (!u) { u = { account: leg.account, symbol: job.tick.symbol, value: 0, delta: 0, gamma: 0, vega: 0, theta: 0, seq: job.tick.seq }; byAccount.set(leg.account, u); }
      u.value += g.price * leg.qty + worst * 0.01;
      u.delta += g.delta * leg.qty;
      u.gamma += g.gamma * leg.qty;
      u.vega += g.vega * leg.qty;
      u.theta += g.theta * leg.qty;
    }
    results.push({ seq: job.tick.seq, updates: [...byAccount.values()], options: job.legs.length });
  }
  return results;
}

port.on('message', (msg: BatchRequest | WorkerControl) => {
  if (msg.type === 'stop') { port.close(); return; }
  if (msg.type !== 'batch') return;
  // stuck-worker fault: block (without spinning) until the flag is cleared or we are terminated.
  while (Atomics.load(init.stuckFlag, 0) === 1) Atomics.wait(init.stuckFlag, 0, 1, 1000);
  let reply: WorkerReply;
  try { reply = { type: 'result', id: msg.id, results: priceBatch(msg) }; }
  catch (e) { reply = { type: 'error', id: msg.id, message: (e as Error).message }; }
  port.postMessage(reply);
});
