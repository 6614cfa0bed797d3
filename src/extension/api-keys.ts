/**
 * API keys live in VS Code's SecretStorage (shared by every window), never in settings.json.
 * Each key may carry a member name (logs and metrics name the member, never the key). The
 * commands Set / Generate / Clear API Keys, and a change event (also when another window
 * changed them).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { type ApiKey, MEMBER_NAME } from '../config/api-keys';

const SECRET_KEY = 'cli2api.apiKeys';

export class ApiKeys implements vscode.Disposable {
  private keys: ApiKey[] = [];
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    onDidChange: (keys: ApiKey[]) => void,
  ) {
    this.subscription = secrets.onDidChange(async (e) => {
      if (e.key !== SECRET_KEY) return;
      await this.load();
      onDidChange(this.keys);
    });
  }

  get current(): ApiKey[] {
    return this.keys;
  }

  /** Stored as JSON: `{member?, key}` entries; a plain string is a key without a member name (older versions). */
  async load(): Promise<ApiKey[]> {
    try {
      const raw = await this.secrets.get(SECRET_KEY);
      const entries: unknown = raw ? JSON.parse(raw) : [];
      const keys: ApiKey[] = [];
      for (const e of Array.isArray(entries) ? (entries as unknown[]) : []) {
        const entry = storedKey(e);
        if (entry && !keys.some((k) => k.key === entry.key)) keys.push(entry);
      }
      this.keys = keys;
    } catch {
      this.keys = [];
    }
    return this.keys;
  }

  async set(): Promise<void> {
    const member = await askMemberName('CLI2API: Set API Key');
    if (member === undefined) return;
    const key = await vscode.window.showInputBox({
      title: 'CLI2API: Set API Key',
      prompt:
        'Clients must then send it as "Authorization: Bearer <key>". Stored in VS Code\'s secret storage, never in settings.json.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim().length >= 8 ? undefined : 'At least 8 characters'),
    });
    if (!key) return;
    await this.add({ ...(member ? { member } : {}), key: key.trim() });
    void vscode.window.showInformationMessage(
      `CLI2API: API key${member ? ` for ${member}` : ''} saved; /v1 requests now need a key.`,
    );
  }

  async generate(): Promise<void> {
    const member = await askMemberName('CLI2API: Generate API Key');
    if (member === undefined) return;
    const key = `c2a-${randomBytes(24).toString('base64url')}`;
    await this.add({ ...(member ? { member } : {}), key });
    await vscode.env.clipboard.writeText(key);
    void vscode.window.showInformationMessage(
      `CLI2API: a new API key${member ? ` for ${member}` : ''} was generated, stored in secret storage and copied to the clipboard.`,
    );
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_KEY);
    void vscode.window.showInformationMessage('CLI2API: API keys removed; any key is accepted again.');
  }

  /** A key given again replaces its old entry (a key belongs to one member). */
  private async add(entry: ApiKey): Promise<void> {
    this.keys = [...this.keys.filter((k) => k.key !== entry.key), entry];
    await this.secrets.store(SECRET_KEY, JSON.stringify(this.keys));
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/** The member a key is for; '' for none, undefined if cancelled. */
function askMemberName(title: string): Thenable<string | undefined> {
  return vscode.window
    .showInputBox({
      title,
      prompt: 'Member name, shown in logs and metrics instead of the key (e.g. alice). Leave empty for none.',
      ignoreFocusOut: true,
      validateInput: (v) =>
        v.trim() === '' || MEMBER_NAME.test(v.trim()) ? undefined : "1–64 letters, digits, '.', '_' or '-'",
    })
    .then((v) => v?.trim());
}

function storedKey(e: unknown): ApiKey | undefined {
  if (typeof e === 'string') return { key: e };
  if (!e || typeof e !== 'object') return undefined;
  const { member, key } = e as Record<string, unknown>;
  if (typeof key !== 'string') return undefined;
  return typeof member === 'string' && MEMBER_NAME.test(member) ? { member, key } : { key };
}
