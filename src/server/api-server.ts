/**
 * The one owner of CLI2API's lifecycle, used by the headless entry and the extension:
 * it holds the CLI process manager, the HTTP server, the Responses store and the metrics,
 * moves through an explicit state, and stops politely but surely (connections closed,
 * every CLI child killed, the store closed). `stop` ends requests in flight at once (VS
 * Code's Stop); `drain` (the headless SIGTERM) first lets them finish, up to a bound.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliManager, type PrewarmMode } from '../cli/cli-manager';
import type { Settings } from '../config/settings';
import type { Logger } from '../util/logger';
import { errors } from '../core/api-error';
import { UsageLimits } from '../core/usage-limits';
import { createApp } from './app';
import type { AppDeps } from './context';
import { ServerMetrics } from './metrics';
import { ServerStats } from './stats';
import { createResponseStore } from './store/create-store';
import type { ResponseStore } from './store/response-store';

export type ServerState =
  | { kind: 'stopped' }
  | { kind: 'starting' }
  | { kind: 'running'; host: string; port: number; url: string }
  | { kind: 'stopping' }
  | { kind: 'failed'; message: string; code?: string };

export interface ApiServerOptions {
  settings: () => Settings;
  logger: Logger;
  baseEnv?: NodeJS.ProcessEnv;
  extraCliCandidates?: () => string[];
  /** When warm CLI processes start (read on every use; default `startup`): see CliManagerOptions.prewarm. */
  prewarm?: () => PrewarmMode;
  /** How remote images are fetched; by default from public addresses only. */
  remoteImages?: AppDeps['remoteImages'];
  /** Where this server runs, for /health (other windows show it); 'headless' by default. */
  runner?: () => { kind: 'vscode' | 'headless'; workspace?: string };
}

/** Listening failed: `code` is the socket error's (EADDRINUSE, EACCES, …). */
export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

export interface StartOptions {
  /** A port already in use is expected (another window may hold it): not logged as an error. */
  quietIfInUse?: boolean;
}

export class ApiServer {
  readonly cli: CliManager;
  readonly stats = new ServerStats();
  /** The subscription's usage windows as last reported (kept across restarts: they belong to the account). */
  readonly usage = new UsageLimits();
  readonly metrics: ServerMetrics;
  /** Random per server object: /health names it, so a window can tell its own server from another's. */
  readonly instance = randomUUID();
  private server: http.Server | undefined;
  private responses: ResponseStore | undefined;
  private current: ServerState = { kind: 'stopped' };
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private listeners = new Set<(state: ServerState) => void>();
  /** One per run of the server: aborted when it stops taking new requests (readiness fails at once). */
  private closing = new AbortController();
  /** One per run of the server: stopping aborts it, and every request in flight with it. */
  private shutdown = new AbortController();
  /** Ends a drain in progress early (a second signal, or stop()). */
  private cutDrain: (() => void) | undefined;

  constructor(private readonly opts: ApiServerOptions) {
    this.cli = new CliManager({
      settings: opts.settings,
      logger: opts.logger,
      baseEnv: opts.baseEnv,
      extraCandidates: opts.extraCliCandidates,
      usage: this.usage,
      prewarm: opts.prewarm,
    });
    this.metrics = new ServerMetrics({ cli: this.cli, usage: this.usage, responses: () => this.responses });
  }

  get state(): ServerState {
    return this.current;
  }

