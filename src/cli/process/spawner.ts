/**
 * Starting CLI processes: where the binary is (looked up once per settings), the private
 * working folder, the child's environment, the kind a process is of (everything fixed when it
 * starts), and the set of processes alive. Every process CLI2API starts is started here, so
 * `live` counts them all until each has exited.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../config/settings';
import { canonicalHash } from '../../core/json';
import type { Logger } from '../../util/logger';
import { userTempDir } from '../../util/user-dir';
import { isMaxTokensStop } from '../events';
import { buildArgs, buildEnv } from './args';
import { ClaudeProcess } from './claude-process';
import { versionSupport } from './cli-versions';
import { type ClaudeBinary, CliNotFoundError, locateClaude } from './locate';
import type { SpawnFlags } from './spawn-flags';

/** A kind of CLI process: everything fixed when it starts (binary, flags, environment, working folder), and its hash. */
export interface SpawnKind {
  readonly key: string;
  readonly binary: ClaudeBinary;
  readonly flags: SpawnFlags;
}

/** The CLI the settings select, for /health, the startup log and the status bar. */
export interface CliStatus {
  ok: boolean;
  path?: string;
  version?: string;
  /** The version is one CLI2API was tested with (OLDEST_SUPPORTED…NEWEST_TESTED). */
  tested?: boolean;
  /** Usable, but outside the tested range: what to know. */
  warning?: string;
  error?: string;
}

export interface SpawnerOptions {
  settings: () => Settings;
  logger: Logger;
  /** The environment the CLI inherits (the server's own at its start, by default). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Extra places to look for `claude` (the extension passes the Claude Code extension's folder). */
  extraCandidates?: () => string[];
  /** Run a version known not to work anyway (the doctor, to show what fails). */
  allowUnsupported?: boolean;
}

export class Spawner {
  readonly workDir = prepareWorkDir();
  private readonly live = new Set<ClaudeProcess>();
  private located: { key: string; promise: Promise<ClaudeBinary> } | undefined;
  /**
   * Taken once: a process's kind includes its environment, and a host's own variables may
   * change under it (VS Code's extension host gets VSCODE_L10N_BUNDLE_LOCATION once another
   * extension starts), which would make every warm and idle process look stale.
   */
  private readonly baseEnv: NodeJS.ProcessEnv;

  constructor(private readonly opts: SpawnerOptions) {
    this.baseEnv = { ...(opts.baseEnv ?? process.env) };
  }

  get liveCount(): number {
    return this.live.size;
  }

  /**
   * The CLI binary for the current settings; looked up once and cached until they change.
   * A version known not to work is refused (CliNotFoundError saying what to install).
   */
  binary(): Promise<ClaudeBinary> {
    const s = this.opts.settings();
    const key = `${s.claudePath}\0${s.cliEnv.PATH ?? ''}`;
    if (this.located?.key !== key) {
      const promise = locateClaude({
        explicitPath: s.claudePath || undefined,
        env: this.env(),
        extraCandidates: this.opts.extraCandidates?.(),
      }).then((b) => {
        const support = versionSupport(b.version);
        if (support.kind === 'broken' && !this.opts.allowUnsupported) throw new CliNotFoundError(support.error);
        return b;
      });
      promise.catch(() => {
        if (this.located?.promise === promise) this.located = undefined; // retry on the next call
      });
      this.located = { key, promise };
    }
    return this.located.promise;
  }

  /** For /health and the status bar: cached, never a spawn per call once found. */
  async status(): Promise<CliStatus> {
    try {
      const b = await this.binary();
      const support = versionSupport(b.version);
      return {
        ok: true,
        path: b.path,
        version: b.version,
        tested: support.kind === 'tested',
        ...(support.kind === 'untested' ? { warning: support.warning } : {}),
      };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Processes of `kind` are started like this: a process is reused only under the same key. */
  kind(binary: ClaudeBinary, flags: SpawnFlags): SpawnKind {
    const key = canonicalHash({ binary: binary.path, ...flags, env: this.env(), cwd: this.cwd() });
    return { key, binary, flags };
  }

  /**
   * Starts a CLI process of `kind`, resuming the transcript `resumeSessionId` when given;
   * `maxOutputTokens` goes into its environment (a live process takes a new limit per turn).
   */
  spawn(kind: SpawnKind, opts: { resumeSessionId?: string; maxOutputTokens?: number } = {}): ClaudeProcess {
    const args = buildArgs({ ...kind.flags, resumeSessionId: opts.resumeSessionId });
    const child = new ClaudeProcess(
      {
        binary: kind.binary.path,
        args,
        cwd: this.cwd(),
        env: this.env(opts.maxOutputTokens, kind.flags.thinkingOff === true),
      },
      this.opts.logger,
    );
    // A cut answer's process is always killed; killing it the instant the cut is printed keeps the CLI from
    // sending the continuation request it would send ~20–45 ms later (see README "Output controls").
    child.killOn = isMaxTokensStop;
    this.live.add(child);
    void child.exited.then(() => this.live.delete(child));
    this.opts.logger.debug(`spawned claude pid=${child.pid} ${args.join(' ')}`);
    return child;
  }

  /** The CLI's environment (with a request's output limit, and thinking off, when given). */
  env(maxOutputTokens?: number, thinkingOff?: boolean): NodeJS.ProcessEnv {
    return buildEnv(this.baseEnv, this.opts.settings().cliEnv, maxOutputTokens, thinkingOff);
  }

  /** The private empty directory, or the agent-mode working directory the user chose. */
  cwd(): string {
    const s = this.opts.settings();
    return s.agentTools.length > 0 && s.agentCwd ? s.agentCwd : this.workDir;
  }

  /** Resolves once every process started so far has exited. */
  async whenNoProcesses(): Promise<void> {
    await Promise.all([...this.live].map((c) => c.exited));
  }

  /** Kills every process; resolves once all are gone. */
  async killAll(): Promise<void> {
    await Promise.all([...this.live].map((c) => c.kill()));
  }
}

/** A dedicated empty working directory: no CLAUDE.md, no project settings, nothing for the model to see. */
function prepareWorkDir(): string {
  const dir = path.join(userTempDir(), 'empty-cwd');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
