/** Parsing the CLI's stream-json lines: never throwing, keeping undeclared fields, tolerating new line types. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCliLine } from '../../../src/cli/events';
import { recorded } from '../../support/recorded';

const FIXTURES = path.join(__dirname, '../../fixtures/cli');

describe('CLI lines', () => {
  it('parses every line the real CLI printed, each as its own type', () => {
    const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.jsonl'));
    assert.ok(files.length >= 5);
    for (const file of files) {
      const raws = fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\n').filter(Boolean);
      for (const [i, raw] of raws.entries()) {
        const parsed = parseCliLine(raw);
        assert.ok(parsed.ok, `${file}:${i + 1}: ${parsed.ok ? '' : parsed.reason}`);
        assert.equal(parsed.line.type, (JSON.parse(raw) as { type: string }).type, `${file}:${i + 1}`);
      }
    }
  });

  it('keeps fields it does not declare', () => {
    const parsed = parseCliLine(
      '{"type":"result","subtype":"success","is_error":false,"result":"Hi","ttft_ms":29,"usage":{"output_tokens":2,"server_tool_use":{}}}',
    );
    assert.ok(parsed.ok && parsed.line.type === 'result');
    assert.equal((parsed.line as { ttft_ms?: number }).ttft_ms, 29);
    assert.deepEqual(parsed.line.usage, { output_tokens: 2, server_tool_use: {} });
  });

  it('reports what is not JSON, or has no type, without throwing', () => {
    assert.deepEqual(parseCliLine('Loading…'), { ok: false, raw: 'Loading…', reason: 'not JSON' });
    assert.deepEqual(parseCliLine(''), { ok: false, raw: '', reason: 'not JSON' });
    for (const raw of ['{"no_type":1}', '[1,2]', 'null', '{"type":5}']) {
      const parsed = parseCliLine(raw);
      assert.equal(parsed.ok, false, raw);
      assert.ok(!parsed.ok && parsed.raw === raw && parsed.reason.length > 0, raw);
    }
  });

  it('parses an unknown line type as "other", naming the original type', () => {
    const parsed = parseCliLine('{"type":"command_lifecycle","state":"completed"}');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.line, { type: 'other', originalType: 'command_lifecycle', state: 'completed' });
  });

  it('parses the rate_limit_event lines of both CLI versions (recorded)', () => {
    for (const version of ['2.1.197', '2.1.332']) {
      const lines = recorded(`rate-limit-events-${version}`);
      assert.ok(lines.length > 0);
      for (const line of lines) {
        assert.equal(line.type, 'rate_limit_event', `${version}: ${JSON.stringify(line)}`);
        assert.ok(line.type === 'rate_limit_event' && typeof line.rate_limit_info.status === 'string');
      }
    }
    const [first] = recorded('rate-limit-events-2.1.332');
    assert.ok(first?.type === 'rate_limit_event');
    assert.equal(first.rate_limit_info.unifiedWindows?.seven_day?.utilization, 0.1);
  });

  it('keeps a rate_limit_event of an unexpected shape as "other" rather than failing the answer, and says so', () => {
    const parsed = parseCliLine('{"type":"rate_limit_event","rate_limit_info":{"resetsAt":"soon"}}');
    assert.ok(!parsed.ok && parsed.knownType === 'rate_limit_event', 'reported (ClaudeProcess logs a warning)');
    assert.equal(parsed.fallback?.type, 'other', 'and read on as an ignored line');
  });

  it('parses a result line by its fields, whatever their order (2.1.332 starts it with duration_api_ms)', () => {
    const parsed = parseCliLine(
      '{"duration_api_ms":12,"stop_reason":"end_turn","session_id":"s","total_cost_usd":0.001,"is_error":false,' +
        '"num_turns":1,"subtype":"success","result":"Hi","type":"result","duration_ms":30}',
    );
    assert.ok(parsed.ok && parsed.line.type === 'result');
    assert.equal(parsed.line.result, 'Hi');
    assert.equal(parsed.line.is_error, false);
  });

  it('reports a line of a known type that lacks what CLI2API reads, instead of ignoring it as "other"', () => {
    const parsed = parseCliLine('{"type":"result","subtype":"success","result":"Hi"}');
    assert.ok(!parsed.ok);
    assert.equal(parsed.knownType, 'result');
    assert.match(parsed.reason, /^a "result" line without what CLI2API reads \(is_error: /);
    assert.equal(parsed.fallback, undefined, 'an answer cannot be read without its result: the request fails');
    const assistant = parseCliLine('{"type":"assistant","message":{"content":"text"}}');
    assert.ok(!assistant.ok && assistant.knownType === 'assistant');
    assert.match(assistant.reason, /message\.content/);
    // The answer does not depend on it: reported, then set aside as an "other" line.
    assert.equal(assistant.fallback?.type, 'other');
    const usage = parseCliLine('{"type":"rate_limit_event","rate_limit_info":{"resetsAt":1}}');
    assert.ok(!usage.ok && usage.knownType === 'rate_limit_event');
    assert.deepEqual(usage.fallback, {
      type: 'other',
      originalType: 'rate_limit_event',
      rate_limit_info: { resetsAt: 1 },
    });
  });

  it('parses control requests with their MCP message, and control responses', () => {
    const message = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_weather' } };
    const parsed = parseCliLine(
      JSON.stringify({
        type: 'control_request',
        request_id: 'req-7',
        request: { subtype: 'mcp_message', server_name: 'c', message },
      }),
    );
    assert.ok(parsed.ok && parsed.line.type === 'control_request');
    assert.equal(parsed.line.request_id, 'req-7');
    assert.equal(parsed.line.request.subtype, 'mcp_message');
    assert.deepEqual((parsed.line.request as { message?: unknown }).message, message);
    const response = parseCliLine(
      '{"type":"control_response","response":{"subtype":"error","request_id":"init","error":"bad"}}',
    );
    assert.ok(response.ok && response.line.type === 'control_response');
    assert.equal(response.line.response.error, 'bad');
  });
});
