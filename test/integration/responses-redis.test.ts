/**
 * The shared Responses store against a real redis-server started by the test: what it keeps,
 * for how long, how many, seen from two stores (two instances); and a server whose Redis is
 * unreachable answers 503 store_unavailable where it needs it, keeps serving everything else,
 * and recovers by itself when Redis comes (back).
 */
import assert from 'node:assert/strict';
import { createClient } from '@redis/client';
import OpenAI from 'openai';
import { RedisResponseStore } from '../../src/server/store/redis-store';
import { createConsoleLogger } from '../../src/util/logger';
import { freePort } from '../support/free-port';
import { type RedisServer, redisServerInstalled, requireTool, startRedis } from '../support/redis-server';
import { completedResponse, QUESTION } from '../support/responses';
import { type Stack, startStack } from '../support/stack';

const logLines: string[] = [];
const logger = createConsoleLogger({ level: 'debug', json: false, write: (l) => logLines.push(l) });

/** Polls `check` every 50 ms, up to `ms`; bounded, never a timed assertion. */
async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('Responses store in Redis (real redis-server)', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let settings = { responsesStoreSize: 3, responsesTtlSeconds: 60 };
  const stores: RedisResponseStore[] = [];
  const open = () => {
    const store = new RedisResponseStore(redis.url, () => settings, logger);
    stores.push(store);
    return store;
  };
  /** A raw client, to see what is in Redis itself. */
  let raw: ReturnType<typeof createClient>;

  before(async function () {
    requireTool(this, redisServerInstalled(), 'redis-server');
    redis = await startRedis();
    raw = createClient({ url: redis.url });
    await raw.connect();
  });
  after(async () => {
    for (const s of stores) await s.close();
    if (raw?.isOpen) raw.destroy();
    await redis?.stop();
  });
  beforeEach(async () => {
    settings = { responsesStoreSize: 3, responsesTtlSeconds: 60 };
    await raw.flushAll();
  });

  it('keeps a response with its conversation, visible from a second store (another instance)', async () => {
    const a = open();
    const b = open();
    assert.ok(await eventually(async () => a.available && b.available));
    await a.put(completedResponse('resp_1'), { turns: QUESTION, inputSystem: 'sys' });
    const got = await b.get('resp_1');
    assert.equal(got?.response.id, 'resp_1');
    assert.deepEqual(got?.conversation, {
      inputSystem: 'sys',
      turns: [...QUESTION, { role: 'assistant', content: [{ type: 'text', text: 'answer' }] }],
    });
    assert.equal(await b.delete('resp_1'), true);
    assert.equal(await a.get('resp_1'), undefined);
    assert.equal(await a.delete('resp_1'), false);
    assert.equal(await raw.zCard('cli2api:responses'), 0, 'the index forgets a deleted id');
  });

  it('sets the TTL as a Redis expiry, and the entry is gone after it', async () => {
    const s = open();
    assert.ok(await eventually(async () => s.available));
    await s.put(completedResponse('resp_long'), { turns: QUESTION, inputSystem: '' });
    const pttl = await raw.pTTL('cli2api:response:resp_long');
    assert.ok(pttl > 50_000 && pttl <= 60_000, `PTTL ${pttl}`);
    settings = { ...settings, responsesTtlSeconds: 0.3 };
    await s.put(completedResponse('resp_short'), { turns: QUESTION, inputSystem: '' });
    assert.ok(await eventually(async () => (await s.get('resp_short')) === undefined));
    assert.ok(await s.get('resp_long'));
  });

  it('keeps at most responsesStoreSize, dropping the oldest (keys and index), and nothing at size 0', async () => {
    const s = open();
    assert.ok(await eventually(async () => s.available));
    for (const id of ['a', 'b', 'c', 'd', 'e'])
      await s.put(completedResponse(id), { turns: QUESTION, inputSystem: '' });
    assert.equal(await s.get('a'), undefined);
    assert.equal(await s.get('b'), undefined);
    for (const id of ['c', 'd', 'e']) assert.ok(await s.get(id), id);
    assert.deepEqual(await raw.zRange('cli2api:responses', 0, -1), ['c', 'd', 'e']);
    assert.deepEqual((await raw.keys('cli2api:response:*')).sort(), [
      'cli2api:response:c',
      'cli2api:response:d',
      'cli2api:response:e',
    ]);
    settings = { ...settings, responsesStoreSize: 0 };
    await s.put(completedResponse('x'), { turns: QUESTION, inputSystem: '' });
    assert.equal(await s.get('x'), undefined);
  });

  it('fails with 503 store_unavailable while Redis is down, logs it once, and works again when it is back', async () => {
    const port = await freePort();
    const s = new RedisResponseStore(`redis://:pw@127.0.0.1:${port}`, () => settings, logger);
    stores.push(s);
    assert.equal(s.available, false);
    await assert.rejects(s.get('resp_1'), (e: { status?: number; code?: string }) => {
      return e.status === 503 && e.code === 'store_unavailable';
    });
    const ofThisStore = () => logLines.filter((l) => l.includes(`127.0.0.1:${port}`));
    // Several failed reconnects later, the outage is still one warning.
    assert.ok(await eventually(async () => ofThisStore().filter((l) => /ECONNREFUSED/.test(l)).length >= 3));
    assert.equal(ofThisStore().filter((l) => /WARN.*is unreachable/.test(l)).length, 1);
    assert.ok(!logLines.some((l) => l.includes(':pw@')), 'the password never reaches the log');
    const late = await startRedis(port, ['--requirepass', 'pw']);
    try {
      assert.ok(await eventually(async () => s.available), 'reconnects by itself');
      await s.put(completedResponse('resp_1'), { turns: QUESTION, inputSystem: '' });
      assert.ok(await s.get('resp_1'));
    } finally {
      await late.stop();
    }
    assert.ok(await eventually(async () => !s.available));
    await assert.rejects(s.put(completedResponse('resp_2'), { turns: QUESTION, inputSystem: '' }), { status: 503 });
  });
});

