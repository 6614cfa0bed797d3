/**
 * The Chat Completions request as real clients send it: loose where they are loose
 * (content as string or parts, `developer` role, extra fields such as `cache_control`),
 * strict only where CLI2API cannot serve a value.
 */
import { z } from 'zod';

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.union([z.string(), z.looseObject({ url: z.string(), detail: z.string().optional() })]),
});
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const otherPart = z.looseObject({ type: z.string() });
export const contentPart = z.union([textPart, imagePart, refusalPart, otherPart]);
export type ContentPart = z.infer<typeof contentPart>;

const content = z.union([z.string(), z.array(contentPart)]);

export const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string().nullish() }),
});

const systemMessage = z.looseObject({ role: z.enum(['system', 'developer']), content, name: z.string().optional() });
const userMessage = z.looseObject({ role: z.literal('user'), content, name: z.string().optional() });
const assistantMessage = z.looseObject({
  role: z.literal('assistant'),
  content: content.nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
  refusal: z.string().nullish(),
  reasoning_content: z.string().nullish(),
});
const toolMessage = z.looseObject({ role: z.literal('tool'), content, tool_call_id: z.string() });

export const chatMessageSchema = z.discriminatedUnion('role', [
  systemMessage,
  userMessage,
  assistantMessage,
  toolMessage,
]);
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const functionToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

export const chatRequestSchema = z.looseObject({
  model: z.string().trim().min(1).optional(),
  messages: z.array(chatMessageSchema).min(1, 'messages must hold at least one message'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  n: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  tools: z.array(functionToolSchema).nullish(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
    ])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning_effort: z.string().nullish(),
  response_format: z
    .looseObject({ type: z.string(), json_schema: z.looseObject({ schema: z.unknown().optional() }).nullish() })
    .nullish(),
  user: z.string().nullish(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;
