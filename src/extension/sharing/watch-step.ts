/**
 * What a window does on each tick of its port watch — a pure decision over what it saw, so
 * every case is unit-tested. The port bind itself stays the arbiter: `serve` only means
 * "try to listen"; a window says it serves only once its own listen succeeded.
 */
import type { PortHolder } from './port-holder';
import type { StopMark } from './stop-marker';

export interface WatchFacts {
  /** This window's server is listening on the watched address. */
  serving: boolean;
  /** When it started listening (ms since the epoch). */
  servingSince: number;
  /** The user's "stopped" mark for the port, if its lease is current. */
  mark: StopMark | undefined;
  /** Who holds the port (probed only when not serving). */
  holder: PortHolder | undefined;
  /** Consecutive ticks, this one included, that found the port free. */
  freeStreak: number;
  /** Another CLI2API held the port since this window last tried: take over only after two free ticks. */
  sawOther: boolean;
  /** This window's instance id. */
  self: string;
}

export type WatchStep =
  /** Nothing to change (or wait one more tick). */
  | { do: 'keep' }
  /** Stop in another window asked every window to stop: stop serving. */
  | { do: 'stop-serving'; mark: StopMark }
  /** The port is free and nobody asked to stop: try to listen. */
  | { do: 'serve' }
  /** The user stopped CLI2API (here or elsewhere): show it, keep the mark's lease. */
  | { do: 'show-stopped'; mark: StopMark }
  | { do: 'show-elsewhere' }
  | { do: 'show-conflict'; detail: string };

export function watchStep(f: WatchFacts): WatchStep {
  if (f.serving) {
    // A mark older than our start was lifted by that start; only a newer one from another window counts.
    if (f.mark && f.mark.at > f.servingSince && f.mark.by !== f.self) return { do: 'stop-serving', mark: f.mark };
    return { do: 'keep' };
  }
  switch (f.holder?.kind) {
    case 'free':
      if (f.mark) return { do: 'show-stopped', mark: f.mark };
      // After another window's server went away, wait one more tick: a window that is only
      // restarting its server takes the port back in that time, and keeps it.
      return f.freeStreak >= (f.sawOther ? 2 : 1) ? { do: 'serve' } : { do: 'keep' };
    case 'cli2api':
      return { do: 'show-elsewhere' };
    case 'foreign':
      return { do: 'show-conflict', detail: f.holder.detail };
    default:
      return { do: 'keep' };
  }
}
