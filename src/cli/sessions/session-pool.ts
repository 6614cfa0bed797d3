/**
 * Live CLI processes kept between requests, so a first token does not wait for a CLI start:
 *  - warm: started ahead of time, nothing sent yet (system prompt and tools still open);
 *    `ready` once the start is over. The pool keeps the kinds and numbers WarmDemand wants,
 *    refills when one is taken or dies, and replaces one that has waited `poolIdleSeconds`
 *    since it was ready (the replacement starts first; the old one serves until the new one
 *    is ready).
 *  - idle: used; holds the conversation it answered. It continues that conversation, or
 *    takes a new one with the same setup; it is stopped after `poolIdleSeconds` unused.
 * Limits hold at every instant: a process the pool stops counts against its limit until it
 * has exited; one stopped on a caller's behalf (`putIdle`) is handed to that caller to wait
 * for. The pool owns one timer (the next expiry, or a refill), and nothing else owns it.
 */
import type { Logger } from '../../util/logger';
import type { SpawnKind } from '../process/spawner';
import type { Session } from './session';
import { WarmDemand } from './warm-demand';

/** `startup`: warm processes from the server's start; `first-request`: only once a request came; `off`: none. */
export type PrewarmMode = 'startup' | 'first-request' | 'off';

export interface PoolLimits {
  poolSize: number;
  poolMaxWarm: number;
  poolMaxIdle: number;
  poolIdleSeconds: number;
  prewarm: PrewarmMode;
}

export interface PoolOptions {
  limits: () => PoolLimits;
  /** Starts a warm process of `kind`. */
  spawn: (kind: SpawnKind) => Session;
  logger: Logger;
}

/** A used process begins at most this many conversations: the earlier ones stay in its memory. */
export const MAX_CONVERSATIONS_PER_PROCESS = 16;
/** After a warm process died before it was ready, refills wait this long (doubling up to a minute). */
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

/** All warm processes at once: `poolMaxWarm`, never below `poolSize` (none when `poolSize` is 0). */
export function maxWarm(limits: Pick<PoolLimits, 'poolSize' | 'poolMaxWarm'>): number {
  return limits.poolSize === 0 ? 0 : Math.max(limits.poolSize, limits.poolMaxWarm);
}

export class SessionPool {
  readonly demand = new WarmDemand();
  private warm: Session[] = [];
  private idle: Session[] = [];
  /** Warm processes past their time, serving until a replacement is ready. */
  private readonly retiring = new Set<Session>();
  /** Processes the pool stopped, until they are gone: they still count against its limits. */
  private readonly exiting = new Map<Session, 'warm' | 'idle'>();
  private readonly watched = new WeakSet<Session>();
  private timer: NodeJS.Timeout | undefined;
  private refillAfter = 0;
  private backoffMs = FIRST_BACKOFF_MS;
  private closed = false;

  constructor(private readonly opts: PoolOptions) {}

  get warmCount(): number {
    return this.warm.length;
  }

