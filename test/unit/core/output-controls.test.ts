import assert from 'node:assert/strict';
import { effortFrom, jsonSchemaFrom, stopSequences } from '../../../src/core/output-controls';

describe('output controls', () => {
  it('takes stop as a string or a list', () => {
    assert.deepEqual(stopSequences('\n\n'), ['\n\n']);
    assert.deepEqual(stopSequences(['a', '', 'b']), ['a', 'b']);
    assert.equal(stopSequences(['']), undefined);
    assert.equal(stopSequences(null), undefined);
  });

  it("maps OpenAI's reasoning efforts to the CLI's --effort, refusing unknown ones", () => {
    assert.equal(effortFrom('minimal', 'reasoning_effort'), 'low');
    assert.equal(effortFrom('none', 'reasoning_effort'), 'low');
    assert.equal(effortFrom('HIGH', 'reasoning_effort'), 'high');
    assert.equal(effortFrom('xhigh', 'reasoning_effort'), 'xhigh');
    assert.equal(effortFrom(undefined, 'reasoning_effort'), undefined);
    assert.throws(
      () => effortFrom('extreme', 'reasoning.effort'),
      (e: { status: number; param: string }) => e.status === 400 && e.param === 'reasoning.effort',
    );
  });

  it('turns response_format and text.format into the schema for --json-schema', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    assert.deepEqual(
      jsonSchemaFrom({ type: 'json_schema', json_schema: { name: 'x', schema } }, 'response_format'),
      schema,
    );
    assert.deepEqual(jsonSchemaFrom({ type: 'json_schema', schema }, 'text.format'), schema);
    // zod 4's dialect line would make the CLI drop its StructuredOutput tool.
    const dialect = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema };
    assert.deepEqual(
      jsonSchemaFrom({ type: 'json_schema', json_schema: { name: 'x', schema: dialect } }, 'response_format'),
      schema,
    );
    assert.deepEqual(jsonSchemaFrom({ type: 'json_object' }, 'response_format'), { type: 'object' });
    assert.equal(jsonSchemaFrom({ type: 'text' }, 'response_format'), undefined);
    assert.throws(
      () => jsonSchemaFrom({ type: 'json_schema', json_schema: { schema: { type: 'array' } } }, 'response_format'),
      (e: { status: number }) => e.status === 400,
    );
  });
});
