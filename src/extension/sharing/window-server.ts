/**
 * One server for every window. Each VS Code window runs its own extension host, and they
 * all share the port in the (shared) user settings. Exactly one of them listens; the others
 * stand by, watch the port once a second and take over when it frees. The bind is the
 * arbiter: a window serves only once its own listen succeeded, so two windows can never
 * both serve. Stop in any window stops the one server and leaves a mark (stop-marker.ts)
 * that keeps the others from taking over until Start in any window.
 *
 * The watch is one timer owned here; every operation (tick, start, stop, restart, move)
 * runs on one chain, so they never interleave. No `vscode` here: tested with real servers.
 */
import { type ApiServer, ListenError, type ServerState } from '../../server/api-server';
import type { Logger } from '../../util/logger';
import { type Cli2apiHolder, type PortHolder, probeHost, probePort } from './port-holder';
import type { StopMarker } from './stop-marker';
import { watchStep } from './watch-step';

export type WindowView =
  | { kind: 'running'; host: string; port: number; url: string }
  | { kind: 'starting' }
  | { kind: 'stopping' }
  /** Another CLI2API (another window, or a headless server) serves the port. */
  | { kind: 'elsewhere'; port: number; url: string; holder: Cli2apiHolder }
  /** `never`: not started here (autoStart off); `here` / `elsewhere`: Stop chosen in this / another window. */
  | { kind: 'stopped'; reason: 'never' | 'here' | 'elsewhere' }
  /** Another program holds the port. */
  | { kind: 'conflict'; port: number; message: string }
  | { kind: 'failed'; message: string; code?: string };

type Share = { kind: 'serving' } | Exclude<WindowView, { kind: 'running' | 'starting' | 'stopping' }>;

export interface WindowServerOptions {
  server: ApiServer;
  /** The address to serve on (the settled settings). */
  address: () => { host: string; port: number };
  marker: StopMarker;
  logger: Logger;
  /** How often a window that does not serve looks at the port. */
  intervalMs?: number;
}

export class WindowServer {
  private share: Share = { kind: 'stopped', reason: 'never' };
  /** This window takes part: it serves or stands by (autoStart, or Start chosen). */
  private want = false;
  /** A listen error other than "in use" (EACCES, …): no retries until Start or a new address. */
  private blocked = false;
  private freeStreak = 0;
  private sawOther = false;
  private servingSince = 0;
  private lastHolder: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly listeners = new Set<(view: WindowView) => void>();
  private readonly offServer: () => void;

  constructor(private readonly opts: WindowServerOptions) {
    this.offServer = opts.server.onDidChangeState(() => this.fire());
  }

  get server(): ApiServer {
    return this.opts.server;
  }

  get view(): WindowView {
    if (this.share.kind !== 'serving') return this.share;
    return fromServer(this.opts.server.state);
  }

