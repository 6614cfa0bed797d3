/**
 * The one owner of CLI2API's lifecycle, used by the headless entry and the extension:
 * it holds the CLI process manager and the HTTP server, moves through an explicit state,
 * and stops politely but surely (connections closed, every CLI child killed).
 */
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliManager, type PrewarmMode } from '../cli/cli-manager';
import type { Settings } from '../config/settings';
import type { Logger } from '../util/logger';
import { errors } from '../core/api-error';
import { UsageLimits } from '../core/usage-limits';
import { createApp } from './app';
import { ServerStats } from './stats';

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
}

export class ApiServer {
  readonly cli: CliManager;
  readonly stats = new ServerStats();
  /** The subscription's usage windows as last reported (kept across restarts: they belong to the account). */
  readonly usage = new UsageLimits();
  private server: http.Server | undefined;
  private current: ServerState = { kind: 'stopped' };
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private listeners = new Set<(state: ServerState) => void>();
  /** One per run of the server: stopping aborts it, and every request in flight with it. */
  private shutdown = new AbortController();

  constructor(private readonly opts: ApiServerOptions) {
    this.cli = new CliManager({
      settings: opts.settings,
      logger: opts.logger,
      baseEnv: opts.baseEnv,
      extraCandidates: opts.extraCliCandidates,
      usage: this.usage,
      prewarm: opts.prewarm,
    });
  }

  get state(): ServerState {
    return this.current;
  }

  onDidChangeState(listener: (state: ServerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Safe to call twice: a start in progress is shared. Resolves once listening; rejects (and enters `failed`) otherwise. */
  start(): Promise<void> {
    if (this.current.kind === 'running') return Promise.resolve();
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    await this.stopping;
    const { host, port } = this.opts.settings();
    this.setState({ kind: 'starting' });
    this.cli.reopen();
    this.shutdown = new AbortController();
    // Every request in flight listens to it: no listener limit.
    setMaxListeners(0, this.shutdown.signal);
    const app = createApp({
      settings: this.opts.settings,
      cli: this.cli,
      logger: this.opts.logger,
      stats: this.stats,
      usage: this.usage,
      shutdown: this.shutdown.signal,
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
      this.opts.logger.error(message);
      throw new Error(message);
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

  /** Closes the port and kills every CLI child; resolves within about `graceMs` plus the kill grace. */
  stop(graceMs = 1000): Promise<void> {
    this.stopping ??= this.doStop(graceMs).finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async doStop(graceMs: number): Promise<void> {
    await this.starting?.catch(() => {});
    const server = this.server;
    this.server = undefined;
    if (!server) {
      await this.cli.shutdown();
      if (this.current.kind !== 'failed') this.setState({ kind: 'stopped' });
      return;
    }
    this.setState({ kind: 'stopping' });
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Requests in flight end with a clear 503 before their CLI processes are killed.
    this.shutdown.abort(errors.stopping());
    await this.cli.shutdown();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
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
