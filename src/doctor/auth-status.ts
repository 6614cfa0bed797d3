/**
 * Is the user's CLI logged in? `claude auth status --json`, run in the environment CLI2API
 * gives the CLI, answers without a model request (it spends no usage): `loggedIn` and
 * `authMethod` (`api_key`, `oauth_token`, `claude.ai`, `none`, …); exit code 0 when logged in.
 */
import { execFile } from 'node:child_process';

export interface AuthStatus {
  /** undefined: the CLI could not say (an old version without `auth status`, a failure). */
  loggedIn?: boolean;
  method?: string;
  /** Why the status is unknown. */
  error?: string;
}

export function claudeAuthStatus(binary: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<AuthStatus> {
  return new Promise((resolve) => {
    execFile(
      binary,
      ['auth', 'status', '--json'],
      { env, timeout: timeoutMs, windowsHide: true, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => resolve(parseAuthStatus(String(stdout), error ? String(stderr) || error.message : '')),
    );
  });
}

/** The JSON object the CLI printed (exit code 1 only means "not logged in"). */
export function parseAuthStatus(stdout: string, failure = ''): AuthStatus {
  const start = stdout.indexOf('{');
  try {
    const json = JSON.parse(stdout.slice(start)) as { loggedIn?: unknown; authMethod?: unknown };
    if (typeof json.loggedIn === 'boolean') {
      return { loggedIn: json.loggedIn, method: typeof json.authMethod === 'string' ? json.authMethod : undefined };
    }
  } catch {
    // not JSON: below
  }
  const detail = (failure || stdout).trim().split('\n')[0]?.slice(0, 200) || 'no answer';
  return { error: `\`claude auth status\` gave no status: ${detail}` };
}
