/**
 * Runs an extension in a real VS Code extension host: code-server (installed by
 * scripts/e2e-setup.sh into .e2e-cache/code-server) driven by Debian's headless Chromium
 * through playwright-core. See /work/shared/notes/extension-host-e2e.md for why this and not
 * @vscode/test-electron (which has to download VS Code).
 *
 * One `CodeServerSession` = one fresh run folder (user data, extensions, HOME, TMPDIR, XDG
 * dirs, a workspace), one code-server process group on a free 127.0.0.1 port, one browser.
 * The extension host only starts when a browser client connects, so `launch()` waits for
 * the workbench. Every wait has a deadline.
 *
 * Environment: CLI2API_E2E_CACHE (default <repo>/.e2e-cache), CLI2API_E2E_CODE_SERVER and
 * CLI2API_E2E_CHROMIUM (binaries), CLI2API_E2E_KEEP_RUN=1 (keep the run folder in $TMPDIR).
 * Artifacts (screenshots, code-server and extension host logs) go to test-artifacts/e2e/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { waitFor, sleep } from './wait';
import { ARTIFACTS_DIR, Workbench } from './workbench';

export { waitFor, sleep } from './wait';
export { ARTIFACTS_DIR, Workbench, type StatusBarItemInfo } from './workbench';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CODE_SERVER_BIN =
  process.env.CLI2API_E2E_CODE_SERVER ??
  path.join(
    process.env.CLI2API_E2E_CACHE ?? path.join(REPO_ROOT, '.e2e-cache'),
    'code-server',
    'node_modules',
    '.bin',
    'code-server',
  );
export const CHROMIUM_BIN = process.env.CLI2API_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** The settings that keep a test workbench quiet and offline (from the notes). */
export const BASE_SETTINGS: Readonly<Record<string, unknown>> = {
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.commandCenter.enabled': false,
  // The workbench otherwise "forwards" every port the extension host opens and may toast about it.
  'remote.autoForwardPorts': false,
  'files.autoSave': 'off',
  // editUserSettings types into the settings.json editor: nothing may rewrite what it types.
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoClosingOvertype': 'never',
  'editor.autoSurround': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.formatOnPaste': false,
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.parameterHints.enabled': false,
};

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchOptions {
  /** The .vsix to install before starting. */
  vsix: string;
  /** A label for the run folder and the artifacts (file-name safe). */
  name: string;
  /** User settings on top of BASE_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server, hence for the extension host and its children. */
  env?: Record<string, string>;
  /** Files to create in the workspace folder (relative path → content). */
  workspaceFiles?: Record<string, string>;
  /** Deadline for everything up to a visible workbench. Default 90 s. */
  timeoutMs?: number;
  viewport?: { width: number; height: number };
  /** Extra code-server arguments (e.g. ['--log', 'trace'] while debugging a test). */
  codeServerArgs?: string[];
}

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks since boot: with pid, identifies a process despite pid reuse. */
  startTime: number;
  comm: string;
  cmdline: string;
  exe: string;
}

export interface DisposeOptions {
  /**
   * 'group' (default): SIGTERM code-server's whole process group, like Ctrl-C or a service
   * manager would. 'main': SIGTERM only the code-server process and let it shut its own
   * children down (a stricter test of cleanup). Either way the group gets SIGKILL after
   * `graceMs`.
   */
  signal?: 'group' | 'main';
  graceMs?: number;
}

export interface DisposeReport {
  /** code-server's main process exited on SIGTERM within the grace period. */
  exitedOnSigterm: boolean;
  /** Processes of the run still alive when the grace period ended (then SIGKILLed). */
  survivorsAfterGrace: ProcInfo[];
  durationMs: number;
}

/** A port nobody listens on right now (bound then released on 127.0.0.1). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:port (answer within `timeoutMs`). */
export function isPortOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Holds a port (as "in use") until `close()`. */
export async function occupyPort(port: number): Promise<{ close(): Promise<void> }> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// ---------------------------------------------------------------------------------------
// Processes (Linux /proc)

