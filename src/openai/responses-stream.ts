/**
 * CLI output lines → Responses API stream events: a pure function over an explicit state,
 * like chat-stream.ts. Each content block of the model's message becomes one output item
 * (text → `message`, thinking → `reasoning`, tool_use → `function_call`, or `custom_tool_call` /
 * `local_shell_call` for the client's custom and local_shell tools, see responses-tools.ts), opened at
 * content_block_start and closed at content_block_stop, so items never interleave. Text
 * comes only from the partial-message stream events; the later `assistant` line repeats it
 * and is ignored. The terminal event carries the whole response object, which is also
 * what a non-streamed request returns (collectResponse), so both modes share one path.
 */
import type { CliLine, CliUsage, ResultLine } from '../cli/events';
import { chatUsage } from './chat-stream';
import type { ApiError } from '../core/api-error';
import { parseJsonOr } from '../core/json';
import { type LocalShellAction, localShellAction, ResponsesToolNames } from './responses-tools';

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: [];
  logprobs: [];
}
export interface SummaryText {
  type: 'summary_text';
  text: string;
}
type ItemStatus = 'in_progress' | 'completed' | 'incomplete';
export interface MessageOutput {
  id: string;
  type: 'message';
  status: ItemStatus;
  role: 'assistant';
  content: OutputText[];
}
export interface ReasoningOutput {
  id: string;
  type: 'reasoning';
  summary: SummaryText[];
}
export interface FunctionCallOutput {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  call_id: string;
  name: string;
  /** The namespace tool the function belongs to; Codex looks its handler up by (namespace, name). */
  namespace?: string;
  arguments: string;
}
export interface CustomToolCallOutput {
  id: string;
  type: 'custom_tool_call';
  status: ItemStatus;
  call_id: string;
  name: string;
  input: string;
}
export interface LocalShellCallOutput {
  id: string;
  type: 'local_shell_call';
  status: ItemStatus;
  call_id: string;
  action: LocalShellAction;
}
export type OutputItem =
  MessageOutput | ReasoningOutput | FunctionCallOutput | CustomToolCallOutput | LocalShellCallOutput;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** What the response object echoes of the request (set once by the route). */
export interface ResponseEcho {
  model: string;
  instructions: string | null;
  tools: unknown[];
  tool_choice: unknown;
  parallel_tool_calls: boolean;
  max_output_tokens: number | null;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  top_p: number | null;
  text: unknown;
  truncation: string;
  metadata: Record<string, string>;
  user: string | null;
}

export interface ResponseObject extends ResponseEcho {
  id: string;
  object: 'response';
  created_at: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  background: false;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  output: OutputItem[];
  usage: ResponsesUsage | null;
}

type Where = { item_id: string; output_index: number };
type TerminalBody = {
  type: 'response.completed' | 'response.incomplete' | 'response.failed';
  response: ResponseObject;
};
type EventBody =
  | { type: 'response.created' | 'response.in_progress'; response: ResponseObject }
  | TerminalBody
  | { type: 'response.output_item.added' | 'response.output_item.done'; output_index: number; item: OutputItem }
  | (Where & { type: 'response.content_part.added' | 'response.content_part.done'; content_index: 0; part: OutputText })
  | (Where & { type: 'response.output_text.delta'; content_index: 0; delta: string; logprobs: [] })
  | (Where & { type: 'response.output_text.done'; content_index: 0; text: string; logprobs: [] })
  | (Where & {
      type: 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done';
      summary_index: 0;
      part: SummaryText;
    })
  | (Where & { type: 'response.reasoning_summary_text.delta'; summary_index: 0; delta: string })
  | (Where & { type: 'response.reasoning_summary_text.done'; summary_index: 0; text: string })
  | (Where & { type: 'response.function_call_arguments.delta'; delta: string })
  | (Where & { type: 'response.function_call_arguments.done'; name: string; arguments: string })
  | (Where & { type: 'response.custom_tool_call_input.delta'; delta: string })
  | (Where & { type: 'response.custom_tool_call_input.done'; input: string });
export type ResponseEvent = EventBody & { sequence_number: number };
export type TerminalEvent = TerminalBody & { sequence_number: number };

