/**
 * The state of one model answer as CLI2API reads it from the CLI: which client lines each
 * stream event becomes (tool names and argument shapes mapped back to the client's, text
 * passed through the stop sequences, the structured-output tool turned into the answer),
 * the assistant turn and the token usage so far, and whether CLI2API has cut the answer
 * (at a stop sequence or at the first `max_tokens` stop). Usage and cost are this answer's
 * own: a used process's CLI reports a running total of cost, and a turn continued after tool
 * calls re-reports the tokens of the part answered in an earlier request.
 */
import { parseJsonOr } from '../../core/json';
import type { Turn } from '../../core/model-request';
import { structuredOutputFailed } from '../cli-errors';
import type { CliLine, CliUsage, ResultLine, StreamEventLine } from '../events';
import type { ToolSet } from '../tools/tool-set';
import { StopMatcher } from './stop-matcher';

export type AnswerEnd =
  | { kind: 'result'; result: ResultLine }
  | { kind: 'tool_calls'; result: ResultLine; toolUseIds: string[] }
  /** Ended by CLI2API while the CLI was still busy with the answer: the process must go. */
  | { kind: 'cut'; result: ResultLine };

/** Why CLI2API ended an answer before the CLI did. */
export type CutReason = 'stop_sequence' | 'max_tokens';

