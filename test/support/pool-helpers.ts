/** Waiting on a stack's pool: log lines, counts and processes, with generous deadlines (never a timed assertion). */
import type { Stack } from './stack';

export async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many log lines match `re`. */
export function logged(stack: Stack, re: RegExp): number {
  return stack.logLines.filter((l) => re.test(l)).length;
}

/** The pids in log lines matching `re` (its first group), in order. */
export function loggedPids(stack: Stack, re: RegExp): number[] {
  return stack.logLines.flatMap((l) => {
    const m = re.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

/** Waits until one more warm process than `before` has finished starting; returns how many have. */
export async function untilReady(stack: Stack, before = 0): Promise<number> {
  await until('a warm process ready', () => logged(stack, READY) > before);
  return logged(stack, READY);
}

/** Waits until the pool holds a warm process that has finished starting. */
export async function untilWarmReady(stack: Stack): Promise<void> {
  await until('a warm process ready in the pool', () => stack.server.cli.warmReady > 0);
}

export const READY = /prewarmed claude pid=\d+ ready/;
export const USED_WARM = /using prewarmed claude pid=\d+$/;
export const USED_STARTING = /using prewarmed claude pid=\d+ \(still starting\)/;
export const REUSED = /reusing claude pid=\d+ for a new conversation/;
export const CONTINUED = /continuing the conversation held by claude/;
export const CONTINUED_HELD = /continued claude pid=\d+ with \d+ tool result/;
