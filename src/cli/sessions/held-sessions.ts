/**
 * Processes whose tool calls wait for results: the HTTP answer ended with the calls, and a
 * later request that brings the results continues the same process. Each held process is
 * released when its results come (`take`) or after its timeout (then killed). This class
 * owns those timers.
 */
import type { Session } from './session';

interface Held {
  session: Session;
  toolUseIds: string[];
  timer: NodeJS.Timeout;
}

export class HeldSessions {
  private readonly byToolUseId = new Map<string, Held>();

  /** Sessions waiting. */
  get count(): number {
    return new Set(this.byToolUseId.values()).size;
  }

  /** Tool calls waiting. */
  get calls(): number {
    return this.byToolUseId.size;
  }

  /** Holds `session` until the results for `toolUseIds` come, or `timeoutMs` passes (`onExpire` then runs). */
  hold(session: Session, toolUseIds: string[], timeoutMs: number, onExpire: (session: Session) => void): void {
    const held: Held = {
      session,
      toolUseIds,
      timer: setTimeout(() => {
        this.forget(held);
        onExpire(session);
      }, timeoutMs),
    };
    held.timer.unref();
    for (const id of toolUseIds) this.byToolUseId.set(id, held);
  }

  /** The held session that made the call `toolUseId`, released from holding, with all the calls it waits for. */
  take(toolUseId: string): { session: Session; toolUseIds: string[] } | undefined {
    const held = this.byToolUseId.get(toolUseId);
    if (!held) return undefined;
    this.forget(held);
    return { session: held.session, toolUseIds: held.toolUseIds };
  }

  /** Every held session, released (for shutdown). */
  drain(): Session[] {
    const all = new Set(this.byToolUseId.values());
    for (const held of all) this.forget(held);
    return [...all].map((h) => h.session);
  }

  private forget(held: Held): void {
    clearTimeout(held.timer);
    for (const id of held.toolUseIds) if (this.byToolUseId.get(id) === held) this.byToolUseId.delete(id);
  }
}
