/**
 * Dense linear algebra for the Gaussian process, hand-written on flat row-major Float64Arrays:
 * at n <= a few hundred, plain loops over typed arrays are several times faster than
 * ml-matrix's array-of-arrays, and the GP calls these thousands of times per suggestion.
 * (CMA-ES uses ml-matrix's eigen-decomposition, where that cost does not matter.)
 */

/**
 * In-place lower Cholesky factor of the symmetric positive definite n x n matrix `a`
 * (row-major; the upper triangle is zeroed). Returns false if a pivot is not positive.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s * inv;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

/**
 * Cholesky of `a` (not modified) with growing diagonal jitter when it is numerically
 * indefinite. Returns the factor and the jitter that was needed.
 */
export function choleskyJitter(a: Float64Array, n: number): { L: Float64Array; jitter: number } {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += a[i * n + i];
  meanDiag = n > 0 ? meanDiag / n : 1;
  let jitter = 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    const L = a.slice();
    if (jitter > 0) for (let i = 0; i < n; i++) L[i * n + i] += jitter;
    if (choleskyInPlace(L, n)) return { L, jitter };
    jitter = jitter === 0 ? 1e-10 * meanDiag : jitter * 10;
  }
  throw new Error('the covariance matrix is not positive definite even with jitter; the observations may contain NaN');
}

/** Solve L x = b (L lower triangular), in place on b. */
export function forwardSolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
  return b;
}

/** Solve L^T x = b (L lower triangular), in place on b. */
export function backSolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
    b[i] = s / L[i * n + i];
  }
  return b;
}

/** (L L^T)^{-1}, the full inverse from a Cholesky factor (used for the likelihood gradient). */
export function choleskyInverse(L: Float64Array, n: number): Float64Array {
  // Linv = L^{-1} (lower), then K^{-1} = Linv^T Linv.
  const Linv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    Linv[j * n + j] = 1 / L[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      const ri = i * n;
      for (let k = j; k < i; k++) s -= L[ri + k] * Linv[k * n + j];
      Linv[ri + j] = s / L[ri + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += Linv[k * n + i] * Linv[k * n + j];
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}
