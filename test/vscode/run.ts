/**
 * `npm run test:vscode`: runs test/vscode/suite inside a real desktop VS Code with
 * @vscode/test-electron. Needs a desktop machine that can download VS Code (or has one
 * installed, see CLI2API_VSCODE_EXECUTABLE); on Linux without a display, run it under xvfb-run.
 * CI machines here have no internet: they run `npm run test:e2e` (code-server) instead, and
 * this runner stops at once with a message saying so.
 *
 * Steps: bundle the suite (bundle.ts) → find VS Code (download into <repo>/.vscode-test, or
 * CLI2API_VSCODE_EXECUTABLE) → a throwaway folder with a workspace, user data (settings.json
 * below), extensions dir and a HOME for the Claude CLI → runTests with the repo as the
 * development extension. Expects dist/extension.js to be built (`npm run build`).
 *
 * Env:
 *   CLI2API_VSCODE_EXECUTABLE   an installed VS Code's Electron binary (no download), e.g.
 *                               /usr/share/code/code, "/Applications/Visual Studio Code.app/Contents/MacOS/Electron"
 *                               (…/MacOS/Code on newer builds), C:\…\Microsoft VS Code\Code.exe
 *   CLI2API_VSCODE_VERSION      VS Code version to download ("stable", "insiders", "1.100.3");
 *                               default: the newest stable satisfying engines.vscode
 *   CLI2API_VSCODE_DOWNLOAD_TIMEOUT_MS  idle timeout of each download request (default 10000)
 *   CLI2API_VSCODE_GREP         only the in-host tests whose title matches
 *   CLI2API_VSCODE_KEEP=1       keep the throwaway folder (printed at the end)
 * Exit code: 0 all passed; 1 anything else (no VS Code, a failed test, VS Code crashed).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { downloadAndUnzipVSCode, runTests, TestRunFailedError } from '@vscode/test-electron';
import { bundleSuite, REPO_ROOT } from './bundle';

const DOWNLOAD_FAILED =
  '@vscode/test-electron could not download VS Code: this suite needs a desktop machine with internet; CI here runs npm run test:e2e instead';
const CLAUDE_BIN = path.join(REPO_ROOT, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
const EXTENSION_MAIN = path.join(REPO_ROOT, 'dist', 'extension.js');

class Fatal extends Error {}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

/** The VS Code to run: CLI2API_VSCODE_EXECUTABLE, or a download (cached in <repo>/.vscode-test). */
async function resolveVSCode(): Promise<string> {
  const given = process.env.CLI2API_VSCODE_EXECUTABLE;
  if (given) {
    const exe = path.resolve(given);
    if (!fs.existsSync(exe)) throw new Fatal(`CLI2API_VSCODE_EXECUTABLE=${given}: no such file`);
    console.log(`[test:vscode] VS Code: ${exe} (CLI2API_VSCODE_EXECUTABLE)`);
    return exe;
  }
  const timeout = Number(process.env.CLI2API_VSCODE_DOWNLOAD_TIMEOUT_MS) || 10_000;
  try {
    return await downloadAndUnzipVSCode({
      version: process.env.CLI2API_VSCODE_VERSION || undefined,
      extensionDevelopmentPath: REPO_ROOT,
      cachePath: path.join(REPO_ROOT, '.vscode-test'),
      timeout,
    });
  } catch (err) {
    throw new Fatal(
      `${DOWNLOAD_FAILED}\n  (cause: ${describeError(err)})\n` +
        '  With VS Code installed, set CLI2API_VSCODE_EXECUTABLE to its binary to skip the download.',
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

interface RunFolder {
  root: string;
  workspace: string;
  userData: string;
  extensions: string;
  cliHome: string;
}

function makeRunFolder(): RunFolder {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-vscode-'));
  const dirs = {
    root,
    workspace: path.join(root, 'workspace'),
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    cliHome: path.join(root, 'cli-home'),
  };
  for (const d of [dirs.workspace, path.join(dirs.userData, 'User'), dirs.extensions, dirs.cliHome])
    fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(dirs.workspace, 'README.md'), '# CLI2API VS Code test workspace\n');
  return dirs;
}

/**
 * User settings of the throwaway profile: a quiet, offline workbench, and CLI2API starting on a
 * free port with the repo's CLI and an environment that can reach no real account (a fresh
 * HOME, an Anthropic URL nobody listens on) until the suite points it at its fake API.
 */
function writeUserSettings(run: RunFolder, initialPort: number): void {
  const settings = {
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.startupEditor': 'none',
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'http.proxySupport': 'off',
    'cli2api.autoStart': true,
    'cli2api.host': '127.0.0.1',
    'cli2api.port': initialPort,
    'cli2api.claudePath': CLAUDE_BIN,
    'cli2api.env': {
      HOME: run.cliHome,
      USERPROFILE: run.cliHome,
      CLAUDE_CONFIG_DIR: path.join(run.cliHome, '.claude'),
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      ANTHROPIC_API_KEY: 'sk-ant-fake',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_AUTOUPDATER: '1',
    },
  };
  fs.writeFileSync(path.join(run.userData, 'User', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

async function main(): Promise<number> {
  if (!fs.existsSync(EXTENSION_MAIN))
    throw new Fatal(`${path.relative(REPO_ROOT, EXTENSION_MAIN)} is missing: run npm run build first`);
  if (!fs.existsSync(CLAUDE_BIN)) throw new Fatal(`no Claude CLI at ${CLAUDE_BIN}: run npm install first`);
  const testsEntry = await bundleSuite();
  console.log(`[test:vscode] suite bundled: ${path.relative(REPO_ROOT, testsEntry)}`);
  const vscodeExecutablePath = await resolveVSCode();

  const run = makeRunFolder();
  const initialPort = await freePort();
  writeUserSettings(run, initialPort);
  const keep = process.env.CLI2API_VSCODE_KEEP === '1';
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: testsEntry,
      launchArgs: [
        run.workspace,
        '--disable-extensions',
        `--user-data-dir=${run.userData}`,
        `--extensions-dir=${run.extensions}`,
        '--disable-telemetry',
      ],
      extensionTestsEnv: {
        CLI2API_VSCODE_INITIAL_PORT: String(initialPort),
        CLI2API_VSCODE_CLI_HOME: run.cliHome,
        CLI2API_VSCODE_GREP: process.env.CLI2API_VSCODE_GREP,
      },
    });
    console.log('[test:vscode] all in-host tests passed');
    return 0;
  } catch (err) {
    if (err instanceof TestRunFailedError) {
      console.error(
        `[test:vscode] FAILED: VS Code exited with ${err.signal ? `signal ${err.signal}` : `code ${err.code}`} (failed tests are listed above)`,
      );
      return 1;
    }
    throw err;
  } finally {
    if (keep) console.log(`[test:vscode] run folder kept: ${run.root}`);
    else fs.rmSync(run.root, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Fatal ? `[test:vscode] ${err.message}` : err);
    process.exit(1);
  },
);
