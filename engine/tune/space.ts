/**
 * Encoding between parameter sets and the unit cube every algorithm works in.
 *
 * - float: linear or log scale onto [0, 1].
 * - int and stepped float: the k allowed values each own an equal slice of [0, 1]
 *   (value i <-> (i + 0.5) / k), so uniform sampling gives every value the same chance and
 *   decoding is `floor(u * k)`. A log-scaled int uses [log(low - 0.5), log(high + 0.5)].
 * - categorical: one-hot, one coordinate per choice; decoding takes the largest coordinate.
 * - conditional: a parameter whose condition does not hold is left out of the decoded
 *   Params and its coordinates are set to a fixed value (0.5, or 0 for one-hot), so points
 *   that differ only in inactive parameters are the same point for a kernel or a distance.
 */
import type { ParamSpec, ParamValue, Params, SearchSpace } from './types';
import type { Rng } from '../util/rng';

export interface EncodedParam {
  name: string;
  spec: ParamSpec;
  /** First coordinate of this parameter in the encoded vector. */
  offset: number;
  /** Number of coordinates (1, or the number of choices of a categorical). */
  width: number;
  kind: 'continuous' | 'discrete' | 'categorical';
  /** Number of allowed values of a discrete parameter (int or stepped float); 0 otherwise. */
  levels: number;
}

const INACTIVE = 0.5;

export class SpaceCodec {
  readonly params: EncodedParam[] = [];
  /** Encoded dimension. */
  readonly dim: number;
  private readonly byName = new Map<string, EncodedParam>();

  constructor(readonly space: SearchSpace) {
    let offset = 0;
    for (const [name, spec] of Object.entries(space)) {
      validateSpec(name, spec, space);
      let p: EncodedParam;
      if (spec.type === 'categorical') {
        p = { name, spec, offset, width: spec.choices.length, kind: 'categorical', levels: spec.choices.length };
      } else if (spec.type === 'int' || spec.step !== undefined) {
        const step = spec.step ?? 1;
        const levels = spec.log ? spec.high - spec.low + 1 : Math.floor((spec.high - spec.low) / step + 1e-9) + 1;
        p = { name, spec, offset, width: 1, kind: 'discrete', levels };
      } else {
        p = { name, spec, offset, width: 1, kind: 'continuous', levels: 0 };
      }
      this.params.push(p);
      this.byName.set(name, p);
      offset += p.width;
    }
    this.dim = offset;
  }

  /** True when every parameter is a plain float or int (no categorical, no condition). */
  get isNumericOnly(): boolean {
    return this.params.every((p) => p.kind !== 'categorical' && !p.spec.condition);
  }

  get categoricalShare(): number {
    if (this.params.length === 0) return 0;
    return this.params.filter((p) => p.kind === 'categorical').length / this.params.length;
  }

  encode(params: Params): Float64Array {
    const u = new Float64Array(this.dim);
    for (const p of this.params) {
      const v = params[p.name];
      if (v === undefined) {
        this.setInactive(u, p);
        continue;
      }
      if (p.spec.type === 'categorical') {
        const i = p.spec.choices.findIndex((c) => c === v);
        if (i < 0) throw new Error(`parameter "${p.name}" has value ${String(v)}, which is not one of its choices`);
        u[p.offset + i] = 1;
      } else {
        u[p.offset] = this.toUnit(p, Number(v));
      }
    }
    return u;
  }

  /** Decode a point of the cube (values outside [0, 1] are clipped); inactive parameters are omitted. */
  decode(u: ArrayLike<number>): Params {
    const all: Params = {};
    for (const p of this.params) all[p.name] = this.valueOf(p, u);
    const out: Params = {};
    for (const p of this.params) if (this.isActive(p.name, all)) out[p.name] = all[p.name];
    return out;
  }

  /**
   * Snap a point onto what it decodes to (discrete values at their slice centres, one-hot
   * categoricals, inactive coordinates at their fixed value), in place. Algorithms evaluate
   * models at projected points so that they see exactly what will be run.
   */
  project(u: Float64Array): Float64Array {
    const snapped = this.encode(this.decode(u));
    u.set(snapped);
    return u;
  }

  /** A uniformly random valid point (categoricals uniformly, discrete levels uniformly). */
  sample(rng: Rng): Float64Array {
    const u = new Float64Array(this.dim);
    for (const p of this.params) {
      if (p.kind === 'categorical') u[p.offset + rng.int(p.width)] = 1;
      else u[p.offset] = rng.next();
    }
    return this.project(u);
  }