export class AnswerState {
  readonly assistant: Turn = { role: 'assistant', content: [] };
  readonly usage: Required<Pick<CliUsage, 'input_tokens' | 'output_tokens'>> & {
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
  } = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  };
  stopReason: string | null = null;
  /** The CLI's running total of cost at the end of this answer (unset until its result). */
  costTotal: number | undefined;
  /** The CLI has ended its turn (a result line, success or error): the process has no work left. */
  resultSeen = false;
  private messages = 0;
  private messageOutput = 0;
  private blocks = new Map<
    number,
    { kind: 'text' | 'tool' | 'own' | 'structured' | 'other'; id?: string; apiName?: string; json: string }
  >();
  /** The client's tool calls (tools of CLI2API's MCP server), by tool_use id: these end the answer. */
  readonly toolUseIds: string[] = [];
  /** In the current model message: client calls, and calls of the CLI's own tools (agent mode). */
  private messageCalls = { client: 0, own: 0 };
  /** Set once the answer is over for the client, though the CLI may still be producing it. */
  cut: CutReason | undefined;
  private matcher: StopMatcher;
  private textChars = 0;
  /** Structured output: the model's prose, kept out of the answer (and quoted if it never complied). */
  private prose = '';

  constructor(
    private readonly tools: ToolSet,
    private readonly stop: readonly string[] = [],
    /** `--json-schema` is on: the answer is the validated StructuredOutput value, not the model's text. */
    private readonly structured = false,
    /** The process's running total of cost before this answer. */
    private readonly costBefore = 0,
  ) {
    this.matcher = new StopMatcher(stop);
  }

  /** Maps one stream event to what the client should see (possibly nothing). */
  clientLines(line: StreamEventLine): StreamEventLine[] {
    const e = line.event;
    if (this.cut) return [];
    switch (e.type) {
      case 'message_start':
        this.blocks = new Map();
        this.messages++;
        this.messageOutput = 0;
        this.messageCalls = { client: 0, own: 0 };
        this.usage.input_tokens += e.message.usage?.input_tokens ?? 0;
        this.usage.cache_read_input_tokens += e.message.usage?.cache_read_input_tokens ?? 0;
        this.usage.cache_creation_input_tokens += e.message.usage?.cache_creation_input_tokens ?? 0;
        return [line];
      case 'content_block_start': {
        const b = e.content_block;
        if (this.structured && (b.type === 'text' || b.name === STRUCTURED_TOOL)) {
          this.blocks.set(e.index, { kind: 'structured', json: '' });
          return [];
        }
        if (b.type === 'text') {
          this.blocks.set(e.index, { kind: 'text', json: '' });
          this.matcher = new StopMatcher(this.stop);
        } else if (b.type === 'tool_use' && !this.tools.isClientTool(b.name ?? '')) {
          // A Claude Code tool (agent mode): the CLI runs it itself and goes on; the client never sees it.
          this.blocks.set(e.index, { kind: 'own', json: '' });
          this.messageCalls.own++;
          return [];
        } else if (b.type === 'tool_use') {
          const apiName = b.name ?? '';
          this.messageCalls.client++;
          this.blocks.set(e.index, { kind: 'tool', id: b.id, apiName, json: '' });
          if (b.id) this.toolUseIds.push(b.id);
          return [{ ...line, event: { ...e, content_block: { ...b, name: this.tools.clientName(apiName) } } }];
        } else this.blocks.set(e.index, { kind: 'other', json: '' });
        return [line];
      }
      case 'content_block_delta': {
        const block = this.blocks.get(e.index);
        if (block?.kind === 'own') return [];
        if (block?.kind === 'structured') {
          this.prose += e.delta.text ?? '';
          return [];
        }
        if (e.delta.type === 'text_delta' && e.delta.text) return this.text(line, e.index, e.delta.text);
        if (block?.kind === 'tool' && e.delta.type === 'input_json_delta') {
          block.json += e.delta.partial_json ?? '';
          // Wrapped arguments are unwrapped whole when the block ends.
          if (this.tools.isWrapped(block.apiName ?? '')) return [];
        }
        return [line];
      }
      case 'content_block_stop': {
        const block = this.blocks.get(e.index);
        if (block?.kind === 'structured' || block?.kind === 'own') return [];
        if (block?.kind === 'text') {
          // What was held back for a stop sequence that never came.
          const rest = this.matcher.flush();
          if (!rest) return [line];
          this.appendText(rest);
          return [textLine(line, e.index, rest), line];
        }
        if (block?.kind !== 'tool') return [line];
        const input = this.tools.argumentsOut(block.apiName ?? '', parseJsonOr(block.json, {}));
        this.assistant.content.push({
          type: 'tool_use',
          id: block.id ?? '',
          name: this.tools.clientName(block.apiName ?? ''),
          input,
        });
        if (!this.tools.isWrapped(block.apiName ?? '')) return [line];
        const delta: StreamEventLine = {
          ...line,
          event: {
            type: 'content_block_delta',
            index: e.index,
            delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) },
          },
        };
        return [delta, line];
      }
      case 'message_stop':
        return [line];
      case 'message_delta':
        if (e.delta.stop_reason === 'tool_use' && this.messageCalls.client === 0) {
          if (this.messageCalls.own > 0) {
            // Stopped for the CLI's own tools: it runs them and the answer goes on in its next message.
            line = { ...line, event: { ...e, delta: { ...e.delta, stop_reason: null } } };
          } else if (this.structured) {
            // Stopped only for the CLI's own StructuredOutput tool: for the client, the answer is just ending.
            line = { ...line, event: { ...e, delta: { ...e.delta, stop_reason: 'end_turn' } } };
          }
          if (line.event !== e) return this.clientLines(line);
        }
        if (e.delta.stop_reason) this.stopReason = e.delta.stop_reason;
        if (e.usage?.output_tokens !== undefined) {
          this.usage.output_tokens += e.usage.output_tokens - this.messageOutput;
          this.messageOutput = e.usage.output_tokens;
        }
        // The answer is over at the first max_tokens stop: the CLI would ask the model to go on (a second full
        // request), so its process is stopped here (see ClaudeProcess.killOn), not at message_stop.
        if (e.delta.stop_reason === 'max_tokens') this.cut = 'max_tokens';
        return [line];
      default:
        return [line];
    }
  }

  /** A text delta, passed through the stop sequences: possibly shortened, held back, or the end of the answer. */
  private text(line: StreamEventLine, index: number, delta: string): StreamEventLine[] {
    this.textChars += delta.length;
    if (!this.matcher.active) {
      this.appendText(delta);
      return [line];
    }
    const step = this.matcher.push(delta);
    const out = step.text ? [textLine(line, index, step.text)] : [];
    if (step.text) this.appendText(step.text);
    if (step.stopped === undefined) return out;
    this.cut = 'stop_sequence';
    this.stopReason = 'stop_sequence';
    const event = (ev: StreamEventLine['event']): StreamEventLine => ({ ...line, event: ev });
    out.push(
      event({ type: 'content_block_stop', index }),
      event({
        type: 'message_delta',
        delta: { stop_reason: 'stop_sequence', stop_sequence: step.stopped },
        usage: null,
      }),
      event({ type: 'message_stop' }),
    );
    return out;
  }

  private appendText(text: string): void {
    const last = this.assistant.content[this.assistant.content.length - 1];
    if (last?.type === 'text') last.text += text;
    else this.assistant.content.push({ type: 'text', text });
  }

  /**
   * The CLI's result as this answer's own: tokens counted from the answer's own stream events
   * (the CLI's result when there were none), cost as the growth of the CLI's running total.
   */
  ownResult(result: ResultLine): ResultLine {
    this.resultSeen = true;
    const total = result.total_cost_usd;
    if (total === undefined)
      return this.messages > 0 ? { ...result, usage: { ...result.usage, ...this.usage } } : result;
    this.costTotal = total;
    const own = Math.max(0, Math.round((total - this.costBefore) * 1e9) / 1e9);
    return {
      ...result,
      ...(this.messages > 0 ? { usage: { ...result.usage, ...this.usage } } : {}),
      total_cost_usd: own,
    };
  }

  syntheticResult(): ResultLine {
    return {
      type: 'result',
      subtype: 'tool_calls',
      is_error: false,
      stop_reason: 'tool_use',
      usage: { ...this.usage },
      total_cost_usd: 0,
    } as ResultLine;
  }

  /**
   * With structured output, the result line becomes the answer: the value the CLI validated
   * against the schema, as the text of one content block. No value means the model never
   * made a valid StructuredOutput call (the CLI already asked it again): a clear 422.
   */
  structuredAnswer(result: ResultLine): CliLine[] {
    if (!this.structured) return [result];
    if (result.structured_output === undefined) {
      const said = this.prose.trim() || result.result?.trim();
      throw structuredOutputFailed(said ? `it answered: ${said.slice(0, 500)}` : 'it gave no answer');
    }
    const text = JSON.stringify(result.structured_output);
    this.assistant.content = [{ type: 'text', text }];
    const index = STRUCTURED_BLOCK_INDEX;
    const event = (ev: StreamEventLine['event']): StreamEventLine =>
      ({ type: 'stream_event', event: ev, parent_tool_use_id: null }) as StreamEventLine;
    return [
      event({ type: 'content_block_start', index, content_block: { type: 'text' } }),
      event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }),
      event({ type: 'content_block_stop', index }),
      { ...result, stop_reason: 'end_turn' },
    ];
  }

  /**
   * The result of an answer CLI2API ended. Cut at a stop sequence, the model has not yet
   * reported its output tokens: they are estimated from the text (~4 characters a token).
   * The CLI's cost is never reported for a run it did not finish.
   */
  cutResult(): ResultLine {
    const output_tokens = Math.max(
      this.usage.output_tokens,
      this.cut === 'stop_sequence' ? Math.ceil(this.textChars / 4) : 0,
    );
    return {
      type: 'result',
      subtype: 'success',
      is_error: false,
      stop_reason: this.cut ?? null,
      usage: { ...this.usage, output_tokens },
    } as ResultLine;
  }
}

/** The tool the CLI adds for --json-schema. */
const STRUCTURED_TOOL = 'StructuredOutput';
/** A block index no model message uses, for the answer made from the structured value. */
const STRUCTURED_BLOCK_INDEX = 10_000;

function textLine(line: StreamEventLine, index: number, text: string): StreamEventLine {
  return { ...line, event: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } } };
}
