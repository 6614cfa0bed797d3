/**
 * Earlier turns of a conversation reach the CLI as a transcript it loads with `--resume`:
 * a JSONL file in the CLI's project folder for its working directory (see claude-paths.ts).
 * Each turn keeps its own role, tool_use/tool_result blocks and ids. The file lives only
 * until the run ends (the session picker removes it), and `--no-session-persistence` keeps the CLI
 * from writing its own.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Turn } from '../../core/model-request';
import { projectDir } from './claude-paths';

export { claudeConfigDir } from './claude-paths';

/**
 * The JSONL lines for `turns`, in the layout both supported CLI versions resume without
 * adding or emptying messages (measured with 2.1.197 and 2.1.332 against a fake API that
 * refuses what the real one refuses):
 * - every line has a `timestamp` (2.1.197 finds no conversation without one), and assistant
 *   messages have a unique `id` and a `model` (the CLI merges lines that share an id);
 * - one `date` attachment right after the first user line. 2.1.332 attaches its per-turn
 *   effort statement to the system message that follows the first user turn; in its own
 *   transcripts that message holds context attachments, and with none it would be sent
 *   EMPTY (`content: []`), which the API refuses. With the date there, it is sent as
 *   "Today's date is …" (the CLI's own text; 2.1.197 ignores the line). The date must be
 *   today's local date, or 2.1.332 adds "The date has changed" to the request;
 * - never a `prompt_snapshot` line: 2.1.332 would send its system prompt instead of the
 *   one given in `initialize`.
 *
 * `endsWithToolResults`: the last turn holds tool results the model must answer. On resume
 * the CLI treats a transcript ending in tool results as an interrupted turn and adds a
 * "Continue from where you left off." prompt and a "No response requested." answer. Marking
 * that turn `isCompactSummary` and ending the file with an empty hook attachment line (as
 * hook runs leave) keeps both out, on both versions (each part alone is not enough), so the
 * model receives exactly the tool results.
 */
export function transcriptLines(
  sessionId: string,
  turns: Turn[],
  opts: { endsWithToolResults?: boolean; now?: Date } = {},
): string[] {
  const now = opts.now ?? new Date();
  const lines: string[] = [];
  let parentUuid: string | null = null;
  let step = 0;
  // Timestamps one second apart, the last one now.
  const total = turns.length + 1 + (opts.endsWithToolResults ? 1 : 0);
  const append = (line: Record<string, unknown>) => {
    const uuid = randomUUID();
    const timestamp = new Date(now.getTime() - (total - ++step) * 1000).toISOString();
    lines.push(JSON.stringify({ parentUuid, isSidechain: false, ...line, uuid, timestamp, sessionId }));
    parentUuid = uuid;
  };
  let dated = false;
  turns.forEach((turn, i) => {
    const message =
      turn.role === 'assistant'
        ? {
            id: `msg_cli2api_${i}`,
            type: 'message',
            role: 'assistant',
            model: 'cli2api-history',
            content: turn.content,
          }
        : { role: 'user', content: turn.content };
    const last = i === turns.length - 1;
    append({ type: turn.role, message, ...(opts.endsWithToolResults && last ? { isCompactSummary: true } : {}) });
    if (turn.role === 'user' && !dated) {
      dated = true;
      append({ type: 'attachment', attachment: { type: 'date', date: localDate(now) } });
    }
  });
  if (opts.endsWithToolResults) {
    append({
      type: 'attachment',
      attachment: {
        type: 'hook_success',
        hookName: 'cli2api',
        toolUseID: '',
        hookEvent: 'PostToolUse',
        content: '',
        stdout: '',
        stderr: '',
        exitCode: 0,
        command: 'cli2api',
        durationMs: 0,
      },
    });
  }
  return lines;
}

/** YYYY-MM-DD of `d` in local time: the CLI's "today". */
export function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export interface WrittenTranscript {
  sessionId: string;
  file: string;
  remove(): Promise<void>;
}

export async function writeTranscript(
  configDir: string,
  cwd: string,
  turns: Turn[],
  endsWithToolResults = false,
): Promise<WrittenTranscript> {
  const sessionId = randomUUID();
  const dir = projectDir(configDir, cwd);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${sessionId}.jsonl`);
  await fs.writeFile(file, transcriptLines(sessionId, turns, { endsWithToolResults }).join('\n') + '\n', {
    mode: 0o600,
  });
  return { sessionId, file, remove: () => fs.rm(file, { force: true }) };
}