/** Every process visible in /proc right now. */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info) out.push(info);
  }
  return out;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may itself hold spaces or parentheses: split after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' '); // fields[0] is field 3 (state)
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
    let exe = '';
    try {
      exe = fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      // kernel threads and zombies have no exe
    }
    if (fields[0] === 'Z') return undefined; // a zombie is dead, only not yet reaped
    return {
      pid,
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      startTime: Number(fields[19]),
      comm,
      cmdline,
      exe,
    };
  } catch {
    return undefined; // exited while we looked
  }
}

/** The processes below any of `roots` (not the roots themselves). */
export function descendantsOf(roots: number[], procs: ProcInfo[] = listProcesses()): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const out: ProcInfo[] = [];
  const queue = [...roots];
  const seen = new Set<number>(roots);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Processes whose command line or executable path matches `pattern`. */
export function processesMatching(pattern: RegExp, procs: ProcInfo[] = listProcesses()): ProcInfo[] {
  return procs.filter((p) => p.pid !== process.pid && (pattern.test(p.cmdline) || pattern.test(p.exe)));
}

/** Processes whose environment holds `name=value` (root can read every /proc/<pid>/environ). */
export function processesWithEnv(name: string, value: string, procs: ProcInfo[] = listProcesses()): ProcInfo[] {
  const needle = `${name}=${value}`;
  return procs.filter((p) => {
    if (p.pid === process.pid) return false;
    try {
      return fs.readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').includes(needle);
    } catch {
      return false;
    }
  });
}

/** Those of `procs` still running (same pid AND same start time). */
export function stillAlive(procs: ProcInfo[]): ProcInfo[] {
  return procs.filter((p) => readProc(p.pid)?.startTime === p.startTime);
}

export function describeProcs(procs: ProcInfo[]): string {
  return procs.map((p) => `${p.pid} (ppid ${p.ppid}, pgid ${p.pgid}) ${p.cmdline.slice(0, 160)}`).join('\n');
}

// ---------------------------------------------------------------------------------------

export function assertPrerequisites(): void {
  const problems: string[] = [];
  if (process.platform !== 'linux') problems.push(`the e2e harness needs Linux (found ${process.platform})`);
  if (!fs.existsSync(CODE_SERVER_BIN)) problems.push(`no code-server at ${CODE_SERVER_BIN}`);
  if (!fs.existsSync(CHROMIUM_BIN)) problems.push(`no chromium at ${CHROMIUM_BIN}`);
  if (problems.length > 0) throw new Error(`${problems.join('; ')}. Run scripts/e2e-setup.sh first.`);
}

export class CodeServerSession extends Workbench {
  /** Set in every process the run starts (inherited by the extension host and its children). */
  static readonly RUN_ENV = 'CLI2API_E2E_RUN_ID';

  readonly consoleMessages: string[] = [];
  /** Milliseconds from launch() to a visible workbench (VSIX install included). */
  launchMs = 0;
  private disposed = false;
  private exitPromise: Promise<void>;
  private exited = false;

