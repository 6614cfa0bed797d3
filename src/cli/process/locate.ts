/**
 * Finding the `claude` executable: an explicit path wins; otherwise every candidate on
 * PATH, in the usual install locations and inside the Claude Code VS Code extension is
 * asked for its version, and the newest usable one wins.
 *
 * On Windows only a real `claude.exe` is ever spawned: npm's `claude.cmd`/`claude.ps1`
 * shims cannot be spawned without a shell, so they are resolved to the executable they run
 * (`<npm prefix>\node_modules\@anthropic-ai\claude-code\bin\claude.exe`).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareVersions, versionSupport } from './cli-versions';

export { compareVersions } from './cli-versions';

export interface ClaudeBinary {
  path: string;
  version: string;
}

export class CliNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliNotFoundError';
  }
}

/** What the search depends on besides the file system: testable for Windows on any machine. */
export interface SearchPlatform {
  platform: NodeJS.Platform;
  homedir: () => string;
}

const CURRENT: SearchPlatform = { platform: process.platform, homedir: os.homedir };

export async function locateClaude(opts: {
  explicitPath?: string;
  env: NodeJS.ProcessEnv;
  extraCandidates?: string[];
}): Promise<ClaudeBinary> {
  if (opts.explicitPath) {
    const binary = executableFor(opts.explicitPath);
    const version = await readVersion(binary);
    if (!version)
      throw new CliNotFoundError(`the configured CLI path ${opts.explicitPath} is not an executable Claude Code CLI`);
    return { path: binary, version };
  }
  const candidates = [...new Set([...(opts.extraCandidates ?? []), ...candidatePaths(opts.env)])].filter(
    isExecutableFile,
  );
  const found = (await Promise.all(candidates.map(async (p) => ({ path: p, version: await readVersion(p) })))).filter(
    (c): c is ClaudeBinary => c.version !== undefined,
  );
  if (found.length === 0)
    throw new CliNotFoundError(
      'no `claude` executable found on PATH, in the usual install locations or in the Claude Code VS Code extension',
    );
  found.sort((a, b) => compareVersions(b.version, a.version));
  // A version known not to work is taken only when nothing else is there (its error then says what to install).
  return found.find((c) => versionSupport(c.version).kind !== 'broken') ?? found[0]!;
}

/** Every place a `claude` executable may be, most specific first. */
export function candidatePaths(env: NodeJS.ProcessEnv, on: SearchPlatform = CURRENT): string[] {
  const win = on.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const exe = win ? 'claude.exe' : 'claude';
  const pathDirs = (envValue(env, 'PATH', win) ?? '').split(win ? ';' : ':').filter(Boolean);
  const onPath = pathDirs.map((dir) => p.join(dir, exe));
  if (!win) {
    const home = env.HOME || on.homedir();
    return [
      ...onPath,
      p.join(home, '.claude', 'local', 'claude'),
      p.join(home, '.claude', 'local', 'node_modules', '.bin', 'claude'),
      p.join(home, '.local', 'bin', 'claude'),
      p.join(home, '.npm-global', 'bin', 'claude'),
      p.join(home, '.bun', 'bin', 'claude'),
      '/usr/local/bin/claude',
      '/opt/homebrew/bin/claude',
      ...extensionBinaries(home, p, exe),
    ];
  }
  // The native installer puts its launcher in <home>\.local\bin, with home = HOME ?? os.homedir() (its code);
  // npm puts claude.cmd in its prefix (%APPDATA%\npm by default) and the executable under node_modules.
  const homes = unique([env.HOME, envValue(env, 'USERPROFILE', true), on.homedir()]);
  const appData = envValue(env, 'APPDATA', true);
  const npmPrefixes = unique([...(appData ? [p.join(appData, 'npm')] : []), ...pathDirs]);
  return unique([
    ...onPath,
    ...homes.map((h) => p.join(h, '.local', 'bin', 'claude.exe')),
    ...npmPrefixes.map((prefix) => npmExecutable(prefix, p)),
    ...homes.flatMap((h) => extensionBinaries(h, p, exe)),
  ]);
}

/** A shim (`claude.cmd`, `claude.ps1`, extensionless sh script of npm on Windows) → the executable it runs. */
export function executableFor(file: string, on: Pick<SearchPlatform, 'platform'> = CURRENT): string {
  if (on.platform !== 'win32') return file;
  const p = path.win32;
  const base = p.basename(file).toLowerCase();
  if (base === 'claude.cmd' || base === 'claude.ps1' || base === 'claude') return npmExecutable(p.dirname(file), p);
  return file;
}

function npmExecutable(prefix: string, p: path.PlatformPath): string {
  return p.join(prefix, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
}

/** The native binary shipped inside the Claude Code extension for VS Code and its forks. */
function extensionBinaries(home: string, p: path.PlatformPath, exe: string): string[] {
  const roots = ['.vscode', '.vscode-server', '.vscode-insiders', '.cursor', '.cursor-server', '.windsurf'].map((d) =>
    p.join(home, d, 'extensions'),
  );
  const out: string[] = [];
  for (const root of roots) {
    let entries: string[];
    try {
      entries = fs.readdirSync(root);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!/^anthropic\.claude-code-/.test(entry)) continue;
      out.push(p.join(root, entry, 'resources', 'native-binary', exe));
    }
  }
  return out;
}

/** An environment variable; Windows names are case-insensitive (`Path`, `PATH`). */
function envValue(env: NodeJS.ProcessEnv, name: string, anyCase: boolean): string | undefined {
  if (env[name] !== undefined || !anyCase) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

function unique(values: Array<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))];
}

function isExecutableFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `claude --version` prints e.g. `2.1.197 (Claude Code)`. */
export function readVersion(binary: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 15_000, windowsHide: true }, (error, stdout) => {
      const m = /(\d+\.\d+\.\d+(?:[-.][\w.]+)?)/.exec(String(stdout));
      resolve(error || !m ? undefined : m[1]);
    });
  });
}
