/**
 * Metrics for operators, in Prometheus' text format (prom-client), served at GET /metrics.
 * One registry per ApiServer — never prom-client's global one — so two servers in one
 * process (tests, a restart) count apart. Request metrics are observed once per request by
 * the request log; process and queue gauges are read from the CLI manager when scraped.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CliManager } from '../cli/cli-manager';
import { type UsageLimits, WINDOWS } from '../core/usage-limits';
import type { ResponseStore } from './store/response-store';

/** The `member` label of a request that carried no accepted key (no keys configured, or refused). */
export const NO_MEMBER = 'anonymous';

export interface RequestObservation {
  /** The route's pattern (`/v1/responses/:id`), never the raw path: ids must not become labels. */
  route: string;
  method: string;
  status: number;
  member: string | undefined;
  seconds: number;
  /** From the request's start to the first model output, when there was any. */
  firstTokenSeconds?: number;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
}

export interface MetricSources {
  cli: CliManager;
  /** The subscription's usage windows as last reported. */
  usage: UsageLimits;
  /** The Responses store of the current run, when the server runs. */
  responses: () => ResponseStore | undefined;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status' | 'member'>;
  private readonly duration: Histogram<'route'>;
  private readonly firstToken: Histogram<'route'>;
  private readonly tokens: Counter<'member' | 'kind'>;
  private readonly cost: Counter<'member'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'cli2api_requests_total',
      help: 'HTTP requests by route pattern, method, status and member (the name of the API key used).',
      labelNames: ['route', 'method', 'status', 'member'],
      registers,
    });
    this.duration = new Histogram({
      name: 'cli2api_request_duration_seconds',
      help: 'Time from a request to the end of its answer (streams included).',
      labelNames: ['route'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.firstToken = new Histogram({
      name: 'cli2api_time_to_first_token_seconds',
      help: 'Time from a model request to the first output of the model (text, thinking or a tool call).',
      labelNames: ['route'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.tokens = new Counter({
      name: 'cli2api_tokens_total',
      help: 'Tokens by member; kind is prompt (cached input included) or completion.',
      labelNames: ['member', 'kind'],
      registers,
    });
    this.cost = new Counter({
      name: 'cli2api_cost_usd_total',
      help: 'Cost in USD as the Claude CLI reported it, by member.',
      labelNames: ['member'],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    const { cli } = sources;
    gauge('cli2api_cli_processes', 'Claude CLI processes alive (all states).', () => cli.liveProcesses);
    gauge('cli2api_cli_processes_warm', 'Started ahead for new conversations, unused.', () => cli.pooled.warm);
    gauge('cli2api_cli_processes_idle', 'Kept after an answer to continue their conversation.', () => cli.pooled.idle);
    gauge('cli2api_cli_processes_held', 'Waiting for the results of their tool calls.', () => cli.pooled.held);
    gauge('cli2api_cli_runs_active', 'CLI runs in progress (at most maxConcurrent).', () => cli.queue.active);
    gauge('cli2api_queue_depth', 'Requests waiting for a CLI slot.', () => cli.queue.queued);
    gauge(
      'cli2api_responses_store_available',
      '1 when the Responses store can be used (always for the in-memory store), 0 while a shared store is unreachable.',
      () => (sources.responses()?.available === false ? 0 : 1),
    );
    // A window's sample exists only once the CLI has reported it (an API-key login never does).
    const usageGauge = (
      name: string,
      help: string,
      read: (w: NonNullable<ReturnType<typeof windowOf>>) => number | null,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['window'],
        registers,
        collect() {
          this.reset();
          for (const window of WINDOWS) {
            const w = windowOf(window);
            const value = w ? read(w) : null;
            if (value !== null) this.set({ window }, value);
          }
        },
      });
    const windowOf = (window: (typeof WINDOWS)[number]) => sources.usage.snapshot().windows[window];
    usageGauge(
      'cli2api_usage_window_utilization',
      'The latest reported utilization (0–1) of a Claude subscription usage window (five_hour, seven_day).',
      (w) => w.utilization,
    );
    usageGauge(
      'cli2api_usage_window_resets_at_seconds',
      'When that usage window resets (Unix time).',
      (w) => w.resetsAt,
    );
    gauge(
      'cli2api_usage_window_full',
      '1 while a usage window is known to be full (requests get 429 before any CLI starts), else 0.',
      () => (sources.usage.full(Date.now()) ? 1 : 0),
    );
  }

  observe(o: RequestObservation): void {
    const member = o.member ?? NO_MEMBER;
    this.requests.inc({ route: o.route, method: o.method, status: String(o.status), member });
    this.duration.observe({ route: o.route }, o.seconds);
    if (o.firstTokenSeconds !== undefined) this.firstToken.observe({ route: o.route }, o.firstTokenSeconds);
    if (o.promptTokens) this.tokens.inc({ member, kind: 'prompt' }, o.promptTokens);
    if (o.completionTokens) this.tokens.inc({ member, kind: 'completion' }, o.completionTokens);
    if (o.costUsd) this.cost.inc({ member }, o.costUsd);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
