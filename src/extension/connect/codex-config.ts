/**
 * Codex CLI's `~/.codex/config.toml`: a `[model_providers.cli2api]` table (Responses API;
 * `env_key` names the variable that holds the key when keys are set) and a
 * `[profiles.cli2api]` profile. `model` / `model_provider` at the top are set only when the
 * file names neither (then Codex uses CLI2API by default); otherwise `codex --profile cli2api`
 * selects it. Tables that exist are patched in place with `@decimalturn/toml-patch`, which
 * keeps comments and formatting; a missing table is appended as its own section. The result
 * is parsed again and must hold what was asked, or nothing is written. Pure.
 */
import * as TOML from '@decimalturn/toml-patch';
import { isDeepStrictEqual } from 'node:util';
import { ConfigMergeError } from './config-error';

export interface CodexProvider {
  baseUrl: string;
  model: string;
  /** The environment variable that holds the API key (set only when CLI2API has keys). */
  envKey?: string;
}

export const CODEX_PROVIDER_ID = 'cli2api';

type Table = Record<string, unknown>;

export function mergeCodexConfig(
  existing: string | undefined,
  p: CodexProvider,
): { text: string; usesProfile: boolean } {
  let text = existing ?? '';
  let doc: Table;
  try {
    doc = TOML.parse(text) as Table;
  } catch (e) {
    throw new ConfigMergeError(`it is not valid TOML (${(e as Error).message.split('\n')[0]})`);
  }
  const provider: Table = {
    name: 'CLI2API',
    base_url: p.baseUrl,
    wire_api: 'responses',
    ...(p.envKey ? { env_key: p.envKey } : {}),
  };
  const profile: Table = { model: p.model, model_provider: CODEX_PROVIDER_ID };
  text = upsertTable(text, ['model_providers', CODEX_PROVIDER_ID], provider, p.envKey ? [] : ['env_key']);
  text = upsertTable(text, ['profiles', CODEX_PROVIDER_ID], profile, []);
  doc = TOML.parse(text) as Table;
  const usesProfile = doc.model !== undefined || doc.model_provider !== undefined;
  if (!usesProfile) text = TOML.patch(text, { ...doc, model: p.model, model_provider: CODEX_PROVIDER_ID });

  const check = TOML.parse(text) as Table;
  const got = (check.model_providers as Table | undefined)?.[CODEX_PROVIDER_ID] as Table | undefined;
  const gotProfile = (check.profiles as Table | undefined)?.[CODEX_PROVIDER_ID] as Table | undefined;
  const subset = (have: Table | undefined, want: Table) =>
    !!have && Object.entries(want).every(([k, v]) => isDeepStrictEqual(have[k], v));
  if (!subset(got, provider) || !subset(gotProfile, profile) || (!p.envKey && got?.env_key !== undefined))
    throw new ConfigMergeError('the merged file did not read back as intended');
  return { text, usesProfile };
}

/** Sets `values` in the table at `path` (removing `remove`), keeping everything else in the file. */
function upsertTable(text: string, path: [string, string], values: Table, remove: string[]): string {
  const doc = TOML.parse(text) as Table;
  const parent = doc[path[0]] as Table | undefined;
  const current = parent?.[path[1]] as Table | undefined;
  if (current !== undefined) {
    const next: Table = { ...current, ...values };
    for (const key of remove) delete next[key];
    return TOML.patch(text, { ...doc, [path[0]]: { ...parent, [path[1]]: next } });
  }
  // A new table goes at the end as its own section, the way people write them.
  const section = `[${path[0]}.${path[1]}]\n${TOML.stringify(values)}`;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const sep =
    text === '' ? '' : text.endsWith('\n\n') || text.endsWith('\r\n\r\n') ? '' : text.endsWith('\n') ? eol : eol + eol;
  const appended = text + sep + section.replace(/\n/g, eol);
  try {
    TOML.parse(appended);
    return appended;
  } catch {
    // e.g. `model_providers = { … }` written inline cannot gain a [model_providers.x] section: patch it instead.
    return TOML.patch(text, { ...doc, [path[0]]: { ...parent, [path[1]]: values } });
  }
}
