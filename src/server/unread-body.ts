/**
 * A request answered before its body arrived whole (refused for its size, its key, its
 * route) is still being written by the client. Closing the socket under a writing client
 * loses the answer: the client gets EPIPE or ECONNRESET instead of the 413. So the rest of
 * the body is read and thrown away first — up to a bound in bytes and in time, past which
 * the connection is given up — and the answer then goes out with `Connection: close`.
 */
import type { IncomingMessage } from 'node:http';

/** Bytes read and thrown away at most after an early answer: twice the body limit, at least 32 MB. */
export function discardBound(maxBodyMb: number): number {
  return Math.max(2 * maxBodyMb, 32) * 2 ** 20;
}

const DISCARD_MS = 10_000;

/** True when the request's body has not been received whole (its answer must then close the connection). */
export function bodyUnread(req: IncomingMessage): boolean {
  return !req.complete && !req.readableEnded && !req.destroyed;
}

/** Reads what is left of the body and drops it; resolves at its end, at the bound, or when the client leaves. */
export function discardUnreadBody(req: IncomingMessage, maxBytes: number, maxMs = DISCARD_MS): Promise<void> {
  if (!bodyUnread(req)) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let received = 0;
    const finish = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('close', finish);
      req.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) finish();
    };
    const timer = setTimeout(finish, maxMs);
    req.on('data', onData);
    req.once('end', finish);
    req.once('close', finish);
    req.once('error', finish);
    req.resume();
  });
}
