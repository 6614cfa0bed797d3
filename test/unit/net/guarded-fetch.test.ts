/** Guarded downloads against local HTTP servers: the policy on every hop, the pinned address, the byte cap, the signal. */
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuardedFetchError, guardedFetch, pinnedLookup } from '../../../src/net/guarded-fetch';

interface Local {
  url: string;
  port: number;
  hits: string[];
  close(): Promise<void>;
}

async function local(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Local> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const options = (policy: (address: string, port: number) => boolean) => ({
  policy,
  maxBytes: 1024 * 1024,
  maxRedirects: 3,
  timeoutMs: 60_000,
});

describe('guarded fetch', () => {
  let internal: Local;
  let images: Local;
  /** Only the image server may be reached: 127.0.0.1 on its port. */
  let onlyImages: (address: string, port: number) => boolean;

  before(async () => {
    internal = await local((_, res) => res.end('secret'));
    images = await local((req, res) => {
      const hop = /^\/hop\/(\d+)$/.exec(req.url ?? '');
      if (req.url === '/pixel.png') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('png'));
      else if (req.url === '/to-internal') res.writeHead(302, { location: `${internal.url}/admin` }).end();
      else if (req.url === '/to-metadata')
        res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.url === '/to-localhost')
        res.writeHead(307, { location: `http://localhost:${internal.port}/` }).end();
      else if (req.url === '/to-file') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      else if (req.url === '/relative') res.writeHead(302, { location: '/pixel.png' }).end();
      else if (hop) res.writeHead(302, { location: `/hop/${Number(hop[1]) + 1}` }).end();
      else res.writeHead(404).end();
    });
    onlyImages = (address, port) => address === '127.0.0.1' && port === images.port;
  });
  after(async () => {
    await internal.close();
    await images.close();
  });
  beforeEach(() => {
    internal.hits.length = 0;
    images.hits.length = 0;
  });

  const refused = (kind: string) => (e: unknown) => e instanceof GuardedFetchError && e.kind === kind;

  it('fetches from an allowed address, and follows a relative redirect there', async () => {
    const got = await guardedFetch(`${images.url}/pixel.png`, options(onlyImages));
    assert.equal(got.body.toString(), 'png');
    assert.equal(got.contentType, 'image/png');
    assert.equal((await guardedFetch(`${images.url}/relative`, options(onlyImages))).body.toString(), 'png');
  });

  it('refuses an address the policy refuses, by IP literal or by name, before connecting', async () => {
    await assert.rejects(guardedFetch(`${internal.url}/admin`, options(onlyImages)), refused('refused'));
    await assert.rejects(guardedFetch(`http://localhost:${internal.port}/`, options(onlyImages)), refused('refused'));
    await assert.rejects(
      guardedFetch(`http://[::ffff:127.0.0.1]:${internal.port}/`, options(onlyImages)),
      refused('refused'),
    );
    assert.deepEqual(internal.hits, [], 'the internal server was never reached');
  });

  it('checks every redirect: to loopback, to a name for loopback, to the metadata address, to another scheme', async () => {
    for (const path of ['/to-internal', '/to-localhost', '/to-metadata', '/to-file'])
      await assert.rejects(guardedFetch(`${images.url}${path}`, options(onlyImages)), refused('refused'), path);
    assert.deepEqual(images.hits, ['/to-internal', '/to-localhost', '/to-metadata', '/to-file']);
    assert.deepEqual(internal.hits, []);
  });

  it('follows a bounded number of redirects', async () => {
    await assert.rejects(guardedFetch(`${images.url}/hop/0`, options(onlyImages)), refused('redirects'));
    assert.deepEqual(images.hits, ['/hop/0', '/hop/1', '/hop/2', '/hop/3']);
  });

  it('cuts a body without Content-Length once it passes the cap, without reading the rest', async () => {
    let written = 0;
    let serverClosed!: (early: boolean) => void;
    const closedEarly = new Promise<boolean>((r) => (serverClosed = r));
    const big = await local((_, res) => {
      res.writeHead(200, { 'content-type': 'image/png' }); // chunked: no Content-Length
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => serverClosed(!res.writableFinished));
      pump();
    });
    try {
      await assert.rejects(
        guardedFetch(
          `${big.url}/`,
          options((_, port) => port === big.port),
        ),
        refused('too_large'),
      );
      assert.equal(await closedEarly, true, 'the connection was closed before the server finished');
      assert.ok(written < 64 * 1024 * 1024, `the server could write only part of the 64 MB (${written} bytes)`);
    } finally {
      await big.close();
    }
  });

  it('refuses a declared Content-Length over the cap at once', async () => {
    const declared = await local((_, res) => {
      res.writeHead(200, { 'content-length': String(5 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    });
    try {
      await assert.rejects(
        guardedFetch(
          `${declared.url}/`,
          options((_, port) => port === declared.port),
        ),
        refused('too_large'),
      );
    } finally {
      await declared.close();
    }
  });

  it('stops when its signal aborts, with the signal’s reason, and closes the connection', async () => {
    let arrived!: () => void;
    const requested = new Promise<void>((r) => (arrived = r));
    let serverSawClose!: () => void;
    const closed = new Promise<void>((r) => (serverSawClose = r));
    const slow = await local((req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write('partial');
      req.socket.on('close', () => serverSawClose());
      arrived();
    });
    try {
      const controller = new AbortController();
      const fetching = guardedFetch(`${slow.url}/`, {
        ...options((_, port) => port === slow.port),
        signal: controller.signal,
      });
      await requested;
      const reason = new Error('client gone');
      controller.abort(reason);
      await assert.rejects(fetching, (e: unknown) => e === reason);
      await closed;
    } finally {
      await slow.close();
    }
  });

  it('hands the socket only the address it checked (DNS answers that change cannot slip through)', () => {
    // A resolver that answers differently each time, as a rebinding DNS server would.
    const answers: LookupAddress[][] = [
      [
        { address: '127.0.0.1', family: 4 },
        { address: '93.184.215.14', family: 4 },
      ],
      [{ address: '169.254.169.254', family: 4 }],
    ];
    const checked: string[] = [];
    const policy = (address: string) => (
      checked.push(address),
      !address.startsWith('127.') && !address.startsWith('169.')
    );
    const lookup = pinnedLookup(policy, 80, 'rebind.example', (_h, _o, cb) => cb(null, answers.shift()!));
    const got: unknown[] = [];
    lookup('rebind.example', { all: true }, (err, addresses) => got.push(err ?? addresses));
    lookup('rebind.example', {}, (err, address) => got.push(err ?? address));
    assert.deepEqual(got[0], [{ address: '93.184.215.14', family: 4 }], 'only the checked public address');
    assert.ok(got[1] instanceof GuardedFetchError && got[1].kind === 'refused', 'the second answer is checked again');
    assert.deepEqual(checked, ['127.0.0.1', '93.184.215.14', '169.254.169.254']);
  });
});
