/**
 * The stream-json lines the Claude Code CLI prints, as zod-checked types. Only the fields
 * CLI2API reads are declared; everything else passes through untouched (the CLI adds
 * fields often). Unknown line types parse as `OtherLine` and are ignored by consumers.
 */
import { z } from 'zod';

const usageSchema = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
});
export type CliUsage = z.infer<typeof usageSchema>;

/** The raw Anthropic SSE events the CLI relays with --include-partial-messages. */
const streamEventSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('message_start'),
    message: z.looseObject({ id: z.string().optional(), usage: usageSchema.optional() }),
  }),
  z.looseObject({
    type: z.literal('content_block_start'),
    index: z.number(),
    content_block: z.looseObject({ type: z.string(), id: z.string().optional(), name: z.string().optional() }),
  }),
  z.looseObject({
    type: z.literal('content_block_delta'),
    index: z.number(),
    delta: z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      thinking: z.string().optional(),
      partial_json: z.string().optional(),
    }),
  }),
  z.looseObject({ type: z.literal('content_block_stop'), index: z.number() }),
  z.looseObject({
    type: z.literal('message_delta'),
    delta: z.looseObject({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }),
    usage: usageSchema.nullish(),
  }),
  z.looseObject({ type: z.literal('message_stop') }),
]);
export type StreamEvent = z.infer<typeof streamEventSchema>;

const contentBlockSchema = z.looseObject({ type: z.string() });

/** One usage window in `unifiedWindows` (2.1.332+); `status` there is the raw `-5h-status`/`-7d-status` header. */
const rateLimitWindowSchema = z.looseObject({
  utilization: z.number().nullish(),
  resetsAt: z.number().nullish(),
  status: z.string().nullish(),
  surpassedThreshold: z.number().nullish(),
});

/**
 * What the CLI prints when a subscription login's unified rate-limit headers change its view
 * (only for OAuth logins, only on a change, just before `result`). Resets are epoch seconds,
 * utilization a 0–1 fraction. 2.1.197 names only the representative window (with
 * `utilization` only when warning); 2.1.332 adds `unifiedWindows` with both.
 */
const rateLimitInfoSchema = z.looseObject({
  status: z.string(),
  resetsAt: z.number().nullish(),
  rateLimitType: z.string().nullish(),
  utilization: z.number().nullish(),
  surpassedThreshold: z.number().nullish(),
  overageStatus: z.string().nullish(),
  overageResetsAt: z.number().nullish(),
  overageDisabledReason: z.string().nullish(),
  isUsingOverage: z.boolean().nullish(),
  unifiedWindows: z.record(z.string(), rateLimitWindowSchema.nullish()).nullish(),
});
export type RateLimitInfo = z.infer<typeof rateLimitInfoSchema>;

export const cliLineSchema = z.union([
  z.looseObject({
    type: z.literal('system'),
    subtype: z.string(),
    session_id: z.string().optional(),
    model: z.string().optional(),
    claude_code_version: z.string().optional(),
    // api_retry
    attempt: z.number().optional(),
    error_status: z.number().nullish(),
    retry_delay_ms: z.number().optional(),
  }),
  z.looseObject({
    type: z.literal('stream_event'),
    event: streamEventSchema,
    parent_tool_use_id: z.string().nullish(),
  }),
  z.looseObject({
    type: z.literal('assistant'),
    message: z.looseObject({
      id: z.string().optional(),
      content: z.array(contentBlockSchema),
      stop_reason: z.string().nullish(),
    }),
    parent_tool_use_id: z.string().nullish(),
  }),
  z.looseObject({ type: z.literal('user'), message: z.looseObject({ content: z.unknown() }) }),
  z.looseObject({
    type: z.literal('result'),
    subtype: z.string(),
    is_error: z.boolean(),
    result: z.string().optional(),
    api_error_status: z.number().nullish(),
    stop_reason: z.string().nullish(),
    session_id: z.string().optional(),
    num_turns: z.number().optional(),
    duration_ms: z.number().optional(),
    total_cost_usd: z.number().optional(),
    usage: usageSchema.optional(),
    errors: z.array(z.string()).optional(),
    /** With --json-schema: the validated value; absent when the model never made a valid StructuredOutput call. */
    structured_output: z.unknown().optional(),
  }),
  z.looseObject({ type: z.literal('rate_limit_event'), rate_limit_info: rateLimitInfoSchema }),
  z.looseObject({
    type: z.literal('control_request'),
    request_id: z.string(),
    request: z.looseObject({ subtype: z.string() }),
  }),
  z.looseObject({
    type: z.literal('control_response'),
    response: z.looseObject({ subtype: z.string(), request_id: z.string().optional(), error: z.string().optional() }),
  }),
  z
    .looseObject({ type: z.string() })
    .transform((line) => ({ ...line, type: 'other' as const, originalType: line.type })),
]);

export type CliLine = z.infer<typeof cliLineSchema>;
export type ResultLine = Extract<CliLine, { type: 'result' }>;
export type StreamEventLine = Extract<CliLine, { type: 'stream_event' }>;
export type RateLimitLine = Extract<CliLine, { type: 'rate_limit_event' }>;
export type ControlRequestLine = Extract<CliLine, { type: 'control_request' }>;
export type ControlResponseLine = Extract<CliLine, { type: 'control_response' }>;

export type ParsedLine = { ok: true; line: CliLine } | { ok: false; raw: string; reason: string };

/** Parses one stdout line; never throws. */
export function parseCliLine(raw: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, raw, reason: 'not JSON' };
  }
  const parsed = cliLineSchema.safeParse(json);
  if (!parsed.success) return { ok: false, raw, reason: parsed.error.issues[0]?.message ?? 'unexpected shape' };
  return { ok: true, line: parsed.data };
}
