/**
 * The environment that points the Claude CLI at an Anthropic API on loopback (the doctor's
 * checks, and the tests' fake API): the API's URL and a key, nothing sent anywhere else, no
 * retries that would hide a refusal.
 */
export function loopbackApiEnv(apiUrl: string, apiKey: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: apiKey,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    API_TIMEOUT_MS: '60000',
  };
}
