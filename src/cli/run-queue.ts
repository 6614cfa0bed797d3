/**
 * A FIFO limit on CLI runs. Waiters beyond `maxQueue` are refused with 429; a waiter whose
 * request is aborted (client gone, timeout) leaves the queue. Limits are read on every
 * call, so a settings change applies to the next request.
 */
import { errors } from '../core/api-error';

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
}

export class RunQueue {
  private running = 0;
  private waiters: Waiter[] = [];

  constructor(private readonly limits: () => { maxConcurrent: number; maxQueue: number }) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiters.length;
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const { maxConcurrent, maxQueue } = this.limits();
    if (this.running < maxConcurrent && this.waiters.length === 0) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiters.length >= maxQueue) return Promise.reject(errors.queueFull(Math.max(1, this.waiters.length)));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        },
        reject,
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.pump();
    };
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.running < this.limits().maxConcurrent) {
      const next = this.waiters.shift()!;
      this.running++;
      next.resolve(this.releaser());
    }
  }
}
