/**
 * `cli2api doctor` / "CLI2API: Check Claude CLI": finds the CLI the settings select, asks
 * whether it is logged in (without spending usage), and runs every capability check
 * against the loopback API. The checks run the CLI with their own temporary HOME, a fake
 * key and only a minimal environment, so nothing of the user's — prompts, keys, login —
 * goes anywhere; only the login question runs in the user's own environment.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliManager } from '../cli/cli-manager';
import { buildEnv } from '../cli/process/args';
import { type VersionSupport, versionSupport } from '../cli/process/cli-versions';
import { type ClaudeBinary, locateClaude } from '../cli/process/locate';
import { parseSettings, type Settings } from '../config/settings';
import { UsageLimits } from '../core/usage-limits';
import type { Logger } from '../util/logger';
import { type AuthStatus, claudeAuthStatus } from './auth-status';
import { CHECKS } from './checks';
import { LoopbackApi } from './loopback-api';
import { loopbackApiEnv } from '../cli/process/loopback-env';

export interface DoctorOptions {
  settings: Settings;
  /** The environment CLI2API gives the CLI (the server's own). */
  baseEnv: NodeJS.ProcessEnv;
  extraCandidates?: string[];
  /** Called as each row is known, for progress output. */
  onRow?: (row: DoctorRow) => void;
  logger?: Logger;
}

export interface DoctorRow {
  title: string;
  ok: boolean;
  detail?: string;
}

export interface DoctorReport {
  cli?: ClaudeBinary & { support: VersionSupport };
  /** Why no CLI could be checked. */
  notFound?: string;
  auth?: AuthStatus;
  rows: DoctorRow[];
}

const SILENT: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const userEnv = buildEnv(opts.baseEnv, opts.settings.cliEnv);
  let binary: ClaudeBinary;
  try {
    binary = await locateClaude({
      explicitPath: opts.settings.claudePath || undefined,
      env: userEnv,
      extraCandidates: opts.extraCandidates,
    });
  } catch (e) {
    return { notFound: e instanceof Error ? e.message : String(e), rows: [] };
  }
  const report: DoctorReport = { cli: { ...binary, support: versionSupport(binary.version) }, rows: [] };
  report.auth = await claudeAuthStatus(binary.path, userEnv);
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'cli2api-doctor-'));
  const api = new LoopbackApi();
  let cli: CliManager | undefined;
  try {
    await api.start();
    const settings = parseSettings({
      claudePath: binary.path,
      poolSize: 0,
      poolMaxIdle: 0,
      maxConcurrent: 1,
      timeoutSeconds: 120,
      idleTimeoutSeconds: 90,
      cliEnv: isolatedEnv(home, api.url),
    });
    cli = new CliManager({
      settings: () => settings,
      logger: opts.logger ?? SILENT,
      baseEnv: minimalEnv(opts.baseEnv),
      // Usage windows come only with a subscription login; the checks use a fake key, so none arrive.
      usage: new UsageLimits(),
      allowUnsupported: true,
    });
    const manager = cli;
    const harness = { api, cli: manager, noProcesses: () => manager.whenNoProcesses() };
    for (const check of CHECKS) {
      let details: Array<string | undefined>;
      try {
        details = await check.run(harness);
      } catch (e) {
        details = check.rows.map(() => (e instanceof Error ? e.message : String(e)));
      }
      // A check that stopped early (its first row failed) fails the rows it could not reach.
      check.rows.forEach((title, i) => {
        const detail = i < details.length ? details[i] : 'not reached: an earlier step failed';
        const row = { title, ok: detail === undefined, ...(detail === undefined ? {} : { detail }) };
        report.rows.push(row);
        opts.onRow?.(row);
      });
    }
  } finally {
    await cli?.shutdown();
    await api.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
  return report;
}

/** The CLI's environment for the checks: its own HOME and config, the loopback API, a fake key. */
function isolatedEnv(home: string, apiUrl: string): Record<string, string> {
  return {
    HOME: home,
    USERPROFILE: home,
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
    ...loopbackApiEnv(apiUrl, 'sk-ant-cli2api-doctor'),
  };
}

/** What a program needs to start (PATH, and on Windows the system folders); nothing of the user's accounts. */
function minimalEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep = ['PATH', 'SYSTEMROOT', 'WINDIR', 'COMSPEC', 'PATHEXT', 'TEMP', 'TMP', 'TMPDIR', 'LANG', 'TZ'];
  return Object.fromEntries(Object.entries(env).filter(([k]) => keep.includes(k.toUpperCase())));
}
