// Black-Scholes prices and Greeks for European options, plus an implied-volatility
// solver. This is the protocol engine's real CPU work.

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf, |error| < 1.5e-7). */
export function normCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.SQRT2);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

export function normPdf(x: number): number { return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI); }

export interface Greeks { price: number; delta: number; gamma: number; vega: number; theta: number; rho: number }

/** S spot, K strike, T years, r rate, sigma volatility, call or put. */
export function blackScholes(S: number, K: number, T: number, r: number, sigma: number, call: boolean): Greeks {
  const sqrtT = Math.sqrt(T);
  const d1 = (Math.log(S / K) + (r + 0.5 * sigma * sigma) * T) / (sigma * sqrtT);
  const d2 = d1 - sigma * sqrtT;
  const disc = Math.exp(-r * T);
  const pdf1 = normPdf(d1);
  const gamma = pdf1 / (S * sigma * sqrtT);
  const vega = S * pdf1 * sqrtT;
  if (call) {
    const n1 = normCdf(d1), n2 = normCdf(d2);
    return { price: S * n1 - K * disc * n2, delta: n1, gamma, vega, theta: -(S * pdf1 * sigma) / (2 * sqrtT) - r * K * disc * n2, rho: K * T * disc * n2 };
  }
  const n1 = normCdf(-d1), n2 = normCdf(-d2);
  return { price: K * disc * n2 - S * n1, delta: -n1, gamma, vega, theta: -(S * pdf1 * sigma) / (2 * sqrtT) + r * K * disc * n2, rho: -K * T * disc * n2 };
}

/** Implied volatility by safeguarded Newton-Raphson; returns NaN when no solution in (0.001, 5). */
export function impliedVol(price: number, S: number, K: number, T: number, r: number, call: boolean, guess = 0.3): number {
  let lo = 0.001, hi = 5, sigma = guess;
  for (let i = 0; i < 40; i++) {
    const g = blackScholes(S, K, T, r, sigma, call);
    const diff = g.price - price;
    if (Math.abs(diff) < 1e-8) return sigma;
    if (diff > 0) hi = sigma; else lo = sigma;
    const next = g.vega > 1e-10 ? sigma - diff / g.vega : NaN;
    sigma = next > lo && next < hi ? next : 0.5 * (lo + hi);
  }
  return sigma;
}
