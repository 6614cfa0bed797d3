/** Environment that makes the real Claude Code CLI talk only to a fake Anthropic API, with no account. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLAUDE_BIN = path.resolve(__dirname, '../../node_modules/@anthropic-ai/claude-code/bin/claude.exe');

export function fakeCliEnv(fakeUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-test-home-'));
  return {
    HOME: home,
    ANTHROPIC_BASE_URL: fakeUrl,
    ANTHROPIC_API_KEY: 'sk-ant-fake',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    API_TIMEOUT_MS: '60000',
    ...extra,
  };
}

/**
 * A subscription (OAuth) login instead of an API key: only then does the CLI read Anthropic's
 * unified rate-limit headers and print `rate_limit_event` lines. Any token works against the fake.
 */
export const OAUTH_LOGIN: Record<string, string> = {
  ANTHROPIC_API_KEY: '',
  CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat-fake',
};
