/**
 * Finding the `claude` executable: an explicit path wins; otherwise every candidate on
 * PATH, in the usual install locations and inside the Claude Code VS Code extension is
 * asked for its version, and the newest wins.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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

const isWindows = process.platform === 'win32';
const EXE_NAMES = isWindows ? ['claude.exe'] : ['claude'];

export async function locateClaude(opts: {
  explicitPath?: string;
  env: NodeJS.ProcessEnv;
  extraCandidates?: string[];
}): Promise<ClaudeBinary> {
  if (opts.explicitPath) {
    const version = await readVersion(opts.explicitPath);
    if (!version)
      throw new CliNotFoundError(`the configured CLI path ${opts.explicitPath} is not an executable Claude Code CLI`);
    return { path: opts.explicitPath, version };
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
  return found[0]!;
}

export function candidatePaths(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || env.USERPROFILE || os.homedir();
  const onPath = (env.PATH ?? env.Path ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .flatMap((dir) => EXE_NAMES.map((name) => path.join(dir, name)));
  // npm's Windows shims (claude.cmd) cannot be spawned directly: use the binary they point at.
  const npmPrefixes = (env.PATH ?? env.Path ?? '')
    .split(path.delimiter)
    .filter((d) => fs.existsSync(path.join(d, 'claude.cmd')));
  const usual = [
    path.join(home, '.claude', 'local', 'claude'),
    path.join(home, '.claude', 'local', 'node_modules', '.bin', 'claude'),
    path.join(home, '.local', 'bin', EXE_NAMES[0]!),
    path.join(home, '.npm-global', 'bin', 'claude'),
    path.join(home, '.bun', 'bin', 'claude'),
    '/usr/local/bin/claude',
    '/opt/homebrew/bin/claude',
    ...[env.APPDATA, ...npmPrefixes]
      .filter((d): d is string => Boolean(d))
      .map((d) =>
        path.join(
          d,
          ...(d === env.APPDATA ? ['npm'] : []),
          'node_modules',
          '@anthropic-ai',
          'claude-code',
          'bin',
          'claude.exe',
        ),
      ),
  ];
  return [...onPath, ...usual, ...extensionBinaries(home)];
}

/** The native binary shipped inside the Claude Code extension for VS Code and its forks. */
function extensionBinaries(home: string): string[] {
  const roots = ['.vscode', '.vscode-server', '.vscode-insiders', '.cursor', '.cursor-server', '.windsurf'].map((d) =>
    path.join(home, d, 'extensions'),
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
      out.push(path.join(root, entry, 'resources', 'native-binary', EXE_NAMES[0]!));
    }
  }
  return out;
}

function isExecutableFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (!isWindows) fs.accessSync(p, fs.constants.X_OK);
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

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isNaN(pa[i] ?? 0) ? 0 : (pa[i] ?? 0);
    const y = Number.isNaN(pb[i] ?? 0) ? 0 : (pb[i] ?? 0);
    if (x !== y) return x - y;
  }
  return 0;
}
