/**
 * Multivariate anomaly detection over the metrics of one component: each update is the
 * vector of the component's latest values (one per metric). Each metric is standardized by
 * its own robust level and spread, the vector is scored by an Isolation Forest fitted on a
 * sliding window of past vectors, then added to the window. The forest is retrained "in the
 * background" in small slices: every `retrainEvery` updates one tree (the oldest) is rebuilt
 * from the current window, so no single update pays for a whole refit.
 */
import type { AnomalyResult } from './types';
import { IsolationForest } from './isolationForest';
import { RobustStats } from './robustStats';
import { fmt } from './util';

export interface ComponentForestOptions {
  /** Metric names, in the order of the vectors given to `update`. */
  metrics: string[];
  /** Sliding window of vectors (default 1024). */
  window?: number;
  trees?: number;
  sampleSize?: number;
  /** Updates between two tree rebuilds (default 10). */
  retrainEvery?: number;
  /** Forest score at which the output starts rising from 0 (default 0.65). */
  threshold?: number;
  seed?: number;
}

export class ComponentIsolationForest {
  readonly metrics: string[];
  private readonly forest: IsolationForest;
  private readonly windowSize: number;
  private readonly window: Float64Array[] = [];
  private pos = 0;
  private n = 0;
  private readonly retrainEvery: number;
  private readonly threshold: number;
  private readonly stats: RobustStats[];

  constructor(opts: ComponentForestOptions) {
    this.metrics = opts.metrics;
    this.windowSize = opts.window ?? 1024;
    this.retrainEvery = opts.retrainEvery ?? 10;
    this.threshold = opts.threshold ?? 0.65;
    this.forest = new IsolationForest({ trees: opts.trees ?? 50, sampleSize: opts.sampleSize ?? 128, seed: opts.seed });
    this.stats = this.metrics.map(() => new RobustStats(0.001));
  }

  /** Scores the vector of the component's metrics at time t (past data only), then learns it. */
  update(_t: number, values: ArrayLike<number>): AnomalyResult {
    const d = this.metrics.length;
    const v = new Float64Array(d);
    let worst = 0;
    let worstZ = 0;
    for (let i = 0; i < d; i++) {
      const x = Number.isFinite(values[i]) ? values[i] : this.stats[i].level;
      const s = this.stats[i];
      const z = s.count > 0 ? (x - s.level) / (s.sigma > 0 ? s.sigma : 1e-9 * (1 + Math.abs(s.level))) : 0;
      v[i] = z > 50 ? 50 : z < -50 ? -50 : z;
      if (Math.abs(v[i]) > Math.abs(worstZ)) {
        worstZ = v[i];
        worst = i;
      }
    }
    const raw = this.forest.ready ? this.forest.score(v) : 0;
    // Learn: standardization, window, and one slice of retraining.
    for (let i = 0; i < d; i++) if (Number.isFinite(values[i])) this.stats[i].update(values[i]);
    if (this.window.length < this.windowSize) this.window.push(v);
    else this.window[this.pos] = v;
    this.pos = (this.pos + 1) % this.windowSize;
    this.n++;
    if (this.window.length >= 16 && (this.n % this.retrainEvery === 0 || !this.forest.ready)) this.forest.replaceTree(this.window);
    const score = raw > this.threshold ? Math.min(1, (raw - this.threshold) / (1 - this.threshold)) : 0;
    if (score === 0) return { score };
    const s = this.stats[worst];
    return {
      score,
      explanation: {
        detector: 'isolation-forest',
        expected: s.level,
        lower: s.level - 3 * s.sigma,
        upper: s.level + 3 * s.sigma,
        observed: values[worst],
        message: `The component's metrics together are unusual (isolation score ${raw.toFixed(2)}); most of all ${this.metrics[worst]}: ${fmt(values[worst])}, expected about ${fmt(s.level)} (${worstZ.toFixed(1)} robust deviations).`,
      },
    };
  }
}
