/**
 * The CLI process manager: every model request becomes a CLI run through here. A run takes
 * a slot of the FIFO queue, gets a process that has been sent its turn (SessionPicker),
 * yields the answer's lines as they come (readAnswer), and then keeps the process — held for
 * its tool calls' results, or idle to continue the conversation or take a new one — or makes
 * sure it is gone (on error, abort or a cut answer, always gone).
 *
 * Processes at any instant are at most `processBound()`: a run's slot is free only once every
 * process the run leaves behind has exited, and the pool and the held processes each count a
 * process they stopped until it has exited.
 */
import type { Settings } from '../config/settings';
import { ApiError, errors } from '../core/api-error';
import { lastUserTurn } from '../core/conversation';
import type { ModelRequest } from '../core/model-request';
import type { UsageLimits } from '../core/usage-limits';
import { noticeText } from '../core/usage-text';
import type { Logger } from '../util/logger';
import { type AnswerEnd, AnswerState } from './answer/answer-state';
import { readAnswer } from './answer/read-answer';
import type { CliLine, RateLimitLine, ResultLine } from './events';
import { conversationFingerprint } from './history/fingerprint';
import { LoginState } from './process/login-state';
import { spawnFlags, withDefaults } from './process/spawn-flags';
import { type CliStatus, type SpawnKind, Spawner } from './process/spawner';
import { rateLimitReport } from './rate-limit-report';
import { RunQueue } from './run-queue';
import { HeldSessions } from './sessions/held-sessions';
import { newSession, type Session } from './sessions/session';
import { type PickedSession, SessionPicker } from './sessions/session-picker';
import { maxWarm, type PrewarmMode, SessionPool } from './sessions/session-pool';
import { effectiveTools, requireToolCall } from './tools/tool-choice';
import { ToolBridge } from './tools/tool-bridge';
import { ToolSet } from './tools/tool-set';

export type { CliStatus } from './process/spawner';
export type { PrewarmMode } from './sessions/session-pool';

export interface CliManagerOptions {
  settings: () => Settings;
  logger: Logger;
  /** The environment the CLI inherits (the server's own, by default). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Extra places to look for `claude` (the extension passes the Claude Code extension's folder). */
  extraCandidates?: () => string[];
  /** Where the subscription's usage windows are kept: every rate_limit_event the CLI prints goes there. */
  usage: UsageLimits;
  /** Run a CLI version known not to work anyway (the doctor). */
  allowUnsupported?: boolean;
  /**
   * When warm processes start (read on every use): `startup` (the default) when the server
   * starts, `first-request` once a first request came, `off` never.
   */
  prewarm?: () => PrewarmMode;
}

export interface RunOptions {
  /** Who asks (the API key's hash when keys are set): a process serves only the tenant it began with. */
  tenant?: string;
}

/** The most CLI processes alive at once under `s`: runs, warm, idle and held processes, those still exiting included. */
export function processBound(
  s: Pick<Settings, 'maxConcurrent' | 'poolSize' | 'poolMaxWarm' | 'poolMaxIdle' | 'poolMaxHeld'>,
): number {
  return s.maxConcurrent + maxWarm(s) + s.poolMaxIdle + s.poolMaxHeld;
}

export class CliManager {
  readonly queue: RunQueue;
  /** Logged in, as far as known without spending usage (for readiness). */
  readonly login: LoginState;
  private readonly spawner: Spawner;
  private readonly pool: SessionPool;
  private readonly held: HeldSessions;
  private readonly picker: SessionPicker;
  private closed = false;

  constructor(private readonly opts: CliManagerOptions) {
    this.queue = new RunQueue(() => opts.settings());
    this.spawner = new Spawner(opts);
    this.login = new LoginState(this.spawner);
    this.pool = new SessionPool({
      limits: () => ({ ...opts.settings(), prewarm: this.prewarmMode() }),
      spawn: (kind) => this.spawnWarm(kind),
      logger: opts.logger,
    });
    this.held = new HeldSessions({ maxHeld: () => opts.settings().poolMaxHeld, logger: opts.logger });
    this.picker = new SessionPicker(opts.settings, opts.logger, this.spawner, this.pool, this.held);
  }

  get workDir(): string {
    return this.spawner.workDir;
  }

  /** Every CLI process started and not yet exited. */
  get liveProcesses(): number {
    return this.spawner.liveCount;
  }

  /** The most CLI processes alive at once under the current settings. */
  get processBound(): number {
    return processBound(this.opts.settings());
  }

  get pooled(): { warm: number; idle: number; held: number } {
    return { warm: this.pool.warmCount, idle: this.pool.idleCount, held: this.held.count };
  }

  /** Warm processes that have finished starting (a new conversation on one skips the whole CLI start). */
  get warmReady(): number {
    return this.pool.readyCount;
  }

  /** Tool calls waiting for their results. */
  get heldCalls(): number {
    return this.held.calls;
  }

  /** At the server's start: with prewarm `startup`, starts the default model's warm processes. */
  async prewarm(): Promise<void> {
    const s = this.opts.settings();
    if (this.closed || this.prewarmMode() !== 'startup' || s.poolSize === 0) return;
    let kind: SpawnKind;
    try {
      kind = await this.picker.kindFor(
        withDefaults<Pick<ModelRequest, 'model' | 'effort'>>({ model: s.defaultModel }, s),
      );
    } catch {
      return; // reported by /health and the status bar
    }
    if (!this.closed) this.pool.seed(kind);
  }

