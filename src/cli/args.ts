/**
 * The command line of a pure-model CLI run. No prompt and no system text ever go here:
 * both travel over stdin (the `initialize` control request and stream-json user lines).
 */
export interface ArgsOptions {
  model: string;
  /** Session id of a transcript written for this run (history before the new turn). */
  resumeSessionId?: string;
}

export function buildArgs(opts: ArgsOptions): string[] {
  const args = [
    '-p',
    '--input-format', 'stream-json',
    '--output-format', 'stream-json',
    '--verbose',
    '--include-partial-messages',
    // Pure model: none of Claude Code's built-in tools, no MCP servers from the user's config,
    // and no transcript files left behind.
    '--tools', '',
    '--strict-mcp-config',
    '--no-session-persistence',
    // The client's function tools arrive as tools of CLI2API's own MCP server `c` (see tools.ts).
    '--allowedTools', 'mcp__c',
    '--model', opts.model,
  ];
  if (opts.resumeSessionId) args.push('--resume', opts.resumeSessionId);
  return args;
}

/** The CLI child's environment: the server's own plus the user's extras, minus CLI2API's secrets. */
export function buildEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>): NodeJS.ProcessEnv {
  // With tool search on, the CLI may send the first request before the tools are listed.
  const env: NodeJS.ProcessEnv = { ENABLE_TOOL_SEARCH: 'false' };
  for (const [key, value] of Object.entries({ ...base, ...extra })) {
    if (key.startsWith('CLI2API_') || value === undefined) continue;
    env[key] = value;
  }
  return env;
}
