import assert from 'node:assert/strict';
import type { Cli2apiHolder } from '../../../src/extension/sharing/port-holder';
import type { WindowView } from '../../../src/extension/sharing/window-server';
import { type StatusModel, statusText } from '../../../src/extension/status-text';

const stats = { inFlight: 0, served: 3, failed: 1, promptTokens: 10, completionTokens: 5, costUsd: 0.01 };
const running: WindowView = { kind: 'running', host: '127.0.0.1', port: 8000, url: 'http://127.0.0.1:8000' };
const model = (over: Partial<StatusModel> = {}): StatusModel => ({
  view: running,
  stats,
  cli: { ok: true, path: '/usr/bin/claude', version: '2.1.332' },
  liveProcesses: 1,
  agent: false,
  ...over,
});
const holder = (kind: Cli2apiHolder['runner']['kind']): Cli2apiHolder => ({
  kind: 'cli2api',
  instance: 'i',
  version: '0.1.0',
  runner: { kind, workspace: 'api', pid: 42 },
});

describe('status text', () => {
  it('running: the port, and requests in flight spelled out', () => {
    assert.equal(statusText(model()).text, '$(radio-tower) CLI2API :8000');
    const busy = statusText(model({ stats: { ...stats, inFlight: 2 } }));
    assert.equal(busy.text, '$(radio-tower) CLI2API :8000 · 2 running');
    assert.equal(busy.ariaLabel, 'CLI2API running on port 8000, 2 requests running');
    assert.equal(busy.tone, 'normal');
  });

  it('another window serves: a neutral state that says so, no error', () => {
    const view: WindowView = { kind: 'elsewhere', port: 8000, url: 'http://127.0.0.1:8000', holder: holder('vscode') };
    const s = statusText(model({ view }));
    assert.equal(s.text, '$(radio-tower) CLI2API :8000 (another window)');
    assert.equal(s.tone, 'normal');
    assert.equal(s.ariaLabel, 'CLI2API on port 8000, served by another window');
    assert.ok(s.tooltip.some((l) => /takes over if that window closes/.test(l)));
    assert.ok(s.tooltip.some((l) => l.includes('workspace api, pid 42')));
    assert.equal(
      statusText(model({ view: { ...view, holder: holder('headless') } })).text,
      '$(radio-tower) CLI2API :8000 (headless)',
    );
  });

  it('no CLI: a warning on the running item; agent mode: its own label', () => {
    const s = statusText(model({ cli: { ok: false, error: 'no `claude` executable found' } }));
    assert.equal(s.text, '$(warning) CLI2API :8000');
    assert.equal(s.tone, 'warning');
    assert.match(s.ariaLabel, /Claude Code CLI not found/);
    assert.ok(
      s.tooltip.some((l) => l.includes('no \\`claude\\` executable found')),
      'Markdown in the error is escaped',
    );
    assert.equal(statusText(model({ agent: true })).text, '$(tools) CLI2API :8000 agent');
  });

  it('an untested CLI version: a warning that says so', () => {
    const s = statusText(
      model({
        cli: { ok: true, path: '/usr/bin/claude', version: '3.0.0', tested: false, warning: 'newer than 2.1.332' },
      }),
    );
    assert.equal(s.text, '$(warning) CLI2API :8000');
    assert.equal(s.tone, 'warning');
    assert.match(s.ariaLabel, /untested Claude Code CLI version/);
    assert.ok(s.tooltip.includes('**Untested CLI version** — newer than 2.1.332'));
  });

  it('usage windows: the suffix after the running count, their lines in the tooltip, full is a warning', () => {
    const usage = { suffix: '5h 91%', tooltip: ['Claude 5-hour window: 91% used'], full: false };
    const s = statusText(model({ stats: { ...stats, inFlight: 1 }, usage }));
    assert.equal(s.text, '$(radio-tower) CLI2API :8000 · 1 running · 5h 91%');
    assert.equal(s.tone, 'normal');
    assert.match(s.ariaLabel, /usage 5-hour 91%/);
    assert.ok(s.tooltip.includes('Claude 5-hour window: 91% used'));
    const full = statusText(model({ usage: { ...usage, suffix: '5h full', full: true } }));
    assert.equal(full.text, '$(radio-tower) CLI2API :8000 · 5h full');
    assert.equal(full.tone, 'warning');
    assert.equal(
      statusText(model({ usage: { suffix: '', tooltip: [], full: false } })).text,
      '$(radio-tower) CLI2API :8000',
    );
  });

  it('errors are red and say why; stopped says how to start', () => {
    const conflict = statusText(
      model({
        view: { kind: 'conflict', port: 8000, message: 'Port 8000 is already in use by another program (nginx).' },
      }),
    );
    assert.equal(conflict.text, '$(error) CLI2API: error');
    assert.equal(conflict.tone, 'error');
    assert.match(conflict.ariaLabel, /could not start: Port 8000 is already in use/);
    const stopped = statusText(model({ view: { kind: 'stopped', reason: 'elsewhere' } }));
    assert.equal(stopped.text, '$(circle-slash) CLI2API: stopped');
    assert.ok(stopped.tooltip.some((l) => /Stopped from another window/.test(l)));
  });

  it('screen reader labels carry no codicons and no Markdown', () => {
    const views: WindowView[] = [
      running,
      { kind: 'elsewhere', port: 8000, url: 'http://127.0.0.1:8000', holder: holder('vscode') },
      { kind: 'starting' },
      { kind: 'stopping' },
      { kind: 'stopped', reason: 'here' },
      { kind: 'failed', message: 'Not allowed to listen on 127.0.0.1:80.' },
    ];
    for (const view of views) assert.doesNotMatch(statusText(model({ view, agent: true })).ariaLabel, /\$\(|\*\*|`/);
  });

  it('a refused port setting shows in the tooltip', () => {
    const s = statusText(model({ refusedAddress: '127.0.0.1:80 (port 80 needs administrator rights on this system)' }));
    assert.ok(s.tooltip.some((l) => l.startsWith('Setting not applied: 127.0.0.1:80')));
  });
});
