/**
 * The Responses API request (`POST /v1/responses`) as real clients send it: Codex, the
 * Agents SDK, n8n. Loose like chat-schema.ts: unknown fields pass, parts and items keep
 * their extra fields. Input items of a type CLI2API cannot take fail here (the 400 lists
 * the types it takes); tools are sorted out in responses-tools.ts and fields it cannot serve
 * are refused in responses-request.ts, with a message that says why.
 */
import { z } from 'zod';
import { contentPart } from './chat-schema';

const content = z.union([z.string(), z.array(contentPart)]);

const messageItem = z.looseObject({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content,
});

const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  /** Set when the function belongs to a `namespace` tool (Codex's multi_agent_v1). */
  namespace: z.string().nullish(),
  arguments: z.string(),
});

const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: content,
});

const customToolCallItem = z.looseObject({
  type: z.literal('custom_tool_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  input: z.string(),
});

const customToolCallOutputItem = z.looseObject({
  type: z.literal('custom_tool_call_output'),
  call_id: z.string().min(1),
  output: content,
});

const localShellCallItem = z.looseObject({
  type: z.literal('local_shell_call'),
  call_id: z.string().min(1),
  action: z.looseObject({
    command: z.array(z.string()),
    working_directory: z.string().nullish(),
    timeout_ms: z.number().nullish(),
    env: z.record(z.string(), z.string()).nullish(),
    user: z.string().nullish(),
  }),
});

/** OpenAI names the call `id` here; `call_id` is accepted as well. */
const localShellCallOutputItem = z.looseObject({
  type: z.literal('local_shell_call_output'),
  id: z.string().nullish(),
  call_id: z.string().nullish(),
  output: z.string(),
});

/** Accepted so that Codex can send back its earlier reasoning; responses-request.ts skips it. */
const reasoningItem = z.looseObject({ type: z.literal('reasoning') });

/**
 * The SDK's "easy" input messages are `{role, content}` without `type`: they get
 * `type: "message"` first, so one discriminated union validates every item and a 400 names
 * the exact field (input[2].content) or lists the item types CLI2API takes.
 */
export const inputItemSchema = z.preprocess(
  (v) =>
    v && typeof v === 'object' && !Array.isArray(v) && !('type' in v) && 'role' in v ? { ...v, type: 'message' } : v,
  z.discriminatedUnion('type', [
    messageItem,
    functionCallItem,
    functionCallOutputItem,
    customToolCallItem,
    customToolCallOutputItem,
    localShellCallItem,
    localShellCallOutputItem,
    reasoningItem,
  ]),
);
export type InputItem = z.infer<typeof inputItemSchema>;

/** Every tool type is accepted here: responses-tools.ts sorts them (and names a bad one as tools[i].type). */
const toolSchema = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export type ResponsesTool = z.infer<typeof toolSchema>;

const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.string(), name: z.string().optional() }),
]);
export type ResponsesToolChoice = z.infer<typeof toolChoiceSchema>;

export const responsesRequestSchema = z.looseObject({
  model: z.string().trim().min(1).optional(),
  // A string input is one user message; as a list, a bad item is reported by its own path.
  input: z.preprocess(
    (v) => (typeof v === 'string' ? [{ type: 'message', role: 'user', content: v }] : v),
    z.array(inputItemSchema).optional(),
  ),
  instructions: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  /** Not an OpenAI Responses field, but clients that share code with Chat Completions send it. */
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  // Accepted and echoed on the response; the CLI has no knob for them.
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  include: z.array(z.string()).nullish(),
  text: z
    .looseObject({ format: z.looseObject({ type: z.string(), schema: z.unknown().optional() }).nullish() })
    .nullish(),
  truncation: z.string().nullish(),
  user: z.string().nullish(),
  background: z.boolean().nullish(),
});
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
