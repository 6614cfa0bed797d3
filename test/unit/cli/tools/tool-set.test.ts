/** Client tools → the CLI's MCP tools: names, schemas, instructions, and the way back. */
import assert from 'node:assert/strict';
import { adaptSchema, API_PREFIX, ToolSet } from '../../../../src/cli/tools/tool-set';

describe('client tools as MCP tools', () => {
  it('keeps object schemas ($defs, $ref, nested anyOf) unchanged', () => {
    const parameters = {
      type: 'object',
      $defs: { city: { type: 'string', minLength: 1 } },
      properties: { city: { $ref: '#/$defs/city' }, unit: { anyOf: [{ const: 'c' }, { const: 'f' }] } },
      required: ['city'],
      additionalProperties: false,
    };
    assert.deepEqual(adaptSchema(parameters), { schema: parameters, wrapped: false, constraint: undefined });
  });

  it('gives a schema without "type":"object" one, and an empty one an empty object', () => {
    assert.deepEqual(adaptSchema({ properties: { a: { type: 'number' } } }).schema, {
      type: 'object',
      properties: { a: { type: 'number' } },
    });
    assert.deepEqual(adaptSchema(undefined).schema, { type: 'object', properties: {} });
  });

  it('drops a top-level combinator from an object schema but keeps it in the description', () => {
    const tools = new ToolSet({
      tools: [
        {
          name: 'run',
          description: 'Run.',
          parameters: {
            type: 'object',
            properties: { command: { type: 'string' } },
            oneOf: [{ required: ['command'] }],
          },
        },
      ],
    });
    const tool = tools.mcpTools[0]!;
    assert.equal('oneOf' in tool.inputSchema, false);
    assert.match(tool.description, /must also satisfy: \{"oneOf":\[\{"required":\["command"\]\}\]\}/);
  });

  it('wraps a non-object schema as {value} and unwraps the arguments', () => {
    const tools = new ToolSet({
      tools: [{ name: 'pick', parameters: { anyOf: [{ type: 'string' }, { type: 'number' }] } }],
    });
    assert.deepEqual(tools.mcpTools[0]!.inputSchema, {
      type: 'object',
      properties: { value: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
      required: ['value'],
    });
    assert.equal(tools.argumentsOut(`${API_PREFIX}pick`, { value: 42 }), 42);
    assert.deepEqual(
      tools.turnsIn([{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'pick', input: 'x' }] }])[0]!
        .content[0],
      {
        type: 'tool_use',
        id: 't',
        name: `${API_PREFIX}pick`,
        input: { value: 'x' },
      },
    );
  });

  it('makes names safe and unique, and maps them back exactly', () => {
    const tools = new ToolSet({ tools: [{ name: 'fs.read' }, { name: 'fs_read' }, { name: 'ünïcode tool' }] });
    const names = tools.mcpTools.map((t) => t.name);
    assert.equal(new Set(names).size, 3);
    for (const n of names) assert.match(n, /^[a-zA-Z0-9_-]+$/);
    assert.equal(tools.clientName(`${API_PREFIX}${names[0]}`), 'fs.read');
    assert.equal(tools.clientName(`${API_PREFIX}${names[1]}`), 'fs_read');
    assert.equal(tools.clientName(`${API_PREFIX}${names[2]}`), 'ünïcode tool');
  });

  it('moves a description over the CLI limit into the system prompt', () => {
    const long = 'x'.repeat(5000);
    const tools = new ToolSet({ tools: [{ name: 'big', description: long }] });
    assert.ok(tools.mcpTools[0]!.description.length <= 2048);
    assert.ok(tools.systemAddendum.includes(long));
  });

  it('states tool_choice and parallel_tool_calls as instructions', () => {
    const base = { tools: [{ name: 'get_weather' }] };
    assert.match(new ToolSet({ ...base, toolChoice: 'required' }).systemAddendum, /must call at least one/);
    assert.match(
      new ToolSet({ ...base, toolChoice: { name: 'get_weather' } }).systemAddendum,
      new RegExp(`must call the tool ${API_PREFIX}get_weather`),
    );
    assert.match(new ToolSet({ ...base, parallelToolCalls: false }).systemAddendum, /at most one tool/);
    assert.equal(new ToolSet({ ...base, toolChoice: 'auto' }).systemAddendum, '');
  });
});
