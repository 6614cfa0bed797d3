/**
 * The CLI process manager: every model request becomes a CLI run through here. It finds
 * the binary, limits concurrency, picks the process that serves the request — one whose
 * tool calls the request answers, one that holds exactly the conversation it continues,
 * an idle one with the same system prompt and tools (cleared), a prewarmed one, or a cold
 * start with the history as a transcript — feeds it over stdin, yields its output lines,
 * and afterwards pools it or makes sure it is gone (on error or abort, always gone).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../config/settings';
import { ApiError, errors } from '../openai/errors';
import type { Logger } from '../util/logger';
import { buildArgs, buildEnv } from './args';
import { ClaudeProcess } from './claude-process';
import { cliNotFound } from './cli-errors';
import type { CliLine, ResultLine } from './events';
import { canonicalJson, conversationFingerprint } from './fingerprint';
import { lastTurnToolResults, readSegment, SegmentState } from './segment';
import { ToolBridge } from './tool-bridge';
import { MCP_SERVER, ToolSet, toolResultText } from './tools';
import { type ClaudeBinary, CliNotFoundError, locateClaude } from './locate';
import { RunQueue } from './run-queue';
import { claudeConfigDir, type WrittenTranscript, writeTranscript } from './transcript';
import type { ModelRequest } from './types';

import { type Session, SessionPool } from './session-pool';

export interface CliManagerOptions {
  settings: () => Settings;
  logger: Logger;
  /** The environment the CLI inherits (the server's own, by default). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Extra places to look for `claude` (the extension passes the Claude Code extension's folder). */
  extraCandidates?: () => string[];
}

export interface CliStatus {
  ok: boolean;
  path?: string;
  version?: string;
  error?: string;
}

export class CliManager {
  readonly queue: RunQueue;
  readonly workDir: string;
  private readonly live = new Set<ClaudeProcess>();
  private readonly held = new Map<string, Session>();
  private readonly pool: SessionPool;
  private located: { key: string; promise: Promise<ClaudeBinary> } | undefined;
  private closed = false;

  constructor(private readonly opts: CliManagerOptions) {
    this.queue = new RunQueue(() => opts.settings());
    this.pool = new SessionPool(() => opts.settings());
    this.workDir = prepareWorkDir();
  }

  get liveProcesses(): number {
    return this.live.size;
  }

  get pooled(): { warm: number; idle: number; held: number } {
    return { warm: this.pool.freshCount, idle: this.pool.idleCount, held: new Set(this.held.values()).size };
  }

  /** Starts `poolSize` processes for the default model, so the next requests skip the CLI start. */
  async prewarm(): Promise<void> {
    const s = this.opts.settings();
    if (this.closed || s.poolSize === 0) return;
    let binary: ClaudeBinary;
    try {
      binary = await this.binary();
    } catch {
      return; // reported by /health and the status bar
    }
    const flags = spawnFlags(withDefaults<Pick<ModelRequest, 'model' | 'effort'>>({ model: s.defaultModel }, s), s);
    const env = this.env(flags);
    const spawnKey = this.spawnKey(binary, flags, env);
    while (!this.closed && this.pool.freshFor(spawnKey) < s.poolSize) {
      const child = this.spawn(binary, buildArgs(flags), env);
      this.pool.addFresh({ child, bridge: new ToolBridge(child), tools: new ToolSet({}), spawnKey });
    }
  }

  /** The CLI binary for the current settings; looked up once and cached until they change. */
  binary(): Promise<ClaudeBinary> {
    const s = this.opts.settings();
    const key = `${s.claudePath}\0${s.cliEnv.PATH ?? ''}`;
    if (this.located?.key !== key) {
      const promise = locateClaude({
        explicitPath: s.claudePath || undefined,
        env: this.env(),
        extraCandidates: this.opts.extraCandidates?.(),
      });
      promise.catch(() => {
        if (this.located?.promise === promise) this.located = undefined; // retry on the next call
      });
      this.located = { key, promise };
    }
    return this.located.promise;
  }

