/** Nelder–Mead minimisation (unconstrained; callers map bounded parameters through a sigmoid). */
export function nelderMead(f: (x: number[]) => number, x0: number[], opts: { maxEvals?: number; step?: number; tol?: number } = {}): { x: number[]; fx: number } {
  const n = x0.length;
  const maxEvals = opts.maxEvals ?? 200 * n;
  const step = opts.step ?? 0.5;
  const tol = opts.tol ?? 1e-8;
  let simplex: Array<{ x: number[]; fx: number }> = [{ x: x0.slice(), fx: f(x0) }];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    x[i] += step;
    simplex.push({ x, fx: f(x) });
  }
  let evals = n + 1;
  while (evals < maxEvals) {
    simplex.sort((a, b) => a.fx - b.fx);
    const best = simplex[0];
    const worst = simplex[n];
    if (Math.abs(worst.fx - best.fx) <= tol * (Math.abs(best.fx) + tol)) break;
    const c = new Array(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[j] += simplex[i].x[j] / n;
    const at = (t: number) => c.map((cj, j) => cj + t * (worst.x[j] - cj));
    const xr = at(-1);
    const fr = f(xr);
    evals++;
    if (fr < best.fx) {
      const xe = at(-2);
      const fe = f(xe);
      evals++;
      simplex[n] = fe < fr ? { x: xe, fx: fe } : { x: xr, fx: fr };
    } else if (fr < simplex[n - 1].fx) {
      simplex[n] = { x: xr, fx: fr };
    } else {
      const xc = fr < worst.fx ? at(-0.5) : at(0.5);
      const fc = f(xc);
      evals++;
      if (fc < Math.min(fr, worst.fx)) simplex[n] = { x: xc, fx: fc };
      else {
        simplex = simplex.map((p, i) => (i === 0 ? p : { x: p.x.map((v, j) => best.x[j] + 0.5 * (v - best.x[j])), fx: NaN }));
        for (let i = 1; i <= n; i++) simplex[i].fx = f(simplex[i].x);
        evals += n;
      }
    }
  }
  simplex.sort((a, b) => a.fx - b.fx);
  return simplex[0];
}
