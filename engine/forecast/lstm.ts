/**
 * A small LSTM (Hochreiter & Schmidhuber 1997, with a forget gate) and a linear head, in plain
 * TypeScript: a sequence x_1..x_T of `input`-vectors is read by one layer of `hidden` cells and
 * the head maps the last hidden state to `output` values (many-to-one). Gradients come from
 * backpropagation through time; `adamStep` updates the weights. Every initial weight is drawn
 * from a seeded generator, so a network is a function of its seed and data.
 *
 * Gates, stacked in this order in the weight rows: input i, forget f, cell candidate g, output o.
 *   i = σ(W_i x + U_i h + b_i), f = σ(…), g = tanh(…), o = σ(…)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t),  ŷ = V h_T + c
 */
import { Rng } from '../util/rng';

export interface LstmShape {
  input: number;
  hidden: number;
  output: number;
}

export interface Lstm extends LstmShape {
  /** 4H × I */
  W: Float64Array;
  /** 4H × H */
  U: Float64Array;
  /** 4H (the forget gate's part starts at 1, so that memory is kept at first) */
  b: Float64Array;
  /** O × H */
  V: Float64Array;
  /** O */
  c: Float64Array;
}

/** Parameters in a fixed order, for the optimizer and the gradient check. */
export function lstmParams(n: Lstm): Float64Array[] {
  return [n.W, n.U, n.b, n.V, n.c];
}

