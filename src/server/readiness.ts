/**
 * GET /health/ready: can this instance take work now? For load balancers that check
 * actively (and rolling restarts): not stopping, the CLI found, logged in as far as known
 * without spending usage, no usage window of the subscription known to be full. `/health`
 * stays the liveness check. The first failing check is
 * the reason; the Responses store's state is reported but does not fail readiness (when a
 * shared store is down, every instance is down alike, and chat requests still work).
 */
import { formatReset, windowLabel } from '../core/usage-text';
import type { AppDeps } from './context';

export interface Readiness {
  ready: boolean;
  /** Why not, when not ready. */
  reason?: string;
  checks: {
    stopping: boolean;
    cli: 'ok' | 'not_found';
    login: 'ok' | 'logged_out' | 'unknown';
    usageWindow: 'ok' | 'full';
    responsesStore: 'ok' | 'unreachable';
  };
}

/** `detail: false` (API keys set: the server is shared) leaves local paths out of the reason. */
export async function readiness(
  deps: Pick<AppDeps, 'closing' | 'cli' | 'responses' | 'usage'>,
  detail: boolean,
): Promise<Readiness> {
  const stopping = deps.closing.aborted;
  const cli = await deps.cli.status();
  const loggedIn = cli.ok && !stopping ? await deps.cli.login.loggedIn() : undefined;
  const now = Date.now();
  const full = deps.usage.full(now);
  const checks: Readiness['checks'] = {
    stopping,
    cli: cli.ok ? 'ok' : 'not_found',
    login: loggedIn === true ? 'ok' : loggedIn === false ? 'logged_out' : 'unknown',
    usageWindow: full ? 'full' : 'ok',
    responsesStore: deps.responses.available ? 'ok' : 'unreachable',
  };
  const reason = stopping
    ? 'stopping: this instance takes no new requests'
    : !cli.ok
      ? `Claude Code CLI not found${detail ? `: ${cli.error ?? 'unknown error'}` : ''}`
      : loggedIn === false
        ? 'the Claude Code CLI is not logged in (run `claude` and /login, or set its credentials)'
        : full
          ? `the Claude ${windowLabel(full.window)} usage window is full; resets at ${formatReset(full.resetsAt, now)}`
          : undefined;
  return { ready: reason === undefined, ...(reason ? { reason } : {}), checks };
}
