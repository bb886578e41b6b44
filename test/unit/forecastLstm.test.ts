/**
 * The pure-TypeScript LSTM (engine/forecast/lstm.ts): its backpropagation-through-time
 * gradients against central finite differences of the loss, and that Adam training learns
 * a simple sequence task (continuing sine waves of random phase and frequency) far better
 * than the best constant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adamStep, createLstm, lstmBackward, lstmForward, lstmParams, newAdam, newTrace } from '../../engine/forecast/lstm';
import { Rng } from '../../engine/util/rng';

test('BPTT gradients match finite differences for every parameter', () => {
  const net = createLstm({ input: 3, hidden: 4, output: 2 }, 5);
  // random biases and head so that no gradient is trivially zero
  const r = new Rng(9);
  for (const p of lstmParams(net)) for (let i = 0; i < p.length; i++) p[i] += 0.3 * r.normal();
  const T = 6;
  const xs = Array.from({ length: T }, () => Float64Array.from({ length: 3 }, () => r.normal()));
  const target = [0.7, -1.2];
  const tr = newTrace(net, T);
  const out = new Float64Array(2);
  const loss = () => {
    lstmForward(net, xs, tr, out);
    return 0.5 * ((out[0] - target[0]) ** 2 + (out[1] - target[1]) ** 2);
  };
  loss();
  const grads = lstmParams(net).map((p) => new Float64Array(p.length));
  lstmBackward(net, tr, [out[0] - target[0], out[1] - target[1]], grads);
  let checked = 0;
  let worst = 0;
  lstmParams(net).forEach((p, pi) => {
    for (let i = 0; i < p.length; i++) {
      const keep = p[i];
      const eps = 1e-5;
      p[i] = keep + eps;
      const up = loss();
      p[i] = keep - eps;
      const down = loss();
      p[i] = keep;
      const fd = (up - down) / (2 * eps);
      const an = grads[pi][i];
      const rel = Math.abs(fd - an) / Math.max(1e-6, Math.abs(fd) + Math.abs(an));
      worst = Math.max(worst, rel);
      assert.ok(rel < 1e-5, `parameter block ${pi} index ${i}: analytic ${an}, finite difference ${fd}`);
      checked++;
    }
  });
  assert.equal(checked, 4 * 4 * 3 + 4 * 4 * 4 + 16 + 2 * 4 + 2);
  assert.ok(worst < 1e-5);
});

test('learns to continue sine waves of random phase and frequency', () => {
  const r = new Rng(11);
  const T = 12;
  const sample = () => {
    const w = 0.2 + 0.4 * r.next();
    const ph = 2 * Math.PI * r.next();
    const xs = Array.from({ length: T }, (_, t) => [Math.sin(w * t + ph)]);
    return { xs, y: [Math.sin(w * T + ph), Math.sin(w * (T + 1) + ph)] };
  };
  const train = Array.from({ length: 2000 }, sample);
  const test = Array.from({ length: 300 }, sample);
  const net = createLstm({ input: 1, hidden: 16, output: 2 }, 3);
  const params = lstmParams(net);
  const adam = newAdam(params);
  const grads = params.map((p) => new Float64Array(p.length));
  const tr = newTrace(net, T);
  const out = new Float64Array(2);
  const mse = (set: typeof test) => {
    let s = 0;
    for (const d of set) {
      lstmForward(net, d.xs, tr, out);
      s += ((out[0] - d.y[0]) ** 2 + (out[1] - d.y[1]) ** 2) / 2;
    }
    return s / set.length;
  };
  const before = mse(test);
  for (let ep = 0; ep < 15; ep++) {
    for (let s = 0; s < train.length; s += 16) {
      for (const g of grads) g.fill(0);
      for (let b = s; b < s + 16; b++) {
        lstmForward(net, train[b].xs, tr, out);
        lstmBackward(net, tr, [(out[0] - train[b].y[0]) / 16, (out[1] - train[b].y[1]) / 16], grads);
      }
      adamStep(params, grads, adam, 0.01, 5);
    }
  }
  const after = mse(test);
  // the best constant (0) scores about 0.5 (the variance of a sine)
  assert.ok(before > 0.2, `before training ${before}`);
  assert.ok(after < 0.01, `after training ${after} (before ${before})`);
});

test('the pooled LSTM corrects the ridge model across series, deterministically', async () => {
  const { trainPooled } = await import('../../engine/forecast/pooled');
  const { trainPooledLstm, predictPooledLstm } = await import('../../engine/forecast/pooledLstm');
  // a shared daily shape of period 6 with a random amplitude per day and a trough that switches
  // between shallow and deep with it (a step the linear least-squares model cannot represent;
  // the LSTM, trained on the absolute error, must beat it on a series it has not seen)
  const r = new Rng(21);
  const make = (k: number, n: number) => {
    const y: number[] = [];
    for (let d = 0; y.length < n; d++) {
      const a = 0.5 + r.next();
      const first = [1 + 0.3 * a, 1 + 0.6 * a, 1 + 0.3 * a];
      const sharp = a > 1 ? 0.6 : 0.1;
      y.push(...first.map((v) => k * v), k * (1 - sharp), k * (1 - 2 * sharp), k * (1 - sharp));
    }
    return y.slice(0, n);
  };
  const series = [1, 2, 4, 8, 16, 3, 5, 7].map((k) => make(k, 600));
  const base = trainPooled(series, { horizon: 6, lags: 12, levelWindow: 6, stride: 1 })!;
  const opts = { horizon: 6, period: 6, steps: 2, hidden: 12, epochs: 15, seed: 2, maxWindows: 4000 };
  const a = trainPooledLstm(series, base, opts)!;
  const b = trainPooledLstm(series, base, opts)!;
  const held = make(6, 120);
  const errs = { ridge: 0, lstm: 0 };
  const { predictPooled } = await import('../../engine/forecast/pooled');
  for (let end = 24; end + 6 <= held.length; end += 6) {
    const fl = predictPooledLstm(a, held, 6, end)!;
    assert.deepEqual(fl, predictPooledLstm(b, held, 6, end), 'same seed, same model');
    const fr = predictPooled(base, held, 6, end)!;
    for (let h = 0; h < 6; h++) {
      errs.ridge += Math.abs(fr[h] - held[end + h]);
      errs.lstm += Math.abs(fl[h] - held[end + h]);
    }
  }
  assert.ok(errs.lstm < 0.9 * errs.ridge, `LSTM error ${errs.lstm} vs ridge ${errs.ridge}`);
});
