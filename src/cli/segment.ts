/**
 * Reading one model segment from a CLI process: the lines up to the `result`, or up to the
 * end of a message that stopped for tool calls (the CLI then waits for CLI2API to answer
 * them). Tool names and argument shapes are mapped back to the client's on the way out,
 * and the assistant turn and token usage of the segment are accumulated.
 */
import { errors } from '../openai/errors';
import type { ClaudeProcess } from './claude-process';
import { errorFromCrash, errorFromResult, cliNotFound } from './cli-errors';
import type { CliLine, CliUsage, ResultLine, StreamEventLine } from './events';
import type { ToolSet } from './tools';
import type { ContentBlock, Turn } from './types';

export type SegmentEnd =
  | { kind: 'result'; result: ResultLine }
  | { kind: 'tool_calls'; result: ResultLine; toolUseIds: string[] };

export class SegmentState {
  readonly assistant: Turn = { role: 'assistant', content: [] };
  readonly usage: Required<Pick<CliUsage, 'input_tokens' | 'output_tokens'>> & { cache_read_input_tokens: number; cache_creation_input_tokens: number } = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  };
  stopReason: string | null = null;
  private messageOutput = 0;
  private blocks = new Map<number, { kind: 'text' | 'tool' | 'other'; id?: string; apiName?: string; json: string }>();
  readonly toolUseIds: string[] = [];

  constructor(private readonly tools: ToolSet) {}

  /** Maps one stream event to what the client should see (possibly nothing). */
  map(line: StreamEventLine): StreamEventLine[] {
    const e = line.event;
    switch (e.type) {
      case 'message_start':
        this.blocks = new Map();
        this.messageOutput = 0;
        this.usage.input_tokens += e.message.usage?.input_tokens ?? 0;
        this.usage.cache_read_input_tokens += e.message.usage?.cache_read_input_tokens ?? 0;
        this.usage.cache_creation_input_tokens += e.message.usage?.cache_creation_input_tokens ?? 0;
        return [line];
      case 'content_block_start': {
        const b = e.content_block;
        if (b.type === 'text') this.blocks.set(e.index, { kind: 'text', json: '' });
        else if (b.type === 'tool_use') {
          const apiName = b.name ?? '';
          this.blocks.set(e.index, { kind: 'tool', id: b.id, apiName, json: '' });
          if (b.id) this.toolUseIds.push(b.id);
          return [{ ...line, event: { ...e, content_block: { ...b, name: this.tools.clientName(apiName) } } }];
        } else this.blocks.set(e.index, { kind: 'other', json: '' });
        return [line];
      }
      case 'content_block_delta': {
        const block = this.blocks.get(e.index);
        if (e.delta.type === 'text_delta' && e.delta.text) this.appendText(e.delta.text);
        if (block?.kind === 'tool' && e.delta.type === 'input_json_delta') {
          block.json += e.delta.partial_json ?? '';
          // Wrapped arguments are unwrapped whole when the block ends.
          if (this.tools.isWrapped(block.apiName ?? '')) return [];
        }
        return [line];
      }
      case 'content_block_stop': {
        const block = this.blocks.get(e.index);
        if (block?.kind !== 'tool') return [line];
        const input = this.tools.argumentsOut(block.apiName ?? '', parseJson(block.json));
        this.assistant.content.push({ type: 'tool_use', id: block.id ?? '', name: this.tools.clientName(block.apiName ?? ''), input });
        if (!this.tools.isWrapped(block.apiName ?? '')) return [line];
        const delta: StreamEventLine = { ...line, event: { type: 'content_block_delta', index: e.index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) } } };
        return [delta, line];
      }
      case 'message_delta':
        if (e.delta.stop_reason) this.stopReason = e.delta.stop_reason;
        if (e.usage?.output_tokens !== undefined) {
          this.usage.output_tokens += e.usage.output_tokens - this.messageOutput;
          this.messageOutput = e.usage.output_tokens;
        }
        return [line];
      default:
        return [line];
    }
  }

  private appendText(text: string): void {
    const last = this.assistant.content[this.assistant.content.length - 1];
    if (last?.type === 'text') last.text += text;
    else this.assistant.content.push({ type: 'text', text });
  }

  syntheticResult(): ResultLine {
    return { type: 'result', subtype: 'tool_calls', is_error: false, stop_reason: 'tool_use', usage: { ...this.usage }, total_cost_usd: 0 } as ResultLine;
  }
}

/** Yields the client-facing lines of one segment; returns how it ended. Failures throw ApiErrors. */
export async function* readSegment(child: ClaudeProcess, state: SegmentState, model: string, signal: AbortSignal, idleMs = 0): AsyncGenerator<CliLine, SegmentEnd> {
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    void child.exited.then(() => signal.removeEventListener('abort', onAbort));
  });
  aborted.catch(() => {});
  for (;;) {
    let idleTimer: NodeJS.Timeout | undefined;
    const idle =
      idleMs > 0
        ? new Promise<never>((_, reject) => {
            idleTimer = setTimeout(() => reject(errors.timeout(`The Claude CLI produced no output for ${Math.round(idleMs / 1000)} s and was stopped.`)), idleMs);
          })
        : aborted;
    const event = await Promise.race([child.events.next(), aborted, idle]).finally(() => clearTimeout(idleTimer));
    if (event.kind === 'exit') {
      if (event.error) throw cliNotFound(event.error.message);
      throw errorFromCrash(event.code, event.signal, child.stderr);
    }
    if (event.kind === 'garbage') throw errors.upstream(`Claude Code CLI printed unexpected output (${event.reason}): ${event.raw.slice(0, 200)}`);
    const line = event.line;
    if (line.type === 'result') {
      if (line.is_error) throw errorFromResult(line, model);
      yield line;
      return { kind: 'result', result: line };
    }
    if (line.type === 'control_response' && line.response.subtype === 'error') {
      throw errors.upstream(`Claude Code CLI refused a control request: ${line.response.error ?? 'unknown error'}`);
    }
    if (line.type !== 'stream_event' || line.parent_tool_use_id) {
      yield line;
      continue;
    }
    for (const mapped of state.map(line)) yield mapped;
    if (line.event.type === 'message_stop' && state.stopReason === 'tool_use' && state.toolUseIds.length > 0) {
      const result = state.syntheticResult();
      yield result;
      return { kind: 'tool_calls', result, toolUseIds: [...state.toolUseIds] };
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

export function lastTurnToolResults(turn: Turn | undefined): Extract<ContentBlock, { type: 'tool_result' }>[] {
  return (turn?.content ?? []).filter((b): b is Extract<ContentBlock, { type: 'tool_result' }> => b.type === 'tool_result');
}
