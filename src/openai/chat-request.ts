/** A validated Chat Completions request → the ModelRequest the CLI process manager runs. */
import type { ContentBlock } from '../core/model-request';
import type { ModelRequest, ToolChoice, ToolSpec } from '../core/model-request';
import { contentBlocks, contentText, textBlocks } from './content';
import { joinSystem, lateSystemBlock, normalizeTurns, type PendingTurn, lastUserTurn } from '../core/conversation';
import { errors } from '../core/api-error';
import { effortFrom, jsonSchemaFrom, stopSequences } from '../core/output-controls';
import type { ChatMessage, ChatRequest } from './chat-schema';

export interface ChatPlan {
  request: ModelRequest;
  stream: boolean;
  includeUsage: boolean;
}

export function planChat(body: ChatRequest, defaultModel: string): ChatPlan {
  if (body.n !== null && body.n !== undefined && body.n > 1) {
    throw errors.invalidRequest(
      'n > 1 is not supported: Claude Code produces one choice per request. Send n=1 or leave it out.',
      'n',
      'unsupported_value',
    );
  }
  const { system, turns } = messagesToConversation(body.messages);
  const tools: ToolSpec[] = (body.tools ?? []).map((t) => ({
    name: t.function.name,
    description: t.function.description ?? undefined,
    parameters: t.function.parameters ?? undefined,
  }));
  const toolChoice = chatToolChoice(body.tool_choice, tools);
  return {
    request: {
      model: body.model ?? defaultModel,
      system,
      turns,
      tools,
      toolChoice,
      parallelToolCalls: body.parallel_tool_calls ?? undefined,
      stop: stopSequences(body.stop),
      // max_tokens is the deprecated name; a client that sends both means the newer one.
      maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      effort: effortFrom(body.reasoning_effort, 'reasoning_effort'),
      jsonSchema: jsonSchemaFrom(body.response_format, 'response_format'),
    },
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
  };
}

export function messagesToConversation(messages: ChatMessage[]): { system: string; turns: ModelRequest['turns'] } {
  const systemParts: string[] = [];
  const pending: PendingTurn[] = [];
  messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        if (pending.length === 0) systemParts.push(contentText(m.content));
        else pending.push({ role: 'user', content: [lateSystemBlock(contentText(m.content))] });
        return;
      case 'user':
        pending.push({ role: 'user', content: contentBlocks(m.content, `${param}.content`) });
        return;
      case 'assistant': {
        const blocks: ContentBlock[] = [
          ...contentBlocks(m.content, `${param}.content`),
          ...textBlocks(m.refusal ?? ''),
        ];
        for (const [j, call] of (m.tool_calls ?? []).entries()) {
          blocks.push({
            type: 'tool_use',
            id: call.id,
            name: call.function.name,
            input: parseArguments(call.function.arguments, `${param}.tool_calls[${j}].function.arguments`),
          });
        }
        pending.push({ role: 'assistant', content: blocks });
        return;
      }
      case 'tool':
        pending.push({
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: contentText(m.content) }],
        });
        return;
    }
  });
  const turns = normalizeTurns(pending);
  lastUserTurn(turns, 'messages', 'message must be from the user or a tool');
  return { system: joinSystem(systemParts), turns };
}

function chatToolChoice(choice: ChatRequest['tool_choice'], tools: ToolSpec[]): ToolChoice | undefined {
  if (!choice) return undefined;
  if (typeof choice === 'string') {
    if (choice !== 'none' && tools.length === 0)
      throw errors.invalidRequest(`tool_choice '${choice}' needs tools.`, 'tool_choice');
    return choice;
  }
  if (!tools.some((t) => t.name === choice.function.name)) {
    throw errors.invalidRequest(
      `tool_choice names '${choice.function.name}', which is not among the tools.`,
      'tool_choice.function.name',
    );
  }
  return { name: choice.function.name };
}

function parseArguments(raw: string | null | undefined, param: string): unknown {
  if (raw === null || raw === undefined || raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw errors.invalidRequest('Tool call arguments must be a JSON string.', param);
  }
}
