/**
 * A validated Anthropic Messages request → the ModelRequest the CLI process manager runs.
 * `role: "system"` messages (Claude Code 2.x puts its environment in one after the first user
 * message) keep their place: leading ones join the system prompt, later ones become text in
 * the neighbouring user turn wrapped in `<system-message>` tags, as Chat Completions does.
 * The CLI cannot send a system message of the client's in place: history reaches it as a
 * transcript or over stdin as user turns, and its own system messages are its own.
 */
import type { ContentBlock, ModelRequest } from '../core/model-request';
import { joinSystem, lateSystemBlock, normalizeTurns, type PendingTurn, lastUserTurn } from '../core/conversation';
import { errors } from '../core/api-error';
import { imageBlock } from '../core/images';
import { effortFrom, jsonSchemaFrom, stopSequences } from '../core/output-controls';
import type { AnthropicMessage, CountTokensRequest, MessageBlock, MessagesRequest } from './messages-schema';
import { planMessagesTools } from './messages-tools';

export interface MessagesPlan {
  request: ModelRequest;
  stream: boolean;
  /** Server tools the request offered that the CLI cannot run, left out (for the log). */
  leftOutTools: string[];
}

export function planMessages(body: MessagesRequest, defaultModel: string): MessagesPlan {
  const { system, turns } = conversation(body.system, body.messages);
  const tools = planMessagesTools(body.tools, body.tool_choice, toolReferences(body.messages));
  const format = body.output_config?.format ?? body.output_format;
  return {
    request: {
      model: body.model ?? defaultModel,
      system,
      turns,
      tools: tools.specs,
      toolChoice: tools.toolChoice,
      parallelToolCalls: tools.parallelToolCalls,
      stop: stopSequences(body.stop_sequences),
      maxOutputTokens: body.max_tokens,
      effort: effortFrom(body.output_config?.effort, 'output_config.effort'),
      jsonSchema: jsonSchemaFrom(format, body.output_config?.format ? 'output_config.format' : 'output_format'),
    },
    stream: body.stream === true,
    leftOutTools: tools.leftOut,
  };
}

/**
 * Anthropic's count_tokens, estimated: the CLI has no way to count tokens without running
 * the model, so this is ~4 characters per token of the system, messages and tools as JSON.
 * Good enough for context-window bookkeeping, not for billing.
 */
export function estimateInputTokens(body: CountTokensRequest): number {
  const chars = JSON.stringify({
    system: body.system ?? null,
    messages: body.messages,
    tools: body.tools ?? [],
  }).length;
  return Math.max(1, Math.ceil(chars / 4));
}

function conversation(
  system: MessagesRequest['system'],
  messages: AnthropicMessage[],
): Pick<ModelRequest, 'system' | 'turns'> {
  const systemParts = !system ? [] : typeof system === 'string' ? [system] : system.map((b) => b.text);
  const pending: PendingTurn[] = [];
  messages.forEach((m, i) => {
    const param = `messages[${i}].content`;
    if (m.role !== 'system') {
      pending.push({ role: m.role, content: blocksOf(m.content, param) });
      return;
    }
    const text = systemMessageText(m.content, param);
    if (!text) return;
    if (pending.length === 0) systemParts.push(text);
    else pending.push({ role: 'user', content: [lateSystemBlock(text)] });
  });
  const turns = normalizeTurns(pending);
  lastUserTurn(turns, 'messages', 'message must be from the user');
  return { system: joinSystem(systemParts), turns };
}

/** A system message holds text only (Claude Code sends a string or text blocks with cache_control). */
function systemMessageText(content: string | MessageBlock[], param: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((b, i) => {
      if (b.type !== 'text')
        throw errors.invalidRequest(
          `A system message holds text blocks only, not '${b.type}'.`,
          `${param}[${i}].type`,
          'unsupported_content',
        );
      return String((b as { text?: unknown }).text ?? '');
    })
    .join('\n\n');
}

/** The tool names `tool_reference` blocks name (in tool results, where tool search puts them). */
function toolReferences(messages: AnthropicMessage[]): Set<string> {
  const names = new Set<string>();
  const visit = (blocks: unknown): void => {
    if (!Array.isArray(blocks)) return;
    for (const b of blocks as Array<Record<string, unknown>>) {
      if (b.type === 'tool_reference' && typeof b.tool_name === 'string') names.add(b.tool_name);
      if (b.type === 'tool_result') visit(b.content);
    }
  };
  for (const m of messages) visit(m.content);
  return names;
}

function blocksOf(content: string | MessageBlock[], param: string): ContentBlock[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  return content.flatMap((block, i) => blockOf(block, `${param}[${i}]`));
}

function blockOf(block: MessageBlock, param: string): ContentBlock[] {
  const b = block as Record<string, unknown> & { type: string };
  switch (b.type) {
    case 'text':
      return typeof b.text === 'string' && b.text.length > 0 ? [{ type: 'text', text: b.text }] : [];
    case 'image':
      return [image(b.source as { type: string; media_type?: string; data?: string }, param)];
    case 'tool_use':
      return [{ type: 'tool_use', id: String(b.id), name: String(b.name), input: b.input ?? {} }];
    case 'tool_result': {
      const content = b.content as string | MessageBlock[] | undefined;
      const inner =
        typeof content === 'string' || content === undefined
          ? (content ?? '')
          : content.flatMap((c, j) => blockOf(c, `${param}.content[${j}]`));
      return [
        {
          type: 'tool_result',
          tool_use_id: String(b.tool_use_id),
          content: inner,
          ...(b.is_error === true ? { is_error: true } : {}),
        },
      ];
    }
    case 'thinking':
    case 'redacted_thinking':
      // The CLI regenerates its own thinking; earlier thinking (and its signature) cannot be replayed through it.
      return [];
    case 'tool_reference':
      // What a tool search returned: the real API puts the tool's definition in context; here the
      // tool is offered from now on (messages-tools.ts), and the model reads that it was found.
      return [{ type: 'text', text: `Tool found and now available: ${String(b.tool_name)}` }];
    default:
      throw errors.invalidRequest(
        `Content block type '${b.type}' is not supported; CLI2API accepts text, image (base64), tool_use, tool_result, tool_reference and thinking.`,
        `${param}.type`,
        'unsupported_content',
      );
  }
}

function image(source: { type: string; media_type?: string; data?: string }, param: string): ContentBlock {
  if (source.type !== 'base64' || !source.data || !source.media_type) {
    throw errors.invalidRequest(
      'Only base64 image sources are supported; image URLs and file ids are not fetched.',
      `${param}.source`,
      'unsupported_image_url',
    );
  }
  return imageBlock(source.media_type, source.data, param);
}
