/**
 * Which kinds of CLI process to keep started ahead, and how many of each: the kinds recent
 * requests used (model, effort, JSON schema, agent tools…), the most recent first, at most
 * MAX_WARM_KINDS of them; a kind no request used for `poolIdleSeconds` drops out, except the
 * most recent one, which is always kept. Each gets `poolSize` processes, plus up to
 * MAX_BURST_SPARES more while new conversations of that kind recently had to wait for a
 * start (requests came faster than one start). Pure: the caller passes the time.
 */
import type { SpawnKind } from '../process/spawner';

export const MAX_WARM_KINDS = 3;
export const MAX_BURST_SPARES = 2;
/** How long a wait for a start keeps an extra spare wanted. */
export const BURST_WINDOW_MS = 60_000;
/** Kinds remembered at most (the least recently used are forgotten). */
const REMEMBERED_KINDS = 16;

interface KindDemand {
  kind: SpawnKind;
  lastUsed: number;
  /** Requests of this kind so far (a seed at start-up is none). */
  requests: number;
  /** When new conversations of this kind found no started process ready. */
  waits: number[];
}

export interface WantedKind {
  kind: SpawnKind;
  target: number;
}

export class WarmDemand {
  private readonly kinds = new Map<string, KindDemand>();

  /**
   * A request of `kind` came at `now`; `waited`: it began a conversation and no started
   * process was ready. A `seed` (the server's start) counts as use, not as a request.
   */
  note(kind: SpawnKind, now: number, waited = false, seed = false): void {
    const known = this.kinds.get(kind.key);
    // Only a kind requested before can show a burst: the first request (or one right after start-up) could not find one ready.
    if (known && known.requests > 0 && waited) known.waits.push(now);
    this.kinds.delete(kind.key);
    this.kinds.set(kind.key, {
      kind,
      lastUsed: now,
      requests: (known?.requests ?? 0) + (seed ? 0 : 1),
      waits: known?.waits ?? [],
    });
    for (const key of this.kinds.keys()) {
      if (this.kinds.size <= REMEMBERED_KINDS) break;
      this.kinds.delete(key);
    }
  }

  /** The kinds to keep warm now, the most recently used first, each with how many processes it should have. */
  wanted(now: number, limits: { poolSize: number; poolIdleSeconds: number }): WantedKind[] {
    if (limits.poolSize === 0) return [];
    const recent = [...this.kinds.values()].reverse();
    return recent
      .filter((d, i) => i === 0 || now - d.lastUsed <= limits.poolIdleSeconds * 1000)
      .slice(0, MAX_WARM_KINDS)
      .map((d) => {
        d.waits = d.waits.filter((t) => now - t < BURST_WINDOW_MS);
        return { kind: d.kind, target: limits.poolSize + Math.min(MAX_BURST_SPARES, d.waits.length) };
      });
  }

  /**
   * After a settings change: each kind becomes what `current` makes of it (the same model
   * and flags under the new settings), or is forgotten when `current` gives nothing.
   */
  update(current: (kind: SpawnKind) => SpawnKind | undefined): void {
    const old = [...this.kinds.values()];
    this.kinds.clear();
    for (const d of old) {
      const kind = current(d.kind);
      if (kind) this.kinds.set(kind.key, { ...d, kind });
    }
  }
}
