/**
 * Ready-to-paste settings for the clients users connect, for the running server's URL and
 * models. Plain strings (no `vscode`), so they are unit-tested and shown by the Connect panel.
 */
export interface Snippet {
  client: string;
  where: string;
  language: 'text' | 'yaml' | 'toml' | 'python' | 'typescript' | 'shell';
  code: string;
}

export const KEY_PLACEHOLDER = 'cli2api';

export function clientSnippets(baseUrl: string, models: string[], defaultModel: string): Snippet[] {
  const v1 = `${baseUrl}/v1`;
  const model = models.includes(defaultModel) ? defaultModel : (models[0] ?? defaultModel);
  const providerFields = `API Provider: OpenAI Compatible\nBase URL:     ${v1}\nAPI Key:      ${KEY_PLACEHOLDER}   (any value is accepted unless you configured keys)\nModel:        ${model}   (also: ${models.filter((m) => m !== model).join(', ') || 'any Claude model id'})`;
  return [
    {
      client: 'Roo Code / Kilo Code',
      where: 'Settings → Providers → API Provider',
      language: 'text',
      code: providerFields,
    },
    { client: 'Cline', where: 'Settings → API Provider', language: 'text', code: providerFields },
    {
      client: 'Continue',
      where: '~/.continue/config.yaml',
      language: 'yaml',
      code: `models:\n  - name: Claude (${model}) via CLI2API\n    provider: openai\n    model: ${model}\n    apiBase: ${v1}\n    apiKey: ${KEY_PLACEHOLDER}\n    capabilities: [tool_use, image_input]`,
    },
    {
      client: 'Codex CLI',
      where: '~/.codex/config.toml',
      language: 'toml',
      code: `model = "${model}"\nmodel_provider = "cli2api"\n\n[model_providers.cli2api]\nname = "CLI2API"\nbase_url = "${v1}"\nwire_api = "responses"`,
    },
    {
      client: 'OpenAI SDK (Python)',
      where: 'your code',
      language: 'python',
      code: `from openai import OpenAI\n\nclient = OpenAI(base_url="${v1}", api_key="${KEY_PLACEHOLDER}")\nreply = client.chat.completions.create(model="${model}", messages=[{"role": "user", "content": "Hello"}])\nprint(reply.choices[0].message.content)`,
    },
    {
      client: 'OpenAI SDK (Node)',
      where: 'your code',
      language: 'typescript',
      code: `import OpenAI from 'openai';\n\nconst client = new OpenAI({ baseURL: '${v1}', apiKey: '${KEY_PLACEHOLDER}' });\nconst reply = await client.chat.completions.create({ model: '${model}', messages: [{ role: 'user', content: 'Hello' }] });\nconsole.log(reply.choices[0]?.message.content);`,
    },
    {
      client: 'curl',
      where: 'a terminal',
      language: 'shell',
      code: `curl ${v1}/chat/completions -H 'Content-Type: application/json' \\\n  -d '{"model":"${model}","messages":[{"role":"user","content":"Hello"}]}'`,
    },
  ];
}
