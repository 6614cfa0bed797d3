/**
 * A list of OpenAI-shaped messages → the CLI's conversation: leading system/developer text
 * becomes the system prompt; every other message keeps its role as its own turn
 * (consecutive messages of one role share a turn, as the Anthropic API requires).
 */
import { errors } from './api-error';
import type { ContentBlock, Turn } from './model-request';

export interface PendingTurn {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export function joinSystem(parts: string[]): string {
  return parts
    .map((p) => p.trim())
    .filter(Boolean)
    .join('\n\n');
}

/** Merges neighbours of one role, drops empty turns, and puts tool results first in a user turn. */
export function normalizeTurns(pending: PendingTurn[]): Turn[] {
  const turns: Turn[] = [];
  for (const t of pending) {
    if (t.content.length === 0) continue;
    const prev = turns[turns.length - 1];
    if (prev && prev.role === t.role) prev.content.push(...t.content);
    else turns.push({ role: t.role, content: [...t.content] });
  }
  for (const t of turns) {
    if (t.role !== 'user') continue;
    const results = t.content.filter((b) => b.type === 'tool_result');
    if (results.length > 0) t.content = [...results, ...t.content.filter((b) => b.type !== 'tool_result')];
  }
  return turns;
}

/** A system message that appears after the conversation started, kept in place as user-turn text. */
export function lateSystemBlock(text: string): ContentBlock {
  return { type: 'text', text: `<system-message>\n${text}\n</system-message>` };
}

/**
 * The conversation's last turn, which must be the user's (text or tool results): the CLI
 * answers a user turn; it cannot continue an assistant one. `param` names the field of
 * the request; `lastIs` says what the last one must be, in the API's words.
 */
export function lastUserTurn(turns: Turn[], param: string, lastIs: string): Turn {
  const last = turns[turns.length - 1];
  if (!last) throw errors.invalidRequest(`${param} must hold at least one user message with content.`, param);
  if (last.role !== 'user') {
    throw errors.invalidRequest(`The last ${lastIs}; assistant prefill is not supported.`, param);
  }
  return last;
}

/** The tool results of a user turn (the answers to the tool calls of the turn before). */
export function toolResultsOf(turn: Turn | undefined): Extract<ContentBlock, { type: 'tool_result' }>[] {
  return (turn?.content ?? []).filter(
    (b): b is Extract<ContentBlock, { type: 'tool_result' }> => b.type === 'tool_result',
  );
}
