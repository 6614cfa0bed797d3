/**
 * Finds live CLI processes by a marker variable in their environment, so a test proves
 * that none of the processes it caused outlives it (and ignores anyone else's); and samples
 * their number continuously, so a test or the load script can check a bound at every instant.
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

/** The command line of a process (arguments), or undefined once it is gone. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/**
 * The marked Claude CLI sessions only (started with `--input-format`): not a headless server
 * that carries the marker itself, nor a short `claude --version` probe.
 */
export function cliSessionsWithMarker(marker: string): number[] {
  return processesWithMarker(marker).filter((pid) => commandLine(pid)?.includes('--input-format'));
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

export interface ProcessSampler {
  /** Stops sampling; every count seen, in order. */
  stop(): number[];
  /** The largest count so far. */
  readonly peak: number;
}

/** Counts the marked CLI sessions every `everyMs` (from /proc) until stopped. */
export function sampleProcesses(marker: string, everyMs = 20): ProcessSampler {
  const counts: number[] = [];
  let peak = 0;
  const timer = setInterval(() => {
    const n = cliSessionsWithMarker(marker).length;
    counts.push(n);
    peak = Math.max(peak, n);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return counts;
    },
    get peak() {
      return peak;
    },
  };
}