export interface ResponsesStreamState {
  /** The live response: output items are updated in place; events carry copies. */
  readonly response: ResponseObject;
  seq: number;
  started: boolean;
  finished: boolean;
  stopReason: string | null;
  /**
   * The item being streamed and the content block (of the current model message) it comes
   * from; `json` collects the arguments of a call that becomes a custom or local_shell item.
   */
  open: { item: OutputItem; outputIndex: number; blockIndex: number; json: string } | undefined;
  /** What the model's tool names stand for in Responses terms (this request's tools). */
  readonly toolNames: ResponsesToolNames;
}

export function newResponsesStreamState(opts: {
  id: string;
  createdAt: number;
  echo: ResponseEcho;
  toolNames?: ResponsesToolNames;
}): ResponsesStreamState {
  const response: ResponseObject = {
    id: opts.id,
    object: 'response',
    created_at: opts.createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    output: [],
    usage: null,
    ...opts.echo,
  };
  return {
    response,
    seq: 0,
    started: false,
    finished: false,
    stopReason: null,
    open: undefined,
    toolNames: opts.toolNames ?? new ResponsesToolNames(),
  };
}

export function translateLine(state: ResponsesStreamState, line: CliLine): ResponseEvent[] {
  if (state.finished) return [];
  if (line.type === 'result') return finish(state, line);
  // Sub-agent output (parent_tool_use_id) is not the model's answer.
  if (line.type !== 'stream_event' || line.parent_tool_use_id) return [];
  const event = line.event;
  const out: ResponseEvent[] = [];
  const emit = emitter(state, out);
  // created/in_progress wait for the model's first output: an earlier failure still gets a real HTTP status.
  start(state, emit);
  switch (event.type) {
    case 'message_start':
      // The stop reason that counts is the last message's (the CLI may continue after max_tokens).
      state.stopReason = null;
      break;
    case 'content_block_start': {
      close(state, emit);
      const block = event.content_block;
      if (block.type === 'text')
        open(state, emit, event.index, {
          id: itemId(state, 'msg'),
          type: 'message',
          status: 'in_progress',
          role: 'assistant',
          content: [],
        });
      else if (block.type === 'thinking')
        open(state, emit, event.index, { id: itemId(state, 'rs'), type: 'reasoning', summary: [] });
      else if (block.type === 'tool_use')
        open(state, emit, event.index, callItem(state, block.id ?? '', block.name ?? ''));
      break;
    }
    case 'content_block_delta': {
      const o = state.open;
      if (!o || o.blockIndex !== event.index) break;
      const where = { item_id: o.item.id, output_index: o.outputIndex };
      const d = event.delta;
      if (o.item.type === 'message' && d.type === 'text_delta' && d.text) {
        o.item.content[0]!.text += d.text;
        emit({ type: 'response.output_text.delta', ...where, content_index: 0, delta: d.text, logprobs: [] });
      } else if (o.item.type === 'reasoning' && d.type === 'thinking_delta' && d.thinking) {
        o.item.summary[0]!.text += d.thinking;
        emit({ type: 'response.reasoning_summary_text.delta', ...where, summary_index: 0, delta: d.thinking });
      } else if (o.item.type === 'function_call' && d.type === 'input_json_delta' && d.partial_json) {
        o.item.arguments += d.partial_json;
        emit({ type: 'response.function_call_arguments.delta', ...where, delta: d.partial_json });
      } else if (d.type === 'input_json_delta' && d.partial_json) {
        // A custom or local_shell call: its item is complete only once the arguments are.
        o.json += d.partial_json;
      }
      break;
    }
    case 'content_block_stop':
      if (state.open?.blockIndex === event.index) close(state, emit);
      break;
    case 'message_delta':
      if (event.delta.stop_reason) state.stopReason = event.delta.stop_reason;
      break;
    default:
      break;
  }
  return out;
}

