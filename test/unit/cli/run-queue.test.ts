import assert from 'node:assert/strict';
import { ApiError } from '../../../src/core/api-error';
import { RunQueue } from '../../../src/cli/run-queue';

describe('run queue', () => {
  it('runs up to the limit, then serves waiters first in, first out', async () => {
    const q = new RunQueue(() => ({ maxConcurrent: 2, maxQueue: 10 }));
    const signal = new AbortController().signal;
    const r1 = await q.acquire(signal);
    const r2 = await q.acquire(signal);
    const order: number[] = [];
    const w3 = q.acquire(signal).then((r) => (order.push(3), r));
    const w4 = q.acquire(signal).then((r) => (order.push(4), r));
    assert.equal(q.active, 2);
    assert.equal(q.queued, 2);
    r1();
    r1(); // releasing twice frees one slot only
    const r3 = await w3;
    assert.deepEqual(order, [3]);
    r2();
    await w4;
    assert.deepEqual(order, [3, 4]);
    r3();
    assert.equal(q.queued, 0);
  });

  it('refuses with 429 and Retry-After when the queue is full', async () => {
    const q = new RunQueue(() => ({ maxConcurrent: 1, maxQueue: 1 }));
    const signal = new AbortController().signal;
    await q.acquire(signal);
    void q.acquire(signal);
    await assert.rejects(
      q.acquire(signal),
      (e: unknown) =>
        e instanceof ApiError && e.status === 429 && e.code === 'queue_full' && e.headers['Retry-After'] !== undefined,
    );
  });

  it('drops a waiter whose request is aborted', async () => {
    const q = new RunQueue(() => ({ maxConcurrent: 1, maxQueue: 5 }));
    const release = await q.acquire(new AbortController().signal);
    const gone = new AbortController();
    const waiting = q.acquire(gone.signal);
    gone.abort(new Error('client left'));
    await assert.rejects(waiting, /client left/);
    assert.equal(q.queued, 0);
    release();
    assert.equal(q.active, 0);
  });
});
