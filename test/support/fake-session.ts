/** Sessions whose CLI process is a stand-in: alive until killed or exited, recording its kills. */
import type { ClaudeProcess } from '../../src/cli/process/claude-process';
import type { Session } from '../../src/cli/sessions/session';
import type { ToolBridge } from '../../src/cli/tools/tool-bridge';
import { ToolSet } from '../../src/cli/tools/tool-set';

export class FakeChild {
  private static nextPid = 1000;
  readonly pid = FakeChild.nextPid++;
  alive = true;
  kills = 0;
  readonly exited: Promise<void>;
  /** Resolves at the first kill (not at an exit of the process's own). */
  readonly killed: Promise<void>;
  private resolveExit!: () => void;
  private resolveKilled!: () => void;

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
    this.resolveKilled();
    this.exit();
    return this.exited;
  }
}

export function fakeSession(spawnKey = 'key', conversation?: string): { session: Session; child: FakeChild } {
  const child = new FakeChild();
  const session: Session = {
    child: child as unknown as ClaudeProcess,
    bridge: {} as ToolBridge,
    tools: new ToolSet({}),
    spawnKey,
    conversation,
  };
  return { session, child };
}

/** Resolves after `ms`: long enough for an earlier, shorter timer to have fired (Node runs timers in order). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
