/**
 * Server-sent events written straight to the socket: headers go out with the first event
 * (so errors before any output still get a real HTTP status), Nagle is off, nothing is
 * compressed or buffered, and a slow client applies backpressure.
 */
import { once } from 'node:events';
import type { Context } from 'koa';

export class SseStream {
  private opened = false;

  constructor(private readonly ctx: Context) {}

  get started(): boolean {
    return this.opened;
  }

  private open(): void {
    if (this.opened) return;
    this.opened = true;
    this.ctx.respond = false;
    this.ctx.status = 200;
    const res = this.ctx.res;
    res.socket?.setNoDelay(true);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      ...(this.ctx.response.headers as Record<string, string>),
    });
  }

  /** `data: <json>` (with `event: <name>` first when given). */
  async send(data: unknown, event?: string): Promise<void> {
    await this.write(
      `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    );
  }

  async write(text: string): Promise<void> {
    this.open();
    const res = this.ctx.res;
    if (res.destroyed || res.writableEnded) return;
    if (!res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }

  end(): void {
    if (!this.opened) this.open();
    if (!this.ctx.res.writableEnded) this.ctx.res.end();
  }
}
