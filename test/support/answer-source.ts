/** CLI output lines as a process's event stream, for driving readAnswer in unit tests without a CLI. */
import type { AnswerSource } from '../../src/cli/answer/read-answer';
import type { CliLine } from '../../src/cli/events';
import type { ProcessEvent } from '../../src/cli/process/claude-process';
import { AsyncQueue } from '../../src/util/async-queue';

/** The lines, then (when `exit` is given) the process's exit. */
export function answerSource(lines: CliLine[], exit?: { code: number | null; stderr?: string }): AnswerSource {
  const events = new AsyncQueue<ProcessEvent>();
  for (const line of lines) events.push({ kind: 'line', line });
  if (exit) events.push({ kind: 'exit', code: exit.code, signal: null });
  return { events, exited: exit ? Promise.resolve() : new Promise<void>(() => {}), stderr: exit?.stderr ?? '' };
}
