/**
 * What the Connect panel shows for each client, for the server's current URL, models and key:
 * form fields (with a copy button each) for clients configured in a form, a file CLI2API can
 * write for clients configured by files, and snippets that work when pasted (the real key when
 * keys are set). Plain data, no `vscode`: unit-tested.
 */
import { modelInfo } from '../../core/model-info';

export interface ConnectInfo {
  /** `http://127.0.0.1:8000` (without `/v1`). */
  baseUrl: string;
  models: string[];
  defaultModel: string;
  /** The key clients must send, when keys are set (the first one). */
  apiKey: string | undefined;
}

export type ConfigFileId = 'continue' | 'codex' | 'kilo';

export interface Field {
  label: string;
  value: string;
}

export interface Snippet {
  language: 'yaml' | 'toml' | 'jsonc' | 'python' | 'typescript' | 'shell';
  code: string;
}

export interface ClientCard {
  id: string;
  name: string;
  /** Where the settings go in that client. */
  where: string;
  fields?: Field[];
  /** A configuration file CLI2API offers to write (merged into what is there). */
  file?: { id: ConfigFileId; path: string };
  snippet?: Snippet;
  notes: string[];
}

/** Any value works without keys (some clients refuse an empty field). */
export const KEY_PLACEHOLDER = 'cli2api';
/** The variable Codex reads the key from (`env_key`). */
export const CODEX_KEY_VARIABLE = 'CLI2API_API_KEY';

export function chosenModel(info: ConnectInfo): string {
  return info.models.includes(info.defaultModel) ? info.defaultModel : (info.models[0] ?? info.defaultModel);
}

