// Exact latency quantiles over a measurement window. The bench needs precise p95/p99
// (histogram buckets are too coarse for tuning), and a window holds at most a few
// hundred thousand samples, so keeping them all is cheap.

export class SampleWindow {
  private buf = new Float64Array(4096);
  private n = 0;
  private startedAt = Date.now();

  add(v: number): void {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }

  reset(): void { this.n = 0; this.startedAt = Date.now(); if (this.buf.length > 1 << 20) this.buf = new Float64Array(4096); }

  get count(): number { return this.n; }
  get since(): number { return this.startedAt; }

  /** Quantiles by the nearest-rank method; NaN when the window is empty. */
  quantiles(qs: number[]): number[] {
    if (this.n === 0) return qs.map(() => NaN);
    const sorted = this.buf.slice(0, this.n).sort();
    return qs.map((q) => sorted[Math.min(this.n - 1, Math.max(0, Math.ceil(q * this.n) - 1))]);
  }

  mean(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.buf[i];
    return this.n ? s / this.n : NaN;
  }
}
