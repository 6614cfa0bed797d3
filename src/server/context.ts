/** What the routes need from the server, and what they leave on `ctx.state` for the request log. */
import type { CliManager } from '../cli/cli-manager';
import type { RemoteImageOptions } from '../openai/remote-images';
import type { Settings } from '../config/settings';
import type { UsageLimits } from '../core/usage-limits';
import type { Logger } from '../util/logger';
import type { ServerMetrics } from './metrics';
import type { ServerStats } from './stats';
import type { ResponseStore } from './store/response-store';

export interface AppDeps {
  settings: () => Settings;
  cli: CliManager;
  logger: Logger;
  stats: ServerStats;
  /** The subscription's usage windows: GET /v1/usage, the 429 while one is full, Anthropic's headers. */
  usage: UsageLimits;
  metrics: ServerMetrics;
  /** Stored Responses API responses: in memory, or shared in Redis/Valkey. */
  responses: ResponseStore;
  /** Aborted when the server stops taking new requests (readiness fails; requests already running go on). */
  closing: AbortSignal;
  /** Aborted when the server stops: every request in flight ends with a clear 503. */
  shutdown: AbortSignal;
  /** How remote images are fetched (tests let downloads reach their own local server). */
  remoteImages?: Pick<RemoteImageOptions, 'policy' | 'timeoutMs'>;
  /** Who this server is, for /health: other CLI2API windows recognise it by this. */
  identity: ServerIdentity;
}

/** What /health says about the server itself. */
export interface ServerIdentity {
  /** Random per ApiServer: tells two CLI2API servers apart. */
  instance: string;
  /** Where it runs ('vscode' or 'headless') and, in VS Code, the window's workspace name. */
  runner: () => { kind: 'vscode' | 'headless'; workspace?: string };
}

export interface RequestState {
  /** Who asks (set by the security middleware): the API key's SHA-256 when keys are set, else ''. */
  tenant?: string;
  /** Whose key the request carries (a member name, or `unnamed`); unset without keys. Never the key. */
  member?: string;
  model?: string;
  /** performance.now() when the first model output arrived (time to first token). */
  firstTokenAt?: number;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  /** Set when an SSE stream ended with an error event (the HTTP status was already 200). */
  streamError?: string;
  /** The error code of a failed request (`cli_not_found`, `server_stopping`, …), for the log line. */
  errorCode?: string;
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
