/**
 * Finds live CLI processes by a marker variable in their environment, so a test proves
 * that none of the processes it caused outlives it (and ignores anyone else's).
 */
import fs from 'node:fs';

export function processesWithMarker(marker: string): number[] {
  return processesWithEnv(`C2A_TEST_MARKER=${marker}`);
}

/** Live processes whose environment holds `entry` (NAME=value). */
export function processesWithEnv(entry: string): number[] {
  const needle = Buffer.from(`${entry}\0`);
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`);
      if (environ.includes(needle) && !isZombie(entry)) pids.push(Number(entry));
    } catch {
      // gone or not ours to read
    }
  }
  return pids;
}

function isZombie(pid: string): boolean {
  try {
    return /\nState:\s+Z/.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

/** Waits up to `ms` for every marked process to be gone; returns the ones still alive. */
export async function waitForNoProcesses(marker: string, ms = 3000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const pids = processesWithMarker(marker);
    if (pids.length === 0 || Date.now() > deadline) return pids;
    await new Promise((r) => setTimeout(r, 50));
  }
}
