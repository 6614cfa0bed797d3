/**
 * One running `claude` child: stdin takes stream-json messages, stdout lines are parsed
 * into CliLines, stderr is drained continuously into a short tail for error messages.
 * `kill()` ends the whole process tree (the child leads its own process group).
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import type { Logger } from '../../util/logger';
import { AsyncQueue } from '../../util/async-queue';
import { type CliLine, type ControlRequestLine, parseCliLine } from '../events';

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
const KILL_GRACE_MS = 1000;

export class ClaudeProcess {
  readonly events = new AsyncQueue<ProcessEvent>();
  readonly exited: Promise<void>;
  /** Answers the CLI's own control requests (MCP messages); without a handler they fail. */
  onControlRequest: ((req: ControlRequestLine) => void) | undefined;
  private child: ChildProcessWithoutNullStreams;
  private stdoutRest = '';
  private stderrTail = '';
  private exitInfo: Extract<ProcessEvent, { kind: 'exit' }> | undefined;

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

  /** SIGTERM to the process group, SIGKILL after a grace period; resolves once the child is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.signalTree('SIGTERM');
    const timer = setTimeout(() => this.signalTree('SIGKILL'), KILL_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
    // The leader is gone; make sure nothing it started lingers in its group.
    this.signalTree('SIGKILL');
  }

  private signalTree(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (process.platform === 'win32') {
      if (this.alive) spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true });
      return;
    }
    try {
      process.kill(-pid, signal);
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
        this.events.push({ kind: 'garbage', raw: parsed.raw, reason: parsed.reason });
      } else if (parsed.line.type === 'control_request') {
        if (this.onControlRequest) this.onControlRequest(parsed.line);
        else this.rejectControl(parsed.line.request_id, `unsupported control request ${parsed.line.request.subtype}`);
      } else {
        this.events.push({ kind: 'line', line: parsed.line });
      }
    }
  }

  rejectControl(requestId: string, error: string): void {
    this.send({ type: 'control_response', response: { subtype: 'error', request_id: requestId, error } });
  }
}
