/**
 * Images through the real CLI: data: URIs reach the model as image blocks; oversized ones are
 * refused with 413; remote URLs are fetched only when allowed, only from allowed addresses
 * (checked after DNS and on every redirect), cut at the size limit, a few per request, and
 * not after the client left.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { MAX_IMAGE_BYTES } from '../../src/core/images';
import { lastMessage } from '../support/fake-anthropic';
import { isPublicAddress } from '../../src/net/address-policy';
import { MAX_REMOTE_IMAGES } from '../../src/openai/remote-images';
import { type Stack, startStack, useStack } from '../support/stack';
import { until } from '../support/wait';

// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('images through the real CLI', function () {
  this.timeout(60_000);
  // A body limit above the image limit, so the image check itself answers.
  const stack = useStack({ maxBodyMb: 64 });

  it('delivers an image_url data: URI to the model as a base64 image block', async () => {
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    const last = lastMessage(stack.fake.messageRequests[0]!.body)!;
    const image = (last.content as Array<Record<string, unknown>>).find((b) => b.type === 'image');
    assert.deepEqual(image?.source, { type: 'base64', media_type: 'image/png', data: PNG });
  });

  it('delivers an input_image of a Responses request the same way', async () => {
    await stack.openai.responses.create({
      model: 'sonnet',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'see' },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'auto' },
          ],
        },
      ],
    });
    const last = lastMessage(stack.fake.messageRequests[0]!.body)!;
    assert.ok((last.content as Array<Record<string, unknown>>).some((b) => b.type === 'image'));
  });

  it('refuses an image over the size limit with 413 before starting the CLI', async () => {
    const big = 'A'.repeat(Math.ceil((MAX_IMAGE_BYTES + 1024) / 3) * 4);
    await assert.rejects(
      stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${big}` } }] },
        ],
      }),
      (e: { status: number; code?: string }) => e.status === 413 && e.code === 'image_too_large',
    );
    assert.equal(stack.fake.messageRequests.length, 0);
  });
});

describe('remote images', function () {
  this.timeout(120_000);
  let internal: LocalServer;
  let images: LocalServer;
  let imageUrl: string;
  let on: Stack;

  before(async () => {
    internal = await localServer((_, res) => res.end('internal admin page'));
    images = await localServer((req, res) => {
      switch (new URL(req.url ?? '/', 'http://localhost').pathname) {
        case '/pixel.png':
          return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(PNG, 'base64'));
        case '/to-internal':
          return res.writeHead(302, { location: `${internal.url}/pixel.png` }).end();
        case '/to-metadata':
          return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        case '/big.png': {
          // 40 MB with no Content-Length: only counting while it streams can stop it.
          res.writeHead(200, { 'content-type': 'image/png' });
          const chunk = Buffer.alloc(256 * 1024, 7);
          let written = 0;
          const pump = () => {
            while (written < 40 * 2 ** 20) {
              written += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          res.on('close', () => images.events.push(`big closed ${res.writableFinished ? 'after' : 'before'} the end`));
          return pump();
        }
        case '/slow.png':
          // Headers and a few bytes, then nothing: only the client's leaving (or the 10-minute test timeout) ends it.
          res.writeHead(200, { 'content-type': 'image/png' }).write('\x89PNG');
          req.socket.on('close', () => images.events.push('slow closed'));
          return images.events.push('slow requested');
        default:
          return res.writeHead(404).end();
      }
    });
    imageUrl = `${images.url}/pixel.png`;
    // Downloads may reach the image server (127.0.0.1 on its port) and public addresses; nothing else.
    on = await startStack(
      { allowRemoteImages: true },
      {},
      {
        remoteImages: {
          policy: (address, port) => (address === '127.0.0.1' && port === images.port) || isPublicAddress(address),
          timeoutMs: 600_000,
        },
      },
    );
  });
  after(async () => {
    await on?.stop();
    await internal?.close();
    await images?.close();
  });
  beforeEach(() => {
    on.fake.reset();
    internal.hits.length = 0;
    images.hits.length = 0;
    images.events.length = 0;
  });
  afterEach(async () => {
    await on.assertNoProcesses();
  });

  const chatWithImages = (stack: Stack, urls: string[], options?: { signal?: AbortSignal }) =>
    stack.openai.chat.completions.create(
      {
        model: 'sonnet',
        messages: [
          {
            role: 'user',
            content: [
              ...urls.map((url) => ({ type: 'image_url' as const, image_url: { url } })),
              { type: 'text' as const, text: 'what?' },
            ],
          },
        ],
      },
      options,
    );
  const apiError = (status: number, code: string) => (e: unknown) =>
    e instanceof OpenAI.APIError && e.status === status && (e.error as { code?: string }).code === code;

  it('are refused with a 400 unless allowRemoteImages is on', async () => {
    const off = await startStack();
    try {
      await assert.rejects(
        chatWithImages(off, [imageUrl]),
        (e: unknown) =>
          (e as { status?: number }).status === 400 && /allowRemoteImages/.test(String((e as Error).message)),
      );
      assert.equal(off.fake.messageRequests.length, 0);
      assert.deepEqual(images.hits, []);
    } finally {
      await off.stop();
    }
  });

  it('are fetched and reach the model as image blocks when allowed (chat and responses)', async () => {
    await chatWithImages(on, [imageUrl]);
    await on.openai.responses.create({
      model: 'sonnet',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', image_url: imageUrl, detail: 'auto' },
            { type: 'input_text', text: 'and this?' },
          ],
        },
      ],
    });
    for (const req of on.fake.messageRequests) {
      const content = lastMessage(req.body)!.content as Array<Record<string, unknown>>;
      assert.deepEqual(
        content.find((b) => b.type === 'image'),
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      );
    }
    assert.equal(on.fake.messageRequests.length, 2);
    await assert.rejects(
      chatWithImages(on, [`${images.url}/missing.png`]),
      (e: unknown) => apiError(400, 'image_fetch_failed')(e) && /HTTP 404/.test(String((e as Error).message)),
    );
  });

  it('refuses loopback addresses with the default policy (public addresses only)', async () => {
    const strict = await startStack({ allowRemoteImages: true });
    try {
      await assert.rejects(chatWithImages(strict, [imageUrl]), apiError(400, 'image_url_not_allowed'));
      assert.deepEqual(images.hits, [], 'never connected');
      assert.equal(strict.fake.messageRequests.length, 0);
    } finally {
      await strict.stop();
    }
  });

  it('refuses a redirect from an allowed server to loopback or to the metadata address, and URLs that name them', async () => {
    for (const url of [
      `${images.url}/to-internal`,
      `${images.url}/to-metadata`,
      `${internal.url}/pixel.png`,
      `http://localhost:${internal.port}/pixel.png`,
      `http://[::ffff:127.0.0.1]:${internal.port}/pixel.png`,
      'http://169.254.169.254/latest/meta-data/',
    ])
      await assert.rejects(chatWithImages(on, [url]), apiError(400, 'image_url_not_allowed'), url);
    assert.deepEqual(images.hits, ['/to-internal', '/to-metadata'], 'only the allowed server was asked');
    assert.deepEqual(internal.hits, [], 'the internal server was never reached');
    assert.equal(on.fake.messageRequests.length, 0);
  });

  it('cuts an image without Content-Length while it streams, once it passes the size limit (413)', async () => {
    await assert.rejects(chatWithImages(on, [`${images.url}/big.png`]), apiError(413, 'image_too_large'));
    await until(() => images.events.length > 0, 'the image server saw its connection end');
    assert.deepEqual(images.events, ['big closed before the end'], 'the rest of the 40 MB was never read');
    assert.equal(on.fake.messageRequests.length, 0);
  });

  it(`fetches at most ${MAX_REMOTE_IMAGES} images per request`, async () => {
    const urls = Array.from({ length: MAX_REMOTE_IMAGES + 1 }, (_, i) => `${imageUrl}?n=${i}`);
    await assert.rejects(chatWithImages(on, urls), apiError(400, 'too_many_images'));
    assert.deepEqual(images.hits, [], 'refused before any download');
    await chatWithImages(on, urls.slice(0, MAX_REMOTE_IMAGES));
    assert.equal(images.hits.length, MAX_REMOTE_IMAGES);
  });

  it('stops fetching when the client disconnects', async () => {
    const controller = new AbortController();
    const asking = chatWithImages(on, [`${images.url}/slow.png`], { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    await until(() => images.events.includes('slow requested'), 'the download started');
    controller.abort();
    assert.ok((await asking) instanceof OpenAI.APIUserAbortError);
    // The fetch's own time limit is 10 minutes here: only the client's leaving can end the download now.
    await until(() => images.events.includes('slow closed'), 'the download was stopped');
    assert.equal(on.fake.messageRequests.length, 0, 'the model was never asked');
  });
});

interface LocalServer {
  url: string;
  port: number;
  hits: string[];
  events: string[];
  close(): Promise<void>;
}

async function localServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => unknown,
): Promise<LocalServer> {
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
    events: [],
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
