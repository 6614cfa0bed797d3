/** Validation and input-item translation of Responses API requests. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../src/core/api-error';
import { outputTurn, planResponses, type StoredConversation } from '../../../src/openai/responses-request';
import { responsesRequestSchema } from '../../../src/openai/responses-schema';
import { validate } from '../../../src/core/validate';

const plan = (body: unknown, previous?: StoredConversation) =>
  planResponses(validate(responsesRequestSchema, body), 'sonnet', previous);

function rejects(fn: () => unknown, status: number, param?: string | null, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.status, status);
    if (param !== undefined) assert.equal(e.param, param);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const weather = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather by city',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
};

describe('responses request translation', () => {
  it('takes a string input as one user turn, instructions as the system prompt, and defaults', () => {
    const p = plan({ input: 'Hi', instructions: 'Be brief.' });
    assert.equal(p.request.model, 'sonnet');
    assert.equal(p.request.system, 'Be brief.');
    assert.deepEqual(p.request.turns, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    assert.equal(p.stream, false);
    assert.equal(p.store, true, 'OpenAI stores responses unless told not to');
    assert.deepEqual(p.request.tools, []);
    assert.equal(p.echo.instructions, 'Be brief.');
    assert.equal(p.echo.parallel_tool_calls, true);
    assert.equal(p.echo.tool_choice, 'auto');
  });

  it('tolerates what clients send but the CLI cannot use, and echoes it', () => {
    const p = plan({
      model: 'opus',
      input: 'x',
      stream: true,
      store: false,
      max_output_tokens: 500,
      reasoning: { effort: 'high', summary: 'auto' },
      metadata: { run: '1' },
      include: ['reasoning.encrypted_content'],
      text: { format: { type: 'text' }, verbosity: 'low' },
      truncation: 'auto',
      user: 'u1',
      prompt_cache_key: 'k',
      service_tier: 'auto',
      some_future_field: { a: 1 },
    });
    assert.equal(p.request.model, 'opus');
    assert.equal(p.stream, true);
    assert.equal(p.store, false);
    assert.deepEqual(p.echo.reasoning, { effort: 'high', summary: 'auto' });
    assert.equal(p.echo.max_output_tokens, 500);
    assert.deepEqual(p.echo.metadata, { run: '1' });
    assert.equal(p.echo.truncation, 'auto');
  });

  it('keeps every item as a turn with its role: parts, function calls and their outputs', () => {
    const png = 'iVBORw0KGgo=';
    const p = plan({
      instructions: 'Rules.',
      input: [
        { role: 'developer', content: 'Dev rules.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather?' },
            { type: 'input_image', image_url: `data:image/png;base64,${png}`, detail: 'auto' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_1',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
          status: 'completed',
        },
        { type: 'function_call_output', call_id: 'call_1', output: '18C' },
        { role: 'user', content: 'Thanks. Tomorrow?' },
      ],
    });
    assert.equal(p.request.system, 'Rules.\n\nDev rules.', 'instructions come before leading system/developer text');
    assert.equal(p.inputSystem, 'Dev rules.');
    assert.deepEqual(p.request.turns, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
          { type: 'text', text: 'Thanks. Tomorrow?' },
        ],
      },
    ]);
  });

  it('maps flat function tools, tool_choice and parallel_tool_calls', () => {
    const p = plan({
      input: 'x',
      tools: [weather],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
    });
    assert.deepEqual(p.request.tools, [
      { name: 'get_weather', description: 'Weather by city', parameters: weather.parameters },
    ]);
    assert.deepEqual(p.request.toolChoice, { name: 'get_weather' });
    assert.equal(p.request.parallelToolCalls, false);
    assert.deepEqual(p.echo.tools, [{ ...weather, strict: null }]);
    for (const choice of ['auto', 'none', 'required'] as const)
      assert.equal(plan({ input: 'x', tools: [weather], tool_choice: choice }).request.toolChoice, choice);
    assert.equal(plan({ input: 'x' }).request.toolChoice, undefined);
  });

  it('leaves hosted tools out, refuses unknown tool types with a 400 that names the type and its index', () => {
    for (const type of ['web_search', 'web_search_preview', 'file_search', 'computer_use_preview', 'mcp']) {
      const p = plan({ input: 'x', tools: [weather, { type }] });
      assert.deepEqual(
        p.request.tools?.map((t) => t.name),
        ['get_weather'],
      );
      assert.deepEqual(p.leftOutTools, [`${type} (tools[1])`]);
    }
    rejects(
      () => plan({ input: 'x', tools: [weather, { type: 'shell' }] }),
      400,
      'tools[1].type',
      /'shell' is not supported/,
    );
    rejects(() => plan({ input: 'x', tools: [{ type: 'function' }] }), 400, 'tools[0].name');
  });

  it('refuses a tool_choice it cannot honour', () => {
    rejects(() => plan({ input: 'x', tool_choice: 'required' }), 400, 'tool_choice');
    rejects(
      () => plan({ input: 'x', tools: [weather], tool_choice: { type: 'function', name: 'other' } }),
      400,
      'tool_choice.name',
    );
    rejects(
      () => plan({ input: 'x', tools: [weather, { type: 'file_search' }], tool_choice: { type: 'file_search' } }),
      400,
      'tool_choice',
      /forces the hosted tool 'file_search'/,
    );
    rejects(() => plan({ input: 'x', tools: [{ type: 'web_search' }], tool_choice: 'required' }), 400, 'tool_choice');
  });

  it('continues a stored conversation: earlier turns first, new instructions only, late system text in place', () => {
    const previous: StoredConversation = {
      inputSystem: 'Dev rules.',
      turns: [
        { role: 'user', content: [{ type: 'text', text: 'q1' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'a1' }] },
      ],
    };
    const p = plan(
      {
        instructions: 'New rules.',
        input: [
          { role: 'developer', content: 'Be formal now.' },
          { role: 'user', content: 'q2' },
        ],
      },
      previous,
    );
    assert.equal(p.request.system, 'New rules.\n\nDev rules.');
    assert.equal(p.inputSystem, 'Dev rules.');
    assert.deepEqual(p.request.turns, [
      { role: 'user', content: [{ type: 'text', text: 'q1' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'a1' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-message>\nBe formal now.\n</system-message>' },
          { type: 'text', text: 'q2' },
        ],
      },
    ]);
    assert.equal(previous.turns.length, 2, 'the stored conversation is not changed');
  });

  it('turns a response output back into the assistant turn that continues the conversation', () => {
    const turn = outputTurn([
      { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'hmm' }] },
      {
        id: 'msg_1',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Let me check.', annotations: [], logprobs: [] }],
      },
      {
        id: 'fc_1',
        type: 'function_call',
        status: 'completed',
        call_id: 'toolu_1',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
      },
    ]);
    assert.deepEqual(turn, {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    });
  });

  it('rejects what it cannot serve with a 400 naming the parameter', () => {
    rejects(() => plan({}), 400, 'input');
    rejects(() => plan({ input: [] }), 400, 'input');
    rejects(
      () =>
        plan({
          input: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: 'prefill' },
          ],
        }),
      400,
      'input',
    );
    rejects(
      () => plan({ input: [{ type: 'item_reference', id: 'msg_1' }] }),
      400,
      'input[0].type',
      /'function_call_output'/,
    );
    rejects(() => plan({ input: [{ role: 'tool', content: 'x' }] }), 400, 'input[0].role');
    rejects(
      () =>
        plan({
          input: [
            { type: 'function_call', call_id: 'c', name: 'f', arguments: '{bad' },
            { role: 'user', content: 'x' },
          ],
        }),
      400,
      'input[0].arguments',
    );
    rejects(
      () =>
        plan({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }] }),
      400,
      'input[0].content[0]',
    );
    rejects(
      () => plan({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }),
      400,
      'input[0].content[0]',
    );
    rejects(() => plan({ input: 'x', conversation: 'conv_1' }), 400, 'conversation');
    rejects(() => plan({ input: 'x', background: true }), 400, 'background');
    rejects(() => plan({ input: 'x', temperature: 'hot' }), 400, 'temperature');
    rejects(() => plan({ input: 'x', tools: 'all' }), 400, 'tools');
  });

  it('plans max_output_tokens, reasoning.effort and stop', () => {
    const p = planResponses(
      validate(responsesRequestSchema, {
        input: 'hi',
        max_output_tokens: 64,
        reasoning: { effort: 'low' },
        stop: ['a'],
      }),
      'sonnet',
    );
    assert.equal(p.request.maxOutputTokens, 64);
    assert.equal(p.request.effort, 'low');
    assert.deepEqual(p.request.stop, ['a']);
  });
});

describe('responses request translation: tools Codex sends', () => {
  const spawn = {
    type: 'function',
    name: 'spawn_agent',
    description: 'Spawn a sub-agent.',
    parameters: { type: 'object', properties: { message: { type: 'string' } } },
  };
  const agents = { type: 'namespace', name: 'multi_agent_v1', description: 'Sub-agents.', tools: [spawn] };

  it('offers the functions of a namespace tool as ordinary tools and maps namespaced calls in the history', () => {
    const p = plan({
      input: [
        { role: 'user', content: 'go' },
        {
          type: 'function_call',
          call_id: 'c1',
          name: 'spawn_agent',
          namespace: 'multi_agent_v1',
          arguments: '{"message":"hi"}',
        },
        { type: 'function_call_output', call_id: 'c1', output: 'agent a1' },
      ],
      tools: [weather, agents, { type: 'web_search', external_web_access: false }],
    });
    assert.deepEqual(p.request.tools, [
      { name: 'get_weather', description: 'Weather by city', parameters: weather.parameters },
      {
        name: 'spawn_agent',
        description: 'Spawn a sub-agent.\n\n(Part of multi_agent_v1: Sub-agents.)',
        parameters: spawn.parameters,
      },
    ]);
    assert.deepEqual(p.toolNames.callee('spawn_agent'), {
      kind: 'function',
      name: 'spawn_agent',
      namespace: 'multi_agent_v1',
    });
    assert.deepEqual(p.request.turns[1], {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'c1', name: 'spawn_agent', input: { message: 'hi' } }],
    });
    assert.deepEqual(p.leftOutTools, ['web_search (tools[2])']);
    assert.equal((p.echo.tools as Array<{ type: string }>)[1]?.type, 'namespace', 'the response echoes the tools sent');
  });

  it("gives a namespaced tool Codex's flat name namespace__name when another tool has its plain name", () => {
    const p = plan({ input: 'x', tools: [{ ...weather, name: 'spawn_agent' }, agents] });
    assert.deepEqual(
      p.request.tools?.map((t) => t.name),
      ['spawn_agent', 'multi_agent_v1__spawn_agent'],
    );
    assert.deepEqual(p.toolNames.callee('spawn_agent'), { kind: 'function', name: 'spawn_agent' });
    assert.deepEqual(p.toolNames.callee('multi_agent_v1__spawn_agent'), {
      kind: 'function',
      name: 'spawn_agent',
      namespace: 'multi_agent_v1',
    });
    assert.deepEqual(
      plan({ input: 'x', tools: [agents], tool_choice: { type: 'function', name: 'spawn_agent' } }).request.toolChoice,
      {
        name: 'spawn_agent',
      },
    );
  });

  it('offers a custom (freeform) tool as one string argument that carries its grammar, and maps its calls', () => {
    const patch = {
      type: 'custom',
      name: 'apply_patch',
      description: 'Edit files.',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: "*** Begin Patch" ...' },
    };
    const p = plan({
      input: [
        { role: 'user', content: 'edit' },
        { type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' },
        { type: 'custom_tool_call_output', call_id: 'c2', output: 'Done' },
      ],
      tools: [patch],
      tool_choice: { type: 'custom', name: 'apply_patch' },
    });
    const spec = p.request.tools?.[0];
    assert.equal(spec?.name, 'apply_patch');
    assert.deepEqual(spec?.parameters?.required, ['input']);
    const input = (spec?.parameters?.properties as { input: { type: string; description: string } }).input;
    assert.equal(input.type, 'string');
    assert.match(input.description, /must match this lark grammar exactly:\nstart: "\*\*\* Begin Patch" \.\.\.$/);
    assert.deepEqual(p.toolNames.callee('apply_patch'), { kind: 'custom', name: 'apply_patch' });
    assert.deepEqual(p.request.turns.slice(1), [
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'c2', name: 'apply_patch', input: { input: '*** Begin Patch\n*** End Patch' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c2', content: 'Done' }] },
    ]);
    assert.deepEqual(p.request.toolChoice, { name: 'apply_patch' });
  });

  it('offers local_shell as a command tool and maps its calls and outputs', () => {
    const p = plan({
      input: [
        { role: 'user', content: 'list' },
        {
          type: 'local_shell_call',
          call_id: 'c3',
          status: 'completed',
          action: {
            type: 'exec',
            command: ['ls', '-l'],
            working_directory: '/w',
            timeout_ms: null,
            env: {},
            user: null,
          },
        },
        { type: 'local_shell_call_output', id: 'c3', output: 'a.txt' },
      ],
      tools: [{ type: 'local_shell' }],
    });
    assert.equal(p.request.tools?.[0]?.name, 'local_shell');
    assert.deepEqual(p.request.turns.slice(1), [
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'c3', name: 'local_shell', input: { command: ['ls', '-l'], workdir: '/w' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c3', content: 'a.txt' }] },
    ]);
  });

  it('narrows the offered tools to allowed_tools and refuses a choice it cannot honour', () => {
    const p = plan({
      input: 'x',
      tools: [weather, agents],
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'spawn_agent' }] },
    });
    assert.deepEqual(
      p.request.tools?.map((t) => t.name),
      ['spawn_agent'],
    );
    assert.equal(p.request.toolChoice, 'required');
    rejects(
      () => plan({ input: 'x', tools: [agents], tool_choice: { type: 'mcp', server_label: 'x' } }),
      400,
      'tool_choice',
    );
    rejects(
      () => plan({ input: 'x', tools: [agents], tool_choice: { type: 'custom', name: 'apply_patch' } }),
      400,
      'tool_choice.name',
    );
    rejects(
      () => plan({ input: 'x', tools: [{ type: 'namespace', name: 'n', tools: [{ type: 'web_search' }] }] }),
      400,
      'tools[0].tools[0].type',
    );
  });

  it('gives stored output calls back the names the model saw', () => {
    const p = plan({ input: 'x', tools: [{ ...weather, name: 'spawn_agent' }, agents] });
    const turn = outputTurn(
      [
        {
          id: 'fc_1',
          type: 'function_call',
          status: 'completed',
          call_id: 'c1',
          name: 'spawn_agent',
          namespace: 'multi_agent_v1',
          arguments: '{}',
        },
        { id: 'ctc_1', type: 'custom_tool_call', status: 'completed', call_id: 'c2', name: 'apply_patch', input: 'p' },
      ],
      p.toolNames,
    );
    assert.deepEqual(turn.content, [
      { type: 'tool_use', id: 'c1', name: 'multi_agent_v1__spawn_agent', input: {} },
      { type: 'tool_use', id: 'c2', name: 'apply_patch', input: { input: 'p' } },
    ]);
  });

  it('accepts the recorded Codex 0.169.0 request with its default tools', () => {
    const body = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../fixtures/requests/codex-0.169.0-default-tools.json'), 'utf8'),
    ) as unknown;
    const p = plan(body);
    const names = p.request.tools?.map((t) => t.name) ?? [];
    for (const n of ['exec_command', 'spawn_agent', 'wait_agent', 'close_agent', 'get_goal'])
      assert.ok(names.includes(n), n);
    assert.deepEqual(p.leftOutTools, ['web_search (tools[8])']);
    assert.equal(p.request.turns.at(-1)?.role, 'user');
  });
});
