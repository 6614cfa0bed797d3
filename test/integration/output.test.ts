/**
 * What shapes the answer, end to end through the real CLI: stop sequences end the output
 * (and the CLI run) early, output limits reach the model and end in finish_reason "length"
 * at the first max_tokens stop, and reasoning effort becomes the CLI's --effort.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type OpenAI from 'openai';
import { zodResponseFormat, zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { type FakeReply, lastUserText, type RecordedRequest } from '../support/fake-anthropic';
import { useStack } from '../support/stack';
import { gate } from '../support/wait';

/** A model that answers through the CLI's StructuredOutput tool when it is offered (after some prose). */
function structuredModel(input: unknown) {
  return (req: RecordedRequest): FakeReply => {
    const tool = (req.body.tools ?? []).find((t) => t.name === 'StructuredOutput');
    if (!tool) return { kind: 'message', blocks: [{ type: 'text', text: 'no tool offered' }] };
    return {
      kind: 'message',
      blocks: [
        { type: 'text', text: 'Here it is:' },
        { type: 'tool_use', name: tool.name, input },
      ],
    };
  };
}

describe('stop, output limits and effort through the real CLI', function () {
  this.timeout(60_000);
  const stack = useStack({ defaultEffort: 'medium' });

  const words = (text: string) => text.split(/(?<= )/);

  describe('stop sequences', () => {
    it('ends a chat answer before the first stop sequence with finish_reason stop, without waiting for the rest', async () => {
      const text = 'alpha beta END gamma delta epsilon zeta eta theta iota kappa';
      const rest = gate();
      // After "END" the fake holds the rest of the answer until the test is over: the answer can
      // only arrive if the run was ended at the stop sequence.
      stack.fake.reply({
        kind: 'message',
        blocks: [{ type: 'text', text, chunks: words(text) }],
        beforeDelta: (n) => (n > 2 ? rest.promise : undefined),
      });
      try {
        const completion = await stack.openai.chat.completions.create({
          model: 'sonnet',
          messages: [{ role: 'user', content: 'go' }],
          stop: ['END', 'never'],
        });
        assert.equal(completion.choices[0]?.message.content, 'alpha beta ');
        assert.equal(completion.choices[0]?.finish_reason, 'stop');
      } finally {
        rest.open();
      }
    });

    it('streams up to a stop sequence split across deltas, then one finish chunk and [DONE]', async () => {
      stack.fake.reply({
        kind: 'message',
        blocks: [{ type: 'text', text: 'one two</st' + 'op> three', chunks: ['one ', 'two</st', 'op> three'] }],
      });
      const stream = await stack.openai.chat.completions.create({
        model: 'sonnet',
        stream: true,
        messages: [{ role: 'user', content: 'go' }],
        stop: '</stop>',
      });
      let content = '';
      const finishes: string[] = [];
      for await (const chunk of stream) {
        content += chunk.choices[0]?.delta.content ?? '';
        if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      }
      assert.equal(content, 'one two');
      assert.deepEqual(finishes, ['stop']);
    });

    it('ends a Responses answer at a stop sequence as completed', async () => {
      stack.fake.reply({
        kind: 'message',
        blocks: [{ type: 'text', text: 'keep this\n\ndrop this', chunks: ['keep this', '\n\ndrop', ' this'] }],
      });
      // `stop` is not in the SDK's Responses types: clients that share code with Chat Completions send it anyway.
      const response = await stack.openai.responses.create({
        model: 'sonnet',
        input: 'go',
        stop: '\n\n',
      } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
      assert.equal(response.status, 'completed');
      assert.equal(response.output_text, 'keep this');
    });
  });

  describe('output limits', () => {
    it('sends max_completion_tokens to the model and reports its max_tokens stop as finish_reason length, without the CLI retrying', async () => {
      stack.fake.handle(() => ({
        kind: 'message',
        blocks: [{ type: 'text', text: 'This answer was cut' }],
        stopReason: 'max_tokens',
        usage: { input_tokens: 10, output_tokens: 50 },
      }));
      const completion = await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'write a lot' }],
        max_completion_tokens: 50,
      });
      assert.equal(completion.choices[0]?.finish_reason, 'length');
      assert.equal(completion.choices[0]?.message.content, 'This answer was cut');
      assert.equal(completion.usage?.completion_tokens, 50);
      // Counted once the CLI is gone (and a request it had sent could have arrived): its continuation never went out.
      await stack.assertNoProcesses();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(stack.fake.messageRequests.length, 1, 'the first max_tokens stop ends the run');
      assert.equal(stack.fake.messageRequests[0]!.body.max_tokens, 50);
      // 2.1.332 leaves its messaging socket behind when killed; CLI2API removes it.
      const pids = stack.logLines.flatMap((l) => /spawned claude pid=(\d+)/.exec(l)?.[1] ?? []);
      const left = pids.map((pid) => path.join(os.tmpdir(), 'cc-socks', `${pid}.sock`)).filter((f) => fs.existsSync(f));
      assert.deepEqual(left, [], 'no socket file of a killed CLI is left');
    });

    it('sends a limit too small for a thinking budget with thinking off, as the API requires', async () => {
      // claude-sonnet-4-5 thinks with a budget (both CLIs); the API takes no budget under 1024 or above max_tokens.
      const completion = await stack.openai.chat.completions.create({
        model: 'claude-sonnet-4-5',
        messages: [{ role: 'user', content: 'briefly' }],
        max_completion_tokens: 300,
      });
      assert.equal(completion.choices[0]?.message.content, 'echo: briefly');
      const sent = stack.fake.messageRequests[0]!.body;
      assert.equal(sent.max_tokens, 300);
      assert.deepEqual(sent.thinking, { type: 'disabled' });
    });

    it('streams a cut answer with finish_reason length (max_tokens)', async () => {
      stack.fake.handle(() => ({
        kind: 'message',
        blocks: [{ type: 'text', text: 'cut here' }],
        stopReason: 'max_tokens',
      }));
      const stream = await stack.openai.chat.completions.create({
        model: 'sonnet',
        stream: true,
        messages: [{ role: 'user', content: 'go' }],
        max_tokens: 7,
      });
      let content = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        content += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(content, 'cut here');
      assert.equal(finish, 'length');
      assert.equal(stack.fake.messageRequests[0]!.body.max_tokens, 7);
    });

    it('sends max_output_tokens to the model and reports the cut Responses answer as incomplete', async () => {
      stack.fake.handle(() => ({
        kind: 'message',
        blocks: [{ type: 'text', text: 'partial' }],
        stopReason: 'max_tokens',
      }));
      const response = await stack.openai.responses.create({ model: 'sonnet', input: 'go', max_output_tokens: 16 });
      assert.equal(response.status, 'incomplete');
      assert.deepEqual(response.incomplete_details, { reason: 'max_output_tokens' });
      assert.equal(response.output_text, 'partial');
      assert.equal(response.max_output_tokens, 16);
      assert.equal(
        stack.fake.messageRequests.length,
        1,
        `one API call; the model was asked: ${JSON.stringify(stack.fake.messageRequests.map((r) => [r.body.max_tokens, lastUserText(r.body).slice(0, 200)]))}`,
      );
      assert.equal(stack.fake.messageRequests[0]!.body.max_tokens, 16);
    });
  });

  describe('reasoning effort', () => {
    it('passes reasoning_effort to the CLI as --effort (minimal becomes low)', async () => {
      await stack.openai.chat.completions.create({
        model: 'opus',
        messages: [{ role: 'user', content: 'hi' }],
        reasoning_effort: 'minimal',
      });
      assert.deepEqual(stack.fake.messageRequests[0]!.body.output_config, { effort: 'low' });
    });

    it('passes reasoning.effort of a Responses request', async () => {
      await stack.openai.responses.create({ model: 'opus', input: 'hi', reasoning: { effort: 'high' } });
      assert.deepEqual(stack.fake.messageRequests[0]!.body.output_config, { effort: 'high' });
    });

    it('uses the defaultEffort setting when a request names none', async () => {
      await stack.openai.chat.completions.create({ model: 'opus', messages: [{ role: 'user', content: 'hi' }] });
      assert.deepEqual(stack.fake.messageRequests[0]!.body.output_config, { effort: 'medium' });
    });

    it('refuses an unknown effort with a 400 naming the field', async () => {
      await assert.rejects(
        stack.openai.chat.completions.create({
          model: 'opus',
          messages: [{ role: 'user', content: 'hi' }],
          reasoning_effort: 'extreme' as 'high',
        }),
        (e: { status: number; param?: string }) => e.status === 400 && e.param === 'reasoning_effort',
      );
    });
  });

  describe('structured output', () => {
    const Weather = z.object({ city: z.string(), celsius: z.number() });

    it("answers response_format json_schema with the validated JSON as content (the SDK's parse helper)", async () => {
      stack.fake.handle(structuredModel({ city: 'Paris', celsius: 21 }));
      const completion = await stack.openai.chat.completions.parse({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        response_format: zodResponseFormat(Weather, 'weather'),
      });
      const message = completion.choices[0]!.message;
      assert.deepEqual(message.parsed, { city: 'Paris', celsius: 21 });
      assert.equal(
        message.content,
        '{"city":"Paris","celsius":21}',
        "the model's prose is not part of the JSON answer",
      );
      assert.equal(completion.choices[0]!.finish_reason, 'stop');
      assert.equal(message.tool_calls?.length ?? 0, 0, 'the CLI-internal tool never reaches the client');
      const offered = stack.fake.messageRequests[0]!.body.tools!.find((t) => t.name === 'StructuredOutput');
      assert.deepEqual((offered?.input_schema as { required?: string[] }).required, ['city', 'celsius']);
    });

    it('streams the JSON answer of json_object as content, ending with finish_reason stop', async () => {
      stack.fake.handle(structuredModel({ ok: true }));
      const stream = await stack.openai.chat.completions.create({
        model: 'sonnet',
        stream: true,
        messages: [{ role: 'user', content: 'json please' }],
        response_format: { type: 'json_object' },
      });
      let content = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        content += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        assert.equal(chunk.choices[0]?.delta.tool_calls, undefined);
      }
      assert.deepEqual(JSON.parse(content), { ok: true });
      assert.equal(finish, 'stop');
    });

    it('answers text.format json_schema of a Responses request', async () => {
      stack.fake.handle(structuredModel({ city: 'Oslo', celsius: -3 }));
      const response = await stack.openai.responses.parse({
        model: 'sonnet',
        input: 'Weather in Oslo?',
        text: { format: zodTextFormat(Weather, 'weather') },
      });
      assert.equal(response.status, 'completed');
      assert.deepEqual(response.output_parsed, { city: 'Oslo', celsius: -3 });
    });

    it('answers 422 structured_output_failed when the model never gives valid JSON', async () => {
      stack.fake.handle(structuredModel({ city: 5 }));
      await assert.rejects(
        stack.openai.chat.completions.create({
          model: 'sonnet',
          messages: [{ role: 'user', content: 'x' }],
          response_format: zodResponseFormat(Weather, 'weather'),
        }),
        (e: { status: number; code?: string; message: string }) =>
          e.status === 422 && e.code === 'structured_output_failed' && /response_format/.test(e.message),
      );
    });

    it('refuses a schema whose top level is not an object with a 400', async () => {
      await assert.rejects(
        stack.openai.chat.completions.create({
          model: 'sonnet',
          messages: [{ role: 'user', content: 'x' }],
          response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } },
        }),
        (e: { status: number }) => e.status === 400,
      );
    });
  });
});
