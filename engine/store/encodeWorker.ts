/**
 * The cut's encoding worker (a `worker_threads` Worker started by cutEncoder.ts, bundled as
 * dist/storeEncodeWorker.js): encodes each batch it is sent (sealBatch.ts) and sends the
 * records back, in the order the batches came. Holds no state between batches.
 */
import { parentPort } from 'node:worker_threads';
import { encodeBatch, transferList, type EncodeBatch } from './sealBatch';

export interface EncodeRequest {
  id: number;
  batch: EncodeBatch;
}

/** The records, and the batch's columns given back (the store reuses their buffer for its next batch). */
export type EncodeResponse = { id: number; ok: true; out: ReturnType<typeof encodeBatch>; spent: Float64Array } | { id: number; ok: false; error: string };

const port = parentPort;
if (port) {
  port.on('message', (m: EncodeRequest) => {
    let r: EncodeResponse;
    try {
      r = { id: m.id, ok: true, out: encodeBatch(m.batch), spent: m.batch.data };
    } catch (e) {
      r = { id: m.id, ok: false, error: (e as Error).stack ?? String(e) };
    }
    port.postMessage(r, r.ok ? [...transferList(r.out), r.spent.buffer as ArrayBuffer] : []);
  });
}