export function clientCards(info: ConnectInfo): ClientCard[] {
  const v1 = `${info.baseUrl}/v1`;
  const key = info.apiKey ?? KEY_PLACEHOLDER;
  const model = chosenModel(info);
  const limits = modelInfo(model);
  const keyNote = info.apiKey
    ? 'The API key is the one CLI2API requires (Set / Generate API Key).'
    : 'No API keys are set, so any key is accepted; the field must not be empty in some clients.';
  const formFields: Field[] = [
    { label: 'Base URL', value: v1 },
    { label: 'API Key', value: key },
    { label: 'Model', value: model },
  ];
  const limitFields: Field[] = [
    { label: 'Context Window', value: String(limits.contextWindow) },
    { label: 'Max Output Tokens', value: String(limits.maxOutputTokens) },
  ];
  const others = info.models.filter((m) => m !== model);
  const alsoModels = others.length > 0 ? `Other models: ${others.join(', ')} (or any Claude model id).` : '';
  return [
    {
      id: 'zoo',
      name: 'Zoo Code (and Roo Code)',
      where: 'Settings → Providers → API Provider: OpenAI Compatible',
      fields: [...formFields, ...limitFields],
      notes: [
        'Zoo Code is the community successor of Roo Code (discontinued in May 2026); both configure it the same way.',
        'It reads only model ids from /v1/models: enter the context window and output limit under the model settings. Turn on image support there too.',
        keyNote,
        alsoModels,
      ].filter(Boolean),
    },
    {
      id: 'kilo',
      name: 'Kilo Code',
      where: 'Kilo Code (built on Kilo CLI) reads its providers from kilo.jsonc',
      file: { id: 'kilo', path: '~/.config/kilo/kilo.jsonc' },
      snippet: {
        language: 'jsonc',
        code: JSON.stringify(
          {
            provider: {
              cli2api: {
                npm: '@ai-sdk/openai-compatible',
                name: 'CLI2API',
                options: { baseURL: v1, apiKey: key },
                models: Object.fromEntries(
                  info.models.map((m) => [
                    m,
                    {
                      name: `Claude ${m} (CLI2API)`,
                      limit: { context: modelInfo(m).contextWindow, output: modelInfo(m).maxOutputTokens },
                    },
                  ]),
                ),
              },
            },
          },
          null,
          2,
        ),
      },
      notes: [
        `Write Configuration adds the provider cli2api (each model with its limits) and, if no default model is set, makes cli2api/${model} the default. Your other settings and comments stay.`,
        keyNote,
      ],
    },
    {
      id: 'cline',
      name: 'Cline',
      where: 'Settings → API Configuration → API Provider: OpenAI Compatible',
      fields: [...formFields, ...limitFields],
      notes: [
        'Under Model Configuration, enter the context window and max output tokens, and tick "Supports Images".',
        keyNote,
        alsoModels,
      ].filter(Boolean),
    },
    {
      id: 'continue',
      name: 'Continue',
      where: 'Continue reads its models from config.yaml',
      file: { id: 'continue', path: '~/.continue/config.yaml' },
      snippet: {
        language: 'yaml',
        code: `models:\n${info.models
          .map(
            (m) =>
              `  - name: CLI2API ${m}\n    provider: openai\n    model: ${m}\n    apiBase: ${v1}\n    apiKey: ${key}\n    capabilities: [tool_use, image_input]\n    defaultCompletionOptions:\n      contextLength: ${modelInfo(m).contextWindow}`,
          )
          .join('\n')}`,
      },
      notes: [
        'Write Configuration adds one model per CLI2API model (named "CLI2API <model>"); your other models stay.',
      ],
    },
    {
      id: 'codex',
      name: 'Codex CLI',
      where: 'Codex reads config.toml (it speaks the Responses API)',
      file: { id: 'codex', path: '~/.codex/config.toml' },
      snippet: {
        language: 'toml',
        code: `[model_providers.cli2api]\nname = "CLI2API"\nbase_url = "${v1}"\nwire_api = "responses"${info.apiKey ? `\nenv_key = "${CODEX_KEY_VARIABLE}"` : ''}\n\n[profiles.cli2api]\nmodel = "${model}"\nmodel_provider = "cli2api"`,
      },
      notes: [
        'Write Configuration adds the provider and a profile; it makes CLI2API the default only if the file names no model yet (otherwise run `codex --profile cli2api`).',
        info.apiKey
          ? `Codex reads the key from an environment variable: export ${CODEX_KEY_VARIABLE}=${info.apiKey}`
          : 'No API keys are set: Codex sends none, and none is needed.',
      ],
    },
    {
      id: 'claude',
      name: 'Claude Code, Anthropic SDK',
      where: 'Anthropic Messages API (/v1/messages): the environment of the program you start',
      snippet: {
        language: 'shell',
        code: `export ANTHROPIC_BASE_URL=${info.baseUrl}\nexport ANTHROPIC_API_KEY=${key}`,
      },
      notes: [
        'ANTHROPIC_BASE_URL has no /v1. Set these only in the shell of the program that should use CLI2API — never in ~/.claude/settings.json: the Claude CLI that CLI2API runs would then call CLI2API itself.',
      ],
    },
    {
      id: 'openai-python',
      name: 'OpenAI SDK (Python)',
      where: 'your code',
      snippet: {
        language: 'python',
        code: `from openai import OpenAI\n\nclient = OpenAI(base_url="${v1}", api_key="${key}")\nreply = client.chat.completions.create(model="${model}", messages=[{"role": "user", "content": "Hello"}])\nprint(reply.choices[0].message.content)`,
      },
      notes: [],
    },
    {
      id: 'openai-node',
      name: 'OpenAI SDK (Node)',
      where: 'your code',
      snippet: {
        language: 'typescript',
        code: `import OpenAI from 'openai';\n\nconst client = new OpenAI({ baseURL: '${v1}', apiKey: '${key}' });\nconst reply = await client.chat.completions.create({ model: '${model}', messages: [{ role: 'user', content: 'Hello' }] });\nconsole.log(reply.choices[0]?.message.content);`,
      },
      notes: [],
    },
    {
      id: 'curl',
      name: 'curl',
      where: 'a terminal',
      snippet: {
        language: 'shell',
        code: `curl ${v1}/chat/completions -H 'Content-Type: application/json'${info.apiKey ? ` -H 'Authorization: Bearer ${info.apiKey}'` : ''} \\\n  -d '{"model":"${model}","messages":[{"role":"user","content":"Hello"}]}'`,
      },
      notes: [],
    },
  ];
}
