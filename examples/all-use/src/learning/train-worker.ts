// Training thread: runs SGD on its shard of the data from the weights it is given and
// sends the trained weights back; the main thread averages the shards' weights.
import { parentPort, workerData } from 'node:worker_threads';
import { rng } from '../shared/rng.js';
import { train, type Shape } from './model.js';

export interface TrainRequest { type: 'train'; id: number; shape: Shape; weights: Float64Array; X: Float64Array; y: Float64Array; epochs: number; batchSize: number; lr: number; seed: number }
export interface TrainReply { type: 'trained'; id: number; weights: Float64Array; mse: number }

const stuck = (workerData as { stuckFlag: Int32Array }).stuckFlag;
const port = parentPort!;
port.on('message', (m: TrainRequest | { type: 'stop' }) => {
  if (m.type === 'stop') { port.close(); return; }
  // stuck-worker fault: wedge until released or terminated.
  while (Atomics.load(stuck, 0) === 1) Atomics.wait(stuck, 0, 1, 1000);
  const w = new Float64Array(m.weights);
  const mse = train(m.shape, w, m.X, m.y, m.epochs, m.batchSize, m.lr, rng(m.seed));
  const reply: TrainReply = { type: 'trained', id: m.id, weights: w, mse };
  port.postMessage(reply, [w.buffer]);
});
