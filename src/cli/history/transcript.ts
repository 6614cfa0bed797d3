/**
 * Earlier turns of a conversation reach the CLI as a transcript it loads with `--resume`:
 * a JSONL file under `<config dir>/projects/<working dir with non-alphanumerics as ->/`.
 * Each turn keeps its own role, tool_use/tool_result blocks and ids. The file lives only
 * until the run ends (the session picker removes it), and `--no-session-persistence` keeps the CLI
 * from writing its own.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Turn } from '../../core/model-request';

export function claudeConfigDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR || path.join(env.HOME || env.USERPROFILE || os.homedir(), '.claude');
}

export function projectDir(configDir: string, cwd: string): string {
  return path.join(configDir, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
}

/**
 * The JSONL lines for `turns`. Assistant messages need a unique `id` and a `model`, or the
 * CLI merges or rejects them.
 *
 * `endsWithToolResults`: the last turn holds tool results the model must answer. On resume
 * the CLI treats a transcript ending in tool results as an interrupted turn and adds a
 * "Continue from where you left off." prompt and a "No response requested." answer. Marking
 * that turn `isCompactSummary` and ending the file with an empty attachment line (as hook
 * runs leave) keeps both out, so the model receives exactly the tool results (verified
 * against the API requests of CLI 2.1.197; see README "How it works").
 */
export function transcriptLines(
  sessionId: string,
  turns: Turn[],
  opts: { endsWithToolResults?: boolean; now?: number } = {},
): string[] {
  const now = opts.now ?? Date.now();
  let parentUuid: string | null = null;
  const lines = turns.map((turn, i) => {
    const uuid = randomUUID();
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
    const line = {
      parentUuid,
      isSidechain: false,
      type: turn.role,
      message,
      uuid,
      timestamp: new Date(now - (turns.length - i) * 1000).toISOString(),
      sessionId,
      ...(opts.endsWithToolResults && i === turns.length - 1 ? { isCompactSummary: true } : {}),
    };
    parentUuid = uuid;
    return JSON.stringify(line);
  });
  if (opts.endsWithToolResults) {
    lines.push(
      JSON.stringify({
        parentUuid,
        isSidechain: false,
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
        uuid: randomUUID(),
        timestamp: new Date(now).toISOString(),
        sessionId,
      }),
    );
  }
  return lines;
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
