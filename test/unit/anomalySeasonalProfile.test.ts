/**
 * The seasonal profile keeps its bins as float32s (engine/anomaly/seasonalProfile.ts): what it
 * expects must stay within float32 rounding of what the float64 profile it replaced expected,
 * and a snapshot must restore to the same expectations.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SeasonalProfile } from '../../engine/anomaly/seasonalProfile';

const DAY = 86_400_000;

/** The float64 profile as it was before (the reference). */
class Float64Profile {
  private readonly values: Float64Array;
  private readonly counts: Float64Array;
  constructor(readonly periodMs: number, readonly bins: number, readonly visitRate = 0.25) {
    this.values = new Float64Array(bins);
    this.counts = new Float64Array(bins);
  }
  private pos(t: number): number {
    let p = (t % this.periodMs) / (this.periodMs / this.bins) - 0.5;
    if (p < 0) p += this.bins;
    return p;
  }
  expected(t: number): number {
    const p = this.pos(t);
    const i = Math.floor(p) % this.bins;
    const j = (i + 1) % this.bins;
    const f = p - Math.floor(p);
    if (!(this.counts[i] > 0 && this.counts[j] > 0)) return NaN;
    return this.values[i] * (1 - f) + this.values[j] * f;
  }
  update(t: number, x: number, samplesPerBin: number): void {
    const p = this.pos(t);
    const i = Math.floor(p) % this.bins;
    const j = (i + 1) % this.bins;
    const f = p - Math.floor(p);
    const rate = this.visitRate / Math.max(1, samplesPerBin);
    this.learn(i, x, (1 - f) * rate, 1 - f);
    this.learn(j, x, f * rate, f);
  }
  private learn(i: number, x: number, rate: number, w: number): void {
    if (w <= 0) return;
    const c = (this.counts[i] += w);
    this.values[i] += Math.max(rate, w / c) * (x - this.values[i]);
  }
}

it('expects what the float64 profile expected, to float32 precision, over days of a noisy daily swing', () => {
  let seed = 11;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (const [swing, stepMs] of [[1, 300_000], [5e8, 60_000], [3e-4, 10_000]] as const) {
    const p = new SeasonalProfile(DAY, 48);
    const ref = new Float64Profile(DAY, 48);
    const t0 = Date.UTC(2026, 10, 1);
    let worst = 0;
    for (let t = t0; t < t0 + 4 * DAY; t += stepMs) {
      const x = swing * (Math.sin((2 * Math.PI * t) / DAY) + 0.2 * (rnd() - 0.5));
      const e = p.expected(t);
      const r = ref.expected(t);
      assert.equal(Number.isNaN(e), Number.isNaN(r), 'learned at the same moment');
      if (!Number.isNaN(r)) worst = Math.max(worst, Math.abs(e - r) / swing);
      p.update(t, x, 1_800_000 / stepMs);
      ref.update(t, x, 1_800_000 / stepMs);
    }
    assert.ok(worst < 1e-5, `swing ${swing}: off by ${worst} of the swing`);
    assert.ok(worst > 0, 'float32, not float64 (the test would not notice a change back)');
    const copy = new SeasonalProfile(DAY, 48);
    copy.restore(JSON.parse(JSON.stringify(p.snapshot())));
    for (let t = t0; t < t0 + DAY; t += 600_000) assert.equal(copy.expected(t), p.expected(t));
  }
});
