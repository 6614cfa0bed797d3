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

/**
 * Counts the marked CLI sessions every `everyMs` (from /proc) until stopped. To keep up with
 * 20 ms, a process found not to be one is not read again once it has been seen for a second
 * (long after a new child has replaced the server's image with the CLI's).
 */
export function sampleProcesses(marker: string, everyMs = 20): ProcessSampler {
  const counts: number[] = [];
  let peak = 0;
  const firstSeen = new Map<number, number>();
  const notOurs = new Set<number>();
  const timer = setInterval(() => {
    const now = Date.now();
    const pids = new Set(
      fs
        .readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .map(Number),
    );
    for (const pid of firstSeen.keys()) if (!pids.has(pid)) firstSeen.delete(pid);
    for (const pid of notOurs) if (!pids.has(pid)) notOurs.delete(pid);
    let n = 0;
    for (const pid of pids) {
      if (notOurs.has(pid)) continue;
      if (!firstSeen.has(pid)) firstSeen.set(pid, now);
      if (isCliSession(pid, marker)) n++;
      else if (now - firstSeen.get(pid)! > 1000) notOurs.add(pid);
    }
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

function isCliSession(pid: number, marker: string): boolean {
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`);
    if (!environ.includes(Buffer.from(`C2A_TEST_MARKER=${marker}\0`))) return false;
    return !isZombie(String(pid)) && (commandLine(pid)?.includes('--input-format') ?? false);
  } catch {
    return false;
  }
}
