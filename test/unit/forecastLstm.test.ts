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
