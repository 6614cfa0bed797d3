/**
 * Live CLI processes kept between requests, so a first token does not wait for a CLI start:
 *  - fresh: started ahead of time, nothing sent yet (system prompt and tools still open);
 *  - idle: used; holds the conversation it answered, and is continued when the client sends
 *    that conversation plus a new turn.
 * Every entry is killed when unused for `poolIdleSeconds`, or when over the limits. The pool
 * owns the expiry timers of its entries (and nothing else does).
 */
import type { Session } from './session';

export interface PoolLimits {
  poolSize: number;
  poolMaxIdle: number;
  poolIdleSeconds: number;
}

export class SessionPool {
  private fresh: Session[] = [];
  private idle: Session[] = [];
  private readonly expiry = new Map<Session, NodeJS.Timeout>();

  constructor(private readonly limits: () => PoolLimits) {}

  get freshCount(): number {
    return this.fresh.length;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  freshFor(spawnKey: string): number {
    return this.fresh.filter((s) => s.spawnKey === spawnKey).length;
  }

  addFresh(session: Session): void {
    this.fresh.push(session);
    this.expireLater(session);
  }

  takeFresh(spawnKey: string): Session | undefined {
    const i = this.fresh.findIndex((s) => s.spawnKey === spawnKey && s.child.alive);
    return i < 0 ? undefined : this.unlist(this.fresh[i]!);
  }

  /** The idle process holding exactly this conversation. */
  takeConversation(conversation: string): Session | undefined {
    const found = this.idle.find((s) => s.conversation === conversation && s.child.alive);
    return found && this.unlist(found);
  }

  /** Keeps a used process, or kills it when idle processes are off or over the limit. */
  putIdle(session: Session): void {
    const { poolMaxIdle } = this.limits();
    if (poolMaxIdle === 0 || !session.child.alive) {
      void session.child.kill();
      return;
    }
    this.idle.push(session);
    this.expireLater(session);
    while (this.idle.length > poolMaxIdle) void this.unlist(this.idle[0]!).child.kill();
  }

  /** Everything pooled, removed from the pool (for shutdown). */
  drain(): Session[] {
    const all = [...this.fresh, ...this.idle];
    for (const s of all) this.unlist(s);
    return all;
  }

  private expireLater(session: Session): void {
    const timer = setTimeout(() => void this.unlist(session).child.kill(), this.limits().poolIdleSeconds * 1000);
    timer.unref();
    this.expiry.set(session, timer);
    void session.child.exited.then(() => this.unlist(session));
  }

  /** Takes `session` out of the pool and stops its expiry; returns it. */
  private unlist(session: Session): Session {
    clearTimeout(this.expiry.get(session));
    this.expiry.delete(session);
    this.fresh = this.fresh.filter((s) => s !== session);
    this.idle = this.idle.filter((s) => s !== session);
    return session;
  }
}
