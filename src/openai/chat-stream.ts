/**
 * CLI output lines → `chat.completion.chunk`s: a pure function over an explicit state.
 * Text comes only from the partial-message stream events (the later `assistant` line
 * repeats it and is ignored), so nothing is sent twice and deltas leave as the model
 * produces them.
 */
import type { CliLine, CliUsage, ResultLine } from '../cli/events';

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  reasoning_content?: string;
  tool_calls?: ToolCallDelta[];
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{ index: 0; delta: ChunkDelta; logprobs: null; finish_reason: FinishReason | null }>;
  usage?: ChatUsage | null;
}

export interface ChatStreamState {
  readonly id: string;
  readonly model: string;
  readonly created: number;
  readonly includeUsage: boolean;
  sentRole: boolean;
  stopReason: string | null;
  /** Content block index (per model message) → what it carries. */
  blocks: Map<number, { kind: 'text' | 'thinking' | 'tool' | 'other'; toolIndex?: number }>;
  toolCalls: number;
  finished: boolean;
}

export function newChatStreamState(opts: {
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
}): ChatStreamState {
  return { ...opts, sentRole: false, stopReason: null, blocks: new Map(), toolCalls: 0, finished: false };
}

export function translateLine(state: ChatStreamState, line: CliLine): ChatChunk[] {
  if (state.finished) return [];
  if (line.type === 'result') return finish(state, line);
  if (line.type !== 'stream_event' || line.parent_tool_use_id) return [];
  const event = line.event;
  const out: ChatChunk[] = [];
  const emit = (delta: ChunkDelta) => {
    if (!state.sentRole) {
      state.sentRole = true;
      out.push(chunk(state, { role: 'assistant', content: '' }));
    }
    out.push(chunk(state, delta));
  };
  switch (event.type) {
    case 'message_start':
      state.blocks = new Map();
      if (!state.sentRole) {
        state.sentRole = true;
        out.push(chunk(state, { role: 'assistant', content: '' }));
      }
      break;
    case 'content_block_start': {
      const block = event.content_block;
      if (block.type === 'text') state.blocks.set(event.index, { kind: 'text' });
      else if (block.type === 'thinking') state.blocks.set(event.index, { kind: 'thinking' });
      else if (block.type === 'tool_use') {
        const toolIndex = state.toolCalls++;
        state.blocks.set(event.index, { kind: 'tool', toolIndex });
        emit({
          tool_calls: [
            {
              index: toolIndex,
              id: block.id ?? '',
              type: 'function',
              function: { name: block.name ?? '', arguments: '' },
            },
          ],
        });
      } else state.blocks.set(event.index, { kind: 'other' });
      break;
    }
    case 'content_block_delta': {
      const d = event.delta;
      const block = state.blocks.get(event.index);
      if (d.type === 'text_delta' && d.text) emit({ content: d.text });
      else if (d.type === 'thinking_delta' && d.thinking) emit({ reasoning_content: d.thinking });
      else if (d.type === 'input_json_delta' && d.partial_json && block?.kind === 'tool') {
        emit({ tool_calls: [{ index: block.toolIndex!, function: { arguments: d.partial_json } }] });
      }
      break;
    }
    case 'message_delta':
      if (event.delta.stop_reason) state.stopReason = event.delta.stop_reason;
      break;
    default:
      break;
  }
  return out;
}

function finish(state: ChatStreamState, result: ResultLine): ChatChunk[] {
  state.finished = true;
  const out: ChatChunk[] = [];
  if (!state.sentRole) {
    state.sentRole = true;
    out.push(chunk(state, { role: 'assistant', content: '' }));
  }
  out.push(chunk(state, {}, finishReason(state.stopReason ?? result.stop_reason ?? null, state.toolCalls > 0)));
  if (state.includeUsage) out.push({ ...chunkShell(state), choices: [], usage: chatUsage(result.usage) });
  return out;
}

export function finishReason(stopReason: string | null, sawToolCall: boolean): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return sawToolCall ? 'tool_calls' : 'stop';
  }
}

/** The CLI's usage → OpenAI's: prompt tokens include cache reads and writes. */
export function chatUsage(usage: CliUsage | undefined): ChatUsage {
  const cached = usage?.cache_read_input_tokens ?? 0;
  const prompt = (usage?.input_tokens ?? 0) + cached + (usage?.cache_creation_input_tokens ?? 0);
  const completion = usage?.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

function chunkShell(state: ChatStreamState): Omit<ChatChunk, 'choices'> {
  return { id: state.id, object: 'chat.completion.chunk', created: state.created, model: state.model };
}

function chunk(state: ChatStreamState, delta: ChunkDelta, finish: FinishReason | null = null): ChatChunk {
  return { ...chunkShell(state), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
}