  /** Map a point of [0,1)^m (m = number of parameters, e.g. a Sobol point) to a valid encoded point. */
  fromUnitParams(t: ArrayLike<number>): Float64Array {
    const u = new Float64Array(this.dim);
    this.params.forEach((p, i) => {
      if (p.kind === 'categorical') u[p.offset + Math.min(p.width - 1, Math.floor(t[i] * p.width))] = 1;
      else u[p.offset] = t[i];
    });
    return this.project(u);
  }

  isActive(name: string, values: Params, depth = 0): boolean {
    const p = this.byName.get(name);
    if (!p) return false;
    const c = p.spec.condition;
    if (!c) return true;
    if (depth > this.params.length) throw new Error(`the conditions of "${name}" form a cycle; make one parameter unconditional`);
    if (!this.isActive(c.param, values, depth + 1)) return false;
    return c.in.some((v) => v === values[c.param]);
  }

  /** Which coordinates are continuous (gradient-refinable), as a mask. */
  continuousMask(): Uint8Array {
    const m = new Uint8Array(this.dim);
    for (const p of this.params) if (p.kind === 'continuous') m[p.offset] = 1;
    return m;
  }

  private setInactive(u: Float64Array, p: EncodedParam): void {
    if (p.kind === 'categorical') for (let i = 0; i < p.width; i++) u[p.offset + i] = 0;
    else u[p.offset] = INACTIVE;
  }

  private toUnit(p: EncodedParam, v: number): number {
    const s = p.spec as Extract<ParamSpec, { low: number }>;
    if (p.kind === 'discrete') {
      if (s.log) {
        const lo = Math.log(s.low - 0.5);
        const hi = Math.log(s.high + 0.5);
        return clamp01((Math.log(v) - lo) / (hi - lo));
      }
      const step = s.step ?? 1;
      const i = Math.round((v - s.low) / step);
      return (Math.min(Math.max(i, 0), p.levels - 1) + 0.5) / p.levels;
    }
    if (s.log) return clamp01((Math.log(v) - Math.log(s.low)) / (Math.log(s.high) - Math.log(s.low)));
    return s.high === s.low ? 0.5 : clamp01((v - s.low) / (s.high - s.low));
  }

  private valueOf(p: EncodedParam, u: ArrayLike<number>): ParamValue {
    if (p.spec.type === 'categorical') {
      let best = 0;
      for (let i = 1; i < p.width; i++) if (u[p.offset + i] > u[p.offset + best]) best = i;
      return p.spec.choices[best];
    }
    const s = p.spec;
    const t = clamp01(u[p.offset]);
    if (p.kind === 'discrete') {
      if (s.log) {
        const lo = Math.log(s.low - 0.5);
        const hi = Math.log(s.high + 0.5);
        return Math.min(s.high, Math.max(s.low, Math.round(Math.exp(lo + t * (hi - lo)))));
      }
      const step = s.step ?? 1;
      const i = Math.min(p.levels - 1, Math.floor(t * p.levels));
      const v = s.low + i * step;
      // Round away binary noise such as 0.1 * 3 = 0.30000000000000004.
      return s.type === 'int' ? Math.round(v) : Number(v.toPrecision(12));
    }
    if (s.log) return Math.min(s.high, Math.max(s.low, Math.exp(Math.log(s.low) + t * (Math.log(s.high) - Math.log(s.low)))));
    return s.low + t * (s.high - s.low);
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : Number.isFinite(x) ? x : 0.5;
}

function validateSpec(name: string, spec: ParamSpec, space: SearchSpace): void {
  if (spec.type === 'categorical') {
    if (!Array.isArray(spec.choices) || spec.choices.length === 0) throw new Error(`parameter "${name}" needs at least one choice`);
  } else {
    if (!(Number.isFinite(spec.low) && Number.isFinite(spec.high)) || spec.high < spec.low) {
      throw new Error(`parameter "${name}" needs finite low <= high (got ${spec.low}..${spec.high})`);
    }
    if (spec.log && spec.low <= 0) throw new Error(`parameter "${name}" is log-scaled and needs low > 0 (got ${spec.low})`);
    if (spec.log && spec.step !== undefined) throw new Error(`parameter "${name}" cannot be both log-scaled and stepped; drop one`);
    if (spec.step !== undefined && !(spec.step > 0)) throw new Error(`parameter "${name}" needs step > 0`);
    if (spec.type === 'int' && (!Number.isInteger(spec.low) || !Number.isInteger(spec.high))) {
      throw new Error(`int parameter "${name}" needs integer bounds`);
    }
  }
  if (spec.condition && !(spec.condition.param in space)) {
    throw new Error(`parameter "${name}" is conditional on "${spec.condition.param}", which is not in the search space`);
  }
}

/** Clamp every coordinate of a unit-cube point into [0, 1], in place (local methods step outside it). */
export function clipToUnitCube(x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(1, Math.max(0, x[i]));
  return x;
}