  onDidChangeState(listener: (state: ServerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Safe to call twice: a start in progress is shared. Resolves once listening; rejects with
   * a ListenError (and enters `failed`) otherwise.
   */
  start(opts: StartOptions = {}): Promise<void> {
    if (this.current.kind === 'running') return Promise.resolve();
    this.starting ??= this.doStart(opts).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(opts: StartOptions): Promise<void> {
    await this.stopping;
    const { host, port } = this.opts.settings();
    this.setState({ kind: 'starting' });
    this.cli.reopen();
    this.closing = new AbortController();
    this.shutdown = new AbortController();
    // Every request in flight listens to it: no listener limit.
    setMaxListeners(0, this.shutdown.signal);
    // Chosen at start: a change of store URL restarts the server (needsRestart).
    const responses = createResponseStore(this.opts.settings, this.opts.logger);
    this.responses = responses;
    const app = createApp({
      settings: this.opts.settings,
      cli: this.cli,
      logger: this.opts.logger,
      stats: this.stats,
      usage: this.usage,
      metrics: this.metrics,
      responses,
      closing: this.closing.signal,
      shutdown: this.shutdown.signal,
      remoteImages: this.opts.remoteImages,
      identity: { instance: this.instance, runner: this.opts.runner ?? (() => ({ kind: 'headless' })) },
    });
    const server = http.createServer(app.callback());
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 0; // long generations are bounded by CLI2API's own timeout
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const message =
        err.code === 'EADDRINUSE'
          ? `Port ${port} on ${host} is already in use. Stop the other program or choose another port.`
          : err.code === 'EACCES'
            ? `Not allowed to listen on ${host}:${port}.`
            : `Could not listen on ${host}:${port}: ${err.message}`;
      this.setState({ kind: 'failed', message, code: err.code });
      if (opts.quietIfInUse && err.code === 'EADDRINUSE') this.opts.logger.debug(message);
      else this.opts.logger.error(message);
      await responses.close();
      this.responses = undefined;
      throw new ListenError(message, err.code);
    }
    server.on('error', (e) => this.opts.logger.error(e));
    this.server = server;
    const actual = (server.address() as AddressInfo).port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
    this.setState({ kind: 'running', host, port: actual, url });
    this.opts.logger.info(`CLI2API listening on ${url} (OpenAI base URL ${url}/v1)`);
    if (!isLoopback(host)) {
      this.opts.logger.warn(
        `Listening on ${host}, which other machines may reach: anyone who can connect can use your Claude subscription.`,
      );
    }
    void this.cli.status().then((s) => {
      if (s.ok) this.opts.logger.info(`Claude Code CLI ${s.version} at ${s.path}`);
      else this.opts.logger.warn(`Claude Code CLI not ready: ${s.error}`);
      if (s.warning) this.opts.logger.warn(s.warning);
    });
    void this.cli.prewarm();
  }

  /** Closes the port and kills every CLI child at once; resolves within about `graceMs` plus the kill grace. */
  stop(graceMs = 1000): Promise<void> {
    this.cutDrain?.();
    this.stopping ??= this.doStop(0, graceMs).finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  /**
   * For rolling restarts (SIGTERM): stops taking new requests at once — readiness fails, the
   * port refuses connections, a new request on a kept-alive connection gets a 503 that
   * closes it — lets the requests in flight finish for up to `maxMs`, then stops as `stop`.
   */
  drain(maxMs: number, graceMs = 1000): Promise<void> {
    this.stopping ??= this.doStop(maxMs, graceMs).finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async doStop(drainMs: number, graceMs: number): Promise<void> {
    // Only a start in progress is waited for: otherwise "stopping" (and readiness failing) is immediate.
    if (this.starting) await this.starting.catch(() => {});
    const server = this.server;
    this.server = undefined;
    if (!server) {
      await this.cli.shutdown();
      if (this.current.kind !== 'failed') this.setState({ kind: 'stopped' });
      return;
    }
    this.setState({ kind: 'stopping' });
    this.closing.abort();
    // No new connections; kept-alive idle ones are closed (Node closes idle connections on close()).
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (drainMs > 0) await this.waitForRequests(server, drainMs);
    // Requests still in flight end with a clear 503 before their CLI processes are killed.
    this.shutdown.abort(errors.stopping());
    await this.cli.shutdown();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
    await this.responses?.close();
    this.responses = undefined;
    this.setState({ kind: 'stopped' });
    this.opts.logger.info('CLI2API stopped');
  }

  /**
   * Call after the settings changed: CLI processes started under settings that no longer
   * match (agent mode, the CLI's environment, the CLI path…) are stopped, and warm ones
   * started anew. Settings that need a new listen (host, port) need `restart()` instead.
   */
  settingsChanged(): Promise<void> {
    return this.cli.settingsChanged();
  }

  /** Resolves when no /v1 request is in flight, after `maxMs`, or when the drain is cut short. */
  private async waitForRequests(server: http.Server, maxMs: number): Promise<void> {
    const running = () => this.stats.snapshot().inFlight;
    if (running() === 0) return;
    this.opts.logger.info(`Draining: ${running()} request(s) in flight may take up to ${maxMs / 1000} s to finish`);
    let timer: NodeJS.Timeout | undefined;
    let off: (() => void) | undefined;
    const outcome = await new Promise<'done' | 'bound' | 'cut'>((resolve) => {
      timer = setTimeout(() => resolve('bound'), maxMs);
      this.cutDrain = () => resolve('cut');
      off = this.stats.onDidChange(() => {
        // A connection whose answer ended is idle now: close it rather than wait for its keep-alive.
        server.closeIdleConnections();
        if (running() === 0) resolve('done');
      });
    });
    clearTimeout(timer);
    off?.();
    this.cutDrain = undefined;
    if (outcome === 'done') this.opts.logger.info('Drained: every request in flight has finished');
    else
      this.opts.logger.warn(
        `${outcome === 'bound' ? `Drain bound of ${maxMs / 1000} s reached` : 'Drain cut short'}: ${running()} request(s) still in flight are stopped`,
      );
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private setState(state: ServerState): void {
    this.current = state;
    for (const l of this.listeners) l(state);
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}