export function createLstm(shape: LstmShape, seed = 1): Lstm {
  const r = new Rng(seed);
  const { input: I, hidden: H, output: O } = shape;
  const u = (k: number, s: number) => Float64Array.from({ length: k }, () => (r.next() * 2 - 1) * s);
  const b = new Float64Array(4 * H);
  for (let k = H; k < 2 * H; k++) b[k] = 1;
  return { ...shape, W: u(4 * H * I, Math.sqrt(1 / I)), U: u(4 * H * H, Math.sqrt(1 / H)), b, V: u(O * H, Math.sqrt(1 / H)), c: new Float64Array(O) };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Work space of one forward pass, kept for the backward pass. */
export interface LstmTrace {
  T: number;
  /** per step: gates after their non-linearity (4H), cell (H), tanh(cell) (H), hidden (H) */
  gates: Float64Array[];
  cell: Float64Array[];
  tanhCell: Float64Array[];
  hidden: Float64Array[];
  xs: ArrayLike<number>[];
}

export function newTrace(n: Lstm, T: number): LstmTrace {
  const H = n.hidden;
  return {
    T,
    gates: Array.from({ length: T }, () => new Float64Array(4 * H)),
    cell: Array.from({ length: T }, () => new Float64Array(H)),
    tanhCell: Array.from({ length: T }, () => new Float64Array(H)),
    hidden: Array.from({ length: T }, () => new Float64Array(H)),
    xs: new Array(T),
  };
}

/** Runs the sequence `xs` (T vectors of length `input`) and writes the head's output into `out`. */
export function lstmForward(n: Lstm, xs: ArrayLike<number>[], tr: LstmTrace, out: Float64Array): void {
  const { input: I, hidden: H, output: O, W, U, b, V, c } = n;
  const T = xs.length;
  for (let t = 0; t < T; t++) {
    const x = xs[t];
    tr.xs[t] = x;
    const z = tr.gates[t];
    const hp = t > 0 ? tr.hidden[t - 1] : undefined;
    const cp = t > 0 ? tr.cell[t - 1] : undefined;
    for (let k = 0; k < 4 * H; k++) {
      let s = b[k];
      const rw = k * I;
      for (let j = 0; j < I; j++) s += W[rw + j] * x[j];
      if (hp) {
        const ru = k * H;
        for (let j = 0; j < H; j++) s += U[ru + j] * hp[j];
      }
      z[k] = k >= 2 * H && k < 3 * H ? Math.tanh(s) : sigmoid(s);
    }
    const cell = tr.cell[t];
    const tc = tr.tanhCell[t];
    const h = tr.hidden[t];
    for (let k = 0; k < H; k++) {
      cell[k] = z[H + k] * (cp ? cp[k] : 0) + z[k] * z[2 * H + k];
      tc[k] = Math.tanh(cell[k]);
      h[k] = z[3 * H + k] * tc[k];
    }
  }
  const hT = tr.hidden[T - 1];
  for (let o = 0; o < O; o++) {
    let s = c[o];
    const row = o * H;
    for (let k = 0; k < H; k++) s += V[row + k] * hT[k];
    out[o] = s;
  }
}

/**
 * Backpropagation through time of the loss gradient `dOut` (∂L/∂ŷ) for the trace of the last
 * forward pass; adds the parameter gradients into `grads` (in `lstmParams` order).
 */
export function lstmBackward(n: Lstm, tr: LstmTrace, dOut: ArrayLike<number>, grads: Float64Array[]): void {
  const { input: I, hidden: H, output: O, U, V } = n;
  const [gW, gU, gb, gV, gc] = grads;
  const T = tr.T;
  const dh = new Float64Array(H);
  const dc = new Float64Array(H);
  const dz = new Float64Array(4 * H);
  const hT = tr.hidden[T - 1];
  for (let o = 0; o < O; o++) {
    const d = dOut[o];
    if (d === 0) continue;
    gc[o] += d;
    const row = o * H;
    for (let k = 0; k < H; k++) {
      gV[row + k] += d * hT[k];
      dh[k] += d * V[row + k];
    }
  }
  for (let t = T - 1; t >= 0; t--) {
    const z = tr.gates[t];
    const tc = tr.tanhCell[t];
    const cp = t > 0 ? tr.cell[t - 1] : undefined;
    for (let k = 0; k < H; k++) {
      const i = z[k];
      const f = z[H + k];
      const g = z[2 * H + k];
      const o = z[3 * H + k];
      const dct = dc[k] + dh[k] * o * (1 - tc[k] * tc[k]);
      dz[3 * H + k] = dh[k] * tc[k] * o * (1 - o);
      dz[k] = dct * g * i * (1 - i);
      dz[2 * H + k] = dct * i * (1 - g * g);
      dz[H + k] = cp ? dct * cp[k] * f * (1 - f) : 0;
      dc[k] = dct * f; // to c_{t−1}
    }
    const x = tr.xs[t];
    const hp = t > 0 ? tr.hidden[t - 1] : undefined;
    dh.fill(0);
    for (let k = 0; k < 4 * H; k++) {
      const d = dz[k];
      if (d === 0) continue;
      gb[k] += d;
      const rw = k * I;
      for (let j = 0; j < I; j++) gW[rw + j] += d * x[j];
      if (hp) {
        const ru = k * H;
        for (let j = 0; j < H; j++) {
          gU[ru + j] += d * hp[j];
          dh[j] += d * U[ru + j];
        }
      }
    }
  }
}

export interface AdamState {
  m: Float64Array[];
  v: Float64Array[];
  t: number;
}

export function newAdam(params: Float64Array[]): AdamState {
  return { m: params.map((p) => new Float64Array(p.length)), v: params.map((p) => new Float64Array(p.length)), t: 0 };
}

/** One Adam step (Kingma & Ba 2015; β = 0.9, 0.999) on `params` with `grads`, clipped to a global norm of `clip`. */
export function adamStep(params: Float64Array[], grads: Float64Array[], st: AdamState, lr: number, clip = Infinity): void {
  let norm = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) norm += g[i] * g[i];
  norm = Math.sqrt(norm);
  const scale = norm > clip ? clip / norm : 1;
  st.t++;
  const c1 = 1 - 0.9 ** st.t;
  const c2 = 1 - 0.999 ** st.t;
  for (let p = 0; p < params.length; p++) {
    const w = params[p];
    const g = grads[p];
    const m = st.m[p];
    const v = st.v[p];
    for (let i = 0; i < w.length; i++) {
      const gi = g[i] * scale;
      m[i] = 0.9 * m[i] + 0.1 * gi;
      v[i] = 0.999 * v[i] + 0.001 * gi * gi;
      w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
    }
  }
}
