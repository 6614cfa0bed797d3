/** Folds the chunks of one answer into a non-streamed `chat.completion`: one translation path for both modes. */
import type { ChatChunk, ChatUsage, FinishReason } from './chat-stream';

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: 0;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: null;
      reasoning_content?: string;
      tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
    };
    logprobs: null;
    finish_reason: FinishReason;
  }>;
  usage: ChatUsage;
}

export function collectCompletion(chunks: ChatChunk[], usage: ChatUsage): ChatCompletion {
  const first = chunks[0];
  if (!first) throw new Error('no chunks to collect');
  let content = '';
  let reasoning = '';
  let finish: FinishReason = 'stop';
  const calls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> = [];
  for (const c of chunks) {
    const choice = c.choices[0];
    if (!choice) continue;
    const d = choice.delta;
    if (d.content) content += d.content;
    if (d.reasoning_content) reasoning += d.reasoning_content;
    for (const t of d.tool_calls ?? []) {
      const call = (calls[t.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
      if (t.id) call.id = t.id;
      if (t.function.name) call.function.name = t.function.name;
      call.function.arguments += t.function.arguments;
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  const message: ChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: content.length > 0 || calls.length === 0 ? content : null,
    refusal: null,
  };
  if (reasoning) message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls;
  return {
    id: first.id,
    object: 'chat.completion',
    created: first.created,
    model: first.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage,
  };
}
