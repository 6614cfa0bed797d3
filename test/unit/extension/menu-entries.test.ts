import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { menuEntries, SETTINGS_QUERY } from '../../../src/extension/menu-entries';
import type { WindowView } from '../../../src/extension/sharing/window-server';

const views: WindowView[] = [
  { kind: 'running', host: '127.0.0.1', port: 8000, url: 'http://127.0.0.1:8000' },
  {
    kind: 'elsewhere',
    port: 8000,
    url: 'http://127.0.0.1:8000',
    holder: { kind: 'cli2api', instance: 'x', version: '0.1.0', runner: { kind: 'vscode' } },
  },
  { kind: 'stopped', reason: 'never' },
  { kind: 'conflict', port: 8000, message: 'in use' },
  { kind: 'failed', message: 'EACCES' },
  { kind: 'starting' },
  { kind: 'stopping' },
];
const labels = (view: WindowView, inFlight = 0) =>
  menuEntries(view, inFlight).map((e) => e.label.replace(/^\$\([\w-]+\) /, ''));

describe('status bar menu', () => {
  it('never pre-selects (puts first) an entry that stops or restarts anything', () => {
    for (const view of views) assert.doesNotMatch(labels(view)[0] ?? '', /Stop|Restart/, view.kind);
  });

  it('offers what needs a server only when one serves (here or in another window)', () => {
    for (const view of views) {
      const has = labels(view).some((l) => l === 'Copy Base URL' || l === 'Connect a Client…');
      assert.equal(has, view.kind === 'running' || view.kind === 'elsewhere', view.kind);
    }
  });

  it('says what Stop does in each case and how many requests it ends', () => {
    const running = menuEntries(views[0]!, 2).find((e) => e.command === 'cli2api.stop')!;
    assert.equal(running.description, 'ends 2 running requests');
    const elsewhere = menuEntries(views[1]!, 0).find((e) => e.command === 'cli2api.stop')!;
    assert.equal(elsewhere.description, 'stops it in the window that serves');
    assert.deepEqual(labels(views[3]!), [
      'Start Server',
      'Use Another Port…',
      'Show Log',
      'Check Claude CLI',
      'Open Settings',
    ]);
  });

  it('offers Check Claude CLI in every state (it needs no server)', () => {
    for (const view of views) assert.ok(labels(view).includes('Check Claude CLI'), view.kind);
  });

  it("opens only this extension's settings", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as {
      publisher: string;
      name: string;
    };
    assert.equal(SETTINGS_QUERY, `@ext:${pkg.publisher}.${pkg.name}`);
    const open = menuEntries(views[0]!, 0).find((e) => e.command === 'workbench.action.openSettings')!;
    assert.deepEqual(open.args, [SETTINGS_QUERY]);
  });
});
