/**
 * Where the Claude CLI keeps its transcripts, computed exactly as the CLI does (read from
 * its code; the same in 2.1.197 and 2.1.332), so a transcript CLI2API writes is where
 * `--resume` looks:
 *   <config dir>/projects/<project key of the realpath of the working directory>/<session>.jsonl
 * config dir: `CLAUDE_CONFIG_DIR ?? <home>/.claude`, NFC-normalised, where <home> is the
 * home directory the CLI child sees: `HOME` on POSIX, `USERPROFILE` on Windows (Bun's
 * `os.homedir()`; a `HOME` that Git Bash sets is not used there).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The CLI's limit on a project folder name before it truncates it and appends a hash. */
const MAX_KEY_LENGTH = 200;

export interface PlatformInfo {
  platform: NodeJS.Platform;
  /** The home directory of the running process, when the child's environment names none. */
  homedir: () => string;
}

const CURRENT: PlatformInfo = { platform: process.platform, homedir: os.homedir };

/** The CLI's config folder for a child started with `env`. */
export function claudeConfigDir(env: NodeJS.ProcessEnv, on: PlatformInfo = CURRENT): string {
  const p = on.platform === 'win32' ? path.win32 : path.posix;
  const home = (on.platform === 'win32' ? env.USERPROFILE : env.HOME) || on.homedir();
  return (env.CLAUDE_CONFIG_DIR ?? p.join(home, '.claude')).normalize('NFC');
}

/**
 * The folder name the CLI gives a working directory: every character (UTF-16 unit) that is
 * not an ASCII letter or digit becomes `-`; a name longer than 200 is cut to 200 and gets
 * `-` plus the base-36 Java string hash of the full path.
 */
export function projectKey(cwd: string): string {
  const key = cwd.replace(/[^a-zA-Z0-9]/g, '-');
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `${key.slice(0, MAX_KEY_LENGTH)}-${Math.abs(javaHash(cwd)).toString(36)}`;
}

/** Java's String.hashCode: h = 31·h + code unit, as a 32-bit integer. */
export function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The transcript folder for `cwd`. The CLI resolves symlinks first (on macOS the temp
 * folder `/var/folders/…` is really `/private/var/folders/…`); 2.1.197 finds a transcript
 * only under the realpath's key.
 */
export function projectDir(configDir: string, cwd: string, realpath: (p: string) => string = realpathOf): string {
  // A relative config dir (even an empty CLAUDE_CONFIG_DIR) is relative to the CLI's working directory.
  return path.join(path.resolve(cwd, configDir), 'projects', projectKey(realpath(cwd)));
}

function realpathOf(p: string): string {
  try {
    return process.platform === 'win32' ? fs.realpathSync.native(p) : fs.realpathSync(p);
  } catch {
    return p;
  }
}