describe('a server whose Redis is unreachable', function () {
  this.timeout(60_000);
  let stack: Stack;
  let port: number;

  before(async function () {
    requireTool(this, redisServerInstalled(), 'redis-server');
    port = await freePort();
    stack = await startStack({ responsesStoreUrl: `redis://127.0.0.1:${port}` });
  });
  after(async () => {
    await stack?.stop();
  });

  it('answers Responses requests 503 store_unavailable before running the model, serves chat, and recovers', async () => {
    await assert.rejects(
      stack.openai.responses.create({ model: 'sonnet', input: 'hi' }),
      (e: unknown) =>
        e instanceof OpenAI.APIError && e.status === 503 && (e.error as { code?: string }).code === 'store_unavailable',
    );
    assert.equal(stack.fake.messageRequests.length, 0, 'no model request was spent');
    const chat = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'still here' }],
    });
    assert.equal(chat.choices[0]?.message.content, 'echo: still here');
    // store:false needs no store.
    const unstored = await stack.openai.responses.create({ model: 'sonnet', input: 'unstored', store: false });
    assert.equal(unstored.output_text, 'echo: unstored');
    const ready = (await (await fetch(`${stack.baseURL.replace(/\/v1$/, '')}/health/ready`)).json()) as {
      status: string;
      checks: { responsesStore: string };
    };
    assert.equal(ready.status, 'ready', 'a shared store being down does not make this instance unready');
    assert.equal(ready.checks.responsesStore, 'unreachable');

    const redis = await startRedis(port);
    try {
      const deadline = Date.now() + 15_000;
      let created: OpenAI.Responses.Response | undefined;
      while (!created && Date.now() < deadline) {
        created = await stack.openai.responses.create({ model: 'sonnet', input: 'now stored' }).catch(async (e) => {
          if (!(e instanceof OpenAI.APIError && e.status === 503)) throw e;
          await new Promise((r) => setTimeout(r, 100));
          return undefined;
        });
      }
      assert.ok(created, 'the store came back within 15 s');
      assert.equal(created.output_text, 'echo: now stored');
      const again = await stack.openai.responses.retrieve(created.id);
      assert.equal(again.output_text, 'echo: now stored');
    } finally {
      await redis.stop();
    }
    await stack.assertNoProcesses();
  });
});
