/**
 * Where each file-configured client keeps its configuration, and the change CLI2API proposes
 * for it: the file as it is now and as it would be after the merge. No `vscode`: tested on
 * temporary home folders.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { modelInfo } from '../../core/model-info';
import { chosenModel, CODEX_KEY_VARIABLE, type ConfigFileId, type ConnectInfo, KEY_PLACEHOLDER } from './clients';
import { mergeCodexConfig } from './codex-config';
import { ConfigMergeError } from './config-error';
import { continueEntryName, mergeContinueConfig } from './continue-config';
import { KILO_PROVIDER_ID, mergeKiloConfig } from './kilo-config';

export interface Proposal {
  id: ConfigFileId;
  client: string;
  file: string;
  /** The file now (undefined: it does not exist yet). */
  before: string | undefined;
  after: string;
  /** What the user needs to know or do afterwards. */
  notes: string[];
}

export interface Environment {
  home: string;
  env: NodeJS.ProcessEnv;
}

const defaults = (): Environment => ({ home: os.homedir(), env: process.env });

export function configFile(id: ConfigFileId, e: Environment = defaults()): string {
  switch (id) {
    case 'continue':
      return path.join(e.env.CONTINUE_GLOBAL_DIR || path.join(e.home, '.continue'), 'config.yaml');
    case 'codex':
      return path.join(e.env.CODEX_HOME || path.join(e.home, '.codex'), 'config.toml');
    case 'kilo':
      return path.join(kiloDir(e), 'kilo.jsonc');
  }
}

function kiloDir(e: Environment): string {
  return path.join(e.env.XDG_CONFIG_HOME || path.join(e.home, '.config'), 'kilo');
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigMergeError(`it cannot be read (${(err as Error).message})`);
  }
}

/** The merge CLI2API proposes; throws ConfigMergeError (naming the file) when it cannot merge. */
export function propose(id: ConfigFileId, info: ConnectInfo, e: Environment = defaults()): Proposal {
  const file = configFile(id, e);
  const before = read(file);
  const v1 = `${info.baseUrl}/v1`;
  const key = info.apiKey ?? KEY_PLACEHOLDER;
  const model = chosenModel(info);
  try {
    switch (id) {
      case 'continue': {
        const legacy = path.join(path.dirname(file), 'config.json');
        if (before === undefined && fs.existsSync(legacy))
          throw new ConfigMergeError(
            `Continue uses ${legacy} here; a new config.yaml would replace it. Move to config.yaml in Continue first, or paste the snippet`,
          );
        const after = mergeContinueConfig(
          before,
          info.models.map((m) => ({
            name: continueEntryName(m),
            model: m,
            apiBase: v1,
            apiKey: key,
            contextLength: modelInfo(m).contextWindow,
          })),
        );
        return {
          id,
          client: 'Continue',
          file,
          before,
          after,
          notes: [`Pick "${continueEntryName(model)}" in Continue's model list.`],
        };
      }
      case 'codex': {
        const { text, usesProfile } = mergeCodexConfig(before, {
          baseUrl: v1,
          model,
          envKey: info.apiKey ? CODEX_KEY_VARIABLE : undefined,
        });
        return {
          id,
          client: 'Codex CLI',
          file,
          before,
          after: text,
          notes: [
            usesProfile
              ? 'Your default model stays: run `codex --profile cli2api` to use CLI2API.'
              : 'Codex now uses CLI2API by default.',
            ...(info.apiKey
              ? [`Set the key in the shell that runs Codex: export ${CODEX_KEY_VARIABLE}=${info.apiKey}`]
              : []),
          ],
        };
      }
      case 'kilo': {
        // Kilo merges config.json, kilo.json and kilo.jsonc: a default model in any of them is the user's choice.
        const elsewhere = ['config.json', 'kilo.json'].some((name) =>
          /"model"\s*:/.test(read(path.join(kiloDir(e), name)) ?? ''),
        );
        const after = mergeKiloConfig(
          before,
          {
            baseUrl: v1,
            apiKey: key,
            models: info.models.map((m) => ({
              id: m,
              name: `Claude ${m} (CLI2API)`,
              context: modelInfo(m).contextWindow,
              output: modelInfo(m).maxOutputTokens,
            })),
            defaultModel: `${KILO_PROVIDER_ID}/${model}`,
          },
          elsewhere,
        );
        return {
          id,
          client: 'Kilo Code',
          file,
          before,
          after,
          notes: [`Choose the model ${KILO_PROVIDER_ID}/${model} in Kilo Code (or any ${KILO_PROVIDER_ID}/… model).`],
        };
      }
    }
  } catch (err) {
    if (err instanceof ConfigMergeError) throw new ConfigMergeError(`Cannot update ${file}: ${err.message}.`);
    throw err;
  }
}

/** Writes a proposal, unless the file changed since it was made. Keeps the previous file as `<name>.cli2api-backup`. */
export function writeProposal(p: Proposal): void {
  if (read(p.file) !== p.before)
    throw new ConfigMergeError(`${p.file} changed since the preview; nothing was written. Try again.`);
  fs.mkdirSync(path.dirname(p.file), { recursive: true });
  if (p.before !== undefined) fs.writeFileSync(`${p.file}.cli2api-backup`, p.before, { mode: 0o600 });
  const tmp = `${p.file}.${process.pid}.tmp`;
  // The key is in it: readable by the user only, like the clients' own files.
  fs.writeFileSync(tmp, p.after, { mode: 0o600 });
  fs.renameSync(tmp, p.file);
}