/** The `result` line: close what is open, then exactly one terminal event with the whole response. */
function finish(state: ResponsesStreamState, result: ResultLine): ResponseEvent[] {
  const out: ResponseEvent[] = [];
  const emit = emitter(state, out);
  start(state, emit);
  close(state, emit);
  state.finished = true;
  const r = state.response;
  const reason = incompleteReason(state.stopReason ?? result.stop_reason ?? null);
  r.status = reason ? 'incomplete' : 'completed';
  r.incomplete_details = reason ? { reason } : null;
  r.usage = responsesUsage(result.usage);
  emit({ type: reason ? 'response.incomplete' : 'response.completed', response: structuredClone(r) });
  return out;
}

/**
 * A run that failed: `response.failed` with what was produced so far (an item cut off
 * mid-way is `incomplete`), and nothing after it. One failure is not a failure in
 * Responses terms: when the model's last message stopped at its output limit and the CLI
 * gave up continuing it ("exceeded the N output token maximum"), the answer is
 * `response.incomplete` with reason max_output_tokens, as OpenAI reports a cut answer.
 */
export function failStream(state: ResponsesStreamState, error: ApiError): ResponseEvent[] {
  if (state.finished) return [];
  const out: ResponseEvent[] = [];
  const emit = emitter(state, out);
  start(state, emit);
  const cut = cutAtOutputLimit(state, error);
  if (cut) close(state, emit);
  state.finished = true;
  if (state.open && 'status' in state.open.item) state.open.item.status = 'incomplete';
  state.open = undefined;
  const r = state.response;
  if (cut) {
    r.status = 'incomplete';
    r.incomplete_details = { reason: 'max_output_tokens' };
    emit({ type: 'response.incomplete', response: structuredClone(r) });
  } else {
    r.status = 'failed';
    r.error = { code: failureCode(error), message: error.message };
    emit({ type: 'response.failed', response: structuredClone(r) });
  }
  return out;
}

/** The model's last message stopped at its output limit and the CLI gave up continuing it: a cut answer, not a failure. */
export function cutAtOutputLimit(state: ResponsesStreamState, error: ApiError): boolean {
  return state.stopReason === 'max_tokens' && /output token maximum/i.test(error.message);
}

/** The non-streamed answer: the response the terminal event carries. */
export function collectResponse(events: ResponseEvent[]): ResponseObject {
  const terminal = events.findLast(isTerminal);
  if (!terminal) throw new Error('the events hold no terminal response event');
  return terminal.response;
}

export function isTerminal(e: ResponseEvent): e is TerminalEvent {
  return e.type === 'response.completed' || e.type === 'response.incomplete' || e.type === 'response.failed';
}

/** OpenAI's usage shape over the CLI's numbers (input counts cache reads and writes, as chatUsage does). */
export function responsesUsage(usage: CliUsage | undefined): ResponsesUsage {
  const u = chatUsage(usage);
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: u.prompt_tokens_details.cached_tokens },
    output_tokens: u.completion_tokens,
    // Claude bills thinking as output tokens and the CLI does not report them apart.
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.total_tokens,
  };
}

/** Numbers events as they are made: sequence numbers are strictly increasing across the whole stream. */
function emitter(state: ResponsesStreamState, out: ResponseEvent[]): (body: EventBody) => void {
  return (body) => out.push({ ...body, sequence_number: state.seq++ } as ResponseEvent);
}

function start(state: ResponsesStreamState, emit: (b: EventBody) => void): void {
  if (state.started) return;
  state.started = true;
  emit({ type: 'response.created', response: structuredClone(state.response) });
  emit({ type: 'response.in_progress', response: structuredClone(state.response) });
}

function open(state: ResponsesStreamState, emit: (b: EventBody) => void, blockIndex: number, item: OutputItem): void {
  const outputIndex = state.response.output.length;
  state.response.output.push(item);
  state.open = { item, outputIndex, blockIndex, json: '' };
  emit({ type: 'response.output_item.added', output_index: outputIndex, item: structuredClone(item) });
  const where = { item_id: item.id, output_index: outputIndex };
  if (item.type === 'message') {
    item.content.push({ type: 'output_text', text: '', annotations: [], logprobs: [] });
    emit({ type: 'response.content_part.added', ...where, content_index: 0, part: structuredClone(item.content[0]!) });
  } else if (item.type === 'reasoning') {
    item.summary.push({ type: 'summary_text', text: '' });
    emit({
      type: 'response.reasoning_summary_part.added',
      ...where,
      summary_index: 0,
      part: { type: 'summary_text', text: '' },
    });
  }
}

