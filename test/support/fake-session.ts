/** Sessions whose CLI process is a stand-in: alive until killed or exited, recording its kills and control requests. */
import type { ClaudeProcess } from '../../src/cli/process/claude-process';
import type { SpawnKind } from '../../src/cli/process/spawner';
import { newSession, type Session } from '../../src/cli/sessions/session';
import type { ToolBridge } from '../../src/cli/tools/tool-bridge';
import { ToolSet } from '../../src/cli/tools/tool-set';

export class FakeChild {
  private static nextPid = 1000;
  readonly pid = FakeChild.nextPid++;
  readonly startedAt = performance.now();
  readonly stderr = '';
  alive = true;
  /** Stops asked for, by kill() (busy) or finish() (done). */
  kills = 0;
  finishes = 0;
  readonly sent: unknown[] = [];
  readonly exited: Promise<void>;
  /** Resolves at the first kill or finish (not at an exit of the process's own). */
  readonly killed: Promise<void>;
  /** Control requests waiting for an answer, oldest first: `answerControls()` answers them. */
  private readonly controls: Array<() => void> = [];
  private resolveExit!: () => void;
  private resolveKilled!: () => void;
  /** false: a stop is asked for, but the process has not exited yet (`exit()` ends it). */
  exitsWhenStopped = true;

  constructor() {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    this.killed = new Promise((resolve) => (this.resolveKilled = resolve));
  }

  /** The process ends by itself. */
  exit(): void {
    this.alive = false;
    this.resolveExit();
  }

  kill(): Promise<void> {
    this.kills++;
    return this.stopped();
  }

  finish(): Promise<void> {
    this.finishes++;
    return this.stopped();
  }

  send(message: unknown): void {
    this.sent.push(message);
  }

  control(request: unknown): Promise<{ subtype: string }> {
    this.sent.push({ type: 'control_request', request });
    return new Promise((resolve) => this.controls.push(() => resolve({ subtype: 'success' })));
  }

  /** Answers every control request so far (a warm process's readiness probe: it has finished starting). */
  answerControls(): void {
    for (const answer of this.controls.splice(0)) answer();
  }

  get stops(): number {
    return this.kills + this.finishes;
  }

  private stopped(): Promise<void> {
    this.resolveKilled();
    if (this.exitsWhenStopped) this.exit();
    return this.exited;
  }
}

export function fakeKind(key = 'key', agentTools?: string[]): SpawnKind {
  return { key, binary: { path: '/bin/claude', version: '9.9.9' }, flags: { model: key, agentTools } };
}

export function fakeSession(
  kindKey: string | SpawnKind = 'key',
  conversation?: string,
): { session: Session; child: FakeChild } {
  const child = new FakeChild();
  const kind = typeof kindKey === 'string' ? fakeKind(kindKey) : kindKey;
  const session = newSession(child as unknown as ClaudeProcess, {} as ToolBridge, kind, new ToolSet({}));
  session.conversation = conversation;
  session.tenant = '';
  return { session, child };
}

/** Resolves after `ms`: long enough for an earlier, shorter timer to have fired (Node runs timers in order). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
