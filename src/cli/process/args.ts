/**
 * The command line of a pure-model CLI run. No prompt and no system text ever go here:
 * both travel over stdin (the `initialize` control request and stream-json user lines).
 */
export interface ArgsOptions {
  model: string;
  /** Agent mode: Claude Code tools the CLI may use (allowed without asking). Empty: none. */
  agentTools?: string[];
  /** `--effort`; unset: the CLI's default. */
  effort?: string;
  /** `--json-schema`: the CLI offers the model a StructuredOutput tool with it and validates the call. */
  jsonSchema?: Record<string, unknown>;
  /** Session id of a transcript written for this run (history before the new turn). */
  resumeSessionId?: string;
}

export function buildArgs(opts: ArgsOptions): string[] {
  const args = [
    '-p',
    '--input-format',
    'stream-json',
    '--output-format',
    'stream-json',
    '--verbose',
    '--include-partial-messages',
    // Pure model: none of Claude Code's built-in tools, no MCP servers from the user's config,
    // and no transcript files left behind.
    '--tools',
    (opts.agentTools ?? []).join(','),
    '--strict-mcp-config',
    '--no-session-persistence',
    // The client's function tools arrive as tools of CLI2API's own MCP server `c` (see tools.ts).
    '--allowedTools',
    ['mcp__c', ...(opts.agentTools ?? [])].join(','),
    '--model',
    opts.model,
  ];
  if (opts.effort) args.push('--effort', opts.effort);
  // The one client-given text on the command line: the CLI has no other way to take it. Schemas are small.
  if (opts.jsonSchema) args.push('--json-schema', JSON.stringify(opts.jsonSchema));
  if (opts.resumeSessionId) args.push('--resume', opts.resumeSessionId);
  return args;
}

/** The smallest thinking budget the Messages API takes. */
const MIN_THINKING_BUDGET = 1024;

/**
 * Under an output limit this small thinking must be off: the API takes a thinking budget only
 * of at least 1024 tokens and below max_tokens, and the CLI still asks for one (2.1.197:
 * max_tokens - 1; 2.1.332: 1024) for models with budgeted thinking, so the API would refuse
 * the request; no thinking is the only valid request there (adaptive thinking is unaffected).
 */
export function thinkingOffUnder(maxOutputTokens: number | undefined): boolean {
  return maxOutputTokens !== undefined && maxOutputTokens <= MIN_THINKING_BUDGET;
}

/**
 * The CLI child's environment: the server's own plus the user's extras, minus CLI2API's
 * secrets. `maxOutputTokens` is a request's output limit: the CLI has no flag for it, only
 * this variable, which it sends as the API's `max_tokens` (and lowers its thinking budget
 * under it), so the model itself stops at the limit with `stop_reason: "max_tokens"`.
 * `thinkingOff` (by default: whether that limit is too small for thinking) sets
 * `MAX_THINKING_TOKENS=0`, which the CLI reads once, when it starts.
 */
export function buildEnv(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string>,
  maxOutputTokens?: number,
  thinkingOff = thinkingOffUnder(maxOutputTokens),
): NodeJS.ProcessEnv {
  // With tool search on, the CLI may send the first request before the tools are listed.
  const env: NodeJS.ProcessEnv = { ENABLE_TOOL_SEARCH: 'false' };
  for (const [key, value] of Object.entries({ ...base, ...extra })) {
    if (key.startsWith('CLI2API_') || value === undefined) continue;
    env[key] = value;
  }
  if (maxOutputTokens !== undefined) env.CLAUDE_CODE_MAX_OUTPUT_TOKENS = String(maxOutputTokens);
  if (thinkingOff) env.MAX_THINKING_TOKENS = '0';
  return env;
}
