/**
 * Which real Claude Code CLI the integration tests, the benchmark and the load script run,
 * and the environment that makes it talk only to a fake Anthropic API, with no account.
 *
 * `CLI2API_TEST_CLI` selects the binary: `newest` (default: the pinned devDependency
 * `@anthropic-ai/claude-code`), `oldest` (the oldest supported version, installed as the
 * alias `claude-code-oldest`), or a path to any `claude` executable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loopbackApiEnv } from '../../src/cli/process/loopback-env';

const ROOT = path.resolve(__dirname, '../..');
const PINNED: Record<string, string> = {
  newest: path.join(ROOT, 'node_modules/@anthropic-ai/claude-code/bin/claude.exe'),
  oldest: path.join(ROOT, 'node_modules/claude-code-oldest/bin/claude.exe'),
};

export function testCliPath(choice = process.env.CLI2API_TEST_CLI ?? 'newest'): string {
  return PINNED[choice] ?? path.resolve(choice);
}

export const CLAUDE_BIN = testCliPath();

export function fakeCliEnv(fakeUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-test-home-'));
  return {
    HOME: home,
    ...loopbackApiEnv(fakeUrl, 'sk-ant-fake'),
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
