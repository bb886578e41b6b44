// A small multi-layer perceptron (inputs -> tanh hidden layer -> linear output) trained
// by mini-batch SGD on squared error, in plain TypeScript on Float64Arrays. Weights are
// one flat array so they can be averaged across training threads and sent as messages.

export interface Shape { inputs: number; hidden: number }

export function paramCount(s: Shape): number { return s.inputs * s.hidden + s.hidden + s.hidden + 1; }

export function initWeights(s: Shape, u: () => number): Float64Array {
  const w = new Float64Array(paramCount(s));
  const scale = 1 / Math.sqrt(s.inputs);
  for (let i = 0; i < s.inputs * s.hidden; i++) w[i] = (u() * 2 - 1) * scale;
  const o = s.inputs * s.hidden + s.hidden;
  for (let j = 0; j < s.hidden; j++) w[o + j] = (u() * 2 - 1) / Math.sqrt(s.hidden);
  return w;
}

/** Forward pass for one sample; `h` receives the hidden activations (reused to avoid allocation). */
export function predict(s: Shape, w: Float64Array, x: Float64Array, xo: number, h: Float64Array): number {
  const { inputs, hidden } = s;
  const b1 = inputs * hidden, w2 = b1 + hidden, b2 = w2 + hidden;
  let out = w[b2];
  for (let j = 0; j < hidden; j++) {
    let z = w[b1 + j];
    const row = j * inputs;
    for (let i = 0; i < inputs; i++) z += w[row + i] * x[xo + i];
    const a = Math.tanh(z);
    h[j] = a;
    out += w[w2 + j] * a;
  }
  return out;
}

/**
 * Trains in place for `epochs` passes over (X, y) with mini-batches of `batchSize`.
 * Returns the mean squared error of the last epoch.
 */
export function train(s: Shape, w: Float64Array, X: Float64Array, y: Float64Array, epochs: number, batchSize: number, lr: number, u: () => number): number {
  const { inputs, hidden } = s;
  const n = y.length;
  const b1 = inputs * hidden, w2 = b1 + hidden, b2 = w2 + hidden;
  const grad = new Float64Array(w.length);
  const h = new Float64Array(hidden);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let mse = 0;
  for (let e = 0; e < epochs; e++) {
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(u() * (i + 1)); const t = order[i]; order[i] = order[j]; order[j] = t; }
    mse = 0;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      grad.fill(0);
      for (let k = start; k < end; k++) {
        const idx = order[k], xo = idx * inputs;
        const err = predict(s, w, X, xo, h) - y[idx];
        mse += err * err;
        grad[b2] += err;
        for (let j = 0; j < hidden; j++) {
          grad[w2 + j] += err * h[j];
          const dz = err * w[w2 + j] * (1 - h[j] * h[j]);
          grad[b1 + j] += dz;
          const row = j * inputs;
          for (let i = 0; i < inputs; i++) grad[row + i] += dz * X[xo + i];
        }
      }
      const step = lr / (end - start);
      for (let p = 0; p < w.length; p++) w[p] -= step * grad[p];
    }
    mse /= n;
  }
  return mse;
}

export function evaluate(s: Shape, w: Float64Array, X: Float64Array, y: Float64Array): number {
  const h = new Float64Array(s.hidden);
  let sum = 0;
  for (let i = 0; i < y.length; i++) { const e = predict(s, w, X, i * s.inputs, h) - y[i]; sum += e * e; }
  return y.length ? sum / y.length : NaN;
}
