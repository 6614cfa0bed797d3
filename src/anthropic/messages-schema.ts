/**
 * The Anthropic Messages request as real clients (the Anthropic SDKs, Claude Code) send it:
 * loose objects everywhere, so fields CLI2API does not use (cache_control, citations,
 * metadata, top_k, context_management, container, …) pass validation; strict only where a
 * value cannot be served. Claude Code 2.x also sends `role: "system"` messages inside
 * `messages` (environment, per-turn effort) and `defer_loading` tools.
 */
import { z } from 'zod';

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.looseObject({
    type: z.string(),
    media_type: z.string().optional(),
    data: z.string().optional(),
    url: z.string().optional(),
  }),
});
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  // Anthropic allows text and image blocks here (and no content at all).
  content: z
    .union([z.string(), z.array(z.union([textBlock, imageBlock, z.looseObject({ type: z.string() })]))])
    .optional(),
  is_error: z.boolean().optional(),
});
/** thinking / redacted_thinking and anything else: checked by type in the request planner. */
const otherBlock = z.looseObject({ type: z.string() });
export const messageBlock = z.union([textBlock, imageBlock, toolUseBlock, toolResultBlock, otherBlock]);
export type MessageBlock = z.infer<typeof messageBlock>;

const message = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(messageBlock)]),
});
export type AnthropicMessage = z.infer<typeof message>;

export const anthropicToolSchema = z.looseObject({
  // Custom tools have no type or `custom`; server tools (web_search_…, bash_…) are refused by the planner.
  type: z.string().nullish(),
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()).nullish(),
  /** Hidden from the model until a tool_reference loads it (tool search). */
  defer_loading: z.boolean().nullish(),
});

const toolChoice = z.looseObject({
  type: z.enum(['auto', 'any', 'tool', 'none']),
  name: z.string().optional(),
  disable_parallel_tool_use: z.boolean().optional(),
});

const fields = {
  model: z.string().trim().min(1).optional(),
  system: z.union([z.string(), z.array(textBlock)]).nullish(),
  messages: z.array(message).min(1, 'messages must hold at least one message'),
  tools: z.array(anthropicToolSchema).nullish(),
  tool_choice: toolChoice.nullish(),
  // Tolerated: thinking cannot be switched on or off per request through the CLI (effort is the knob it has).
  thinking: z.looseObject({ type: z.string() }).nullish(),
  output_config: z
    .looseObject({
      effort: z.string().nullish(),
      format: z.looseObject({ type: z.string(), schema: z.unknown().optional() }).nullish(),
    })
    .nullish(),
  /** The structured-outputs beta's name for output_config.format. */
  output_format: z.looseObject({ type: z.string(), schema: z.unknown().optional() }).nullish(),
};

export const messagesRequestSchema = z.looseObject({
  ...fields,
  // Required by Anthropic's API, so required here too: clients written for it always send it.
  max_tokens: z.number().int().positive(),
  stop_sequences: z.array(z.string()).nullish(),
  stream: z.boolean().nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().nullish(),
  metadata: z.looseObject({}).nullish(),
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

/** count_tokens takes the same conversation without the generation fields. */
export const countTokensSchema = z.looseObject(fields);
export type CountTokensRequest = z.infer<typeof countTokensSchema>;
