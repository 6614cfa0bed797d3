/** A live CLI process with what CLI2API knows about it: how it was started, whom it served, what it holds. */
import type { ClaudeProcess } from '../process/claude-process';
import type { SpawnKind } from '../process/spawner';
import type { ToolBridge } from '../tools/tool-bridge';
import type { ToolSet } from '../tools/tool-set';

export interface Session {
  readonly child: ClaudeProcess;
  readonly bridge: ToolBridge;
  /** Everything fixed when the process started: binary, flags, environment, working folder. */
  readonly kind: SpawnKind;
  /** The client tools this process offers the model (set before its first turn). */
  tools: ToolSet;
  /** Who it serves (the API key's hash when keys are set; '' without keys); unset until its first turn. */
  tenant?: string;
  /** Hash of the system prompt and tools it was given before its first turn; unset while fresh. */
  setup?: string;
  /** Fingerprint of the conversation the process holds, once it has answered. */
  conversation?: string;
  /** Conversations it has begun (a used process can take a new one; the old ones stay in its memory). */
  conversations: number;
  /** The output limit in force (`CLAUDE_CODE_MAX_OUTPUT_TOKENS`); undefined: the environment's own. */
  outputLimit?: number;
  /** The CLI's `total_cost_usd` so far (it adds up over the process's life). */
  costSoFar: number;
  /** A prewarmed process that has finished starting (it answered a control request). */
  ready: boolean;
  /** When it was last handed to a request or put back (performance.now()). */
  lastUsed: number;
}

export function newSession(child: ClaudeProcess, bridge: ToolBridge, kind: SpawnKind, tools: ToolSet): Session {
  return { child, bridge, kind, tools, conversations: 0, costSoFar: 0, ready: false, lastUsed: performance.now() };
}
