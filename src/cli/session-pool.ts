/**
 * Live CLI processes kept between requests, so a first token does not wait for a CLI start:
 *  - fresh: started ahead of time, nothing sent yet (system prompt and tools still open);
 *  - idle: used; holds the conversation it answered, and is continued when the client sends
 *    that conversation plus a new turn.
 * Every entry is killed when unused for `poolIdleSeconds`, or when over the limits.
 */
import type { ClaudeProcess } from './claude-process';
import type { ToolBridge } from './tool-bridge';
import type { ToolSet } from './tools';

export interface Session {
  child: ClaudeProcess;
  bridge: ToolBridge;
  tools: ToolSet;
  /** What was fixed when the process started: binary, model, environment. */
  spawnKey: string;
  /** The conversation the process holds. */
  fingerprint?: string;
  /** Tool calls waiting for results (the session is then held by the manager, not pooled). */
  heldIds?: string[];
  timer?: NodeJS.Timeout;
}

export interface PoolLimits {
  poolSize: number;
  poolMaxIdle: number;
  poolIdleSeconds: number;
}

export class SessionPool {
  private fresh: Session[] = [];
  private idle: Session[] = [];

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
    this.expireLater(session, () => (this.fresh = this.fresh.filter((s) => s !== session)));
  }

  takeFresh(spawnKey: string): Session | undefined {
    const i = this.fresh.findIndex((s) => s.spawnKey === spawnKey && s.child.alive);
    return i < 0 ? undefined : this.unlist(this.fresh.splice(i, 1)[0]!);
  }

  /** The idle process holding exactly this conversation. */
  takeConversation(fingerprint: string): Session | undefined {
    const i = this.idle.findIndex((s) => s.fingerprint === fingerprint && s.child.alive);
    return i < 0 ? undefined : this.unlist(this.idle.splice(i, 1)[0]!);
  }

  /** Keeps a used process, or kills it when idle processes are off or over the limit. */
  putIdle(session: Session): void {
    const { poolMaxIdle } = this.limits();
    if (poolMaxIdle === 0 || !session.child.alive) {
      void session.child.kill();
      return;
    }
    this.idle.push(session);
    this.expireLater(session, () => (this.idle = this.idle.filter((s) => s !== session)));
    while (this.idle.length > poolMaxIdle) {
      const oldest = this.idle.shift()!;
      this.unlist(oldest);
      void oldest.child.kill();
    }
  }

  /** Everything pooled, removed from the pool (for shutdown). */
  drain(): Session[] {
    const all = [...this.fresh, ...this.idle];
    this.fresh = [];
    this.idle = [];
    for (const s of all) clearTimeout(s.timer);
    return all;
  }

  private expireLater(session: Session, remove: () => void): void {
    clearTimeout(session.timer);
    session.timer = setTimeout(() => {
      remove();
      void session.child.kill();
    }, this.limits().poolIdleSeconds * 1000);
    session.timer.unref();
    void session.child.exited.then(() => {
      clearTimeout(session.timer);
      remove();
    });
  }

  private unlist(session: Session): Session {
    clearTimeout(session.timer);
    session.timer = undefined;
    return session;
  }
}
