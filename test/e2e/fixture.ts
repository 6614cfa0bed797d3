/**
 * What the CLI2API e2e suites share: the VSIX packaged once per run from the working tree (or
 * CLI2API_E2E_VSIX), a fake Anthropic API the REAL Claude CLI talks to, settings that point the
 * extension at both, an openai client, and finding the `claude` processes a suite started.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { fakeCliEnv } from '../support/cli-env';
import { FakeAnthropic, lastUserText } from '../support/fake-anthropic';
import { type CodeServerSession, listProcesses, processesWithEnv, REPO_ROOT } from './harness';

export const CLAUDE_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'claude');
/** The CLI2API LogOutputChannel's file under the user data logs folder. */
export const LOG_FILE = /[\\/]CLI2API\.log$/;
/** Marks every CLI child a suite starts (through cli2api.env), to find them after shutdown. */
export const CLI_MARK_ENV = 'CLI2API_E2E_CLI_MARK';

interface PackageJson {
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    menus?: { commandPalette?: Array<{ command: string; when?: string }> };
  };
}

/** "CLI2API: <title>" of every command package.json offers in the palette. */
export function paletteCommands(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
  const hidden = new Set(
    (pkg.contributes.menus?.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command),
  );
  return pkg.contributes.commands
    .filter((c) => !hidden.has(c.command))
    .map((c) => (c.category ? `${c.category}: ${c.title}` : c.title));
}

let vsix: Promise<string> | undefined;

/** Packages the working tree once per test run into a temp folder (or takes CLI2API_E2E_VSIX). */
export function obtainVsix(): Promise<string> {
  vsix ??= (async () => {
    const given = process.env.CLI2API_E2E_VSIX;
    if (given) return path.resolve(given);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-e2e-vsix-'));
    const out = path.join(tmp, 'cli2api-e2e.vsix');
    const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
    const t0 = Date.now();
    const res = spawnSync(vsce, ['package', '--no-dependencies', '--out', out], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 180_000,
      killSignal: 'SIGKILL',
    });
    if (res.status !== 0 || !fs.existsSync(out))
      throw new Error(`vsce package failed (status ${res.status}):\n${res.stdout}\n${res.stderr}`);
    console.log(`      (VSIX packaged in ${Date.now() - t0} ms)`);
    return out;
  })();
  return vsix;
}

export interface Fixture {
  vsix: string;
  fake: FakeAnthropic;
  cliMark: string;
  /** The extension's settings for a run on `port` (claudePath: the repo's real CLI unless given). */
  settings(port: number, claudePath?: string): Record<string, unknown>;
}

/** The fake answers `echo: <text>`; "slow stream" streams five words slowly; "never answer" hangs. */
export async function createFixture(): Promise<Fixture> {
  assert.ok(fs.existsSync(CLAUDE_BIN), `no Claude CLI at ${CLAUDE_BIN} (npm install)`);
  const vsixPath = await obtainVsix();
  const fake = new FakeAnthropic();
  const fakeUrl = await fake.start();
  fake.handle((req) => {
    const text = lastUserText(req.body);
    if (/slow stream/.test(text)) {
      return {
        kind: 'message',
        blocks: [
          { type: 'text', text: 'one two three four five', chunks: ['one ', 'two ', 'three ', 'four ', 'five'] },
        ],
        deltaDelayMs: 600,
      };
    }
    if (/never answer/.test(text)) return { kind: 'hang' };
    return { kind: 'message', blocks: [{ type: 'text', text: `echo: ${text}` }] };
  });
  const cliMark = randomBytes(6).toString('hex');
  const cliEnv = fakeCliEnv(fakeUrl, { [CLI_MARK_ENV]: cliMark });
  return {
    vsix: vsixPath,
    fake,
    cliMark,
    settings: (port, claudePath = CLAUDE_BIN) => ({
      'cli2api.port': port,
      'cli2api.host': '127.0.0.1',
      'cli2api.autoStart': true,
      'cli2api.claudePath': claudePath,
      'cli2api.env': cliEnv,
    }),
  };
}

export async function destroyFixture(f: Fixture | undefined): Promise<void> {
  await f?.fake.stop().catch(() => undefined);
}

export function openai(port: number, apiKey = 'unused'): OpenAI {
  return new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey, maxRetries: 0, timeout: 60_000 });
}

export async function getJson(
  port: number,
  p: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`, { headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** `claude` processes started by a suite: below code-server, or marked through cli2api.env. */
export function claudeProcesses(session: CodeServerSession, mark: string) {
  const isClaude = (p: { cmdline: string; exe: string; comm: string }) =>
    /claude/i.test(`${p.exe} ${p.cmdline.split(' ')[0]} ${p.comm}`);
  const all = listProcesses();
  const byPid = new Map<number, ReturnType<typeof listProcesses>[number]>();
  for (const p of [...session.processes(), ...processesWithEnv(CLI_MARK_ENV, mark, all)])
    if (isClaude(p)) byPid.set(p.pid, p);
  return [...byPid.values()];
}
