/**
 * API keys live in VS Code's SecretStorage (shared by every window), never in settings.json.
 * The commands Set / Generate / Clear API Keys, and a change event (also when another window
 * changed them).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

const SECRET_KEY = 'cli2api.apiKeys';

export class ApiKeys implements vscode.Disposable {
  private keys: string[] = [];
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    onDidChange: (keys: string[]) => void,
  ) {
    this.subscription = secrets.onDidChange(async (e) => {
      if (e.key !== SECRET_KEY) return;
      await this.load();
      onDidChange(this.keys);
    });
  }

  get current(): string[] {
    return this.keys;
  }

  async load(): Promise<string[]> {
    try {
      const raw = await this.secrets.get(SECRET_KEY);
      const keys: unknown = raw ? JSON.parse(raw) : [];
      this.keys = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
    } catch {
      this.keys = [];
    }
    return this.keys;
  }

  async set(): Promise<void> {
    const key = await vscode.window.showInputBox({
      title: 'CLI2API: Set API Key',
      prompt:
        'Clients must then send it as "Authorization: Bearer <key>". Stored in VS Code\'s secret storage, never in settings.json.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim().length >= 8 ? undefined : 'At least 8 characters'),
    });
    if (!key) return;
    await this.write([...new Set([...this.keys, key.trim()])]);
    void vscode.window.showInformationMessage('CLI2API: API key saved; /v1 requests now need it.');
  }

  async generate(): Promise<void> {
    const key = `c2a-${randomBytes(24).toString('base64url')}`;
    await this.write([...this.keys, key]);
    await vscode.env.clipboard.writeText(key);
    void vscode.window.showInformationMessage(
      'CLI2API: a new API key was generated, stored in secret storage and copied to the clipboard.',
    );
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_KEY);
    void vscode.window.showInformationMessage('CLI2API: API keys removed; any key is accepted again.');
  }

  private async write(keys: string[]): Promise<void> {
    this.keys = keys;
    await this.secrets.store(SECRET_KEY, JSON.stringify(keys));
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
