/** A live CLI process with what CLI2API knows about it: its tools, how it was started, what it holds. */
import type { ClaudeProcess } from '../process/claude-process';
import type { ToolBridge } from '../tools/tool-bridge';
import type { ToolSet } from '../tools/tool-set';

export interface Session {
  readonly child: ClaudeProcess;
  readonly bridge: ToolBridge;
  /** The client tools this process offers the model (set before its first turn). */
  tools: ToolSet;
  /** What was fixed when the process started: binary, flags, environment, working folder. */
  readonly spawnKey: string;
  /** Fingerprint of the conversation the process holds, once it has answered. */
  conversation?: string;
}