  /** For /health and the status bar: cached, never a spawn per call once found. */
  async status(): Promise<CliStatus> {
    try {
      const b = await this.binary();
      return { ok: true, path: b.path, version: b.version };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * Runs one model turn and yields the CLI's lines up to and including the `result` (a
   * synthetic one with `stop_reason: "tool_use"` when the model called the client's
   * tools). A failed run throws an ApiError; aborting `signal` kills the child and throws
   * the signal's reason. A process whose tool calls await their results is kept, and a
   * follow-up request that brings them continues it.
   */
  async *run(request: ModelRequest, signal: AbortSignal): AsyncGenerator<CliLine, ResultLine> {
    if (this.closed) throw errors.overloaded('CLI2API is shutting down');
    // Defaults are resolved once: they are part of what a process was started with, and of the conversation.
    const req = withDefaults(request, this.opts.settings());
    const last = req.turns[req.turns.length - 1];
    if (!last || last.role !== 'user')
      throw errors.invalidRequest('The conversation must end with a user or tool message.', 'messages');
    const release = await this.queue.acquire(signal);
    let session: Session | undefined;
    let transcript: WrittenTranscript | undefined;
    let keep = false;
    try {
      const tools = new ToolSet(effectiveTools(req));
      const systemPrompt = [req.system, tools.systemAddendum].filter(Boolean).join('\n\n');
      const endsWithToolResults = lastTurnToolResults(last).length > 0;
      session = endsWithToolResults ? this.continueHeld(req) : this.continueConversation(req);
      if (!session) {
        const binary = await this.binary().catch((e: unknown) => {
          throw cliNotFound(e instanceof CliNotFoundError ? e.message : String(e));
        });
        const flags = spawnFlags(req, this.opts.settings());
        const env = this.env(flags);
        const spawnKey = this.spawnKey(binary, flags, env);
        if (req.turns.length === 1) session = this.takeWarm(spawnKey);
        if (session) this.initialize(session, systemPrompt, tools);
        else {
          // Cold: a turn that answers tool calls goes into the transcript whole; otherwise the new user turn goes over stdin.
          const history = tools.turnsIn(endsWithToolResults ? req.turns : req.turns.slice(0, -1));
          if (history.length > 0)
            transcript = await writeTranscript(claudeConfigDir(env), this.cwd(), history, endsWithToolResults);
          const child = this.spawn(binary, buildArgs({ ...flags, resumeSessionId: transcript?.sessionId }), env);
          session = { child, bridge: new ToolBridge(child), tools, spawnKey };
          this.initialize(session, systemPrompt, tools);
        }
        sendUserTurn(session.child, endsWithToolResults && transcript ? [] : last.content);
      }
      const state = new SegmentState(session.tools, req.stop, req.jsonSchema !== undefined);
      const end = yield* readSegment(
        session.child,
        state,
        req.model,
        signal,
        this.opts.settings().idleTimeoutSeconds * 1000,
      );
      if (end.kind === 'cut') return end.result; // still answering (or about to retry): killed below
      const conversation = conversationFingerprint(req, [...req.turns, state.assistant]);
      if (end.kind === 'tool_calls') {
        await session.bridge.waitForCalls(end.toolUseIds, signal);
        this.hold(session, conversation, end.toolUseIds);
        keep = true;
        return end.result;
      }
      requireToolCall(req, state);
      session.fingerprint = conversation;
      this.pool.putIdle(session);
      keep = true;
      return end.result;
    } finally {
      release();
      if (session && !keep) {
        session.child.endInput();
        await session.child.kill();
      }
      await transcript?.remove();
    }
  }

  /** Sends the system prompt and tools: possible once, before a process's first turn. */
  private initialize(session: Session, systemPrompt: string, tools: ToolSet): void {
    session.tools = tools;
    session.bridge.setTools(tools.mcpTools);
    session.child.send({
      type: 'control_request',
      request_id: 'init',
      request: {
        subtype: 'initialize',
        systemPrompt: [systemPrompt],
        ...(tools.offered ? { sdkMcpServers: [MCP_SERVER] } : {}),
      },
    });
  }

  /** The idle process that holds exactly the conversation this request continues (its last answer included). */
  private continueConversation(req: ModelRequest): Session | undefined {
    if (req.turns.length < 2) return undefined;
    const session = this.pool.takeConversation(conversationFingerprint(req, req.turns.slice(0, -1)));
    if (!session) return undefined;
    this.opts.logger.debug(`continuing the conversation held by claude pid=${session.child.pid}`);
    sendUserTurn(session.child, req.turns[req.turns.length - 1]!.content);
    return session;
  }

  /**
   * For a new conversation: a prewarmed process (its start is already done), replaced in the
   * background. A used process is never given a new conversation: the CLI has no clean reset
   * (`/clear` leaves its command transcript in the next user turn).
   */
  private takeWarm(spawnKey: string): Session | undefined {
    const warm = this.pool.takeFresh(spawnKey);
    if (warm) {
      this.opts.logger.debug(`using prewarmed claude pid=${warm.child.pid}`);
      void this.prewarm();
    }
    return warm;
  }

  /** The live process whose pending tool calls the request's last turn answers, with the answers sent. */
  private continueHeld(req: ModelRequest): Session | undefined {
    const results = lastTurnToolResults(req.turns[req.turns.length - 1]);
    const first = results[0];
    const session = first ? this.held.get(first.tool_use_id) : undefined;
    const heldIds = session?.heldIds;
    if (!session || !heldIds) return undefined;
    this.release(session);
    const last = req.turns[req.turns.length - 1]!;
    const answersAll =
      heldIds.every((id) => results.some((r) => r.tool_use_id === id)) && results.length === heldIds.length;
    const onlyResults = last.content.every((b) => b.type === 'tool_result');
    const samePrefix = session.fingerprint === conversationFingerprint(req, req.turns.slice(0, -1));
    if (!answersAll || !onlyResults || !samePrefix || !session.child.alive) {
      // The client went another way: the held process can never be continued.
      void session.child.kill();
      return undefined;
    }
    for (const r of results) session.bridge.answer(r.tool_use_id, toolResultText(r.content), r.is_error === true);
    this.opts.logger.debug(`continued claude pid=${session.child.pid} with ${results.length} tool result(s)`);
    return session;
  }

  /** Keeps a process whose tool calls wait for results; it is killed if none come within the request timeout. */
  private hold(session: Session, fingerprint: string, ids: string[]): void {
    session.fingerprint = fingerprint;
    session.heldIds = ids;
    for (const id of ids) this.held.set(id, session);
    const ms = this.opts.settings().timeoutSeconds * 1000;
    session.timer = setTimeout(() => {
      this.opts.logger.info(
        `tool call(s) ${ids.join(', ')} got no result within ${ms / 1000} s; stopping claude pid=${session.child.pid}`,
      );
      this.release(session);
      void session.child.kill();
    }, ms);
    session.timer.unref();
  }

  private release(session: Session): void {
    for (const id of session.heldIds ?? []) this.held.delete(id);
    session.heldIds = undefined;
    clearTimeout(session.timer);
  }

  get heldCalls(): number {
    return this.held.size;
  }

  private spawn(binary: ClaudeBinary, args: string[], env: NodeJS.ProcessEnv): ClaudeProcess {
    const child = new ClaudeProcess({ binary: binary.path, args, cwd: this.cwd(), env }, this.opts.logger);
    this.live.add(child);
    void child.exited.then(() => this.live.delete(child));
    this.opts.logger.debug(`spawned claude pid=${child.pid} ${args.join(' ')}`);
    return child;
  }

  private spawnKey(binary: ClaudeBinary, flags: SpawnFlags, env: NodeJS.ProcessEnv): string {
    return hash({ binary: binary.path, ...flags, env, cwd: this.cwd() });
  }

  /** The private empty directory, or the agent-mode working directory the user chose. */
  private cwd(): string {
    const s = this.opts.settings();
    return s.agentTools.length > 0 && s.agentCwd ? s.agentCwd : this.workDir;
  }

  private env(flags: SpawnFlags = {}): NodeJS.ProcessEnv {
    return buildEnv(this.opts.baseEnv ?? process.env, this.opts.settings().cliEnv, flags.maxOutputTokens);
  }

  /** Kills every child; resolves once all are gone. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const session of new Set(this.held.values())) this.release(session);
    this.pool.drain();
    await Promise.all([...this.live].map((c) => c.kill()));
  }

  /** Re-opens after a shutdown (the extension stops and starts the same manager). */
  reopen(): void {
    this.closed = false;
  }
}

/** A dedicated empty working directory: no CLAUDE.md, no project settings, nothing for the model to see. */
function prepareWorkDir(): string {
  const user = (() => {
    try {
      return os.userInfo().username.replace(/[^a-zA-Z0-9_-]/g, '');
    } catch {
      return 'user';
    }
  })();
  const dir = path.join(os.tmpdir(), `cli2api-${user}`, 'empty-cwd');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function hash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * What a request fixes when its process starts (command line and environment): a process
 * serves only requests with the same flags. The conversation fingerprint covers the same
 * fields, so an idle or held process is continued only by a request with its flags.
 */
type SpawnFlags = Partial<Pick<ModelRequest, 'model' | 'effort' | 'maxOutputTokens' | 'jsonSchema'>> & {
  agentTools?: string[];
};

function spawnFlags(
  req: Pick<ModelRequest, 'model' | 'effort' | 'maxOutputTokens' | 'jsonSchema'>,
  s: Settings,
): Required<Pick<SpawnFlags, 'model'>> & SpawnFlags {
  return {
    model: req.model,
    effort: req.effort,
    maxOutputTokens: req.maxOutputTokens,
    jsonSchema: req.jsonSchema,
    agentTools: s.agentTools,
  };
}

/** The request with the settings' defaults filled in (the default effort). */
function withDefaults<R extends Pick<ModelRequest, 'effort'>>(req: R, s: Settings): R {
  return { ...req, effort: req.effort ?? (s.defaultEffort || undefined) };
}

function sendUserTurn(child: ClaudeProcess, content: unknown): void {
  child.send({ type: 'user', message: { role: 'user', content }, parent_tool_use_id: null, session_id: '' });
}

/** tool_choice "none" with no tool history: the model is offered no tools at all. */
function effectiveTools(req: ModelRequest): ModelRequest {
  const toolHistory = req.turns.some((t) => t.content.some((b) => b.type === 'tool_use' || b.type === 'tool_result'));
  return req.toolChoice === 'none' && !toolHistory ? { ...req, tools: [] } : req;
}

/** tool_choice "required" or a named function that the model did not honour: a clear error, not a silent text answer. */
function requireToolCall(req: ModelRequest, state: SegmentState): void {
  const choice = req.toolChoice;
  if (!req.tools?.length || !choice || choice === 'auto' || choice === 'none') return;
  const called = state.assistant.content.filter((b) => b.type === 'tool_use').map((b) => (b as { name: string }).name);
  const ok = typeof choice === 'object' ? called.includes(choice.name) : called.length > 0;
  if (!ok) {
    const wanted = typeof choice === 'object' ? `the function '${choice.name}'` : 'a tool';
    throw new ApiError(
      422,
      'invalid_request_error',
      `tool_choice required the model to call ${wanted}, but it answered without doing so.`,
      'tool_choice_not_satisfied',
      'tool_choice',
    );
  }
}
