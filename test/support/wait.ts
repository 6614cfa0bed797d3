/** Waiting for events instead of for time: a gate a test opens, and polling for a condition. */

export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

/** A promise the test resolves when it chooses (e.g. to hold the fake's stream at a point). */
export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves once `condition()` holds; fails after `ms` (a generous bound against a hang, not a speed check). */
export async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
