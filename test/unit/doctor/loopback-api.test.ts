import assert from 'node:assert/strict';
import { LoopbackApi } from '../../../src/doctor/loopback-api';

interface Event {
  type: string;
  delta?: { text?: string; stop_reason?: string };
}

describe("the doctor's loopback Messages API", () => {
  const api = new LoopbackApi();
  before(() => api.start());
  after(() => api.stop());

  const post = (body: unknown, beta = '') =>
    fetch(`${api.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-beta': beta },
      body: JSON.stringify(body),
    });

  it('listens on 127.0.0.1 only', () => {
    assert.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses what the real API refuses, with its 400 invalid_request_error, and records the reason', async () => {
    api.script(() => ({ blocks: [{ type: 'text', text: 'never sent' }] }));
    const res = await post(
      {
        model: 'm',
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: [] },
        ],
      },
      'per-turn-control-2026-07-01',
    );
    assert.equal(res.status, 400);
    const message =
      'messages.1: all messages must have non-empty content except for the optional final assistant message';
    assert.deepEqual(await res.json(), { type: 'error', error: { type: 'invalid_request_error', message } });
    assert.equal(api.requests[0]?.refusal, message);
  });

  it('streams the scripted reply as the real API does: events in order, text in its chunks, the stop reason', async () => {
    api.script(() => ({ blocks: [{ type: 'text', text: 'abc', chunks: ['a', 'bc'] }], stopReason: 'max_tokens' }));
    const res = await post({ model: 'm', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((frame) => JSON.parse(frame.split('\n')[1]!.slice('data: '.length)) as Event);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta?.text),
      ['a', 'bc'],
    );
    assert.equal(events[5]!.delta?.stop_reason, 'max_tokens');
    assert.equal(api.requests.length, 1);
    assert.equal(api.requests[0]!.refusal, undefined);
  });

  it('answers a tool call as JSON when not streaming', async () => {
    api.script(() => ({
      blocks: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
    }));
    const res = await post({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'weather?' }] });
    const body = (await res.json()) as { stop_reason: string; content: unknown };
    assert.equal(body.stop_reason, 'tool_use');
    assert.deepEqual(body.content, [
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
  });
});
