/**
 * The CLI process manager: every model request becomes a CLI run through here. It finds
 * the binary, limits concurrency, starts the child in a dedicated empty working directory,
 * feeds it the conversation over stdin, yields its output lines, and makes sure the child
 * and any transcript file are gone when the run ends — normally, on error or on abort.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../config/settings';
import { ApiError, errors } from '../openai/errors';
import type { Logger } from '../util/logger';
import { buildArgs, buildEnv } from './args';
import { ClaudeProcess } from './claude-process';
import { cliNotFound, errorFromCrash, errorFromResult } from './cli-errors';
import type { CliLine, ResultLine } from './events';
import { type ClaudeBinary, CliNotFoundError, locateClaude } from './locate';
import { RunQueue } from './run-queue';
import { claudeConfigDir, type WrittenTranscript, writeTranscript } from './transcript';
import type { ModelRequest } from './types';

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
  private located: { key: string; promise: Promise<ClaudeBinary> } | undefined;
  private closed = false;

  constructor(private readonly opts: CliManagerOptions) {
    this.queue = new RunQueue(() => opts.settings());
    this.workDir = prepareWorkDir();
  }

  get liveProcesses(): number {
    return this.live.size;
  }

  /** The CLI binary for the current settings; looked up once and cached until they change. */
  binary(): Promise<ClaudeBinary> {
    const s = this.opts.settings();
    const key = `${s.claudePath}\0${s.cliEnv.PATH ?? ''}`;
    if (this.located?.key !== key) {
      const promise = locateClaude({ explicitPath: s.claudePath || undefined, env: this.env(), extraCandidates: this.opts.extraCandidates?.() });
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
   * Runs one model turn and yields the CLI's lines up to and including the successful
   * `result`. A failed run throws an ApiError; aborting `signal` kills the child and
   * throws the signal's reason.
   */
  async *run(req: ModelRequest, signal: AbortSignal): AsyncGenerator<CliLine, ResultLine> {
    if (this.closed) throw errors.overloaded('CLI2API is shutting down');
    const release = await this.queue.acquire(signal);
    let child: ClaudeProcess | undefined;
    let transcript: WrittenTranscript | undefined;
    try {
      const binary = await this.binary().catch((e: unknown) => {
        throw cliNotFound(e instanceof CliNotFoundError ? e.message : String(e));
      });
      const history = req.turns.slice(0, -1);
      const last = req.turns[req.turns.length - 1];
      if (!last || last.role !== 'user') throw errors.invalidRequest('The conversation must end with a user or tool message.', 'messages');
      const env = this.env();
      if (history.length > 0) transcript = await writeTranscript(claudeConfigDir(env), this.workDir, history);
      child = this.spawn(binary, buildArgs({ model: req.model, resumeSessionId: transcript?.sessionId }), env);
      child.send({ type: 'control_request', request_id: 'init', request: { subtype: 'initialize', systemPrompt: [req.system] } });
      child.send({ type: 'user', message: { role: 'user', content: last.content }, parent_tool_use_id: null, session_id: '' });
      return yield* this.readUntilResult(child, req.model, signal);
    } finally {
      release();
      if (child) {
        child.endInput();
        await child.kill();
      }
      await transcript?.remove();
    }
  }

  private async *readUntilResult(child: ClaudeProcess, model: string, signal: AbortSignal): AsyncGenerator<CliLine, ResultLine> {
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void child.exited.then(() => signal.removeEventListener('abort', onAbort));
    });
    aborted.catch(() => {});
    for (;;) {
      const event = await Promise.race([child.events.next(), aborted]);
      if (event.kind === 'exit') {
        if (event.error) throw cliNotFound(event.error.message);
        throw errorFromCrash(event.code, event.signal, child.stderr);
      }
      if (event.kind === 'garbage') {
        throw errors.upstream(`Claude Code CLI printed unexpected output (${event.reason}): ${event.raw.slice(0, 200)}`);
      }
      const line = event.line;
      if (line.type === 'result') {
        if (line.is_error) throw errorFromResult(line, model);
        yield line;
        return line;
      }
      if (line.type === 'control_response' && line.response.subtype === 'error') {
        throw errors.upstream(`Claude Code CLI refused a control request: ${line.response.error ?? 'unknown error'}`);
      }
      yield line;
    }
  }

  private spawn(binary: ClaudeBinary, args: string[], env: NodeJS.ProcessEnv): ClaudeProcess {
    const child = new ClaudeProcess({ binary: binary.path, args, cwd: this.workDir, env }, this.opts.logger);
    this.live.add(child);
    void child.exited.then(() => this.live.delete(child));
    this.opts.logger.debug(`spawned claude pid=${child.pid} ${args.join(' ')}`);
    return child;
  }

  private env(): NodeJS.ProcessEnv {
    return buildEnv(this.opts.baseEnv ?? process.env, this.opts.settings().cliEnv);
  }

  /** Kills every child; resolves once all are gone. */
  async shutdown(): Promise<void> {
    this.closed = true;
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

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
