/**
 * Turns what the CLI reports when a run fails (an error `result` line, a crash, a spawn
 * failure) into the ApiError the client sees. The CLI's own words are kept in the message.
 */
import { ApiError, errors } from '../core/api-error';
import type { ResultLine } from './events';

export const INSTALL_HINT =
  'Install Claude Code (npm install -g @anthropic-ai/claude-code, or see https://docs.claude.com/en/docs/claude-code), ' +
  'run `claude` once and /login, or set the CLI path (setting cli2api.claudePath / env CLI2API_CLAUDE_CLI_PATH).';

export function cliNotFound(detail: string): ApiError {
  return errors.cliUnavailable(`Claude Code CLI not available: ${detail.replace(/\.+$/, '')}. ${INSTALL_HINT}`);
}

/** Classifies an `is_error` result by its API status and text. */
export function errorFromResult(result: ResultLine, model: string): ApiError {
  const text = (result.result ?? result.errors?.join('; ') ?? '').trim() || `Claude Code failed (${result.subtype})`;
  const status = result.api_error_status ?? statusInText(text);
  if (/issue with the selected model|model.*(not found|does not exist|not available)/i.test(text)) {
    return errors.modelNotFound(model, text);
  }
  if (/third-party apps|extra usage/i.test(text)) return errors.usageRefused(text);
  if (/valid structured output/i.test(text)) return structuredOutputFailed(text);
  if (status === 401 || status === 403 || /not logged in|please run \/login|invalid api key|oauth token/i.test(text)) {
    return errors.authentication(
      `${text} — run \`claude\` in a terminal and use /login (or set ANTHROPIC_API_KEY for the CLI).`,
    );
  }
  if (status === 429 || /rate limit|usage limit/i.test(text)) return errors.rateLimited(text, retryAfterIn(text));
  if (status === 529 || /overloaded/i.test(text)) return errors.overloaded(text);
  if (/timed out|timeout/i.test(text)) return errors.timeout(text);
  if (status === 400 || status === 413 || /prompt is too long|context/i.test(text)) {
    return new ApiError(status === 413 ? 413 : 400, text, 'upstream_rejected');
  }
  if (/unable to connect|connection/i.test(text) || (status !== null && status !== undefined && status >= 500)) {
    return errors.upstream(text);
  }
  return errors.upstream(text);
}

/** The model did not comply with response_format (with --json-schema the CLI asks it again a few times first). */
export function structuredOutputFailed(detail: string): ApiError {
  return new ApiError(
    422,
    `The model did not produce JSON matching response_format: ${detail}`,
    'structured_output_failed',
    'response_format',
  );
}

export function errorFromCrash(code: number | null, signal: string | null, stderr: string): ApiError {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const detail = stderr ? `: ${stderr.split('\n').slice(-5).join(' ').slice(0, 1000)}` : '';
  return errors.upstream(`Claude Code CLI ${how} before finishing the answer${detail}`);
}

function statusInText(text: string): number | null {
  const m = /\b(401|403|404|413|429|500|502|503|529)\b/.exec(text);
  return m ? Number(m[1]) : null;
}

function retryAfterIn(text: string): number | undefined {
  const m = /retry after (\d+)\s*s/i.exec(text) ?? /try again in (\d+)\s*s/i.exec(text);
  return m ? Number(m[1]) : undefined;
}
