/** A validated Anthropic Messages request → the ModelRequest the CLI process manager runs. */
import type { ContentBlock, ModelRequest, ToolChoice, ToolSpec } from '../core/model-request';
import { joinSystem, normalizeTurns, lastUserTurn } from '../core/conversation';
import { errors } from '../core/api-error';
import { imageBlock } from '../core/images';
import { effortFrom, stopSequences } from '../core/output-controls';
import type { AnthropicMessage, CountTokensRequest, MessageBlock, MessagesRequest } from './messages-schema';

export interface MessagesPlan {
  request: ModelRequest;
  stream: boolean;
}

export function planMessages(body: MessagesRequest, defaultModel: string): MessagesPlan {
  const tools = toolSpecs(body.tools);
  const choice = body.tool_choice ?? undefined;
  return {
    request: {
      model: body.model ?? defaultModel,
      system: systemText(body.system),
      turns: conversation(body.messages),
      tools,
      toolChoice: toolChoiceFrom(choice, tools),
      parallelToolCalls: choice?.disable_parallel_tool_use === true ? false : undefined,
      stop: stopSequences(body.stop_sequences),
      maxOutputTokens: body.max_tokens,
      effort: effortFrom(body.output_config?.effort, 'output_config.effort'),
    },
    stream: body.stream === true,
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

function systemText(system: MessagesRequest['system']): string {
  if (!system) return '';
  return joinSystem(typeof system === 'string' ? [system] : system.map((b) => b.text));
}

function conversation(messages: AnthropicMessage[]): ModelRequest['turns'] {
  const turns = normalizeTurns(
    messages.map((m, i) => ({ role: m.role, content: blocksOf(m.content, `messages[${i}].content`) })),
  );
  lastUserTurn(turns, 'messages', 'message must be from the user');
  return turns;
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
    default:
      throw errors.invalidRequest(
        `Content block type '${b.type}' is not supported; CLI2API accepts text, image (base64), tool_use, tool_result and thinking.`,
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

function toolSpecs(tools: MessagesRequest['tools']): ToolSpec[] {
  return (tools ?? []).map((t, i) => {
    if (t.type && t.type !== 'custom') {
      throw errors.invalidRequest(
        `Tool type '${t.type}' is not supported: only custom tools (name, description, input_schema) reach the model.`,
        `tools[${i}].type`,
        'unsupported_value',
      );
    }
    return { name: t.name, description: t.description ?? undefined, parameters: t.input_schema ?? undefined };
  });
}

function toolChoiceFrom(choice: MessagesRequest['tool_choice'], tools: ToolSpec[]): ToolChoice | undefined {
  if (!choice || choice.type === 'auto') return choice ? 'auto' : undefined;
  if (choice.type === 'none') return 'none';
  if (tools.length === 0) throw errors.invalidRequest(`tool_choice '${choice.type}' needs tools.`, 'tool_choice');
  if (choice.type === 'any') return 'required';
  if (!choice.name || !tools.some((t) => t.name === choice.name)) {
    throw errors.invalidRequest(
      `tool_choice names '${choice.name ?? ''}', which is not among the tools.`,
      'tool_choice.name',
    );
  }
  return { name: choice.name };
}
