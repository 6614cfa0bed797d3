/**
 * "The user stopped CLI2API on this port": a small file every window can see, so that
 * Stop in any window stops the one server and no other window takes over. It is a lease:
 * it counts only while some window keeps touching it (windows that show "stopped" do, on
 * their watch tick), so after every window has closed it expires and the next start-up
 * serves again.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface StopMark {
  /** When Stop was chosen (ms since the epoch). */
  at: number;
  /** The instance id of the window where it was chosen. */
  by: string;
}

export class StopMarker {
  constructor(
    private readonly dir: string,
    private readonly leaseMs = 10_000,
  ) {}

  private file(port: number): string {
    return path.join(this.dir, `stopped-${port}.json`);
  }

  /** The mark, if one was set and its lease is current. */
  read(port: number, now = Date.now()): StopMark | undefined {
    try {
      const file = this.file(port);
      if (now - fs.statSync(file).mtimeMs > this.leaseMs) return undefined;
      const mark = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StopMark>;
      return typeof mark.at === 'number' && typeof mark.by === 'string' ? { at: mark.at, by: mark.by } : undefined;
    } catch {
      return undefined;
    }
  }

  write(port: number, by: string, at = Date.now()): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file(port)}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ at, by } satisfies StopMark), { mode: 0o600 });
    fs.renameSync(tmp, this.file(port));
  }

  /** Keeps the lease current. */
  touch(port: number): void {
    try {
      const now = new Date();
      fs.utimesSync(this.file(port), now, now);
    } catch {
      // gone: nothing to keep
    }
  }

  clear(port: number): void {
    fs.rmSync(this.file(port), { force: true });
  }
}