  onDidChange(listener: (view: WindowView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Start Server (`user`: also lifts a Stop chosen in any window) or autoStart (`auto`: respects it). */
  start(by: 'user' | 'auto'): Promise<WindowView> {
    return this.run(async () => {
      this.want = true;
      this.blocked = false;
      const { port } = this.opts.address();
      if (by === 'user' && port !== 0) this.opts.marker.clear(port);
      if (this.opts.server.state.kind === 'running') return;
      this.freeStreak = 0;
      this.sawOther = false;
      if (port === 0) await this.listen();
      else await this.observe();
    });
  }

  /**
   * Stop Server: this window's server stops at once; a server in another window stops on its
   * next tick. No window takes over until Start is chosen in one of them.
   */
  stop(): Promise<WindowView> {
    return this.run(async () => {
      const { port } = this.opts.address();
      const self = this.opts.server.instance;
      if (port !== 0) this.opts.marker.write(port, self);
      else this.want = false;
      if (this.share.kind === 'serving') {
        await this.opts.server.stop();
        this.share = { kind: 'stopped', reason: 'here' };
      } else if (this.share.kind !== 'elsewhere') this.share = { kind: 'stopped', reason: 'here' };
      // Standing by for another window's server: it stops on its own tick, and ours then shows it.
    });
  }

  /** Restart Server in the window that serves. Another window may take the port meanwhile: then this one stands by. */
  restart(): Promise<WindowView> {
    return this.run(async () => {
      if (this.share.kind !== 'serving') return;
      await this.opts.server.stop();
      await this.listen();
    });
  }

  /** The address changed (settled, and checked by the caller): serve there, or stand by for it. */
  moved(): Promise<WindowView> {
    return this.run(async () => {
      this.blocked = false;
      this.freeStreak = 0;
      this.sawOther = false;
      const state = this.opts.server.state;
      const { host, port } = this.opts.address();
      if (this.share.kind === 'serving' && state.kind === 'running' && state.host === host && state.port === port)
        return;
      if (this.share.kind === 'serving') await this.opts.server.stop();
      if (this.share.kind === 'serving' || this.share.kind === 'failed' || this.share.kind === 'conflict')
        this.share = { kind: 'stopped', reason: 'never' };
      if (!this.want) return;
      if (port === 0) await this.listen();
      else await this.observe();
    });
  }

  /** The window closes: its server stops without a mark, so another window takes over. */
  async release(): Promise<void> {
    this.want = false;
    this.disposed = true;
    clearTimeout(this.timer);
    await this.run(() => this.opts.server.stop());
    this.offServer();
  }

  /** Runs `fn` after everything queued before it, then re-arms the watch. */
  private run(fn: () => Promise<unknown>): Promise<WindowView> {
    const next = this.chain.then(fn).then(
      () => this.view,
      (e: unknown) => {
        this.opts.logger.error(e instanceof Error ? e : String(e));
        return this.view;
      },
    );
    this.chain = next;
    return next.finally(() => {
      this.fire();
      this.arm();
    });
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed || !this.want || this.opts.address().port === 0) return;
    this.timer = setTimeout(() => void this.run(() => this.observe()), this.opts.intervalMs ?? 1000);
  }

  /** One look at the port, and what follows from it. */
  private async observe(): Promise<void> {
    if (!this.want) return;
    const { host, port } = this.opts.address();
    const state = this.opts.server.state;
    const serving = this.share.kind === 'serving' && state.kind === 'running';
    const mark = this.opts.marker.read(port);
    const holder: PortHolder | undefined = serving ? undefined : await probePort(host, port);
    this.freeStreak = holder?.kind === 'free' ? this.freeStreak + 1 : 0;
    const step = watchStep({
      serving,
      servingSince: this.servingSince,
      mark,
      holder,
      freeStreak: this.freeStreak,
      sawOther: this.sawOther,
      self: this.opts.server.instance,
    });
    switch (step.do) {
      case 'stop-serving':
        this.opts.logger.info('Stop Server was chosen in another window: stopping the server here too.');
        await this.opts.server.stop();
        this.share = { kind: 'stopped', reason: 'elsewhere' };
        return;
      case 'serve':
        if (this.sawOther) this.opts.logger.info(`Port ${port} is free again: this window takes over.`);
        await this.listen();
        return;
      case 'show-stopped':
        this.opts.marker.touch(port);
        if (this.share.kind !== 'stopped' || this.share.reason === 'never')
          this.share = { kind: 'stopped', reason: step.mark.by === this.opts.server.instance ? 'here' : 'elsewhere' };
        return;
      case 'show-elsewhere':
        this.standBy(host, port, holder as Cli2apiHolder);
        return;
      case 'show-conflict':
        this.conflict(port, step.detail);
        return;
      case 'keep':
        return;
    }
  }

  private async listen(): Promise<void> {
    if (this.blocked) return;
    const { host, port } = this.opts.address();
    try {
      await this.opts.server.start({ quietIfInUse: port !== 0 });
      this.servingSince = Date.now();
      this.share = { kind: 'serving' };
      this.sawOther = false;
      this.freeStreak = 0;
      this.lastHolder = undefined;
    } catch (e) {
      const code = e instanceof ListenError ? e.code : undefined;
      const message = e instanceof Error ? e.message : String(e);
      if (code !== 'EADDRINUSE') {
        this.blocked = true;
        this.share = { kind: 'failed', message, code };
        return;
      }
      // Lost the race for the port, or it was never free: who has it?
      const holder = await probePort(host, port);
      if (holder.kind === 'cli2api') this.standBy(host, port, holder);
      else if (holder.kind === 'foreign') this.conflict(port, holder.detail);
      // free or unknown: the next tick looks again
    }
  }

  private standBy(host: string, port: number, holder: Cli2apiHolder): void {
    this.sawOther = true;
    const h = probeHost(host);
    this.share = { kind: 'elsewhere', port, url: `http://${h.includes(':') ? `[${h}]` : h}:${port}`, holder };
    if (this.lastHolder === holder.instance) return;
    this.lastHolder = holder.instance;
    this.opts.logger.info(`${describeHolder(holder, port)}; this window stands by and takes over if it stops.`);
  }

  private conflict(port: number, detail: string): void {
    const message = `Port ${port} is already in use by another program (${detail}). Stop that program, or choose another port.`;
    if (this.share.kind !== 'conflict' || this.share.message !== message) this.opts.logger.warn(message);
    this.share = { kind: 'conflict', port, message };
  }

  private fire(): void {
    const view = this.view;
    for (const l of this.listeners) l(view);
  }
}

function fromServer(state: ServerState): WindowView {
  switch (state.kind) {
    case 'running':
      return { kind: 'running', host: state.host, port: state.port, url: state.url };
    case 'failed':
      return { kind: 'failed', message: state.message, code: state.code };
    case 'stopped':
      return { kind: 'stopped', reason: 'here' };
    default:
      return { kind: state.kind };
  }
}

/** "CLI2API 0.1.0 serves :8000 from another VS Code window (workspace api, pid 4242)". */
export function describeHolder(holder: Cli2apiHolder, port: number): string {
  const where =
    holder.runner.kind === 'vscode'
      ? 'another VS Code window'
      : holder.runner.kind === 'headless'
        ? 'a headless CLI2API server (npx cli2api)'
        : 'another CLI2API';
  const details = [
    holder.runner.workspace ? `workspace ${holder.runner.workspace}` : undefined,
    holder.runner.pid ? `pid ${holder.runner.pid}` : undefined,
  ].filter(Boolean);
  return `CLI2API ${holder.version} serves :${port} from ${where}${details.length ? ` (${details.join(', ')})` : ''}`;
}
