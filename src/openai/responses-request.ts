/**
 * A validated Responses API request → the ModelRequest the CLI process manager runs, plus
 * what the response object echoes. Input items keep their roles as turns (conversation.ts
 * does the merging); function calls and their outputs become tool_use / tool_result blocks
 * with the client's call_id as the id, as Chat Completions tool calls do.
 */
import type { ContentBlock, ModelRequest, Turn } from '../core/model-request';
import { contentBlocks, contentText } from './content';
import { joinSystem, lateSystemBlock, normalizeTurns, type PendingTurn, lastUserTurn } from '../core/conversation';
import { ApiError, errors } from '../core/api-error';
import { parseJsonOr } from '../core/json';
import { effortFrom, jsonSchemaFrom, stopSequences } from '../core/output-controls';
import type { InputItem, ResponsesRequest } from './responses-schema';
import type { OutputItem, ResponseEcho } from './responses-stream';
import { localShellInput, planResponsesTools, ResponsesToolNames } from './responses-tools';

/** What a stored response contributes to a request that continues it (previous_response_id). */
export interface StoredConversation {
  /** System/developer text from input messages. `instructions` are not carried over, as OpenAI documents. */
  inputSystem: string;
  /** Every turn so far, the stored response's own output included. */
  turns: Turn[];
}

export interface ResponsesPlan {
  request: ModelRequest;
  stream: boolean;
  store: boolean;
  echo: ResponseEcho;
  /** System text from input messages (this request's and the ones it continues): what a stored response keeps. */
  inputSystem: string;
  /** The model's tool names ↔ the client's call items (namespaced functions, custom tools, local_shell). */
  toolNames: ResponsesToolNames;
  /** Hosted tools the request offered that the CLI cannot run, left out (for the log). */
  leftOutTools: string[];
}

/** Fields whose silent omission would change the answer: refused instead of ignored. */
const UNSERVABLE: Array<[field: string, why: string]> = [
  [
    'conversation',
    'the Conversations API is not available; continue with previous_response_id or send the whole input',
  ],
  ['prompt', 'stored prompt templates are not available; send instructions and input instead'],
];

export function planResponses(
  body: ResponsesRequest,
  defaultModel: string,
  previous?: StoredConversation,
): ResponsesPlan {
  for (const [field, why] of UNSERVABLE) {
    if ((body as Record<string, unknown>)[field] != null)
      throw errors.invalidRequest(`'${field}' is not supported: ${why}.`, field, 'unsupported_parameter');
  }
  if (body.background)
    throw errors.invalidRequest(
      'Background responses are not supported: send the request with stream or wait for it.',
      'background',
      'unsupported_value',
    );
  const tools = planResponsesTools(body.tools ?? [], body.tool_choice);
  const pending: PendingTurn[] = (previous?.turns ?? []).map((t) => ({ role: t.role, content: [...t.content] }));
  const inputSystem: string[] = previous?.inputSystem ? [previous.inputSystem] : [];
  (body.input ?? []).forEach((item, i) => addItem(item, `input[${i}]`, pending, inputSystem, tools.names));
  const turns = normalizeTurns(pending);
  lastUserTurn(turns, 'input', 'input item must be a user message or a function_call_output');
  const model = body.model ?? defaultModel;
  const joinedInputSystem = joinSystem(inputSystem);
  return {
    request: {
      model,
      system: joinSystem([body.instructions ?? '', joinedInputSystem]),
      turns,
      tools: tools.specs,
      toolChoice: tools.toolChoice,
      parallelToolCalls: body.parallel_tool_calls ?? undefined,
      stop: stopSequences(body.stop),
      maxOutputTokens: body.max_output_tokens ?? undefined,
      effort: effortFrom(body.reasoning?.effort, 'reasoning.effort'),
      jsonSchema: jsonSchemaFrom(body.text?.format as Parameters<typeof jsonSchemaFrom>[0], 'text.format'),
    },
    stream: body.stream === true,
    store: body.store !== false,
    inputSystem: joinedInputSystem,
    toolNames: tools.names,
    leftOutTools: tools.leftOut,
    echo: {
      model,
      instructions: body.instructions ?? null,
      tools: tools.echo,
      tool_choice: body.tool_choice ?? 'auto',
      parallel_tool_calls: body.parallel_tool_calls ?? true,
      max_output_tokens: body.max_output_tokens ?? null,
      previous_response_id: body.previous_response_id ?? null,
      reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
      store: body.store !== false,
      temperature: body.temperature ?? null,
      top_p: body.top_p ?? null,
      text: body.text ?? { format: { type: 'text' } },
      truncation: body.truncation ?? 'disabled',
      metadata: body.metadata ?? {},
      user: body.user ?? null,
    },
  };
}

