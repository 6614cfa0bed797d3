/**
 * One running `claude` child: stdin takes stream-json messages, stdout lines are parsed
 * into CliLines, stderr is drained continuously into a short tail for error messages.
 * `control()` sends a control request of CLI2API's own and gets its answer (kept out of the
 * event stream). `kill()` (busy) and `finish()` (its work done) end the whole process tree
 * (the child leads its own process group).
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../util/logger';
import { AsyncQueue } from '../../util/async-queue';
import { type CliLine, type ControlRequestLine, type ControlResponseLine, parseCliLine } from '../events';

export interface SpawnSpec {
  binary: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export type ProcessEvent =
  | { kind: 'line'; line: CliLine }
  | { kind: 'garbage'; raw: string; reason: string }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; error?: Error };

const STDERR_TAIL_BYTES = 8192;
/** A busy CLI gets this long after SIGTERM to stop before SIGKILL. */
const KILL_GRACE_MS = 1000;
/** A CLI whose work is done exits within milliseconds of its stdin closing; this long, then SIGKILL. */
const FINISH_GRACE_MS = 100;

export class ClaudeProcess {
  readonly events = new AsyncQueue<ProcessEvent>();
  readonly exited: Promise<void>;
  /** When it was spawned (performance.now()). */
  readonly startedAt = performance.now();
  /** Answers the CLI's own control requests (MCP messages); without a handler they fail. */
  onControlRequest: ((req: ControlRequestLine) => void) | undefined;
  /**
   * Seen first for every line the CLI prints: true kills the process tree on the spot
   * (SIGKILL, synchronously, before the line goes anywhere), for what must not go on.
   */
  killOn: ((line: CliLine) => boolean) | undefined;
  /** Told the tool_use ids of every line of tool results the CLI prints (it has taken those results). */
  onToolResults: ((toolUseIds: string[]) => void) | undefined;
  private child: ChildProcessWithoutNullStreams;
  private stdoutRest = '';
  private stderrTail = '';
  private exitInfo: Extract<ProcessEvent, { kind: 'exit' }> | undefined;
  /** The messaging socket the CLI (2.1.332) opens; it stays behind when the CLI is killed. */
  private socketPath: string | undefined;
  private readonly pendingControls = new Map<string, (response: ControlResponseLine['response']) => void>();
  private controlCounter = 0;

