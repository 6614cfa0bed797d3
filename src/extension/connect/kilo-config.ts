/**
 * Kilo Code's (Kilo CLI's) `~/.config/kilo/kilo.jsonc`: a `provider.cli2api` entry
 * (`@ai-sdk/openai-compatible`, the base URL and key, each model with its context and output
 * limits), edited with Microsoft's `jsonc-parser`, which changes only the values it sets:
 * comments, other providers and formatting stay. Pure.
 */
import {
  applyEdits,
  type FormattingOptions,
  type JSONPath,
  modify,
  parse,
  type ParseError,
  printParseErrorCode,
} from 'jsonc-parser';
import { ConfigMergeError } from './config-error';

export interface KiloModel {
  id: string;
  name: string;
  context: number;
  output: number;
}

export interface KiloProvider {
  baseUrl: string;
  apiKey: string;
  models: KiloModel[];
  /** `provider/model` to make the default when the user has none (`model` is left alone otherwise). */
  defaultModel?: string;
}

export const KILO_PROVIDER_ID = 'cli2api';
const NEW_FILE = '{\n  "$schema": "https://app.kilo.ai/config.json"\n}\n';

export function mergeKiloConfig(existing: string | undefined, p: KiloProvider, hasDefaultElsewhere = false): string {
  let text = existing && existing.trim() ? existing : NEW_FILE;
  const errors: ParseError[] = [];
  const root: unknown = parse(text, errors, { allowTrailingComma: true });
  if (errors.length > 0)
    throw new ConfigMergeError(
      `it is not valid JSON with comments (${printParseErrorCode(errors[0]!.error)} at offset ${errors[0]!.offset})`,
    );
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    throw new ConfigMergeError('its top level is not a JSON object');
  const formattingOptions: FormattingOptions = {
    insertSpaces: !/^\t/m.test(text),
    tabSize: 2,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
  const set = (path: JSONPath, value: unknown, isArrayInsertion = false) => {
    text = applyEdits(text, modify(text, path, value, { formattingOptions, isArrayInsertion }));
  };
  const base = ['provider', KILO_PROVIDER_ID];
  set([...base, 'npm'], '@ai-sdk/openai-compatible');
  set([...base, 'name'], 'CLI2API');
  set([...base, 'options', 'baseURL'], p.baseUrl);
  set([...base, 'options', 'apiKey'], p.apiKey);
  for (const m of p.models) {
    set([...base, 'models', m.id, 'name'], m.name);
    set([...base, 'models', m.id, 'limit', 'context'], m.context);
    set([...base, 'models', m.id, 'limit', 'output'], m.output);
  }
  const obj = root as { model?: unknown; enabled_providers?: unknown };
  if (p.defaultModel && obj.model === undefined && !hasDefaultElsewhere) set(['model'], p.defaultModel);
  // A list of enabled providers that leaves ours out would hide it.
  if (Array.isArray(obj.enabled_providers) && !obj.enabled_providers.includes(KILO_PROVIDER_ID))
    set(['enabled_providers', -1], KILO_PROVIDER_ID, true);
  return text;
}
