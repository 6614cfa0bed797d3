/**
 * Whether the CLI is logged in, as far as CLI2API knows without spending usage: what the
 * last run showed (a run refused as not authenticated, or one that answered), else what
 * `claude auth status` says (exit 0 logged in, 1 not; no model request). The check runs
 * only when asked (readiness), once per binary and environment; a "not logged in" answer is
 * asked again after RECHECK_MS, so a login made meanwhile is noticed.
 */
import { execFile } from 'node:child_process';
import { canonicalHash } from '../../core/json';
import type { ClaudeBinary } from './locate';

const RECHECK_MS = 30_000;
const CHECK_TIMEOUT_MS = 30_000;

export interface LoginCheckTarget {
  binary(): Promise<ClaudeBinary>;
  env(): NodeJS.ProcessEnv;
  cwd(): string;
}

interface Known {
  key: string;
  loggedIn: boolean;
  at: number;
}

export class LoginState {
  private known: Known | undefined;
  private checking: { key: string; promise: Promise<boolean | undefined> } | undefined;
  private readonly abort = new Set<AbortController>();

  constructor(
    private readonly target: LoginCheckTarget,
    private readonly now: () => number = Date.now,
  ) {}

  /** A run ended: one refused as not authenticated says "logged out", one that answered "logged in". */
  noteRun(loggedIn: boolean): void {
    this.known = { key: this.known?.key ?? '', loggedIn, at: this.now() };
  }

  /** true / false as far as known; undefined when the CLI cannot say (not found, an old CLI, the check failed). */
  async loggedIn(): Promise<boolean | undefined> {
    let binary: ClaudeBinary;
    try {
      binary = await this.target.binary();
    } catch {
      return undefined;
    }
    const env = this.target.env();
    const key = canonicalHash({ path: binary.path, env });
    const known = this.known;
    // A run's outcome counts for the current binary whatever its key (it ran with it).
    if (known && (known.key === key || known.key === '')) {
      if (known.loggedIn || this.now() - known.at < RECHECK_MS) return known.loggedIn;
    }
    if (this.checking?.key !== key) {
      const promise = this.authStatus(binary.path, env).then((loggedIn) => {
        if (loggedIn !== undefined) this.known = { key, loggedIn, at: this.now() };
        return loggedIn;
      });
      this.checking = { key, promise };
      void promise.finally(() => {
        if (this.checking?.promise === promise) this.checking = undefined;
      });
    }
    return this.checking.promise;
  }

  /** Stops a check in progress (the server is stopping). */
  cancel(): void {
    for (const a of this.abort) a.abort();
  }

  private authStatus(binary: string, env: NodeJS.ProcessEnv): Promise<boolean | undefined> {
    const abort = new AbortController();
    this.abort.add(abort);
    return new Promise<boolean | undefined>((resolve) => {
      execFile(
        binary,
        ['auth', 'status'],
        { env, cwd: this.target.cwd(), timeout: CHECK_TIMEOUT_MS, signal: abort.signal, windowsHide: true },
        (error) => {
          const code = (error as { code?: unknown } | null)?.code;
          resolve(!error ? true : code === 1 ? false : undefined);
        },
      );
    }).finally(() => this.abort.delete(abort));
  }
}
