/**
 * The stream-json lines the Claude Code CLI prints, as zod-checked types. Only the fields
 * CLI2API reads are declared; everything else passes through untouched (the CLI adds
 * fields often). Unknown line types parse as `OtherLine` and are ignored by consumers; a
 * line of a KNOWN type that lacks what CLI2API reads (a `result` without `is_error`, …) is
 * reported as not understood, never quietly ignored: the CLI changes often.
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

const knownLineSchemas = {
  system: z.looseObject({
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
  stream_event: z.looseObject({
    type: z.literal('stream_event'),
    event: streamEventSchema,
    parent_tool_use_id: z.string().nullish(),
  }),
  assistant: z.looseObject({
    type: z.literal('assistant'),
    message: z.looseObject({
      id: z.string().optional(),
      content: z.array(contentBlockSchema),
      stop_reason: z.string().nullish(),
    }),
    parent_tool_use_id: z.string().nullish(),
  }),
  user: z.looseObject({ type: z.literal('user'), message: z.looseObject({ content: z.unknown() }) }),
  result: z.looseObject({
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
  rate_limit_event: z.looseObject({ type: z.literal('rate_limit_event'), rate_limit_info: rateLimitInfoSchema }),
  control_request: z.looseObject({
    type: z.literal('control_request'),
    request_id: z.string(),
    request: z.looseObject({ subtype: z.string() }),
  }),
  control_response: z.looseObject({
    type: z.literal('control_response'),
    response: z.looseObject({ subtype: z.string(), request_id: z.string().optional(), error: z.string().optional() }),
  }),
};

const otherLineSchema = z
  .looseObject({ type: z.string() })
  .transform((line) => ({ ...line, type: 'other' as const, originalType: line.type }));

export const cliLineSchema = z.union([...Object.values(knownLineSchemas), otherLineSchema]);

export type CliLine = z.infer<typeof cliLineSchema>;
export type ResultLine = Extract<CliLine, { type: 'result' }>;
export type StreamEventLine = Extract<CliLine, { type: 'stream_event' }>;
export type RateLimitLine = Extract<CliLine, { type: 'rate_limit_event' }>;
export type ControlRequestLine = Extract<CliLine, { type: 'control_request' }>;
export type ControlResponseLine = Extract<CliLine, { type: 'control_response' }>;

export type ParsedLine =
  | { ok: true; line: CliLine }
  | {
      ok: false;
      raw: string;
      reason: string;
      /** The line has a type CLI2API reads, but not the shape it expects. */
      knownType?: string;
      /**
       * For a line the answer does not depend on (system, assistant, user, rate_limit_event): the line
       * as an ignored `other` line, so the answer goes on (the mismatch is still reported).
       */
      fallback?: CliLine;
    };

/** Line types an answer cannot be read without: one CLI2API does not understand fails the request. */
const ESSENTIAL: ReadonlySet<string> = new Set(['stream_event', 'result', 'control_request', 'control_response']);

/** Parses one stdout line by its structure (never by its text or key order); never throws. */
export function parseCliLine(raw: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, raw, reason: 'not JSON' };
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  const known = typeof type === 'string' && Object.hasOwn(knownLineSchemas, type) ? type : undefined;
  const parsed = known
    ? knownLineSchemas[known as keyof typeof knownLineSchemas].safeParse(json)
    : otherLineSchema.safeParse(json);
  if (parsed.success) return { ok: true, line: parsed.data };
  const issue = parsed.error.issues[0];
  if (!known) return { ok: false, raw, reason: issue?.message ?? 'unexpected shape' };
  const where = issue?.path.length ? issue.path.join('.') : 'line';
  const other = ESSENTIAL.has(known) ? undefined : otherLineSchema.safeParse(json);
  return {
    ok: false,
    raw,
    knownType: known,
    reason: `a "${known}" line without what CLI2API reads (${where}: ${issue?.message ?? 'unexpected shape'})`,
    ...(other?.success ? { fallback: other.data } : {}),
  };
}

/**
 * The model stopped at its output limit (a top-level answer, not a subagent's). The CLI then
 * sends a second full request on its own ("Output token limit hit. Resume directly…") about
 * 20–45 ms later: the moment to stop it.
 */
export function isMaxTokensStop(line: CliLine): boolean {
  return (
    line.type === 'stream_event' &&
    !line.parent_tool_use_id &&
    line.event.type === 'message_delta' &&
    line.event.delta.stop_reason === 'max_tokens'
  );
}

/** Whether a line carries the model's output (text, thinking, a tool call): the first one marks time to first token. */
export function carriesOutput(line: CliLine): boolean {
  return (line.type === 'stream_event' && line.event.type === 'content_block_delta') || line.type === 'assistant';
}
