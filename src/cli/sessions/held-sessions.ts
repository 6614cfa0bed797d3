/**
 * Processes whose tool calls wait for results: the HTTP answer ended with the calls, and a
 * later request of the same tenant that brings the results continues the same process. Each
 * held process is released when its results come (`take`), or stopped after its timeout; at
 * most `maxHeld` are held (the oldest is dropped, with a log line: its late follow-up then
 * takes the cold path). A process this class stops counts as held until it has exited. This
 * class owns the timers and those stops.
 */
import type { Logger } from '../../util/logger';
import type { Session } from './session';

interface Held {
  session: Session;
  toolUseIds: string[];
  timer: NodeJS.Timeout;
}

export class HeldSessions {
  private readonly byToolUseId = new Map<string, Held>();
  /** Oldest first. */
  private held: Held[] = [];
  private readonly exiting = new Set<Session>();

  constructor(private readonly opts: { maxHeld: () => number; logger: Logger }) {}

  /** Processes held, those still exiting included. */
  get count(): number {
    return this.held.length + this.exiting.size;
  }

  /** Tool calls waiting. */
  get calls(): number {
    return this.byToolUseId.size;
  }

  /**
   * Holds `session` until the results for `toolUseIds` come, or `timeoutMs` passes. Beyond
   * `maxHeld` the oldest held process is dropped (with `maxHeld` 0, this one). Resolves once
   * what was dropped has exited: the caller counts it until then.
   */
  hold(session: Session, toolUseIds: string[], timeoutMs: number): Promise<void> {
    const maxHeld = this.opts.maxHeld();
    const dropped: Promise<void>[] = [];
    while (this.count >= maxHeld && this.held.length > 0) {
      const oldest = this.held[0]!;
      this.forget(oldest);
      this.opts.logger.info(
        `more than ${maxHeld} processes wait for tool results: dropping claude pid=${oldest.session.child.pid} ` +
          `(calls ${oldest.toolUseIds.join(', ')}); their results will start a new process`,
      );
      dropped.push(oldest.session.child.finish());
    }
    if (this.count >= maxHeld) {
      this.opts.logger.info(
        `no room to hold claude pid=${session.child.pid} for its tool results (maxHeld ${maxHeld})`,
      );
      dropped.push(session.child.finish());
      return Promise.all(dropped).then(() => {});
    }
    const held: Held = {
      session,
      toolUseIds,
      timer: setTimeout(() => {
        this.opts.logger.info(
          `tool call(s) ${toolUseIds.join(', ')} got no result within ${timeoutMs / 1000} s; stopping claude pid=${session.child.pid}`,
        );
        this.forget(held);
        this.stop(session);
      }, timeoutMs),
    };
    held.timer.unref();
    void session.child.exited.then(() => {
      if (this.held.includes(held)) this.forget(held);
    });
    this.held.push(held);
    for (const id of toolUseIds) this.byToolUseId.set(id, held);
    return Promise.all(dropped).then(() => {});
  }

  /**
   * The held session of `tenant` that made the call `toolUseId`, released from holding, with
   * all the calls it waits for. Another tenant's is left alone.
   */
  take(toolUseId: string, tenant: string): { session: Session; toolUseIds: string[] } | undefined {
    const held = this.byToolUseId.get(toolUseId);
    if (!held || held.session.tenant !== tenant) return undefined;
    this.forget(held);
    return { session: held.session, toolUseIds: held.toolUseIds };
  }

  /** A taken session that cannot be continued after all: stopped, and counted as held until it has exited. */
  discard(session: Session): void {
    this.stop(session);
  }

  /** Stops every held process `isCurrent` refuses (its start settings no longer match). */
  reconcile(isCurrent: (s: Session) => boolean): void {
    for (const held of [...this.held]) {
      if (isCurrent(held.session)) continue;
      this.forget(held);
      this.stop(held.session);
    }
  }

  /** Every held session, released (for shutdown). */
  drain(): Session[] {
    const all = [...this.held];
    for (const held of all) this.forget(held);
    return all.map((h) => h.session);
  }

  private stop(session: Session): void {
    if (!session.child.alive) return;
    this.exiting.add(session);
    void session.child.finish().then(() => this.exiting.delete(session));
  }

  private forget(held: Held): void {
    clearTimeout(held.timer);
    this.held = this.held.filter((h) => h !== held);
    for (const id of held.toolUseIds) if (this.byToolUseId.get(id) === held) this.byToolUseId.delete(id);
  }
}
