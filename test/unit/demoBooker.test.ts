/**
 * The demo protocol engine's booking (examples/all-use/src/engine/booker.ts): at most
 * `maxInFlight` requests to the account service, results priced meanwhile booked together
 * (at most `maxUpdates` per request),
 * each caller told whether its own updates were booked. Pure logic: `send` is a stub here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Booker } from '../../examples/all-use/src/engine/booker';
import type { PositionUpdate } from '../../examples/all-use/src/engine/types';

const upd = (account: number): PositionUpdate => ({ account, symbol: 'S', value: 1, delta: 0, gamma: 0, vega: 0, theta: 0, seq: account });

function stubService() {
  const requests: { updates: PositionUpdate[]; answer(ok: boolean | Error): void }[] = [];
  let open = 0, maxOpen = 0;
  const send = (updates: PositionUpdate[]) => new Promise<boolean>((resolve, reject) => {
    open++; maxOpen = Math.max(maxOpen, open);
    requests.push({ updates, answer: (ok) => { open--; if (ok instanceof Error) reject(ok); else resolve(ok); } });
  });
  return { send, requests, maxOpen: () => maxOpen };
}

describe('demo engine booker', () => {
  it('keeps at most maxInFlight requests open and books what waited in one request', async () => {
    const svc = stubService();
    const b = new Booker(svc.send, 2);
    const results = Array.from({ length: 10 }, (_, i) => b.book([upd(i), upd(100 + i)], 1));
    assert.equal(svc.requests.length, 2, 'two requests open, the rest waits');
    assert.equal(b.backlog, 8);
    assert.equal(b.inFlight, 2);
    svc.requests[0].answer(true);
    await results[0];
    assert.equal(svc.requests.length, 3);
    assert.deepEqual(svc.requests[2].updates.map((u) => u.account), [2, 102, 3, 103, 4, 104, 5, 105, 6, 106, 7, 107, 8, 108, 9, 109]);
    assert.equal(b.backlog, 0);
    svc.requests[1].answer(true);
    svc.requests[2].answer(true);
    assert.deepEqual(await Promise.all(results), Array(10).fill(true));
    assert.equal(svc.maxOpen(), 2);
  });

  it('a failed or rejected request fails exactly the callers it carried', async () => {
    const svc = stubService();
    const b = new Booker(svc.send, 1);
    const first = b.book([upd(1)], 1);
    const second = b.book([upd(2)], 1);
    const third = b.book([upd(3)], 1);
    svc.requests[0].answer(new Error('timeout'));
    assert.equal(await first, false);
    svc.requests[1].answer(false);
    assert.deepEqual(await Promise.all([second, third]), [false, false]);
    const fourth = b.book([upd(4)], 1);
    svc.requests[2].answer(true);
    assert.equal(await fourth, true);
  });

  it('splits a long backlog into requests of at most maxUpdates (whole batches, in order)', async () => {
    const svc = stubService();
    const b = new Booker(svc.send, 1, 4);
    const first = b.book([upd(0)], 1);
    const rest = [b.book([upd(1), upd(2)], 1), b.book([upd(3), upd(4)], 1), b.book([upd(5)], 1), b.book([upd(6), upd(7), upd(8), upd(9), upd(10)], 1), b.book([upd(11)], 1)];
    assert.equal(b.backlog, 5);
    svc.requests[0].answer(true);
    await first;
    assert.deepEqual(svc.requests[1].updates.map((u) => u.account), [1, 2, 3, 4], 'two whole batches fill the request');
    svc.requests[1].answer(true);
    await rest[1];
    assert.deepEqual(svc.requests[2].updates.map((u) => u.account), [5]);
    svc.requests[2].answer(true);
    await rest[2];
    assert.deepEqual(svc.requests[3].updates.map((u) => u.account), [6, 7, 8, 9, 10], 'a batch larger than the bound goes alone');
    svc.requests[3].answer(true);
    await rest[3];
    assert.deepEqual(svc.requests[4].updates.map((u) => u.account), [11]);
    svc.requests[4].answer(true);
    assert.deepEqual(await Promise.all(rest), Array(5).fill(true));
    assert.equal(b.backlog, 0);
  });

  it('rejects a bound below one', () => {
    assert.throws(() => new Booker(async () => true, 0), /at least 1/);
    assert.throws(() => new Booker(async () => true, 1, 0), /maxUpdates must be at least 1/);
  });
});
