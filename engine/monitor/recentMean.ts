/**
 * The mean of the samples of the last `windowMs` (by their own timestamps), for numbers a person
 * reads. A process's CPU share over one 100 ms interval is counted in the kernel's 10 ms clock
 * ticks, so a single sample of a mostly idle process reads 0%, 0%, 10%, 0%: the Components tree
 * showed that last sample. Over a second it reads like `top` does.
 */
export class RecentMean {
  private readonly t: number[] = [];
  private readonly v: number[] = [];
  private sum = 0;

  constructor(private readonly windowMs = 1000) {}

  add(t: number, v: number): void {
    if (!Number.isFinite(v)) return;
    // A clock that went back: start over rather than keep samples "from the future".
    if (this.t.length && t < this.t[this.t.length - 1]) this.clear();
    this.t.push(t);
    this.v.push(v);
    this.sum += v;
    let drop = 0;
    while (drop < this.t.length - 1 && this.t[drop] <= t - this.windowMs) this.sum -= this.v[drop++];
    if (drop) {
      this.t.splice(0, drop);
      this.v.splice(0, drop);
      // Re-add from scratch now and then so the running sum does not drift by rounding.
      if (this.t.length < 4) this.sum = this.v.reduce((a, b) => a + b, 0);
    }
  }

  /** undefined before the first sample. */
  get value(): number | undefined {
    return this.t.length ? this.sum / this.t.length : undefined;
  }

  clear(): void {
    this.t.length = 0;
    this.v.length = 0;
    this.sum = 0;
  }
}
