/** zod validation: the 400 names the offending field the way OpenAI does. */
import assert from 'node:assert/strict';
import { z } from 'zod';
import { formatPath, validate } from '../../../src/core/validate';

const schema = z.object({
  model: z.string().default('sonnet'),
  messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() })),
});

type Failure = { status: number; code: string; param: string | null; message: string };

describe('validate', () => {
  it('writes paths as OpenAI names parameters', () => {
    assert.equal(formatPath(['messages', 0, 'content']), 'messages[0].content');
    assert.equal(formatPath(['input', 2, 'content', 0, 'image_url']), 'input[2].content[0].image_url');
    assert.equal(formatPath(['a', 0, 1]), 'a[0][1]');
    assert.equal(formatPath([]), '');
  });

  it('returns the parsed value, defaults applied', () => {
    assert.deepEqual(validate(schema, { messages: [] }), { model: 'sonnet', messages: [] });
  });

  it('refuses with a 400 invalid_value whose param is the field at fault', () => {
    assert.throws(
      () =>
        validate(schema, {
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'user', content: 3 },
          ],
        }),
      (e: Failure) =>
        e.status === 400 &&
        e.code === 'invalid_value' &&
        e.param === 'messages[1].content' &&
        e.message.startsWith("Invalid value for 'messages[1].content': "),
    );
  });

  it('lists the allowed values of an enum', () => {
    assert.throws(
      () => validate(schema, { messages: [{ role: 'robot', content: 'hi' }] }),
      (e: Failure) => e.param === 'messages[0].role' && e.message.endsWith('expected one of "user", "assistant"'),
    );
  });

  it('names the body when the body itself is wrong', () => {
    assert.throws(
      () => validate(schema, 'not an object'),
      (e: Failure) => e.status === 400 && e.param === null && e.message.startsWith("Invalid value for 'body': "),
    );
  });
});
