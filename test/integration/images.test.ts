/** Images through the real CLI: data: URIs reach the model as image blocks; oversized ones are refused with 413. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { MAX_IMAGE_BYTES } from '../../src/core/images';
import { lastMessage } from '../support/fake-anthropic';
import { startStack, useStack } from '../support/stack';

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
  this.timeout(60_000);
  let imageServer: http.Server;
  let imageUrl: string;

  before(async () => {
    imageServer = http.createServer((req, res) => {
      if (req.url === '/pixel.png') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(PNG, 'base64'));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => imageServer.listen(0, '127.0.0.1', r));
    imageUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/pixel.png`;
  });
  after(() => imageServer.close());

  it('are refused with a 400 unless allowRemoteImages is on', async () => {
    const off = await startStack();
    try {
      await assert.rejects(
        off.openai.chat.completions.create({
          model: 'sonnet',
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: imageUrl } }] }],
        }),
        (e: unknown) =>
          (e as { status?: number }).status === 400 && /allowRemoteImages/.test(String((e as Error).message)),
      );
      assert.equal(off.fake.messageRequests.length, 0);
    } finally {
      await off.stop();
    }
  });

  it('are fetched and reach the model as image blocks when allowed (chat and responses)', async () => {
    const on = await startStack({ allowRemoteImages: true });
    try {
      await on.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: imageUrl } },
              { type: 'text', text: 'what?' },
            ],
          },
        ],
      });
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
        on.openai.chat.completions.create({
          model: 'sonnet',
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: imageUrl.replace('pixel', 'missing') } }],
            },
          ],
        }),
        (e: unknown) => (e as { status?: number }).status === 400 && /HTTP 404/.test(String((e as Error).message)),
      );
      await on.assertNoProcesses();
    } finally {
      await on.stop();
    }
  });
});
