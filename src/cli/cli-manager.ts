/**
 * The CLI process manager: every model request becomes a CLI run through here. A run takes
 * a slot of the FIFO queue, gets a process that has been sent its turn (SessionPicker),
 * yields the answer's lines as they come (readAnswer), and then keeps the process — held for
 * its tool calls' results, or idle to continue the conversation — or makes sure it is gone
 * (on error, abort or a cut answer, always gone).
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
import { withDefaults } from './process/spawn-flags';
import { type CliStatus, Spawner } from './process/spawner';
import { rateLimitReport } from './rate-limit-report';
import { RunQueue } from './run-queue';
import { HeldSessions } from './sessions/held-sessions';
import type { Session } from './sessions/session';
import { type PickedSession, SessionPicker } from './sessions/session-picker';
import { SessionPool } from './sessions/session-pool';
import { effectiveTools, requireToolCall } from './tools/tool-choice';
import { ToolSet } from './tools/tool-set';

export type { CliStatus } from './process/spawner';

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
}

export class CliManager {
  readonly queue: RunQueue;
  /** Logged in, as far as known without spending usage (for readiness). */
  readonly login: LoginState;
  private readonly spawner: Spawner;
  private readonly pool: SessionPool;
  private readonly held = new HeldSessions();
  private readonly picker: SessionPicker;
  private closed = false;

  constructor(private readonly opts: CliManagerOptions) {
    this.queue = new RunQueue(() => opts.settings());
    this.spawner = new Spawner(opts);
    this.login = new LoginState(this.spawner);
    this.pool = new SessionPool(() => opts.settings());
    this.picker = new SessionPicker(opts.settings, opts.logger, this.spawner, this.pool, this.held);
  }

  get workDir(): string {
    return this.spawner.workDir;
  }

  get liveProcesses(): number {
    return this.spawner.liveCount;
  }

  get pooled(): { warm: number; idle: number; held: number } {
    return { warm: this.pool.freshCount, idle: this.pool.idleCount, held: this.held.count };
  }

  /** Tool calls waiting for their results. */
  get heldCalls(): number {
    return this.held.calls;
  }

  /** Starts `poolSize` processes for the default model, so the next requests skip the CLI start. */
  prewarm(): Promise<void> {
    return this.picker.prewarm();
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
   * tools). A failed run throws an ApiError; aborting `signal` kills the child and throws
   * the signal's reason. A process whose tool calls await their results is kept, and a
   * follow-up request that brings them continues it. A 429 for a full usage window names
   * the window and its reset (the CLI reported both just before it failed).
   */
  async *run(request: ModelRequest, signal: AbortSignal): AsyncGenerator<CliLine, ResultLine> {
    if (this.closed) throw errors.stopping();
    // Defaults are resolved once: they are part of what a process was started with, and of the conversation.
    const req = withDefaults(request, this.opts.settings());
    lastUserTurn(req.turns, 'messages', 'message must be from the user or a tool');
    const freeSlot = await this.queue.acquire(signal);
    let picked: PickedSession | undefined;
    let kept = false;
    try {
      const tools = new ToolSet(effectiveTools(req));
      picked = await this.picker.pick(req, tools);
      const answer = new AnswerState(picked.session.tools, req.stop, req.jsonSchema !== undefined);
      const idleMs = this.opts.settings().idleTimeoutSeconds * 1000;
      const end = yield* this.reportingUsage(readAnswer(picked.session.child, answer, req.model, signal, idleMs));
      this.login.noteRun(true);
      kept = await this.keep(picked.session, req, answer, end, signal);
      return end.result;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'cli_not_authenticated') this.login.noteRun(false);
      if (err instanceof ApiError && err.status === 429) throw this.opts.usage.rejection(Date.now()) ?? err;
      throw err;
    } finally {
      freeSlot();
      if (picked && !kept) {
        picked.session.child.endInput();
        await picked.session.child.kill();
      }
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
   * goes idle, holding its conversation. A cut answer's process is still busy: not kept.
   */
  private async keep(
    session: Session,
    req: ModelRequest,
    answer: AnswerState,
    end: AnswerEnd,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (end.kind === 'cut') return false; // still answering (or about to retry): killed by the caller
    session.conversation = conversationFingerprint(req, [...req.turns, answer.assistant]);
    if (end.kind === 'tool_calls') {
      await session.bridge.waitForCalls(end.toolUseIds, signal);
      const ms = this.opts.settings().timeoutSeconds * 1000;
      this.held.hold(session, end.toolUseIds, ms, (expired) => {
        this.opts.logger.info(
          `tool call(s) ${end.toolUseIds.join(', ')} got no result within ${ms / 1000} s; stopping claude pid=${expired.child.pid}`,
        );
        void expired.child.kill();
      });
      return true;
    }
    requireToolCall(req, answer.assistant);
    this.pool.putIdle(session);
    return true;
  }

  /** Kills every child; resolves once all are gone. */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.login.cancel();
    this.picker.close();
    this.held.drain();
    this.pool.drain();
    await this.spawner.killAll();
  }

  /** Re-opens after a shutdown (the extension stops and starts the same manager). */
  reopen(): void {
    this.closed = false;
    this.picker.reopen();
  }
}
