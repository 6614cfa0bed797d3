/**
 * Stop sequences over streamed text. The CLI has no flag for them, so CLI2API matches them
 * itself: text is passed on as it arrives, except a tail that could still become a stop
 * sequence with the next delta (held back until it cannot), so a sequence split across
 * deltas is still found and nothing after it ever reaches the client.
 */
export interface StopStep {
  /** Text that may be sent now. */
  text: string;
  /** The stop sequence that matched; `text` then ends right before it. */
  stopped?: string;
}

export class StopMatcher {
  private pending = '';
  private readonly stops: string[];

  constructor(stops: readonly string[]) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  get active(): boolean {
    return this.stops.length > 0;
  }

  push(delta: string): StopStep {
    const text = this.pending + delta;
    let at = -1;
    let stopped: string | undefined;
    for (const s of this.stops) {
      const i = text.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        stopped = s;
      }
    }
    if (stopped !== undefined) {
      this.pending = '';
      return { text: text.slice(0, at), stopped };
    }
    const hold = this.heldTail(text);
    this.pending = text.slice(text.length - hold);
    return { text: text.slice(0, text.length - hold) };
  }

  /** The held-back tail, when the text ends (it did not become a stop sequence). */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  /** Length of the longest end of `text` that is the start of some stop sequence. */
  private heldTail(text: string): number {
    let best = 0;
    for (const s of this.stops) {
      for (let n = Math.min(s.length - 1, text.length); n > best; n--) {
        if (text.endsWith(s.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