  /** Warm processes that have finished starting. */
  get readyCount(): number {
    return this.warm.filter((s) => s.ready).length;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  /** Processes the pool has stopped that have not exited yet. */
  get exitingCount(): number {
    return this.exiting.size;
  }

  /** A warm process of `kind` that has finished starting. */
  takeReady(kind: SpawnKind): Session | undefined {
    return this.takeWarm((s) => s.kind.key === kind.key && s.ready);
  }

  /** A warm process of `kind` still starting (better than a start from nothing). */
  takeStarting(kind: SpawnKind): Session | undefined {
    return this.takeWarm((s) => s.kind.key === kind.key);
  }

  /** The idle process of `kind` and `tenant` holding exactly this conversation. */
  takeConversation(conversation: string, kind: SpawnKind, tenant: string): Session | undefined {
    const found = this.idle.find(
      (s) => s.conversation === conversation && s.kind.key === kind.key && s.tenant === tenant && s.child.alive,
    );
    return found && this.unlist(found);
  }

  /**
   * The least recently used idle process that can take a new conversation: same kind, same
   * tenant, same system prompt and tools, not in agent mode (its file state would carry
   * over), and below MAX_CONVERSATIONS_PER_PROCESS.
   */
  takeReusable(kind: SpawnKind, tenant: string, setup: string): Session | undefined {
    const found = this.idle.find(
      (s) =>
        s.kind.key === kind.key &&
        s.tenant === tenant &&
        s.setup === setup &&
        !s.kind.flags.agentTools?.length &&
        s.conversations < MAX_CONVERSATIONS_PER_PROCESS &&
        s.child.alive,
    );
    return found && this.unlist(found);
  }

  /**
   * Keeps a used process idle. Over `poolMaxIdle`, the least recently used idle process is
   * stopped; with idle processes off (or this one dead) this one is. Resolves once what was
   * stopped has exited: the caller counts it until then.
   */
  putIdle(session: Session): Promise<void> {
    const { poolMaxIdle } = this.opts.limits();
    const stopped: Promise<void>[] = [];
    while (this.idle.length + this.exitingAs('idle') >= poolMaxIdle && this.idle.length > 0) {
      stopped.push(this.unlist(this.idle[0]!).child.finish());
    }
    if (this.closed || !session.child.alive || this.idle.length + this.exitingAs('idle') >= poolMaxIdle) {
      stopped.push(session.child.finish());
    } else {
      session.lastUsed = performance.now();
      this.idle.push(session);
      this.watch(session);
      this.schedule();
    }
    return Promise.all(stopped).then(() => {});
  }

  /** Starts the warm processes `kind` should have (the server's start, with prewarm `startup`). */
  seed(kind: SpawnKind): void {
    this.demand.note(kind, performance.now(), false, true);
    this.maintain();
  }

  /** A request of `kind` came; `waited`: a new conversation found no warm process ready. Refills in the background. */
  noteRequest(kind: SpawnKind, waited: boolean): void {
    if (this.opts.limits().prewarm === 'off') return;
    this.demand.note(kind, performance.now(), waited);
    this.schedule(0);
  }

  /**
   * After a settings change: stops every pooled process `isCurrent` refuses (its start
   * settings no longer match), and keeps warm the same kinds under the new settings.
   */
  reconcile(isCurrent: (s: Session) => boolean, current: (kind: SpawnKind) => SpawnKind | undefined): void {
    for (const s of [...this.warm, ...this.idle]) if (!isCurrent(s)) this.stop(s);
    this.demand.update(current);
    this.maintain();
  }

  /** Everything pooled, removed from the pool, and no more refills (for shutdown). */
  drain(): Session[] {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const all = [...this.warm, ...this.idle];
    for (const s of all) this.unlist(s);
    return all;
  }

  reopen(): void {
    this.closed = false;
  }

  /**
   * Brings the pool to what it should hold now: idle processes past their time stopped,
   * warm ones past their time replaced (or stopped when no longer wanted), missing warm
   * processes started within `maxWarm`; then sets the timer for the next deadline.
   */
  maintain(): void {
    if (this.closed) return;
    const limits = this.opts.limits();
    const now = performance.now();
    const lifeMs = limits.poolIdleSeconds * 1000;
    for (const s of [...this.idle]) if (now - s.lastUsed >= lifeMs) this.stop(s);
    // Over a lowered limit: the least recently used go (they count until they have exited).
    while (this.idle.length > limits.poolMaxIdle) this.stop(this.idle[0]!);

    const wanted = limits.prewarm === 'off' ? [] : this.demand.wanted(now, limits);
    // Warm processes turned off (prewarm off, poolSize 0): the memory they hold is given back at once.
    if (wanted.length === 0) for (const s of [...this.warm]) this.stop(s);
    const target = new Map(wanted.map((w) => [w.kind.key, w.target]));
    const serving = (key: string) => this.warm.filter((s) => s.kind.key === key && !this.retiring.has(s));
    for (const s of [...this.warm]) {
      const want = target.get(s.kind.key) ?? 0;
      if (this.retiring.has(s)) {
        // Replaced once a replacement is ready; at once when the kind is no longer wanted.
        if (want === 0 || serving(s.kind.key).filter((r) => r.ready).length >= want) this.stop(s);
      } else if (s.ready && now - s.lastUsed >= lifeMs) {
        if (serving(s.kind.key).length <= want) this.retiring.add(s);
        else this.stop(s);
      }
    }
    const cap = maxWarm(limits);
    for (const { kind, target: want } of wanted) {
      while (serving(kind.key).length < want && now >= this.refillAfter) {
        if (this.warm.length + this.exitingAs('warm') >= cap) {
          // No room: a process past its time, one more than its kind wants, or (for a kind short of
          // poolSize) another kind's spare gives its place; this kind is refilled once it is gone.
          const short = serving(kind.key).length < limits.poolSize;
          const spare = this.warm.find((s) => {
            const n = serving(s.kind.key).length;
            return (
              this.retiring.has(s) ||
              n > (target.get(s.kind.key) ?? 0) ||
              (short && s.kind.key !== kind.key && n > limits.poolSize)
            );
          });
          if (spare) this.stop(spare);
          break;
        }
        this.startWarm(kind);
      }
    }
    this.schedule();
  }

  private takeWarm(match: (s: Session) => boolean): Session | undefined {
    // A replacement before the process it replaces: the older one goes anyway.
    const candidates = this.warm.filter((s) => match(s) && s.child.alive);
    const found = candidates.find((s) => !this.retiring.has(s)) ?? candidates[0];
    if (!found) return undefined;
    this.unlist(found);
    this.schedule(0); // refill, after the caller has sent its turn
    return found;
  }

  private startWarm(kind: SpawnKind): void {
    const session = this.opts.spawn(kind);
    this.warm.push(session);
    this.watch(session);
    // Any answer to a control request means the CLI has finished starting.
    void session.child.control({ subtype: 'mcp_status' }).then(() => {
      if (!session.child.alive) return;
      session.ready = true;
      session.lastUsed = performance.now(); // its time as a warm process counts from here
      this.backoffMs = FIRST_BACKOFF_MS;
      this.opts.logger.debug(
        `prewarmed claude pid=${session.child.pid} ready in ${Math.round(performance.now() - session.child.startedAt)} ms`,
      );
      if (this.warm.includes(session)) this.maintain();
    });
  }

  private watch(session: Session): void {
    if (this.watched.has(session)) return;
    this.watched.add(session);
    void session.child.exited.then(() => this.onExit(session));
  }

  private onExit(session: Session): void {
    const pooledWarm = this.warm.includes(session);
    if (this.exiting.delete(session) || this.unlistIfPooled(session)) {
      if (pooledWarm && !session.ready) {
        // Died while starting: refill later, so a CLI that cannot start is not restarted in a loop.
        this.refillAfter = performance.now() + this.backoffMs;
        this.opts.logger.warn(
          `prewarmed claude pid=${session.child.pid} exited while starting; next start in ${this.backoffMs / 1000} s` +
            (session.child.stderr ? `: ${session.child.stderr.slice(-500)}` : ''),
        );
        this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      }
      this.schedule(0);
    }
  }

  /** Stops a pooled process; it counts against the pool's limits until it has exited. */
  private stop(session: Session): void {
    const as = this.warm.includes(session) ? 'warm' : 'idle';
    this.unlist(session);
    if (!session.child.alive) return;
    this.exiting.set(session, as);
    this.watch(session);
    void session.child.finish();
  }

  private exitingAs(as: 'warm' | 'idle'): number {
    let n = 0;
    for (const v of this.exiting.values()) if (v === as) n++;
    return n;
  }

  private unlistIfPooled(session: Session): boolean {
    if (!this.warm.includes(session) && !this.idle.includes(session)) return false;
    this.unlist(session);
    return true;
  }

  /** Takes `session` out of the pool; returns it. */
  private unlist(session: Session): Session {
    this.warm = this.warm.filter((s) => s !== session);
    this.idle = this.idle.filter((s) => s !== session);
    this.retiring.delete(session);
    session.lastUsed = performance.now();
    return session;
  }

  /** Sets the one timer: at `inMs`, or else at the next expiry or refill. */
  private schedule(inMs?: number): void {
    if (this.closed) return;
    const limits = this.opts.limits();
    const lifeMs = limits.poolIdleSeconds * 1000;
    const now = performance.now();
    const deadlines = [
      ...this.idle.map((s) => s.lastUsed + lifeMs),
      ...this.warm.filter((s) => s.ready && !this.retiring.has(s)).map((s) => s.lastUsed + lifeMs),
      ...(this.refillAfter > now ? [this.refillAfter] : []),
    ];
    const next = inMs ?? (deadlines.length > 0 ? Math.max(0, Math.min(...deadlines) - now) : undefined);
    clearTimeout(this.timer);
    this.timer = undefined;
    if (next === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.maintain();
    }, next);
    this.timer.unref();
  }
}
