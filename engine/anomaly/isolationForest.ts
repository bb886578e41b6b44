/**
 * Isolation Forest (Liu, Ting & Zhou, 2008), with the random-hyperplane splits of the
 * Extended Isolation Forest (Hariri et al., 2019): each tree splits a random subsample by a
 * random direction at a random point of its projected range until points are isolated (or a
 * height limit), so correlated metrics do not hide an outlier off their diagonal. Anomalies are
 * isolated in few splits. score(x) = 2^(−E[h(x)] / c(ψ)), with c the average path length of
 * an unsuccessful search in a binary search tree of ψ points. Trees are stored flat in typed
 * arrays and can be replaced one at a time (`replaceTree`), which is how the streaming
 * forest retrains in small slices.
 */
import { Rng } from '../util/rng';

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n points: 2H(n−1) − 2(n−1)/n. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** One tree, flat: for node i, feature[i] = −1 marks a leaf whose size is in size[i]. */
interface Tree {
  dim: number;
  /** Split direction of node i: normal[i·dim … i·dim + dim). */
  normal: Float64Array;
  feature: Int32Array;
  split: Float64Array;
  left: Int32Array;
  right: Int32Array;
  size: Int32Array;
}

export interface IsolationForestOptions {
  trees?: number;
  sampleSize?: number;
  seed?: number;
}

export class IsolationForest {
  readonly treeCount: number;
  readonly sampleSize: number;
  private readonly trees: (Tree | undefined)[];
  private readonly rng: Rng;
  private psi = 0;
  private next = 0;

  constructor(opts: IsolationForestOptions = {}) {
    this.treeCount = opts.trees ?? 100;
    this.sampleSize = opts.sampleSize ?? 256;
    this.trees = new Array(this.treeCount).fill(undefined);
    this.rng = new Rng(opts.seed ?? 42);
  }

  /** Fits every tree on `data` (rows are feature vectors of equal length). */
  fit(data: readonly ArrayLike<number>[]): this {
    for (let i = 0; i < this.treeCount; i++) this.replaceTree(data);
    return this;
  }

  /** Whether at least one tree is built. */
  get ready(): boolean {
    return this.trees.some((t) => t !== undefined);
  }

  /** Rebuilds the oldest tree from a fresh subsample of `data` (the sliding window). */
  replaceTree(data: readonly ArrayLike<number>[]): void {
    if (data.length < 2) return;
    const n = Math.min(this.sampleSize, data.length);
    // Subsample without replacement (partial Fisher–Yates over indices).
    const idx = Array.from({ length: data.length }, (_, i) => i);
    for (let i = 0; i < n; i++) {
      const j = i + this.rng.int(data.length - i);
      const tmp = idx[i];
      idx[i] = idx[j];
      idx[j] = tmp;
    }
    const sample = idx.slice(0, n).map((i) => data[i]);
    this.trees[this.next] = this.build(sample);
    this.next = (this.next + 1) % this.treeCount;
    this.psi = n;
  }

  private build(sample: ArrayLike<number>[]): Tree {
    const dim = sample[0].length;
    const maxNodes = 2 * sample.length;
    const t: Tree = {
      dim,
      normal: new Float64Array(maxNodes * dim),
      feature: new Int32Array(maxNodes).fill(-1),
      split: new Float64Array(maxNodes),
      left: new Int32Array(maxNodes),
      right: new Int32Array(maxNodes),
      size: new Int32Array(maxNodes),
    };
    const limit = Math.ceil(Math.log2(Math.max(2, sample.length)));
    let count = 0;
    const grow = (pts: ArrayLike<number>[], depth: number): number => {
      const node = count++;
      t.size[node] = pts.length;
      if (depth >= limit || pts.length <= 1) return node;
      // A random direction along which these points have some spread (a few tries).
      const dir = new Float64Array(dim);
      for (let attempt = 0; attempt < 4; attempt++) {
        for (let f = 0; f < dim; f++) dir[f] = this.rng.normal();
        let lo = Infinity;
        let hi = -Infinity;
        const proj = new Float64Array(pts.length);
        for (let k = 0; k < pts.length; k++) {
          let v = 0;
          for (let f = 0; f < dim; f++) v += dir[f] * pts[k][f];
          proj[k] = v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (!(hi > lo)) continue;
        const s = lo + this.rng.next() * (hi - lo);
        const l: ArrayLike<number>[] = [];
        const r: ArrayLike<number>[] = [];
        for (let k = 0; k < pts.length; k++) (proj[k] < s ? l : r).push(pts[k]);
        if (l.length === 0 || r.length === 0) continue;
        t.feature[node] = 0;
        t.normal.set(dir, node * dim);
        t.split[node] = s;
        t.left[node] = grow(l, depth + 1);
        t.right[node] = grow(r, depth + 1);
        return node;
      }
      return node;
    };
    grow(sample, 0);
    return t;
  }

  /** Path length of x in one tree, with c(size) added at the leaf. */
  private pathLength(t: Tree, x: ArrayLike<number>): number {
    let node = 0;
    let depth = 0;
    const dim = t.dim;
    const w = t.normal;
    while (t.feature[node] >= 0) {
      let v = 0;
      for (let f = 0, o = node * dim; f < dim; f++) v += w[o + f] * x[f];
      node = v < t.split[node] ? t.left[node] : t.right[node];
      depth++;
    }
    return depth + averagePathLength(t.size[node]);
  }

  /** Mean path length over the built trees. */
  meanPathLength(x: ArrayLike<number>): number {
    let sum = 0;
    let k = 0;
    for (const t of this.trees) {
      if (!t) continue;
      sum += this.pathLength(t, x);
      k++;
    }
    return k ? sum / k : NaN;
  }

  /** Anomaly score in (0, 1]: about 0.5 or less for inliers, near 1 for clear outliers. */
  score(x: ArrayLike<number>): number {
    const h = this.meanPathLength(x);
    if (!(h === h) || this.psi < 2) return 0;
    return Math.pow(2, -h / averagePathLength(this.psi));
  }
}