function addItem(
  item: InputItem,
  param: string,
  pending: PendingTurn[],
  inputSystem: string[],
  names: ResponsesToolNames,
): void {
  switch (item.type) {
    case 'message':
      if (item.role === 'system' || item.role === 'developer') {
        // Leading system text is the system prompt; later it stays in place, as in Chat Completions.
        if (pending.length === 0) inputSystem.push(contentText(item.content));
        else pending.push({ role: 'user', content: [lateSystemBlock(contentText(item.content))] });
      } else {
        pending.push({ role: item.role, content: contentBlocks(item.content, `${param}.content`) });
      }
      return;
    case 'function_call': {
      const name = names.modelName({ kind: 'function', name: item.name, namespace: item.namespace ?? undefined });
      const input = parseArguments(item.arguments, `${param}.arguments`);
      pending.push({ role: 'assistant', content: [{ type: 'tool_use', id: item.call_id, name, input }] });
      return;
    }
    case 'custom_tool_call': {
      const name = names.modelName({ kind: 'custom', name: item.name });
      pending.push({
        role: 'assistant',
        content: [{ type: 'tool_use', id: item.call_id, name, input: { input: item.input } }],
      });
      return;
    }
    case 'local_shell_call': {
      const name = names.modelName({ kind: 'local_shell' });
      const input = localShellInput(item.action);
      pending.push({ role: 'assistant', content: [{ type: 'tool_use', id: item.call_id, name, input }] });
      return;
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const content = typeof item.output === 'string' ? item.output : contentBlocks(item.output, `${param}.output`);
      pending.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: item.call_id, content }] });
      return;
    }
    case 'local_shell_call_output': {
      const id = item.call_id ?? item.id;
      if (!id) throw errors.invalidRequest('local_shell_call_output needs the id of its call.', `${param}.id`);
      pending.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: item.output }] });
      return;
    }
    case 'reasoning':
      // Earlier reasoning (Codex sends it back with store:false) cannot be replayed: Claude's
      // thinking needs its signature, which the Responses item does not carry. The model does
      // not need it to continue.
      return;
  }
}

function parseArguments(raw: string, param: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw errors.invalidRequest('function_call arguments must be a JSON string.', param);
  }
}

/**
 * A response's output as the assistant turn that follows the request's turns, with the tool
 * names the model saw (`names`: that request's). Reasoning is not replayable (see above).
 */
export function outputTurn(output: OutputItem[], names: ResponsesToolNames = new ResponsesToolNames()): Turn {
  const content: ContentBlock[] = [];
  for (const item of output) {
    if (item.type === 'message') {
      const text = item.content.map((p) => p.text).join('');
      if (text) content.push({ type: 'text', text });
    } else if (item.type === 'function_call') {
      const name = names.modelName({ kind: 'function', name: item.name, namespace: item.namespace });
      content.push({ type: 'tool_use', id: item.call_id, name, input: parseJsonOr(item.arguments, {}) });
    } else if (item.type === 'custom_tool_call') {
      const name = names.modelName({ kind: 'custom', name: item.name });
      content.push({ type: 'tool_use', id: item.call_id, name, input: { input: item.input } });
    } else if (item.type === 'local_shell_call') {
      const name = names.modelName({ kind: 'local_shell' });
      content.push({ type: 'tool_use', id: item.call_id, name, input: localShellInput(item.action) });
    }
  }
  return { role: 'assistant', content };
}

/** 404 for a previous_response_id that is unknown, expired, deleted or was sent with store:false. */
export function previousNotFound(id: string): ApiError {
  return new ApiError(
    404,
    `Previous response with id '${id}' not found. CLI2API keeps responses in memory for a limited time (and not across restarts); responses created with store:false are never kept.`,
    'previous_response_not_found',
    'previous_response_id',
  );
}
