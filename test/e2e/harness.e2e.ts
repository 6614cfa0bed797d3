/**
 * Self-test of harness.ts against a throwaway extension (test/e2e/fixtures/selftest-extension),
 * packaged into a temp folder at run time. Part of every e2e run (~45 s).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CodeServerSession,
  describeProcs,
  freePort,
  isPortOpen,
  listProcesses,
  occupyPort,
  packageExtension,
  processesMatching,
  waitFor,
} from './harness';

const FIXTURE = path.join(__dirname, 'fixtures', 'selftest-extension');
describe('e2e harness self-test (throwaway extension)', function () {
  this.timeout(120_000);
  let tmp: string;
  let session: CodeServerSession;
  let port: number;

  async function get(p: number): Promise<{ ok: boolean; port: number; pings: number; pid: number }> {
    const res = await fetch(`http://127.0.0.1:${p}/`, { signal: AbortSignal.timeout(3000) });
    return (await res.json()) as { ok: boolean; port: number; pings: number; pid: number };
  }

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-selftest-ext-'));
    const extDir = path.join(tmp, 'ext');
    fs.cpSync(FIXTURE, extDir, { recursive: true });
    const vsix = packageExtension(extDir, path.join(tmp, 'selftest.vsix'));
    port = await freePort();
    session = await CodeServerSession.launch({ vsix, name: 'selftest', settings: { 'selftest.port': port } });
  });

  after(async function () {
    await session?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('activates on startup: status bar item and HTTP server in the extension host', async function () {
    const item = await session.waitForStatusBarItem(new RegExp(`^Selftest :${port}$`), 30_000);
    assert.match(item.ariaLabel, /Selftest/);
    const body = await get(port);
    assert.equal(body.ok, true);
    assert.equal(body.port, port);
    const tooltip = await session.statusBarTooltip(/^Selftest :/);
    assert.match(tooltip, new RegExp(`http://127\\.0\\.0\\.1:${port}`));
    await session.screenshot('selftest-statusbar', '.part.statusbar');
  });

  it('runs a command from the palette', async function () {
    await session.runCommand('Selftest: Ping');
    await session.waitForNotification(/Selftest pong 1/);
    assert.equal((await get(port)).pings, 1);
  });

  it('clicking the status bar item opens its quick pick', async function () {
    await session.clickStatusBarItem(/^Selftest :/);
    const items = await session.quickPickItems();
    assert.deepEqual(items, ['Ping', 'Show Log']);
    await session.screenshot('selftest-statusbar-menu');
    await session.pickQuickPickItem('Ping');
    await waitFor('the second ping', async () => (await get(port)).pings === 2, 10_000);
  });

  it('editUserSettings: the extension host sees a settings.json change without reload', async function () {
    const next = await freePort();
    const before = (await get(port)).pid;
    await session.editUserSettings({ 'selftest.port': next });
    await session.waitForStatusBarItem(new RegExp(`^Selftest :${next}$`), 15_000);
    assert.equal((await get(next)).pid, before, 'same extension host process (no reload)');
    await waitFor(`port ${port} to close`, async () => !(await isPortOpen(port)), 5_000);
    port = next;
  });

  it('a port in use shows the error state and the log file says why', async function () {
    const busy = await freePort();
    const holder = await occupyPort(busy);
    try {
      await session.editUserSettings({ 'selftest.port': busy });
      await session.waitForStatusBarItem(/^Selftest: error$/, 15_000);
      await waitFor(
        'EADDRINUSE in the Selftest log',
        () => /EADDRINUSE/.test(session.readLogs(/Selftest\.log$/)),
        10_000,
      );
    } finally {
      await holder.close();
    }
    await session.editUserSettings({ 'selftest.port': port });
    await session.waitForStatusBarItem(new RegExp(`^Selftest :${port}$`), 15_000);
  });

  it('Show Log reveals the output channel with the request lines', async function () {
    await get(port);
    await session.runCommand('Selftest: Show Log');
    const panel = await waitFor(
      'the Selftest output channel to show a request line',
      async () => {
        const p = await session.outputPanel();
        return p.visible && /GET \/ 200/.test(p.text) ? p : undefined;
      },
      15_000,
    );
    assert.equal(panel.channel, 'Selftest');
    await session.screenshot('selftest-output');
  });

  it('lists the run processes; dispose stops the tree and reports a leaked detached child', async function () {
    await session.runCommand('Selftest: Spawn Child');
    await session.runCommand('Selftest: Spawn Detached Child');
    const child = await waitFor('the child', () => session.processesMatching(/selftest-child-marker/)[0], 10_000);
    const detached = await waitFor(
      'the detached child',
      () => session.processesMatching(/selftest-detached-marker/)[0],
      10_000,
    );
    // The plain child hangs below code-server; the detached one is in its own process group.
    assert.ok(session.processes().some((p) => p.pid === child.pid));
    assert.notEqual(detached.pgid, session.pid);

    const report = await session.dispose({ signal: 'main' });
    console.log(`      dispose: ${report.durationMs} ms, exited on SIGTERM: ${report.exitedOnSigterm}`);
    if (report.survivorsAfterGrace.length > 0)
      console.log(`      survivors after grace:\n${describeProcs(report.survivorsAfterGrace)}`);
    assert.equal(report.exitedOnSigterm, true);
    assert.ok(
      report.survivorsAfterGrace.some((p) => p.pid === detached.pid),
      'the leaked detached child is reported',
    );
    assert.ok(!report.survivorsAfterGrace.some((p) => p.pid === child.pid), 'deactivate killed the attached child');
    assert.equal(await isPortOpen(port), false, 'the extension server is closed');
    assert.deepEqual(processesMatching(/selftest-(child|detached)-marker/, listProcesses()), []);
  });
});
