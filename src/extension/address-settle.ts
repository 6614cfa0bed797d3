/**
 * The address the server uses follows the configured one only once it has settled: the
 * Settings UI, or settings.json with auto save, fires a change per keystroke (9, 91, 910,
 * 9100), and the server must not move to each of them. A new value waits `settleMs`
 * unchanged, is then checked (can this process listen there?), and only then applied; one
 * that cannot be used is refused with its reason and the server stays where it is.
 * No `vscode` here: tested in plain Node on a hand-driven clock.
 */
import type { AddressCheck } from './sharing/port-holder';

export interface Address {
  host: string;
  port: number;
}

/** setTimeout and clearTimeout, replaceable in tests. */
export interface SettleTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: SettleTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SettleEvents {
  /** A new value is configured; it applies once it stays so for `settleMs`. */
  pending(next: Address, settleMs: number): void;
  /** Settled and usable: the server moves there. */
  moved(next: Address): void;
  /** Settled but unusable: the server stays at `stays`. */
  refused(next: Address, reason: string, stays: Address): void;
  /** A refusal no longer applies: the setting went back to the address in use. */
  cleared(): void;
}

export interface AddressSettleOptions {
  settleMs: number;
  check: (host: string, port: number) => Promise<AddressCheck>;
  events: SettleEvents;
  timers?: SettleTimers;
}

export class AddressSettle {
  private applied: Address;
  private configured: Address;
  /** The value waiting to settle (its timer runs). */
  private waiting: Address | undefined;
  private timer: unknown;
  private refusal: string | undefined;
  private readonly timers: SettleTimers;

  constructor(
    initial: Address,
    private readonly opts: AddressSettleOptions,
  ) {
    this.applied = { ...initial };
    this.configured = { ...initial };
    this.timers = opts.timers ?? realTimers;
  }

  /** The settled, accepted address: where the server runs. */
  get address(): Address {
    return this.applied;
  }

  /** The configured address that was refused, with why (for the tooltip). */
  get refused(): string | undefined {
    return this.refusal;
  }

  /** The address the settings name now; called on every read of the settings, changed or not. */
  configure(next: Address): void {
    this.configured = { ...next };
    const differs = !same(next, this.applied);
    const isNew = !this.waiting || !same(next, this.waiting);
    this.stopTimer();
    this.waiting = differs ? { ...next } : undefined;
    if (differs) {
      if (isNew) this.opts.events.pending(next, this.opts.settleMs);
      this.timer = this.timers.set(() => void this.settle(), this.opts.settleMs);
    } else if (this.refusal) {
      this.refusal = undefined;
      this.opts.events.cleared();
    }
  }

  dispose(): void {
    this.stopTimer();
    this.waiting = undefined;
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private async settle(): Promise<void> {
    this.timer = undefined;
    this.waiting = undefined;
    const next = { ...this.configured };
    const check: AddressCheck = next.port === 0 ? { ok: true } : await this.opts.check(next.host, next.port);
    // Changed again while checking: the newer value settles on its own.
    if (!same(next, this.configured)) return;
    if (check.ok) {
      this.applied = next;
      this.refusal = undefined;
      this.opts.events.moved(next);
      return;
    }
    this.refusal = `${next.host}:${next.port} (${check.reason})`;
    this.opts.events.refused(next, check.reason, this.applied);
  }
}

function same(a: Address, b: Address): boolean {
  return a.host === b.host && a.port === b.port;
}
