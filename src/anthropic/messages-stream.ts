/**
 * CLI output lines → Anthropic Messages SSE events: a pure function over an explicit state.
 * The CLI's `stream_event` lines already are Anthropic events (with the client's tool
 * names); they are passed on re-indexed, under CLI2API's message id and the requested model.
 * One client message may span several model messages (the CLI's own tool loop), so
 * message_start goes out once and message_delta/message_stop only at the `result` line,
 * with its totals. The `assistant` lines repeat the content and are ignored.
 */
import type { CliLine, CliUsage, ResultLine } from '../cli/events';
import { parseJsonOr } from '../core/json';

export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export type AnthropicEvent =
  | { type: 'message_start'; message: AnthropicMessageObject }
  | { type: 'content_block_start'; index: number; content_block: Record<string, unknown> & { type: string } }
  | { type: 'content_block_delta'; index: number; delta: Record<string, unknown> & { type: string } }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: string; stop_sequence: string | null }; usage: MessagesUsage }
  | { type: 'message_stop' };

export interface AnthropicMessageObject {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<Record<string, unknown> & { type: string }>;
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: MessagesUsage;
}

export interface MessagesStreamState {
  readonly id: string;
  readonly model: string;
  started: boolean;
  /** The CLI's block index in the current model message → the client's index. */
  indexes: Map<number, number>;
  open: Set<number>;
  nextIndex: number;
  stopReason: string | null;
  stopSequence: string | null;
  finished: boolean;
}

export function newMessagesStreamState(opts: { id: string; model: string }): MessagesStreamState {
  return {
    ...opts,
    started: false,
    indexes: new Map(),
    open: new Set(),
    nextIndex: 0,
    stopReason: null,
    stopSequence: null,
    finished: false,
  };
}

export function translateLine(state: MessagesStreamState, line: CliLine): AnthropicEvent[] {
  if (state.finished) return [];
  if (line.type === 'result') return finish(state, line);
  if (line.type !== 'stream_event' || line.parent_tool_use_id) return [];
  const event = line.event;
  const out: AnthropicEvent[] = [];
  switch (event.type) {
    case 'message_start':
      state.indexes = new Map();
      start(state, out, event.message.usage);
      break;
    case 'content_block_start': {
      start(state, out);
      const index = state.nextIndex++;
      state.indexes.set(event.index, index);
      state.open.add(index);
      out.push({ type: 'content_block_start', index, content_block: blockStart(event.content_block) });
      break;
    }
    case 'content_block_delta': {
      const index = state.indexes.get(event.index);
      if (index !== undefined && state.open.has(index))
        out.push({ type: 'content_block_delta', index, delta: { ...event.delta } });
      break;
    }
    case 'content_block_stop': {
      const index = state.indexes.get(event.index);
      if (index !== undefined && state.open.delete(index)) out.push({ type: 'content_block_stop', index });
      break;
    }
    case 'message_delta':
      // Held for the result line: a later model message (the CLI's own tool loop) may follow.
      if (event.delta.stop_reason) state.stopReason = event.delta.stop_reason;
      state.stopSequence = event.delta.stop_sequence ?? null;
      break;
    default:
      break;
  }
  return out;
}

/** The SDKs append deltas to the start block's fields, so those fields must exist (the structured answer's block has none). */
function blockStart(block: Record<string, unknown> & { type: string }): Record<string, unknown> & { type: string } {
  if (block.type === 'text') return { text: '', ...block };
  if (block.type === 'thinking') return { thinking: '', signature: '', ...block };
  if (block.type === 'tool_use') return { input: {}, ...block };
  return { ...block };
}

function start(state: MessagesStreamState, out: AnthropicEvent[], usage?: CliUsage): void {
  if (state.started) return;
  state.started = true;
  out.push({
    type: 'message_start',
    message: {
      id: state.id,
      type: 'message',
      role: 'assistant',
      model: state.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: messagesUsage(usage),
    },
  });
}

function finish(state: MessagesStreamState, result: ResultLine): AnthropicEvent[] {
  state.finished = true;
  const out: AnthropicEvent[] = [];
  start(state, out, result.usage);
  // A run CLI2API ended early (stop sequence, max_tokens) may leave a block open.
  for (const index of [...state.open].sort((a, b) => a - b)) out.push({ type: 'content_block_stop', index });
  state.open.clear();
  const stopReason = result.stop_reason ?? state.stopReason ?? 'end_turn';
  const stopSequence = stopReason === 'stop_sequence' ? state.stopSequence : null;
  out.push({
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: stopSequence },
    usage: messagesUsage(result.usage),
  });
  out.push({ type: 'message_stop' });
  return out;
}

export function messagesUsage(usage: CliUsage | undefined): MessagesUsage {
  return {
    input_tokens: usage?.input_tokens ?? 0,
    output_tokens: usage?.output_tokens ?? 0,
    cache_read_input_tokens: usage?.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: usage?.cache_creation_input_tokens ?? 0,
  };
}

/** The events of one stream → the non-streamed `message` object, as Anthropic's SDK accumulates them. */
export function foldMessage(events: AnthropicEvent[]): AnthropicMessageObject {
  let message: AnthropicMessageObject | undefined;
  const json = new Map<number, string>();
  for (const e of events) {
    if (e.type === 'message_start') message = { ...e.message, content: [] };
    if (!message) continue;
    const block = 'index' in e ? message.content[e.index] : undefined;
    if (e.type === 'content_block_start') {
      message.content[e.index] = { ...e.content_block };
      if (e.content_block.type === 'tool_use') json.set(e.index, '');
    } else if (e.type === 'content_block_delta' && block) {
      const d = e.delta;
      if (d.type === 'text_delta') block.text = String(block.text ?? '') + String(d.text ?? '');
      else if (d.type === 'thinking_delta') block.thinking = String(block.thinking ?? '') + String(d.thinking ?? '');
      else if (d.type === 'signature_delta') block.signature = d.signature;
      else if (d.type === 'input_json_delta')
        json.set(e.index, (json.get(e.index) ?? '') + String(d.partial_json ?? ''));
    } else if (e.type === 'content_block_stop' && block && json.has(e.index)) {
      block.input = parseJsonOr(json.get(e.index) ?? '', {});
    } else if (e.type === 'message_delta') {
      message.stop_reason = e.delta.stop_reason;
      message.stop_sequence = e.delta.stop_sequence;
      message.usage = e.usage;
    }
  }
  if (!message) throw new Error('foldMessage: no message_start event');
  // Holes would come only from a broken stream; never hand the client a sparse array.
  message.content = message.content.filter(Boolean);
  return message;
}