  private constructor(
    readonly name: string,
    readonly runId: string,
    readonly runDir: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly workspaceDir: string,
    readonly homeDir: string,
    readonly port: number,
    readonly serverProcess: ChildProcess,
    readonly serverLogPath: string,
    public browser: Browser | undefined = undefined,
    public context: BrowserContext | undefined = undefined,
  ) {
    super(undefined as unknown as Page, path.join(userDataDir, 'User', 'settings.json'));
    this.exitPromise = new Promise<void>((resolve) => {
      if (serverProcess.exitCode !== null || serverProcess.signalCode !== null) {
        this.exited = true;
        resolve();
        return;
      }
      serverProcess.once('exit', () => {
        this.exited = true;
        resolve();
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get pid(): number {
    return this.serverProcess.pid!;
  }

  /** Installs the VSIX, starts code-server and a browser, and waits for the workbench. */
  static async launch(opts: LaunchOptions): Promise<CodeServerSession> {
    assertPrerequisites();
    const timeoutMs = opts.timeoutMs ?? 90_000;
    const launchStarted = Date.now();
    const deadline = launchStarted + timeoutMs;
    const left = () => Math.max(1000, deadline - Date.now());
    if (!fs.existsSync(opts.vsix)) throw new Error(`no VSIX at ${opts.vsix}`);

    const runId = `${opts.name}-${randomBytes(4).toString('hex')}`;
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `cli2api-e2e-${opts.name}-`));
    const dirs = {
      userData: path.join(runDir, 'user-data'),
      extensions: path.join(runDir, 'extensions'),
      workspace: path.join(runDir, 'workspace'),
      home: path.join(runDir, 'home'),
      tmp: path.join(runDir, 'tmp'),
      config: path.join(runDir, 'xdg', 'config'),
      data: path.join(runDir, 'xdg', 'data'),
      cache: path.join(runDir, 'xdg', 'cache'),
      state: path.join(runDir, 'xdg', 'state'),
      runtime: path.join(runDir, 'xdg', 'runtime'),
    };
    for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(dirs.userData, 'User', 'settings.json'),
      JSON.stringify({ ...BASE_SETTINGS, ...opts.settings }, null, 2) + '\n',
    );
    for (const [rel, content] of Object.entries(opts.workspaceFiles ?? {})) {
      const file = path.join(dirs.workspace, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }

    const galleryPort = await freePort(); // reserved then released: nothing listens there
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: dirs.home,
      TMPDIR: dirs.tmp,
      XDG_CONFIG_HOME: dirs.config,
      XDG_DATA_HOME: dirs.data,
      XDG_CACHE_HOME: dirs.cache,
      XDG_STATE_HOME: dirs.state,
      XDG_RUNTIME_DIR: dirs.runtime,
      EXTENSIONS_GALLERY: JSON.stringify({
        serviceUrl: `http://127.0.0.1:${galleryPort}/gallery`,
        itemUrl: `http://127.0.0.1:${galleryPort}/item`,
      }),
      [CodeServerSession.RUN_ENV]: runId,
      ...opts.env,
    };
    // Whatever the test runner was started with must not leak into the extension host.
    delete env.NODE_OPTIONS;
    delete env.VSCODE_IPC_HOOK_CLI;
    delete env.ELECTRON_RUN_AS_NODE;

    const dirArgs = ['--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData];
    const install = spawnSync(CODE_SERVER_BIN, ['--install-extension', path.resolve(opts.vsix), ...dirArgs], {
      env,
      encoding: 'utf8',
      timeout: Math.min(60_000, left()),
      killSignal: 'SIGKILL',
    });
    if (install.status !== 0 || !/successfully installed/i.test(install.stdout + install.stderr)) {
      if (process.env.CLI2API_E2E_KEEP_RUN !== '1') fs.rmSync(runDir, { recursive: true, force: true });
      throw new Error(
        `code-server --install-extension failed (status ${install.status}, ${install.error?.message ?? 'no spawn error'}):\n${install.stdout}\n${install.stderr}`,
      );
    }

    const port = await freePort();
    const serverLogPath = path.join(runDir, 'code-server.log');
    const logFd = fs.openSync(serverLogPath, 'a');
    const child = spawn(
      CODE_SERVER_BIN,
      [
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        ...(opts.codeServerArgs ?? []),
        ...dirArgs,
        dirs.workspace,
      ],
      { env, detached: true, stdio: ['ignore', logFd, logFd] }, // detached: its own process group
    );
    fs.closeSync(logFd);
    const session = new CodeServerSession(
      opts.name,
      runId,
      runDir,
      dirs.userData,
      dirs.extensions,
      dirs.workspace,
      dirs.home,
      port,
      child,
      serverLogPath,
    );
    try {
      await waitFor(
        `code-server /healthz on port ${port}`,
        async () => {
          if (session.exited) throw new Error(`code-server exited early:\n${session.serverLog()}`);
          const res = await fetch(`${session.url}/healthz`, { signal: AbortSignal.timeout(1000) });
          return res.ok;
        },
        left(),
        150,
      );
      // Chromium's crashpad and caches follow HOME/XDG: keep them in the run folder too.
      const browserHome = path.join(runDir, 'browser-home');
      fs.mkdirSync(browserHome, { recursive: true });
      session.browser = await chromium.launch({
        executablePath: CHROMIUM_BIN,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: left(),
        env: {
          ...process.env,
          HOME: browserHome,
          XDG_CONFIG_HOME: path.join(browserHome, '.config'),
          XDG_CACHE_HOME: path.join(browserHome, '.cache'),
          XDG_DATA_HOME: path.join(browserHome, '.local', 'share'),
        },
      });
      // Clipboard permissions: Copy commands write to the browser's clipboard, and tests read it back.
      session.context = await session.browser.newContext({
        viewport: opts.viewport ?? { width: 1400, height: 900 },
        permissions: ['clipboard-read', 'clipboard-write'],
      });
      session.page = await session.openPage(dirs.workspace, left());
      session.launchMs = Date.now() - launchStarted;
      return session;
    } catch (err) {
      await session.dispose().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Opens another workbench window on `folder` (created if missing): a second page on the same
   * code-server, which gets an extension host of its own — exactly like a second VS Code window.
   * Close it with `window.page.close()` (that window's extension host then ends).
   */
  async openWindow(folder: string, timeoutMs = 60_000): Promise<Workbench> {
    fs.mkdirSync(folder, { recursive: true });
    return new Workbench(await this.openPage(folder, timeoutMs), this.settingsPath);
  }

  private async openPage(folder: string, timeoutMs: number): Promise<Page> {
    if (!this.context) throw new Error('no browser context');
    const page = await this.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') this.consoleMessages.push(`[${m.type()}] ${m.text()}`);
    });
    await page.goto(`${this.url}/?folder=${encodeURIComponent(folder)}`, {
      timeout: timeoutMs,
      waitUntil: 'domcontentloaded',
    });
    await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
    await page.waitForSelector('.part.statusbar', { timeout: timeoutMs });
    return page;
  }

  /** Log files under the user data `logs` folder whose path matches (e.g. an output channel's). */
  findLogFiles(pattern: RegExp): string[] {
    const root = path.join(this.userDataDir, 'logs');
    const out: string[] = [];
    const walk = (dir: string) => {
      let entries: fs.Dirent[] = [];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (pattern.test(full)) out.push(full);
      }
    };
    walk(root);
    return out;
  }

  /** The concatenated content of the log files matching `pattern` ('' if none yet). */
  readLogs(pattern: RegExp): string {
    return this.findLogFiles(pattern)
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
  }

  /** What code-server printed on stdout/stderr so far. */
  serverLog(): string {
    try {
      return fs.readFileSync(this.serverLogPath, 'utf8');
    } catch {
      return '';
    }
  }

  // --- Processes ------------------------------------------------------------------------

  /**
   * The processes of this run now: code-server, everything below it, and anything carrying
   * this run's RUN_ENV marker (which catches children that were re-parented or detached).
   */
  processes(): ProcInfo[] {
    const procs = listProcesses();
    const byPid = new Map<number, ProcInfo>();
    const main = procs.find((p) => p.pid === this.pid);
    if (main) byPid.set(main.pid, main);
    for (const p of descendantsOf([this.pid], procs)) byPid.set(p.pid, p);
    for (const p of processesWithEnv(CodeServerSession.RUN_ENV, this.runId, procs)) byPid.set(p.pid, p);
    return [...byPid.values()];
  }

  /** The extension host process(es) of this run (a reload would replace them). */
  extensionHosts(): ProcInfo[] {
    return this.processesMatching(/--type=extensionHost\b/);
  }

  /** This run's processes whose command line or executable matches `pattern`. */
  processesMatching(pattern: RegExp): ProcInfo[] {
    return processesMatching(pattern, this.processes());
  }

  // --- Shutdown -------------------------------------------------------------------------

  /**
   * Closes the browser, stops code-server (SIGTERM, then SIGKILL to the whole group after the
   * grace period), copies the logs to test-artifacts/e2e/<name>-logs/ and deletes the run
   * folder (kept when CLI2API_E2E_KEEP_RUN=1). Safe to call twice.
   */
  async dispose(opts: DisposeOptions = {}): Promise<DisposeReport> {
    const started = Date.now();
    const report: DisposeReport = { exitedOnSigterm: false, survivorsAfterGrace: [], durationMs: 0 };
    if (this.disposed) return report;
    this.disposed = true;
    const graceMs = opts.graceMs ?? 10_000;
    if (this.browser) {
      await Promise.race([this.browser.close().catch(() => undefined), sleep(10_000)]);
    }
    const tracked = this.processes();
    if (!this.exited) {
      const target = opts.signal === 'main' ? this.pid : -this.pid;
      try {
        process.kill(target, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([this.exitPromise, sleep(graceMs)]);
      report.exitedOnSigterm = this.exited;
    }
    // Give the rest of the tree what is left of the grace period to follow the main process.
    const deadline = started + graceMs + 1000;
    await waitFor(
      'the run processes to exit',
      () => stillAlive(tracked).length === 0 || undefined,
      Math.max(0, deadline - Date.now()),
      100,
    ).catch(() => undefined);
    const seen = new Set<number>();
    report.survivorsAfterGrace = stillAlive([...this.processes(), ...tracked]).filter(
      (p) => !seen.has(p.pid) && seen.add(p.pid),
    );
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // group already empty
    }
    for (const p of report.survivorsAfterGrace) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await Promise.race([this.exitPromise, sleep(5_000)]);
    this.saveLogs();
    if (process.env.CLI2API_E2E_KEEP_RUN !== '1') fs.rmSync(this.runDir, { recursive: true, force: true });
    report.durationMs = Date.now() - started;
    return report;
  }

  private saveLogs(): void {
    try {
      const dest = path.join(ARTIFACTS_DIR, `${this.name}-logs`);
      fs.rmSync(dest, { recursive: true, force: true });
      fs.mkdirSync(dest, { recursive: true });
      fs.copyFileSync(this.serverLogPath, path.join(dest, 'code-server.log'));
      const logs = path.join(this.userDataDir, 'logs');
      if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dest, 'user-data-logs'), { recursive: true });
      if (this.consoleMessages.length > 0)
        fs.writeFileSync(path.join(dest, 'browser-console.log'), this.consoleMessages.join('\n') + '\n');
    } catch {
      // artifacts are best effort
    }
  }
}

/** Packages an extension folder with vsce 3.9 (Node 20 compatible) into `outDir`; returns the .vsix path. */
export function packageExtension(extensionDir: string, outFile: string, timeoutMs = 60_000): string {
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  const res = spawnSync(
    vsce,
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', outFile],
    {
      cwd: extensionDir,
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      env: { ...process.env, CI: '1' },
    },
  );
  if (res.status !== 0 || !fs.existsSync(outFile)) {
    throw new Error(`vsce package failed (status ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
  return outFile;
}

/** Packages the working tree into `dir` (vsce runs the production build), or takes CLI2API_E2E_VSIX. */
export function packageVsix(dir: string): string {
  const given = process.env.CLI2API_E2E_VSIX;
  if (given) return path.resolve(given);
  const out = path.join(dir, 'cli2api-e2e.vsix');
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  const res = spawnSync(vsce, ['package', '--no-dependencies', '--out', out], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  if (res.status !== 0 || !fs.existsSync(out))
    throw new Error(`vsce package failed (status ${res.status}):\n${res.stdout}\n${res.stderr}`);
  return out;
}
