/**
 * Comparing what reached the model with the conversation the client sent. The CLI adds a
 * few things of its own, which are allowed and set aside here: `role:"system"` messages
 * holding the date or its environment (2.1.332), and `<system-reminder>` text blocks with
 * its context (2.1.197; 2.1.332 with older models, also at the end of a tool result).
 * Anything else — a missing, empty, duplicated or changed message — is a difference.
 */
import type { Turn } from '../core/model-request';

type Json = Record<string, unknown>;
type Block = Json & { type: string };

const REMINDER = /^\s*<system-reminder>[\s\S]*<\/system-reminder>\s*$/;
/** The CLI's own system messages: today's date (after the first turn) and its environment (at the end). */
const CLI_SYSTEM_TEXTS = [/^Today's date is \d{4}-\d{2}-\d{2}\.$/, /^# Environment\n/];

/** The first difference between the messages sent and `expected`, in words; undefined when they match. */
export function conversationDifference(
  sent: ReadonlyArray<{ role: string; content: unknown }>,
  expected: readonly Turn[],
): string | undefined {
  const conversation: Array<{ role: string; blocks: unknown[] }> = [];
  for (const [i, m] of sent.entries()) {
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content as Block[]);
    if (!Array.isArray(blocks)) return `messages[${i}] has content of an unexpected shape`;
    if (m.role === 'system') {
      const text = blocks.map((b) => (b as Block).text ?? '').join('');
      if (!CLI_SYSTEM_TEXTS.some((re) => re.test(String(text)))) {
        return `messages[${i}] is a system message the CLI does not add by itself: ${JSON.stringify(m.content).slice(0, 120)}`;
      }
      continue;
    }
    const own = canonicalBlocks(blocks);
    if (own.length === 0) return `messages[${i}] (${m.role}) is empty`;
    conversation.push({ role: m.role, blocks: own });
  }
  if (conversation.length !== expected.length) {
    return `${conversation.length} messages reached the model, ${expected.length} expected: ${summary(conversation)}`;
  }
  for (const [i, turn] of expected.entries()) {
    const got = conversation[i]!;
    const want = { role: turn.role, blocks: canonicalBlocks(turn.content as unknown[]) };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      return `message ${i} differs: sent ${JSON.stringify(got).slice(0, 300)}, expected ${JSON.stringify(want).slice(0, 300)}`;
    }
  }
  return undefined;
}

/** Blocks without the CLI's reminders and cache marks, tool names without the MCP prefix, results as blocks. */
function canonicalBlocks(blocks: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const raw of blocks) {
    const b = raw as Block;
    switch (b.type) {
      case 'text':
        if (!REMINDER.test(String(b.text))) out.push({ type: 'text', text: b.text });
        break;
      case 'image': {
        const s = b.source as Json;
        out.push({ type: 'image', media_type: s.media_type, data: s.data });
        break;
      }
      case 'tool_use':
        out.push({ type: 'tool_use', id: b.id, name: String(b.name).replace(/^mcp__c__/, ''), input: b.input });
        break;
      case 'tool_result': {
        const content = typeof b.content === 'string' ? [{ type: 'text', text: b.content }] : (b.content as unknown[]);
        const inner = canonicalBlocks(content ?? []);
        const hadReminders = inner.length < (content ?? []).length;
        // 2.1.332 ends the last result text with a newline before the reminders it appends.
        const last = inner[inner.length - 1] as Block | undefined;
        if (hadReminders && last?.type === 'text') last.text = String(last.text).replace(/\n$/, '');
        out.push({ type: 'tool_result', tool_use_id: b.tool_use_id, is_error: b.is_error === true, content: inner });
        break;
      }
      default:
        out.push({ type: b.type });
    }
  }
  return out;
}

function summary(conversation: Array<{ role: string; blocks: unknown[] }>): string {
  return conversation.map((m) => `${m.role}[${m.blocks.map((b) => (b as Block).type).join(',')}]`).join(' ');
}
