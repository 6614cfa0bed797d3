/** What the routes need from the server, and what they leave on `ctx.state` for the request log. */
import type { CliManager } from '../cli/cli-manager';
import type { Settings } from '../config/settings';
import type { UsageLimits } from '../core/usage-limits';
import type { Logger } from '../util/logger';
import type { ServerStats } from './stats';

export interface AppDeps {
  settings: () => Settings;
  cli: CliManager;
  logger: Logger;
  stats: ServerStats;
  /** The subscription's usage windows: GET /v1/usage, the 429 while one is full, Anthropic's headers. */
  usage: UsageLimits;
  /** Aborted when the server stops: every request in flight ends with a clear 503. */
  shutdown: AbortSignal;
}

export interface RequestState {
  /** Who asks (set by the security middleware): the API key's SHA-256 when keys are set, else ''. */
  tenant?: string;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  /** Set when an SSE stream ended with an error event (the HTTP status was already 200). */
  streamError?: string;
}

/** Notes a finished CLI run for the request log, the stats and the cost header. */
export function noteRun(
  ctx: { state: unknown; set(field: string, value: string): void },
  run: { promptTokens: number; completionTokens: number; costUsd?: number },
): void {
  const state = ctx.state as RequestState;
  state.promptTokens = run.promptTokens;
  state.completionTokens = run.completionTokens;
  state.costUsd = run.costUsd;
  ctx.set('X-CLI2API-Cost-USD', String(run.costUsd ?? 0));
}