  /**
   * After the settings changed: stops every idle, warm and held process whose start settings
   * (binary, flags, environment, working folder, agent tools) no longer match them, and keeps
   * warm the same kinds under the new settings. A process busy with a run is not kept after it.
   */
  async settingsChanged(): Promise<void> {
    const s = this.opts.settings();
    const binary = await this.spawner.binary().catch(() => undefined);
    const current = (kind: SpawnKind) => (binary ? this.spawner.kind(binary, spawnFlags(kind.flags, s)) : undefined);
    const isCurrent = (session: Session) => current(session.kind)?.key === session.kind.key;
    this.held.reconcile(isCurrent);
    this.pool.reconcile(isCurrent, current);
  }

  /** For /health and the status bar: cached, never a spawn per call once found. */
  status(): Promise<CliStatus> {
    return this.spawner.status();
  }

  /** Resolves once every CLI process started so far has exited. */
  whenNoProcesses(): Promise<void> {
    return this.spawner.whenNoProcesses();
  }

  /**
   * Runs one model turn and yields the CLI's lines up to and including the `result` (a
   * synthetic one with `stop_reason: "tool_use"` when the model called the client's
   * tools), whose usage and cost are this request's own. A failed run throws an ApiError;
   * aborting `signal` kills the child and throws the signal's reason. A process whose tool
   * calls await their results is kept, and a follow-up request that brings them continues it.
   * A 429 for a full usage window names the window and its reset (the CLI reported both just
   * before it failed).
   */
  async *run(request: ModelRequest, signal: AbortSignal, opts: RunOptions = {}): AsyncGenerator<CliLine, ResultLine> {
    if (this.closed) throw errors.stopping();
    // Defaults are resolved once: they are part of what a process was started with, and of the conversation.
    const req = withDefaults(request, this.opts.settings());
    lastUserTurn(req.turns, 'messages', 'message must be from the user or a tool');
    const freeSlot = await this.queue.acquire(signal);
    let picked: PickedSession | undefined;
    let answer: AnswerState | undefined;
    // Processes this run leaves behind: its slot is free only once all have exited.
    const leaving: Promise<void>[] = [];
    let handedOver = false;
    let ended = false;
    try {
      const tools = new ToolSet(effectiveTools(req));
      picked = await this.picker.pick(req, tools, opts.tenant ?? '');
      const session = picked.session;
      answer = new AnswerState(session.tools, req.stop, req.jsonSchema !== undefined, session.costSoFar);
      const idleMs = this.opts.settings().idleTimeoutSeconds * 1000;
      const end = yield* this.reportingUsage(readAnswer(session.child, answer, req.model, signal, idleMs));
      this.login.noteRun(true);
      ended = end.kind !== 'cut';
      session.costSoFar = answer.costTotal ?? session.costSoFar;
      const kept = await this.keep(session, req, answer, end, signal);
      if (kept) {
        handedOver = true;
        leaving.push(kept.stopped);
      }
      return end.result;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'cli_not_authenticated') this.login.noteRun(false);
      if (err instanceof ApiError && err.status === 429) throw this.opts.usage.rejection(Date.now()) ?? err;
      throw err;
    } finally {
      if (picked && !handedOver) {
        // Its work done (the CLI ended its turn, or waits for tool results nobody will bring): no grace needed.
        const done = ended || answer?.resultSeen === true;
        leaving.push(done ? picked.session.child.finish() : picked.session.child.kill());
      }
      void Promise.all(leaving).then(freeSlot);
      await picked?.transcript?.remove();
    }
  }

  /** Passes the lines on, reporting each rate_limit_event to the usage tracker (and new warnings to the log). */
  private async *reportingUsage<R>(lines: AsyncGenerator<CliLine, R>): AsyncGenerator<CliLine, R> {
    try {
      for (;;) {
        const next = await lines.next();
        if (next.done) return next.value;
        if (next.value.type === 'rate_limit_event') this.noteUsage(next.value);
        yield next.value;
      }
    } finally {
      await lines.return(undefined as never);
    }
  }

  private noteUsage(line: RateLimitLine): void {
    const now = Date.now();
    for (const notice of this.opts.usage.report(rateLimitReport(line.rate_limit_info), now))
      this.opts.logger.warn(noticeText(notice, now));
  }

  /**
   * After an answer: a process whose tool calls wait for results is held; one that answered
   * goes idle, holding its conversation. A cut answer's process is still busy, and one started
   * under settings that have changed since is stale: neither is kept. For a process handed
   * over, `stopped` resolves once what its keeper stopped to make room has exited (the run's
   * slot covers it until then).
   */
  private async keep(
    session: Session,
    req: ModelRequest,
    answer: AnswerState,
    end: AnswerEnd,
    signal: AbortSignal,
  ): Promise<{ stopped: Promise<void> } | undefined> {
    if (end.kind === 'cut') return undefined; // still answering (or about to retry): killed by the caller
    if ((await this.picker.kindFor(req).catch(() => undefined))?.key !== session.kind.key) return undefined;
    session.conversation = conversationFingerprint(req, [...req.turns, answer.assistant]);
    if (end.kind === 'tool_calls') {
      await session.bridge.waitForCalls(end.toolUseIds, signal);
      return { stopped: this.held.hold(session, end.toolUseIds, this.opts.settings().timeoutSeconds * 1000) };
    }
    requireToolCall(req, answer.assistant);
    return { stopped: this.pool.putIdle(session) };
  }

  /** Kills every child; resolves once all are gone. */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.login.cancel();
    this.held.drain();
    this.pool.drain();
    await this.spawner.killAll();
  }

  /** Re-opens after a shutdown (the extension stops and starts the same manager). */
  reopen(): void {
    this.closed = false;
    this.pool.reopen();
  }

  private prewarmMode(): PrewarmMode {
    return this.opts.prewarm?.() ?? 'startup';
  }

  private spawnWarm(kind: SpawnKind): Session {
    const child = this.spawner.spawn(kind);
    return newSession(child, new ToolBridge(child), kind, new ToolSet({}));
  }
}
