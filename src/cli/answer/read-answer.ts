/**
 * Reading one model answer from a CLI process: the lines up to the `result`, or up to the
 * end of a message that stopped for tool calls (the CLI then waits for CLI2API to answer
 * them), or up to where CLI2API cuts the answer itself (see AnswerState). A silent CLI is
 * stopped after the idle time; an abort ends the reading with the signal's reason.
 */
import { errors } from '../../core/api-error';
import { cliNotFound, errorFromCrash, errorFromResult } from '../cli-errors';
import type { CliLine, ResultLine } from '../events';
import type { ClaudeProcess } from '../process/claude-process';

/** What the reading needs of a CLI process: its parsed output, its exit, and its stderr for error messages. */
export type AnswerSource = Pick<ClaudeProcess, 'events' | 'exited' | 'stderr'>;
import type { AnswerEnd, AnswerState } from './answer-state';

/** Yields the client-facing lines of one answer; returns how it ended. Failures throw ApiErrors. */
export async function* readAnswer(
  child: AnswerSource,
  state: AnswerState,
  model: string,
  signal: AbortSignal,
  idleMs = 0,
): AsyncGenerator<CliLine, AnswerEnd> {
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    return yield* readLines(child, state, model, aborted, idleMs);
  } finally {
    // A kept process outlives the request: its signal must not stay referenced.
    signal.removeEventListener('abort', onAbort);
  }
}

async function* readLines(
  child: AnswerSource,
  state: AnswerState,
  model: string,
  aborted: Promise<never>,
  idleMs: number,
): AsyncGenerator<CliLine, AnswerEnd> {
  for (;;) {
    let idleTimer: NodeJS.Timeout | undefined;
    const idle =
      idleMs > 0
        ? new Promise<never>((_, reject) => {
            idleTimer = setTimeout(
              () =>
                reject(
                  errors.timeout(
                    `The Claude CLI produced no output for ${Math.round(idleMs / 1000)} s and was stopped.`,
                  ),
                ),
              idleMs,
            );
          })
        : aborted;
    const event = await Promise.race([child.events.next(), aborted, idle]).finally(() => clearTimeout(idleTimer));
    if (event.kind === 'exit') {
      if (event.error) throw cliNotFound(event.error.message);
      throw errorFromCrash(event.code, event.signal, child.stderr);
    }
    if (event.kind === 'garbage')
      throw errors.upstream(
        `Claude Code CLI printed output CLI2API does not understand (${event.reason}): ${event.raw.slice(0, 200)}. ` +
          'If this CLI version is new, run `cli2api doctor` and report it.',
      );
    const line = event.line;
    if (line.type === 'result') {
      const own = state.ownResult(line);
      if (own.is_error) throw errorFromResult(own, model);
      const answer = state.structuredAnswer(own);
      yield* answer;
      const result = answer[answer.length - 1] as ResultLine;
      return { kind: 'result', result };
    }
    if (line.type === 'control_response' && line.response.subtype === 'error') {
      throw errors.upstream(`Claude Code CLI refused a control request: ${line.response.error ?? 'unknown error'}`);
    }
    if (line.type !== 'stream_event' || line.parent_tool_use_id) {
      yield line;
      continue;
    }
    for (const mapped of state.clientLines(line)) yield mapped;
    if (state.cut) {
      const result = state.cutResult();
      yield result;
      return { kind: 'cut', result };
    }
    if (line.event.type === 'message_stop' && state.stopReason === 'tool_use' && state.toolUseIds.length > 0) {
      const result = state.syntheticResult();
      yield result;
      return { kind: 'tool_calls', result, toolUseIds: [...state.toolUseIds] };
    }
  }
}
