/**
 * The agents suite's harness: the real coding agents (Codex CLI, Kilo CLI, Continue CLI and
 * Claude Code itself, pinned in test/agents/package.json) run headless against the headless
 * CLI2API server (`node bin/cli2api.js`), whose Claude CLI talks to the fake Anthropic API.
 *
 * scripts/agents-run.sh starts the suite inside a loopback-only network namespace when it can
 * (`unshare -n`), so no client reaches anything but 127.0.0.1; every client also runs with its
 * telemetry and update checks off, in a throwaway HOME and working folder.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CLAUDE_BIN, fakeCliEnv } from '../support/cli-env';
import {
  type FakeReply,
  FakeAnthropic,
  lastToolResults,
  type RecordedRequest,
  resultText,
  textOf,
} from '../support/fake-anthropic';
import { type HeadlessServer, startHeadless, stopHeadless } from '../support/headless';
import { processesWithMarker, waitForNoProcesses } from '../support/processes';

const ROOT = path.resolve(__dirname, '../..');
/** Where scripts/agents-setup.sh installs the clients test/agents/package.json pins. */
const MODULES = path.join(ROOT, '.agents-clients', 'node_modules');

/** The client binaries, as scripts/agents-setup.sh installs them. */
export const BIN = {
  codex: path.join(MODULES, '.bin/codex'),
  continue: path.join(MODULES, '.bin/cn'),
  kilo: path.join(MODULES, '@kilocode/cli-linux-x64/bin/kilo'),
  /** The pinned claude binary (the backend's too); CLI2API_AGENTS_CLAUDE_CLIENT tries another version as the client. */
  claude: process.env.CLI2API_AGENTS_CLAUDE_CLIENT || CLAUDE_BIN,
};

/** The version test/agents/package.json pins, as installed. */
export function installedVersion(pkg: string): string | undefined {
  const file = path.join(MODULES, pkg, 'package.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version : undefined;
}

/** In CI a missing client fails the run; elsewhere its tests are skipped with the reason. */
export function requireClient(ctx: Mocha.Context, bin: string, why: string): void {
  if (fs.existsSync(bin)) return;
  if (process.env.CI) assert.fail(`${bin} is missing: ${why}`);
  ctx.skip();
}

export const inNetworkNamespace = process.env.CLI2API_AGENTS_NETNS === '1';

/**
 * Inside the namespace nothing but loopback is reachable: a connection to an outside address
 * fails at once (ENETUNREACH). Proves the isolation the suite claims.
 */
export async function assertNoOutsideNetwork(): Promise<void> {
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const socket = net.connect({ host: '1.1.1.1', port: 443 });
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e));
  });
  assert.ok(error, 'an outside address was reachable from the network namespace');
  assert.match(String(error.code), /ENETUNREACH|EHOSTUNREACH|ENETDOWN/);
}

/** A throwaway HOME and working folder for one client run. */
export function throwaway(client: string): { home: string; work: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `cli2api-agents-${client}-`));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  fs.mkdirSync(home);
  fs.mkdirSync(work);
  return { home, work };
}

/** What every client gets: PATH and a plain terminal, nothing else of ours (no keys, no CLI2API_*). */
export function clientEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TERM: 'dumb',
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    ...extra,
  };
}

export interface ClientRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one client command with stdin closed (Codex waits for an open stdin), in its own
 * process group, killed whole after `timeoutMs`. Resolves with what it printed.
 */
export function runClient(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`${path.basename(cmd)} ran over ${opts.timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // helpers a client left behind go with it
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Fails with everything the client printed when it did not exit 0. */
export function assertExitedCleanly(run: ClientRun): void {
  assert.equal(run.code, 0, `exit ${run.code ?? run.signal}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
}

export interface AgentsServer {
  fake: FakeAnthropic;
  server: HeadlessServer;
  /** http://127.0.0.1:<port> (no /v1). */
  url: string;
  /** The key clients must send, or undefined when the server takes any. */
  apiKey: string | undefined;
  /** Claude CLI processes alive now (the server itself excluded). */
  cliProcesses(): number[];
  /**
   * After a client run: no Claude CLI process of this server is left, and the fake API refused
   * nothing the real API would take (the strict fake of test/support notes such refusals).
   */
  assertClean(): Promise<void>;
  stop(): Promise<void>;
}

