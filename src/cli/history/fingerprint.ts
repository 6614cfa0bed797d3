/**
 * A conversation's identity, for deciding whether a live CLI process holds exactly the
 * conversation a request continues. Independent of JSON formatting and key order, and of
 * how a client splits text into parts.
 */
import { canonicalHash, canonicalJson } from '../../core/json';
import type { ContentBlock, ModelRequest, Turn } from '../../core/model-request';

export function conversationFingerprint(
  req: Pick<ModelRequest, 'model' | 'system' | 'tools' | 'toolChoice' | 'parallelToolCalls' | 'effort' | 'jsonSchema'>,
  turns: Turn[],
): string {
  return canonicalHash({
    model: req.model,
    // Fixed when the process started: a process continues only a request with the same (unset ones drop out).
    // The output limit is not: a live process takes each request's own.
    effort: req.effort,
    jsonSchema: req.jsonSchema,
    system: req.system,
    tools: req.tools ?? [],
    toolChoice: req.toolChoice ?? 'auto',
    parallel: req.parallelToolCalls ?? true,
    turns: turns.map(normalizeTurn),
  });
}

function normalizeTurn(turn: Turn): { role: string; content: unknown[] } {
  const content: unknown[] = [];
  let text = '';
  const flush = () => {
    if (text) content.push({ type: 'text', text });
    text = '';
  };
  for (const block of turn.content) {
    if (block.type === 'text') text += block.text;
    else {
      flush();
      content.push(normalizeBlock(block));
    }
  }
  flush();
  return { role: turn.role, content };
}

function normalizeBlock(block: ContentBlock): unknown {
  if (block.type === 'tool_result') {
    const text =
      typeof block.content === 'string'
        ? block.content
        : block.content.map((b) => (b.type === 'text' ? b.text : canonicalJson(b))).join('');
    return { type: 'tool_result', tool_use_id: block.tool_use_id, content: text, is_error: block.is_error === true };
  }
  return block;
}
