/** Dense symmetric positive definite solves (Cholesky), row-major Float64Arrays. */

/** Solves A·X = B in place of B for SPD A (d×d) and B (d×k); A is overwritten by its factor. */
export function choleskySolve(a: Float64Array, d: number, b: Float64Array, k: number): void {
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let p = 0; p < j; p++) s -= a[j * d + p] * a[j * d + p];
    if (s <= 0) s = 1e-12;
    const ljj = Math.sqrt(s);
    a[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let p = 0; p < j; p++) t -= a[i * d + p] * a[j * d + p];
      a[i * d + j] = t / ljj;
    }
  }
  // forward: L·Z = B
  for (let i = 0; i < d; i++) {
    for (let c = 0; c < k; c++) {
      let t = b[i * k + c];
      for (let p = 0; p < i; p++) t -= a[i * d + p] * b[p * k + c];
      b[i * k + c] = t / a[i * d + i];
    }
  }
  // back: Lᵀ·X = Z
  for (let i = d - 1; i >= 0; i--) {
    for (let c = 0; c < k; c++) {
      let t = b[i * k + c];
      for (let p = i + 1; p < d; p++) t -= a[p * d + i] * b[p * k + c];
      b[i * k + c] = t / a[i * d + i];
    }
  }
}