let built = false;

/**
 * The headless server as users run it (`node bin/cli2api.js`), configured by environment
 * only, with its Claude CLI pointed at a fresh fake Anthropic API. No prewarmed or idle CLI
 * processes: after each test none may be left.
 */
export async function startServer(opts: { apiKey?: string } = {}): Promise<AgentsServer> {
  if (!built) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    built = true;
  }
  const fake = new FakeAnthropic();
  await fake.start();
  const marker = randomUUID();
  const server = await startHeadless({
    ...fakeCliEnv(fake.url),
    C2A_TEST_MARKER: marker,
    CLI2API_PORT: '0',
    CLI2API_CLAUDE_CLI_PATH: CLAUDE_BIN,
    CLI2API_POOL_SIZE: '0',
    CLI2API_POOL_MAX_IDLE: '0',
    CLI2API_LOG_LEVEL: 'debug',
    ...(opts.apiKey ? { CLI2API_API_KEY: opts.apiKey } : {}),
  });
  const cliProcesses = () => processesWithMarker(marker).filter((pid) => pid !== server.child.pid);
  return {
    fake,
    server,
    url: server.url,
    apiKey: opts.apiKey,
    cliProcesses,
    async assertClean() {
      for (let i = 0; i < 100 && cliProcesses().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(cliProcesses(), [], 'no Claude CLI process outlives the client run');
      const refusals = (fake as unknown as { refusals?: Array<{ message: string }> }).refusals ?? [];
      assert.deepEqual(
        refusals.map((r) => r.message),
        [],
        'the Claude CLI sent nothing the real API would refuse',
      );
    },
    async stop() {
      assert.equal(await stopHeadless(server), 0, `the server exits cleanly:\n${server.output()}`);
      await fake.stop();
      assert.deepEqual(await waitForNoProcesses(marker), [], 'no process is left after the server stopped');
    },
  };
}

/** Every text the model received in this request (user, tool results, system), for marker checks. */
export function allText(req: RecordedRequest): string {
  return req.body.messages.map((m) => textOf(m.content)).join('\n');
}

/** The CLI's name for the client's tool `name` if this request offers it (it adds an MCP prefix). */
export function offered(req: RecordedRequest, name: string): string | undefined {
  return (req.body.tools ?? []).find((t) => t.name === name || t.name.endsWith(`__${name}`))?.name;
}

/**
 * The fake model for a plain prompt: a request whose text holds `question` gets `answer`;
 * anything else (a side request such as a title) gets a short text.
 */
export function answerModel(question: string, answer: string): (req: RecordedRequest) => FakeReply {
  return (req) => ({
    kind: 'message',
    blocks: [{ type: 'text', text: allText(req).includes(question) ? answer : 'side request' }],
  });
}

/** The command the model runs with the client's shell tool: only running it makes proof.txt hold 42. */
export const PROOF_COMMAND = 'echo $((6*7)) > proof.txt && cat proof.txt';

/**
 * The fake model for a round trip with the client's own shell tool: while the conversation
 * holds no tool result it calls `tool` (found by name among the offered tools) with
 * `input`; then it answers with the result text it received, which `seen` records.
 */
export function shellRoundTrip(
  tool: string,
  input: Record<string, unknown>,
): { handle: (req: RecordedRequest) => FakeReply; seen: string[]; offeredTools: string[][] } {
  const seen: string[] = [];
  const offeredTools: string[][] = [];
  const handle = (req: RecordedRequest): FakeReply => {
    const results = lastToolResults(req.body);
    if (results.length > 0) {
      const text = results.map((r) => resultText(r.content)).join('\n');
      seen.push(text);
      return { kind: 'message', blocks: [{ type: 'text', text: `The tool said: ${lastLine(text)}` }] };
    }
    const name = offered(req, tool);
    if (!name) return { kind: 'message', blocks: [{ type: 'text', text: 'side request' }] };
    offeredTools.push((req.body.tools ?? []).map((t) => t.name));
    return { kind: 'message', blocks: [{ type: 'tool_use', name, input }] };
  };
  return { handle, seen, offeredTools };
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .at(-1) ?? ''
  );
}

/** proof.txt as the shell tool left it in the client's working folder. */
export function proofFile(work: string): string | undefined {
  const file = path.join(work, 'proof.txt');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
}