  constructor(
    spec: SpawnSpec,
    private readonly logger: Logger,
  ) {
    this.child = spawn(spec.binary, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
      this.logger.trace(`claude[${this.pid}] stderr: ${chunk.trimEnd()}`);
    });
    this.child.stdin.on('error', () => {}); // EPIPE after the child died: reported through 'exit'
    this.exited = new Promise((resolve) => {
      const finish = (event: Extract<ProcessEvent, { kind: 'exit' }>) => {
        if (this.exitInfo) return;
        this.exitInfo = event;
        if (event.signal && this.child.pid !== undefined && process.platform !== 'win32') {
          const socket =
            this.socketPath ?? path.join(spec.env.XDG_RUNTIME_DIR || os.tmpdir(), 'cc-socks', `${this.child.pid}.sock`);
          if (isOwnSocket(socket, this.child.pid)) fs.rm(socket, { force: true }, () => {});
        }
        for (const answer of this.pendingControls.values()) answer({ subtype: 'error', error: 'the CLI exited' });
        this.pendingControls.clear();
        this.events.push(event);
        resolve();
      };
      this.child.once('error', (error) => finish({ kind: 'exit', code: null, signal: null, error }));
      // 'close' waits for stdout to drain, so every line is delivered before the exit event.
      this.child.once('close', (code, signal) => finish({ kind: 'exit', code, signal }));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  get stderr(): string {
    return this.stderrTail.trim();
  }

  send(message: unknown): void {
    if (!this.alive || this.child.stdin.destroyed) return;
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  /** Closes stdin: an idle CLI exits by itself within milliseconds. */
  endInput(): void {
    if (!this.child.stdin.destroyed) this.child.stdin.end();
  }

  /**
   * Sends a control request of CLI2API's own; resolves with the CLI's answer (an error
   * answer once the CLI has exited). The answer never reaches `events`.
   */
  control(request: { subtype: string } & Record<string, unknown>): Promise<ControlResponseLine['response']> {
    const requestId = `cli2api_${++this.controlCounter}`;
    if (!this.alive) return Promise.resolve({ subtype: 'error', request_id: requestId, error: 'the CLI exited' });
    return new Promise((resolve) => {
      this.pendingControls.set(requestId, resolve);
      this.send({ type: 'control_request', request_id: requestId, request });
    });
  }

  /** For a busy CLI: SIGTERM to the process group, SIGKILL after a grace period; resolves once the child is gone. */
  kill(): Promise<void> {
    return this.stop(() => this.signalTree('SIGTERM'), KILL_GRACE_MS);
  }

  /** For a CLI whose work is done (or never began): stdin closed, SIGKILL soon after; resolves once it is gone. */
  finish(): Promise<void> {
    return this.stop(() => this.endInput(), FINISH_GRACE_MS);
  }

  private async stop(ask: () => void, graceMs: number): Promise<void> {
    if (!this.alive) return;
    ask();
    const timer = setTimeout(() => this.signalTree('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // The leader is gone; make sure nothing it started lingers in its group.
    this.signalTree('SIGKILL');
  }

  private signalTree(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || (process.platform === 'win32' && !this.alive)) return;
    const how = treeKill(pid, process.platform);
    if (how.kind === 'command') {
      // Asynchronous: a kill never blocks the event loop (taskkill takes ~100 ms).
      execFile(how.file, how.args, { windowsHide: true }, () => {});
      return;
    }
    try {
      process.kill(how.pid, signal);
    } catch {
      // ESRCH: the group is already empty.
    }
  }

  private onStdout(chunk: string): void {
    const text = this.stdoutRest + chunk;
    const lines = text.split('\n');
    this.stdoutRest = lines.pop() ?? '';
    for (const raw of lines) {
      if (raw.trim() === '') continue;
      this.logger.trace(`claude[${this.pid}] ${raw.length > 2000 ? raw.slice(0, 2000) + '…' : raw}`);
      const parsed = parseCliLine(raw);
      if (!parsed.ok) {
        if (parsed.knownType) {
          // The CLI changed a line CLI2API reads: say so plainly (the line itself may hold the prompt: debug only).
          this.logger.warn(`claude[${this.pid}] printed ${parsed.reason}; this CLI version may be unsupported`);
          this.logger.debug(`claude[${this.pid}] the line: ${raw}`);
        }
        // A line the answer depends on fails the request with a clear error; any other is set aside.
        if (parsed.fallback) this.events.push({ kind: 'line', line: parsed.fallback });
        else this.events.push({ kind: 'garbage', raw: parsed.raw, reason: parsed.reason });
        continue;
      }
      const line = parsed.line;
      if (this.killOn?.(line) && this.alive) {
        this.logger.debug(`claude[${this.pid}] stopped at once (${line.type})`);
        this.signalTree('SIGKILL');
        this.events.push({ kind: 'line', line });
      } else if (line.type === 'control_response' && this.answersControl(line)) {
        continue;
      } else if (line.type === 'control_request') {
        if (this.onControlRequest) this.onControlRequest(line);
        else this.rejectControl(line.request_id, `unsupported control request ${line.request.subtype}`);
      } else {
        if (line.type === 'system' && typeof line.messaging_socket_path === 'string') {
          this.socketPath = line.messaging_socket_path;
        }
        if (line.type === 'user') this.onToolResults?.(toolResultIds(line.message.content));
        this.events.push({ kind: 'line', line });
      }
    }
  }

  /** Delivers the answer to a control request sent with `control()`; false for anyone else's. */
  private answersControl(line: ControlResponseLine): boolean {
    const id = line.response.request_id;
    const answer = id === undefined ? undefined : this.pendingControls.get(id);
    if (!answer || id === undefined) return false;
    this.pendingControls.delete(id);
    answer(line.response);
    return true;
  }

  rejectControl(requestId: string, error: string): void {
    this.send({ type: 'control_response', response: { subtype: 'error', request_id: requestId, error } });
  }
}

/**
 * How to end a process tree: on POSIX, a signal to the process group the child leads
 * (it is spawned detached); on Windows, `taskkill /T /F`, which ends the tree at once
 * (there is no polite SIGTERM for a console-less child).
 */
export function treeKill(
  pid: number,
  platform: NodeJS.Platform,
): { kind: 'signal'; pid: number } | { kind: 'command'; file: string; args: string[] } {
  if (platform === 'win32') return { kind: 'command', file: 'taskkill', args: ['/pid', String(pid), '/T', '/F'] };
  return { kind: 'signal', pid: -pid };
}

/** A socket file the CLI process `pid` made for itself (`…/cc-socks/<pid>.sock`), and nothing else. */
export function isOwnSocket(file: string, pid: number): boolean {
  return path.basename(file) === `${pid}.sock` && path.basename(path.dirname(file)) === 'cc-socks';
}

function toolResultIds(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((b: { type?: unknown; tool_use_id?: unknown }) =>
    b?.type === 'tool_result' && typeof b.tool_use_id === 'string' ? [b.tool_use_id] : [],
  );
}
