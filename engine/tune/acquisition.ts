/**
 * The acquisition of the Bayesian sampler and its maximization.
 *
 * a(x) = log EI(x) + sum_k log P(c_k(x) <= 0), with one GP per constraint (constrained EI of
 * Gardner et al. 2014, in log space). Before any feasible point is known, EI has no incumbent
 * and a(x) is the log probability of feasibility alone.
 *
 * Maximization: candidates from the whole cube (uniform) and around the best observed points
 * (Gaussian steps of several scales on a random subset of coordinates, which is what finds
 * the last digits near an optimum), scored at their projected (rounded) positions; the best
 * few are refined by L-BFGS on the continuous coordinates with the analytic gradient.
 */
import type { Rng } from '../util/rng';
import type { Gp } from './gp';
import { lbfgsb } from './lbfgs';
import { logEI, logNormCdf, normPdf } from './normal';
import type { SpaceCodec } from './space';

export interface AcqModel {
  objective: Gp;
  /** Incumbent in the objective GP's (transformed) units; null when nothing feasible is known. */
  best: number | null;
  constraints: { gp: Gp; threshold: number }[];
}

export function acqValue(m: AcqModel, x: ArrayLike<number>): number {
  let a = 0;
  if (m.best !== null) {
    const p = m.objective.predict(x);
    a += logEI(p.mean, Math.sqrt(p.variance), m.best).value;
  }
  for (const c of m.constraints) {
    const p = c.gp.predict(x);
    a += logNormCdf((c.threshold - p.mean) / Math.sqrt(p.variance));
  }
  return a;
}

export function acqValueGrad(m: AcqModel, x: ArrayLike<number>, grad: Float64Array): number {
  const D = x.length;
  const dm = new Float64Array(D);
  const dv = new Float64Array(D);
  grad.fill(0);
  let a = 0;
  if (m.best !== null) {
    const p = m.objective.predictGrad(x, dm, dv);
    const s = Math.sqrt(p.variance);
    const e = logEI(p.mean, s, m.best);
    a += e.value;
    for (let d = 0; d < D; d++) grad[d] += e.dMu * dm[d] + (e.dSigma * dv[d]) / (2 * s);
  }
  for (const c of m.constraints) {
    const p = c.gp.predictGrad(x, dm, dv);
    const s = Math.sqrt(p.variance);
    const u = (c.threshold - p.mean) / s;
    const lc = logNormCdf(u);
    a += lc;
    const r = normPdf(u) / Math.exp(lc); // d log Phi(u) / du
    for (let d = 0; d < D; d++) {
      const du = -dm[d] / s - (u * dv[d]) / (2 * p.variance);
      grad[d] += r * du;
    }
  }
  return a;
}

export interface MaximizeOptions {
  codec: SpaceCodec;
  rng: Rng;
  /** Points to search around (best first). */
  anchors: Float64Array[];
  /** Points already evaluated or pending, to avoid proposing them again. */
  taken: Float64Array[];
  /** Uniform candidates over the whole space (default 2048). */
  globalCandidates?: number;
  localPerAnchor?: number;
  refineStarts?: number;
  refineIter?: number;
}

export function maximizeAcquisition(m: AcqModel, o: MaximizeOptions): { x: Float64Array; value: number } {
  const { codec, rng } = o;
  const D = codec.dim;
  const cands: Float64Array[] = [];
  const nGlobal = o.globalCandidates ?? 2048;
  for (let i = 0; i < nGlobal; i++) cands.push(codec.sample(rng));
  const perAnchor = o.localPerAnchor ?? 64;
  const scales = [0.2, 0.05, 0.01, 0.002];
  const pDim = Math.min(1, 5 / Math.max(1, codec.params.length));
  for (const a of o.anchors) {
    for (let k = 0; k < perAnchor; k++) {
      const x = Float64Array.from(a);
      const s = scales[k % scales.length];
      let moved = false;
      for (const p of codec.params) {
        if (rng.next() >= pDim) continue;
        moved = true;
        if (p.kind === 'categorical') {
          x.fill(0, p.offset, p.offset + p.width);
          x[p.offset + rng.int(p.width)] = 1;
        } else {
          x[p.offset] = Math.min(1, Math.max(0, x[p.offset] + s * rng.normal()));
        }
      }
      if (!moved) {
        const p = codec.params[rng.int(codec.params.length)];
        if (p.kind !== 'categorical') x[p.offset] = Math.min(1, Math.max(0, x[p.offset] + s * rng.normal()));
      }
      cands.push(codec.project(x));
    }
  }
  const keep = 4 * (o.refineStarts ?? 4);
  const scored = scoreCandidates(m, cands, keep);
  const mask = codec.continuousMask();
  const anyContinuous = mask.some((v) => v === 1);
  const starts: { x: Float64Array; value: number }[] = [];
  for (const c of scored) {
    if (starts.length >= (o.refineStarts ?? 4)) break;
    if (starts.some((s) => dist2(s.x, c.x) < 1e-8)) continue;
    starts.push(c);
  }
  const results = [...starts];
  if (anyContinuous) {
    const lower = new Float64Array(D);
    const upper = new Float64Array(D).fill(1);
    for (const s of starts) {
      const r = lbfgsb(
        (x, g) => {
          const v = acqValueGrad(m, x, g);
          for (let d = 0; d < D; d++) g[d] = -g[d];
          return Number.isFinite(v) ? -v : 1e300;
        },
        s.x,
        { lower, upper, mask, maxIter: o.refineIter ?? 30, gtol: 1e-7, ftol: 1e-10 },
      );
      const x = codec.project(r.x);
      results.push({ x, value: acqValue(m, x) });
    }
  }
  results.sort((a, b) => b.value - a.value);
  for (const r of results) if (!o.taken.some((t) => dist2(t, r.x) < 1e-14)) return r;
  for (const c of scored) if (!o.taken.some((t) => dist2(t, c.x) < 1e-14)) return c;
  return { x: codec.sample(rng), value: -Infinity };
}

/**
 * The best `keep` candidates by exact acquisition, in decreasing order. Without constraints,
 * log EI increases with sigma, so EI at the variance bound of `Gp.predictBound` (O(n D)) is an
 * upper bound of the exact value (O(n^2)): candidates are scored exactly in decreasing order
 * of that bound until the bound falls below the keep-th exact value (branch and bound; the
 * result is the same as scoring every candidate).
 */
function scoreCandidates(m: AcqModel, cands: Float64Array[], keep: number): { x: Float64Array; value: number }[] {
  if (m.constraints.length > 0 || m.best === null) {
    const all = cands.map((x) => ({ x, value: acqValue(m, x) })).filter((c) => Number.isFinite(c.value));
    return all.sort((a, b) => b.value - a.value);
  }
  const best = m.best;
  const bounds = cands.map((x) => {
    const p = m.objective.predictBound(x);
    return { x, ub: logEI(p.mean, Math.sqrt(p.variance), best).value };
  });
  bounds.sort((a, b) => b.ub - a.ub);
  const top: { x: Float64Array; value: number }[] = [];
  for (const c of bounds) {
    if (top.length >= keep && c.ub <= top[top.length - 1].value) break;
    const value = acqValue(m, c.x);
    if (!Number.isFinite(value)) continue;
    top.push({ x: c.x, value });
    top.sort((a, b) => b.value - a.value);
    if (top.length > keep) top.pop();
  }
  return top;
}

function dist2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}
