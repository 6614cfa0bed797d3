/** Who holds a port, told apart on real sockets: nobody, CLI2API, another HTTP server, a non-HTTP program. */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { checkAddress, probePort } from '../../../../src/extension/sharing/port-holder';
import { parseSettings } from '../../../../src/config/settings';
import { ApiServer } from '../../../../src/server/api-server';
import { createConsoleLogger } from '../../../../src/util/logger';

async function listening(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}
const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('port holder', () => {
  it('a closed port is free, and can be listened on', async () => {
    const s = net.createServer();
    const port = await listening(s);
    await close(s);
    assert.deepEqual(await probePort('127.0.0.1', port), { kind: 'free' });
    assert.deepEqual(await checkAddress('127.0.0.1', port), { ok: true });
  });

  it('recognises CLI2API by its /health (version, instance, where it runs)', async () => {
    const settings = parseSettings({ port: 0, claudePath: '/nonexistent/claude' });
    const api = new ApiServer({
      settings: () => settings,
      logger: createConsoleLogger({ level: 'error', json: false, write: () => {} }),
      runner: () => ({ kind: 'vscode', workspace: 'proj' }),
    });
    await api.start();
    try {
      const port = (api.state as { port: number }).port;
      const holder = await probePort('127.0.0.1', port);
      assert.equal(holder.kind, 'cli2api');
      assert.equal(holder.kind === 'cli2api' && holder.instance, api.instance);
      assert.deepEqual(holder.kind === 'cli2api' && holder.runner, {
        kind: 'vscode',
        workspace: 'proj',
        pid: process.pid,
      });
      // Held by CLI2API: using it means standing by for it, not a conflict.
      assert.deepEqual(await checkAddress('127.0.0.1', port), { ok: true });
      // A wildcard host is probed on loopback.
      assert.equal((await probePort('0.0.0.0', port)).kind, 'cli2api');
    } finally {
      await api.stop();
    }
  });

  it('an HTTP server that is not CLI2API (even one with a /health) is foreign', async () => {
    const s = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', version: '1.0.0' }));
    });
    const port = await listening(s);
    try {
      const holder = await probePort('127.0.0.1', port);
      assert.equal(holder.kind, 'foreign');
      const check = await checkAddress('127.0.0.1', port);
      assert.equal(check.ok, false);
      assert.match(!check.ok ? check.reason : '', new RegExp(`port ${port} is used by another program`));
    } finally {
      await close(s);
    }
  });

  it('a program that closes the connection without HTTP is foreign', async () => {
    const s = net.createServer((socket) => socket.destroy());
    const port = await listening(s);
    try {
      assert.equal((await probePort('127.0.0.1', port)).kind, 'foreign');
    } finally {
      await close(s);
    }
  });

  it('a program that accepts and never answers is unknown (a busy window is not a conflict)', async () => {
    const sockets: net.Socket[] = [];
    const s = net.createServer((socket) => sockets.push(socket));
    const port = await listening(s);
    try {
      assert.equal((await probePort('127.0.0.1', port, 300)).kind, 'unknown');
    } finally {
      for (const socket of sockets) socket.destroy();
      await close(s);
    }
  });

  it('an address that is not this machine cannot be used, and says why', async () => {
    const check = await checkAddress('192.0.2.77', 8000); // TEST-NET-1: never a local address
    assert.equal(check.ok, false);
    assert.match(!check.ok ? check.reason : '', /not an address of this machine/);
  });
});