function close(state: ResponsesStreamState, emit: (b: EventBody) => void): void {
  const o = state.open;
  if (!o) return;
  state.open = undefined;
  const { item, outputIndex } = o;
  const where = { item_id: item.id, output_index: outputIndex };
  if (item.type === 'custom_tool_call') {
    const args = parseJsonOr<unknown>(o.json, {});
    const input = args && typeof args === 'object' && 'input' in args ? (args as { input: unknown }).input : undefined;
    item.input = typeof input === 'string' ? input : input === undefined ? '' : JSON.stringify(input);
    if (item.input) emit({ type: 'response.custom_tool_call_input.delta', ...where, delta: item.input });
    emit({ type: 'response.custom_tool_call_input.done', ...where, input: item.input });
    item.status = 'completed';
  } else if (item.type === 'local_shell_call') {
    item.action = localShellAction(parseJsonOr<unknown>(o.json, {}));
    item.status = 'completed';
  } else if (item.type === 'message') {
    const part = item.content[0]!;
    emit({ type: 'response.output_text.done', ...where, content_index: 0, text: part.text, logprobs: [] });
    emit({ type: 'response.content_part.done', ...where, content_index: 0, part: structuredClone(part) });
    item.status = 'completed';
  } else if (item.type === 'reasoning') {
    const part = item.summary[0]!;
    emit({ type: 'response.reasoning_summary_text.done', ...where, summary_index: 0, text: part.text });
    emit({ type: 'response.reasoning_summary_part.done', ...where, summary_index: 0, part: structuredClone(part) });
  } else {
    // A call without arguments streams none; clients JSON.parse what they get.
    if (item.arguments === '') item.arguments = '{}';
    emit({ type: 'response.function_call_arguments.done', ...where, name: item.name, arguments: item.arguments });
    item.status = 'completed';
  }
  emit({ type: 'response.output_item.done', output_index: outputIndex, item: structuredClone(item) });
}

/** A tool_use block → the item the client expects for that tool (see responses-tools.ts). */
function callItem(state: ResponsesStreamState, callId: string, modelName: string): OutputItem {
  const callee = state.toolNames.callee(modelName);
  switch (callee.kind) {
    case 'custom':
      return {
        id: itemId(state, 'ctc'),
        type: 'custom_tool_call',
        status: 'in_progress',
        call_id: callId,
        name: callee.name,
        input: '',
      };
    case 'local_shell':
      return {
        id: itemId(state, 'lsh'),
        type: 'local_shell_call',
        status: 'in_progress',
        call_id: callId,
        action: localShellAction({}),
      };
    case 'function':
      return {
        id: itemId(state, 'fc'),
        type: 'function_call',
        status: 'in_progress',
        call_id: callId,
        name: callee.name,
        ...(callee.namespace ? { namespace: callee.namespace } : {}),
        arguments: '',
      };
  }
}

/** Item ids derive from the response id: unique, and the translator stays deterministic. */
function itemId(state: ResponsesStreamState, prefix: 'msg' | 'rs' | 'fc' | 'ctc' | 'lsh'): string {
  return `${prefix}_${state.response.id.replace(/^resp_/, '')}_${state.response.output.length}`;
}

function incompleteReason(stopReason: string | null): 'max_output_tokens' | 'content_filter' | null {
  if (stopReason === 'max_tokens' || stopReason === 'model_context_window_exceeded') return 'max_output_tokens';
  if (stopReason === 'refusal') return 'content_filter';
  return null;
}

/** Codes clients act on: Codex retries `rate_limit_exceeded` and stops on `context_length_exceeded`. */
function failureCode(error: ApiError): string {
  if (error.status === 429) return 'rate_limit_exceeded';
  if (error.code === 'upstream_rejected' && /prompt is too long|context/i.test(error.message))
    return 'context_length_exceeded';
  return error.code ?? 'server_error';
}
