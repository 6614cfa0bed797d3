/** CLI2API_* environment variables → Settings, for the headless server. */
import { type z } from 'zod';
import { parseKeyEntry } from './api-keys';
import { type Settings, type SettingsInput, settingsSchema } from './settings';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Key = keyof SettingsInput;
type Convert = (raw: string) => unknown;

const asString: Convert = (raw) => raw;
const asInteger: Convert = (raw) => (/^-?\d+$/.test(raw.trim()) ? Number(raw) : raw);
const asNumber: Convert = (raw) => (raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw);
const asList: Convert = (raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
/** `alice:<key>,bob:<key>,<key>` (see api-keys.ts for the exact rule). */
const asKeyList: Convert = (raw) => (asList(raw) as string[]).map(parseKeyEntry);
const asBoolean: Convert = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return raw;
};

/** Every variable the headless server reads, documented in README's table. */
export const ENV_VARIABLES: ReadonlyArray<readonly [string, Key, Convert]> = [
  ['CLI2API_HOST', 'host', asString],
  ['CLI2API_PORT', 'port', asInteger],
  ['CLI2API_CLAUDE_CLI_PATH', 'claudePath', asString],
  ['CLI2API_CLAUDE_MODELS', 'models', asList],
  ['CLI2API_DEFAULT_MODEL', 'defaultModel', asString],
  ['CLI2API_DEFAULT_EFFORT', 'defaultEffort', (raw) => raw.trim().toLowerCase()],
  ['CLI2API_DEFAULT_TIMEOUT', 'timeoutSeconds', asNumber],
  ['CLI2API_IDLE_TIMEOUT', 'idleTimeoutSeconds', asNumber],
  ['CLI2API_API_KEY', 'apiKeys', asKeyList],
  ['CLI2API_METRICS_KEY', 'metricsKey', asString],
  ['CLI2API_ALLOWED_HOSTS', 'allowedHosts', asList],
  ['CLI2API_CORS_ORIGINS', 'corsOrigins', asList],
  ['CLI2API_MAX_BODY_MB', 'maxBodyMb', asNumber],
  ['CLI2API_ALLOW_REMOTE_IMAGES', 'allowRemoteImages', asBoolean],
  ['CLI2API_AGENT_TOOLS', 'agentTools', asList],
  ['CLI2API_AGENT_CWD', 'agentCwd', asString],
  ['CLI2API_LOG_LEVEL', 'logLevel', (raw) => raw.trim().toLowerCase()],
  ['CLI2API_LOG_JSON', 'logJson', asBoolean],
  ['CLI2API_DEBUG', 'debug', asBoolean],
  ['CLI2API_MAX_CONCURRENT', 'maxConcurrent', asInteger],
  ['CLI2API_MAX_QUEUE', 'maxQueue', asInteger],
  ['CLI2API_POOL_SIZE', 'poolSize', asInteger],
  ['CLI2API_POOL_MAX_WARM', 'poolMaxWarm', asInteger],
  ['CLI2API_POOL_MAX_IDLE', 'poolMaxIdle', asInteger],
  ['CLI2API_POOL_MAX_HELD', 'poolMaxHeld', asInteger],
  ['CLI2API_POOL_IDLE_SECONDS', 'poolIdleSeconds', asNumber],
  ['CLI2API_RESPONSES_STORE_SIZE', 'responsesStoreSize', asInteger],
  ['CLI2API_RESPONSES_TTL', 'responsesTtlSeconds', asNumber],
  ['CLI2API_WAIT_WHEN_FULL', 'waitWhenFull', asBoolean],
  ['CLI2API_STORE_URL', 'responsesStoreUrl', asString],
  ['CLI2API_DRAIN_SECONDS', 'drainSeconds', asNumber],
];

/** Variables whose values are secrets (keys, a store password): an error never repeats them. */
const SECRET_VARIABLES = new Set(['CLI2API_API_KEY', 'CLI2API_METRICS_KEY', 'CLI2API_STORE_URL']);

/** Reads the settings from `env`; an invalid value throws a ConfigError naming its variable. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  const input: Record<string, unknown> = {};
  for (const [variable, key, convert] of ENV_VARIABLES) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const field = settingsSchema.shape[key] as z.ZodType;
    const parsed = field.safeParse(convert(raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const why = issue?.message ?? 'invalid';
      if (!SECRET_VARIABLES.has(variable))
        throw new ConfigError(variable, `invalid value ${JSON.stringify(raw)} (${why})`);
      const entry = typeof issue?.path[0] === 'number' ? `entry ${issue.path[0] + 1}: ` : '';
      throw new ConfigError(variable, `invalid value (${entry}${why})`);
    }
    input[key] = parsed.data;
  }
  const settings = settingsSchema.parse(input);
  if (settings.agentTools.length > 0 && !settings.agentCwd)
    throw new ConfigError('CLI2API_AGENT_CWD', 'agent mode (CLI2API_AGENT_TOOLS) needs a working directory');
  return settings;
}
