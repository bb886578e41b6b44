/**
 * Which parameters matter: permutation importance on a small random forest fitted to the
 * study's finished trials. The forest (bagged regression trees on the unit-cube encoding of
 * the space, see space.ts) is a model of objective ~ parameters that copes with
 * interactions, log scales and categoricals without assumptions; a parameter's importance is
 * how much the forest's error on the trials grows when that parameter's column is shuffled
 * (all columns of a categorical together), averaged over several shuffles, and normalised
 * so the importances sum to 1. A parameter the objective ignores gets ~0.
 *
 * With few trials (say under 10) the numbers are rough; the study view says how many
 * trials they rest on.
 */
import { Rng } from '../util/rng';
import { SpaceCodec } from './space';
import type { Params, SearchSpace } from './types';

interface Node {
  /** Leaf value, or split on column `col` at `thr` (left: x[col] <= thr). */
  value: number;
  col?: number;
  thr?: number;
  left?: Node;
  right?: Node;
}

const mean = (ys: readonly number[]) => ys.reduce((a, b) => a + b, 0) / ys.length;

function sse(ys: readonly number[]): number {
  const m = mean(ys);
  return ys.reduce((a, y) => a + (y - m) ** 2, 0);
}

/** A regression tree by variance reduction, considering `mtry` random columns per split. */
function buildTree(X: Float64Array[], y: number[], idx: number[], rng: Rng, mtry: number, depth: number, minLeaf: number): Node {
  const ys = idx.map((i) => y[i]);
  const node: Node = { value: mean(ys) };
  if (depth <= 0 || idx.length < 2 * minLeaf) return node;
  const dim = X[0].length;
  const cols = Array.from({ length: dim }, (_, c) => c);
  for (let i = cols.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [cols[i], cols[j]] = [cols[j], cols[i]];
  }
  const base = sse(ys);
  let best: { col: number; thr: number; gain: number; left: number[]; right: number[] } | undefined;
  for (const col of cols.slice(0, mtry)) {
    const order = [...idx].sort((a, b) => X[a][col] - X[b][col]);
    // Prefix sums for O(n) split search.
    let sL = 0;
    let qL = 0;
    let sT = 0;
    let qT = 0;
    for (const i of order) {
      sT += y[i];
      qT += y[i] * y[i];
    }
    for (let k = 0; k < order.length - 1; k++) {
      const yi = y[order[k]];
      sL += yi;
      qL += yi * yi;
      const nL = k + 1;
      const nR = order.length - nL;
      if (nL < minLeaf || nR < minLeaf) continue;
      const a = X[order[k]][col];
      const b = X[order[k + 1]][col];
      if (a === b) continue;
      const sR = sT - sL;
      const qR = qT - qL;
      const err = qL - (sL * sL) / nL + (qR - (sR * sR) / nR);
      const gain = base - err;
      if (!best || gain > best.gain) best = { col, thr: (a + b) / 2, gain, left: order.slice(0, nL), right: order.slice(nL) };
    }
  }
  if (!best || best.gain <= 1e-12 * (base + 1e-300)) return node;
  node.col = best.col;
  node.thr = best.thr;
  node.left = buildTree(X, y, best.left, rng, mtry, depth - 1, minLeaf);
  node.right = buildTree(X, y, best.right, rng, mtry, depth - 1, minLeaf);
  return node;
}

function predictTree(n: Node, x: ArrayLike<number>): number {
  while (n.col !== undefined) n = x[n.col] <= n.thr! ? n.left! : n.right!;
  return n.value;
}

export interface ForestOptions {
  trees?: number;
  depth?: number;
  minLeaf?: number;
  seed?: number;
}

/** A bagged forest of regression trees; `predict` is the mean of the trees. */
export function fitForest(X: Float64Array[], y: number[], o: ForestOptions = {}): (x: ArrayLike<number>) => number {
  const rng = new Rng(o.seed ?? 1);
  const n = X.length;
  const dim = X[0]?.length ?? 0;
  const mtry = Math.max(1, Math.ceil(dim * 0.8));
  const trees: Node[] = [];
  for (let t = 0; t < (o.trees ?? 64); t++) {
    const idx = Array.from({ length: n }, () => rng.int(n));
    trees.push(buildTree(X, y, idx, rng, mtry, o.depth ?? 8, o.minLeaf ?? 1));
  }
  return (x) => trees.reduce((a, tr) => a + predictTree(tr, x), 0) / trees.length;
}

export interface ParamImportance {
  name: string;
  /** Share of the total (0..1); the importances sum to 1 unless every one is 0. */
  importance: number;
}

export interface ImportanceOptions extends ForestOptions {
  /** Shuffles per parameter (default 8). */
  repeats?: number;
}

/**
 * Importance of each parameter of `space` for the values `y` of the trials `params`
 * (complete trials only; one objective). Sorted most important first. Fewer than 3
 * trials, or a constant objective, give every parameter 0.
 */
export function paramImportance(space: SearchSpace, params: readonly Params[], y: readonly number[], o: ImportanceOptions = {}): ParamImportance[] {
  const codec = new SpaceCodec(space);
  const names = codec.params.map((p) => p.name);
  const zero = () => names.map((name) => ({ name, importance: 0 }));
  const rows: Float64Array[] = [];
  const ys: number[] = [];
  params.forEach((p, i) => {
    if (!Number.isFinite(y[i])) return;
    try {
      rows.push(codec.encode(p));
      ys.push(y[i]);
    } catch {
      /* a trial outside the space (the study was edited): left out */
    }
  });
  if (rows.length < 3 || sse(ys) === 0) return zero();
  const predict = fitForest(rows, ys, o);
  const mse = (X: Float64Array[]) => X.reduce((a, x, i) => a + (predict(x) - ys[i]) ** 2, 0) / X.length;
  const base = mse(rows);
  const rng = new Rng((o.seed ?? 1) ^ 0x5bd1e995);
  const raw = codec.params.map((p) => {
    let total = 0;
    const reps = o.repeats ?? 8;
    for (let r = 0; r < reps; r++) {
      const perm = Array.from({ length: rows.length }, (_, i) => i);
      for (let i = perm.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const shuffled = rows.map((x, i) => {
        const c = Float64Array.from(x);
        for (let k = 0; k < p.width; k++) c[p.offset + k] = rows[perm[i]][p.offset + k];
        return c;
      });
      total += mse(shuffled) - base;
    }
    return Math.max(0, total / reps);
  });
  const sum = raw.reduce((a, b) => a + b, 0);
  if (sum <= 0) return zero();
  return names.map((name, i) => ({ name, importance: raw[i] / sum })).sort((a, b) => b.importance - a.importance);
}
