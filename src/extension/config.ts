/** `cli2api.*` settings → the core's Settings (one typed read; invalid values fall back with a message). */
import path from 'node:path';
import * as vscode from 'vscode';
import type { PrewarmMode } from '../cli/cli-manager';
import type { ApiKey } from '../config/api-keys';
import { DEFAULT_SETTINGS, type Settings, type SettingsInput, settingsSchema } from '../config/settings';

export const SECTION = 'cli2api';

/** The VS Code key (below `cli2api.`) of each core setting that has one. */
const KEYS: Partial<Record<keyof SettingsInput, string>> = {
  timeoutSeconds: 'timeout',
  idleTimeoutSeconds: 'idleTimeout',
  cliEnv: 'env',
  poolSize: 'pool.size',
  poolMaxWarm: 'pool.maxWarm',
  poolMaxIdle: 'pool.maxIdle',
  poolMaxHeld: 'pool.maxHeld',
  poolIdleSeconds: 'pool.idleSeconds',
  responsesStoreSize: 'responses.storeSize',
  responsesTtlSeconds: 'responses.ttl',
};

export type OnInvalid = (key: string, message: string) => void;

/** API keys live in SecretStorage, never in settings.json: the controller passes them in. */
export function readSettings(onInvalid: OnInvalid, apiKeys: ApiKey[] = []): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const input: Record<keyof SettingsInput, unknown> = {
    host: c.get('host'),
    port: c.get('port'),
    claudePath: c.get('claudePath'),
    models: c.get('models'),
    defaultModel: c.get('defaultModel'),
    defaultEffort: c.get('defaultEffort'),
    timeoutSeconds: c.get('timeout'),
    idleTimeoutSeconds: c.get('idleTimeout'),
    logLevel: c.get('logLevel'),
    logJson: false,
    debug: c.get('logLevel') === 'trace',
    cliEnv: c.get('env'),
    maxConcurrent: c.get('maxConcurrent'),
    maxQueue: c.get('maxQueue'),
    apiKeys,
    // Headless only: the metrics key (an env variable) and the drain on SIGTERM (VS Code's Stop is immediate).
    metricsKey: undefined,
    drainSeconds: undefined,
    ...agentMode(onInvalid),
    allowedHosts: c.get('allowedHosts'),
    corsOrigins: c.get('corsOrigins'),
    maxBodyMb: c.get('maxBodyMb'),
    allowRemoteImages: c.get('allowRemoteImages'),
    poolSize: c.get('pool.size'),
    poolMaxWarm: c.get('pool.maxWarm'),
    poolMaxIdle: c.get('pool.maxIdle'),
    poolMaxHeld: c.get('pool.maxHeld'),
    poolIdleSeconds: c.get('pool.idleSeconds'),
    responsesStoreSize: c.get('responses.storeSize'),
    responsesTtlSeconds: c.get('responses.ttl'),
    waitWhenFull: c.get('usage.waitWhenFull'),
    responsesStoreUrl: c.get('responses.storeUrl'),
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    const field = settingsSchema.shape[key as keyof SettingsInput];
    const parsed = field.safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else {
      const name = KEYS[key as keyof SettingsInput] ?? key;
      onInvalid(
        name,
        `Setting ${SECTION}.${name} is invalid (${parsed.error.issues[0]?.message}); using the default ${JSON.stringify(DEFAULT_SETTINGS[key as keyof Settings])}.`,
      );
    }
  }
  return settingsSchema.parse(out);
}

/**
 * Agent mode gives the CLI Claude Code's own tools, in a folder of the workspace. Off unless
 * enabled, refused in untrusted workspaces and outside the workspace folders.
 */
function agentMode(onInvalid: OnInvalid): { agentTools: string[]; agentCwd: string } {
  const c = vscode.workspace.getConfiguration(SECTION);
  const off = { agentTools: [], agentCwd: '' };
  if (!c.get<boolean>('agentMode.enabled', false)) return off;
  if (!vscode.workspace.isTrusted) {
    onInvalid('agentMode.enabled', 'Agent mode is refused in an untrusted workspace; the CLI runs without tools.');
    return off;
  }
  const tools = c.get<string[]>('agentMode.tools', []);
  const folders = vscode.workspace.workspaceFolders ?? [];
  const configured = c.get<string>('agentMode.workingDirectory', '');
  const root = folders[0]?.uri.fsPath;
  const cwd = configured
    ? path.isAbsolute(configured)
      ? configured
      : root
        ? path.join(root, configured)
        : ''
    : (root ?? '');
  const inside = folders.some((f) => {
    const rel = path.relative(f.uri.fsPath, cwd);
    return cwd !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
  if (tools.length === 0 || !inside) {
    onInvalid(
      'agentMode.enabled',
      'Agent mode needs cli2api.agentMode.tools and a working directory inside the workspace; the CLI runs without tools.',
    );
    return off;
  }
  return { agentTools: tools, agentCwd: cwd };
}

/**
 * When the editor's warm CLI processes start: by default after the first request of the
 * session, so an editor where the API is never used keeps no CLI process (~150–300 MB) alive.
 */
export function prewarmSetting(): PrewarmMode {
  const value = vscode.workspace.getConfiguration(SECTION).get<string>('pool.prewarm');
  return value === 'startup' || value === 'off' ? value : 'first-request';
}
