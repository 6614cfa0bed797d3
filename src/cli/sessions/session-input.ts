/**
 * What CLI2API writes to a live CLI process before a turn: the system prompt and tools (once,
 * before its first turn), a new conversation in a used process, the output limit, the user
 * turn. Each was measured against the API requests of CLI 2.1.197 and 2.1.332 (see README,
 * "How it works"): what reaches the model is what a fresh process would send.
 */
import { canonicalHash } from '../../core/json';
import { MCP_SERVER, type ToolSet } from '../tools/tool-set';
import type { Session } from './session';

/** The identity of what `initialize` gives a process: a used process takes a new conversation only with the same. */
export function setupKey(systemPrompt: string, tools: ToolSet): string {
  return canonicalHash({ systemPrompt, tools: tools.mcpTools, offered: tools.offered });
}

/** Sends the system prompt and tools: possible once, before a process's first turn. */
export function initialize(session: Session, systemPrompt: string, tools: ToolSet): void {
  session.tools = tools;
  session.setup = setupKey(systemPrompt, tools);
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

/**
 * Starts a new conversation in a used process. A `compact_boundary` line on stdin ends the
 * conversation as far as the model is concerned: the CLI sends only the messages after the
 * last boundary, so the next requests equal a fresh process's (only the session id in the
 * headers and metadata stays the process's). The old messages stay in the process's memory,
 * which is why a process takes a bounded number of conversations.
 */
export function beginNewConversation(session: Session, tools: ToolSet): void {
  session.tools = tools;
  session.bridge.setTools(tools.mcpTools);
  session.conversation = undefined;
  session.child.send({
    type: 'system',
    subtype: 'compact_boundary',
    compact_metadata: { trigger: 'manual', pre_tokens: 0 },
  });
}

/**
 * Sets the output limit for the next model requests of a live process when it differs from
 * the one in force. The CLI reads `CLAUDE_CODE_MAX_OUTPUT_TOKENS` on every request, and
 * `apply_flag_settings` copies settings `env` into its environment; an empty value restores
 * its default. Lines on stdin are handled in order, so the next user turn already has it.
 */
export function setOutputLimit(session: Session, limit: number | undefined, environmentDefault: string): void {
  if (session.outputLimit === limit) return;
  session.outputLimit = limit;
  const value = limit === undefined ? environmentDefault : String(limit);
  void session.child
    .control({ subtype: 'apply_flag_settings', settings: { env: { CLAUDE_CODE_MAX_OUTPUT_TOKENS: value } } })
    .then((answer) => {
      // Refused: the limit in force is unknown, so the next turn sets it again.
      if (answer.subtype !== 'success') session.outputLimit = Number.NaN;
    });
}

export function sendUserTurn(session: Session, content: unknown): void {
  session.child.send({ type: 'user', message: { role: 'user', content }, parent_tool_use_id: null, session_id: '' });
}
