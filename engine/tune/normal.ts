/**
 * The normal distribution's functions to the precision the acquisition needs: erf/erfc with
 * about 1e-14 relative error, a stable log of the standard normal CDF, and log expected
 * improvement (Ament et al. 2023, "Unexpected improvements to expected improvement"), which
 * stays finite and smooth where EI itself underflows to 0 and leaves the optimizer no slope.
 */

const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

/** erf by its Maclaurin series; used for |x| < 2.5 where it keeps ~1e-14 absolute accuracy. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/**
 * erfcx(x) = exp(x^2) erfc(x) for x >= 2.5 by Laplace's continued fraction
 * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated backwards; it converges fast there.
 */
function erfcxContinuedFraction(x: number): number {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return 1 / (SQRT_PI * f);
}

export function erf(x: number): number {
  if (Math.abs(x) < 2.5) return erfSeries(x);
  return x > 0 ? 1 - erfc(x) : erfc(-x) - 1;
}

export function erfc(x: number): number {
  if (x < 2.5) return 1 - erf(x);
  return Math.exp(-x * x) * erfcxContinuedFraction(x);
}

/** exp(x^2) erfc(x), with full relative precision for large x (no underflow). */
export function erfcx(x: number): number {
  if (x >= 2.5) return erfcxContinuedFraction(x);
  return Math.exp(x * x) * erfc(x);
}

export function normPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

export function normCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** log Phi(z), finite far into the lower tail. */
export function logNormCdf(z: number): number {
  if (z > -5) return Math.log(normCdf(z));
  // Phi(z) = 0.5 erfcx(-z/sqrt2) exp(-z^2/2)
  return Math.log(0.5 * erfcx(-z / SQRT2)) - 0.5 * z * z;
}

/**
 * log h(z) with h(z) = z Phi(z) + phi(z) (EI = sigma h((best - mu)/sigma) for minimization),
 * and r(z) = Phi(z)/h(z) and p(z) = phi(z)/h(z), the two ratios the gradient needs.
 */
export function logH(z: number): { logh: number; cdfRatio: number; pdfRatio: number } {
  if (z > -1) {
    const cdf = normCdf(z);
    const pdf = normPdf(z);
    const h = z * cdf + pdf;
    return { logh: Math.log(h), cdfRatio: cdf / h, pdfRatio: pdf / h };
  }
  const t = -z;
  // h(-t)/phi(t) = 1 - t * m(t), with m(t) = Phi(-t)/phi(t) = sqrt(pi/2) erfcx(t/sqrt2) (Mills ratio).
  let oneMinus: number;
  let mills: number;
  if (t < 100) {
    mills = SQRT_HALF_PI * erfcx(t / SQRT2);
    oneMinus = 1 - t * mills;
  } else {
    // Asymptotic series: 1 - t m(t) = 1/t^2 - 3/t^4 + 15/t^6 - 105/t^8
    const u = 1 / (t * t);
    oneMinus = u * (1 - u * (3 - u * (15 - 105 * u)));
    mills = (1 - oneMinus) / t;
  }
  const logh = -0.5 * t * t - LOG_SQRT_2PI + Math.log(oneMinus);
  return { logh, cdfRatio: mills / oneMinus, pdfRatio: 1 / oneMinus };
}

/**
 * log EI for minimization at a point with posterior mean `mu` and standard deviation `sigma`
 * against the incumbent `best`, with its derivatives in mu and sigma.
 */
export function logEI(mu: number, sigma: number, best: number): { value: number; dMu: number; dSigma: number } {
  const s = Math.max(sigma, 1e-12);
  const z = (best - mu) / s;
  const { logh, cdfRatio, pdfRatio } = logH(z);
  return { value: Math.log(s) + logh, dMu: -cdfRatio / s, dSigma: pdfRatio / s };
}
