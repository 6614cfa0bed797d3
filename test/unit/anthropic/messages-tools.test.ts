/** Messages API tools → the tools the model sees (the planner's cases are in messages-request.test.ts). */
import assert from 'node:assert/strict';
import { isServerToolType, planMessagesTools } from '../../../src/anthropic/messages-tools';

describe('messages tools', () => {
  it('knows the server tool types, dated or not, and nothing the client runs', () => {
    for (const t of [
      'web_search_20250305',
      'web_fetch_20250910',
      'code_execution_20250825',
      'tool_search_tool_bm25_20251119',
      'mcp_toolset',
    ])
      assert.ok(isServerToolType(t), t);
    for (const t of ['custom', 'bash_20250124', 'text_editor_20250728', 'memory_20250818', 'web_searcher'])
      assert.ok(!isServerToolType(t), t);
  });

  it('offers a deferred tool that tool_choice forces', () => {
    const planned = planMessagesTools(
      [
        { name: 'a', input_schema: { type: 'object' } },
        { name: 'b', input_schema: { type: 'object' }, defer_loading: true },
      ],
      { type: 'tool', name: 'b' },
      new Set(),
    );
    assert.deepEqual(
      planned.specs.map((s) => s.name),
      ['a', 'b'],
    );
    assert.deepEqual(planned.toolChoice, { name: 'b' });
  });
});
