/**
 * Several "windows" (WindowServer + ApiServer each, as every VS Code window has) on one port,
 * in one process with real sockets: one serves, the others stand by and take over, Stop in any
 * window stops the one server — and at no moment do two of them serve.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseSettings } from '../../../../src/config/settings';
import { StopMarker } from '../../../../src/extension/sharing/stop-marker';
import { type WindowView, WindowServer } from '../../../../src/extension/sharing/window-server';
import { ApiServer } from '../../../../src/server/api-server';
import { createConsoleLogger } from '../../../../src/util/logger';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

interface Win {
  name: string;
  ws: WindowServer;
  api: ApiServer;
  log: string[];
}

describe('one server for every window (WindowServer)', function () {
  this.timeout(30_000);
  let dir: string;
  let port: number;
  let windows: Win[];
  /** Every view change of every window is checked: never two windows running at once. */
  let violations: string[];

  function open(name: string, address = () => ({ host: '127.0.0.1', port })): Win {
    const log: string[] = [];
    const settings = parseSettings({ port, claudePath: '/nonexistent/claude' });
    const api = new ApiServer({
      // The server listens where the window's address says (the controller does the same).
      settings: () => ({ ...settings, ...address() }),
      logger: createConsoleLogger({ level: 'info', json: false, write: (l) => log.push(l) }),
      runner: () => ({ kind: 'vscode', workspace: name }),
    });
    const ws = new WindowServer({
      server: api,
      address,
      marker: new StopMarker(dir),
      logger: createConsoleLogger({ level: 'info', json: false, write: (l) => log.push(l) }),
      intervalMs: 100,
    });
    const win = { name, ws, api, log };
    windows.push(win);
    ws.onDidChange(() => {
      const running = windows.filter((w) => w.ws.view.kind === 'running').map((w) => w.name);
      if (running.length > 1) violations.push(running.join(' and '));
    });
    return win;
  }

  /** Resolves once `probe` holds, checked on every view change of any window (and now). */
  function until(what: string, probe: () => boolean, ms = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const offs: Array<() => void> = [];
      const done = (err?: Error) => {
        clearTimeout(timer);
        for (const off of offs) off();
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(
        () => done(new Error(`not reached: ${what}; views ${JSON.stringify(windows.map((w) => [w.name, w.ws.view]))}`)),
        ms,
      );
      const check = () => probe() && done();
      for (const w of windows) offs.push(w.ws.onDidChange(check));
      check();
    });
  }
  const kind = (w: Win) => w.ws.view.kind;
  /** Lets the watches tick `n` times (for checks that something does NOT happen). */
  const ticks = (n: number) => new Promise((r) => setTimeout(r, n * 100));

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-windows-'));
    port = await freePort();
    windows = [];
    violations = [];
  });
  afterEach(async () => {
    for (const w of windows) await w.ws.release();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(violations, [], 'two windows served at once');
  });

  it('the first window serves; the second stands by and shows who serves', async () => {
    const a = open('a');
    assert.equal((await a.ws.start('auto')).kind, 'running');
    const b = open('b');
    const view = await b.ws.start('auto');
    assert.equal(view.kind, 'elsewhere');
    const elsewhere = view as Extract<WindowView, { kind: 'elsewhere' }>;
    assert.equal(elsewhere.holder.instance, a.api.instance);
    assert.equal(elsewhere.url, `http://127.0.0.1:${port}`);
    assert.deepEqual(elsewhere.holder.runner, { kind: 'vscode', workspace: 'a', pid: process.pid });
    assert.equal(b.api.state.kind !== 'running', true);
    assert.ok(
      b.log.some((l) =>
        /serves :\d+ from another VS Code window \(workspace a, pid \d+\); this window stands by/.test(l),
      ),
      b.log.join('\n'),
    );
    assert.ok(!b.log.some((l) => /ERROR/.test(l)), 'no error logged for a port another window holds');
    // The API answers (from a).
    assert.equal((await fetch(`http://127.0.0.1:${port}/v1/models`)).status, 200);
  });

  it('when the serving window closes, a standing-by window takes over without anyone acting', async () => {
    const a = open('a');
    await a.ws.start('auto');
    const b = open('b');
    await b.ws.start('auto');
    await a.ws.release();
    await until('b serves', () => kind(b) === 'running');
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { instance: string };
    assert.equal(health.instance, b.api.instance);
    assert.ok(b.log.some((l) => /this window takes over/.test(l)));
  });

  it('with three windows, exactly one takes over, and the third stands by for it', async () => {
    const [a, b, c] = [open('a'), open('b'), open('c')];
    await a.ws.start('auto');
    await Promise.all([b.ws.start('auto'), c.ws.start('auto')]);
    assert.deepEqual([kind(b), kind(c)], ['elsewhere', 'elsewhere']);
    await a.ws.release();
    await until('one of b and c serves, the other stands by for it', () => {
      const k = [kind(b), kind(c)].sort();
      return k[0] === 'elsewhere' && k[1] === 'running';
    });
    const server = kind(b) === 'running' ? b : c;
    const standby = server === b ? c : b;
    await until('the other names the new server', () => {
      const v = standby.ws.view;
      return v.kind === 'elsewhere' && v.holder.instance === server.api.instance;
    });
  });

  it('Stop in a standing-by window stops the server in the other one, and nobody takes over until Start', async () => {
    const a = open('a');
    await a.ws.start('auto');
    const b = open('b');
    await b.ws.start('auto');
    await b.ws.stop();
    await until('both show stopped', () => kind(a) === 'stopped' && kind(b) === 'stopped');
    assert.deepEqual(a.ws.view, { kind: 'stopped', reason: 'elsewhere' });
    assert.deepEqual(b.ws.view, { kind: 'stopped', reason: 'here' });
    await ticks(5);
    assert.deepEqual([kind(a), kind(b)], ['stopped', 'stopped'], 'still stopped after several ticks');
    assert.ok(a.log.some((l) => /Stop Server was chosen in another window/.test(l)));

    assert.equal((await b.ws.start('user')).kind, 'running');
    await until('a stands by for b', () => kind(a) === 'elsewhere');
  });

  it('Stop in the serving window: the others do not take over; a new window respects it, Start lifts it', async () => {
    const a = open('a');
    await a.ws.start('auto');
    const b = open('b');
    await b.ws.start('auto');
    await a.ws.stop();
    assert.deepEqual(a.ws.view, { kind: 'stopped', reason: 'here' });
    await until('b shows stopped', () => kind(b) === 'stopped');
    const c = open('c');
    assert.deepEqual(await c.ws.start('auto'), { kind: 'stopped', reason: 'elsewhere' });
    await ticks(5);
    assert.deepEqual([kind(a), kind(b), kind(c)], ['stopped', 'stopped', 'stopped']);
    assert.equal((await b.ws.start('user')).kind, 'running');
    await until('a and c stand by', () => kind(a) === 'elsewhere' && kind(c) === 'elsewhere');
  });

  it('a foreign program on the port is a conflict; when it leaves, the window serves by itself', async () => {
    const foreign = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => foreign.listen(port, '127.0.0.1', resolve));
    const a = open('a');
    const view = await a.ws.start('auto');
    assert.equal(view.kind, 'conflict');
    assert.match(
      (view as { message: string }).message,
      new RegExp(`Port ${port} is already in use by another program`),
    );
    await new Promise<void>((resolve) => foreign.close(() => resolve()));
    await until('a serves', () => kind(a) === 'running');
  });

  it('Restart in the serving window keeps the port (a standing-by window waits two free ticks)', async () => {
    const a = open('a');
    await a.ws.start('auto');
    const b = open('b');
    await b.ws.start('auto');
    for (let i = 0; i < 3; i++) await a.ws.restart();
    // Whoever serves now, exactly one does and the other stands by for it.
    await until('one serves, one stands by', () => [kind(a), kind(b)].sort().join() === 'elsewhere,running');
  });

  it('a new address: the serving window moves, the other stands by for the new port', async () => {
    let current = port;
    const address = () => ({ host: '127.0.0.1', port: current });
    const a = open('a', address);
    await a.ws.start('auto');
    const b = open('b', address);
    await b.ws.start('auto');
    current = await freePort();
    await Promise.all([a.ws.moved(), b.ws.moved()]);
    await until(
      'one serves the new port, one stands by',
      () => [kind(a), kind(b)].sort().join() === 'elsewhere,running',
    );
    const serving = [a, b].find((w) => kind(w) === 'running')!;
    assert.equal((serving.ws.view as { port: number }).port, current);
    assert.equal((await fetch(`http://127.0.0.1:${current}/v1/models`)).status, 200);
  });

  it('port 0: every window serves on a port of its own, no watch', async () => {
    const zero = () => ({ host: '127.0.0.1', port: 0 });
    const a = open('a', zero);
    const b = open('b', zero);
    const [va, vb] = [await a.ws.start('auto'), await b.ws.start('auto')];
    assert.equal(va.kind, 'running');
    assert.equal(vb.kind, 'running');
    assert.notEqual((va as { port: number }).port, (vb as { port: number }).port);
    violations = []; // two servers on two ports is the point here
    await a.ws.stop();
    await b.ws.stop();
    windows = [];
  });
});
