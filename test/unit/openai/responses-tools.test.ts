/** The Responses tool kinds ↔ the function tools the model sees (planning is covered in responses-request.test.ts). */
import assert from 'node:assert/strict';
import {
  isHostedToolType,
  localShellAction,
  localShellInput,
  ResponsesToolNames,
} from '../../../src/openai/responses-tools';

describe('responses tools', () => {
  it('knows the hosted tool types and their dated variants, and nothing the client runs', () => {
    for (const t of ['web_search', 'web_search_preview_2025_03_11', 'file_search', 'code_interpreter', 'mcp'])
      assert.ok(isHostedToolType(t), t);
    for (const t of ['function', 'custom', 'namespace', 'local_shell', 'shell', 'web_searcher'])
      assert.ok(!isHostedToolType(t), t);
  });

  it("names a history call of a tool the request does not offer stably (Codex's namespace__name)", () => {
    const names = new ResponsesToolNames();
    names.add('wait_agent', { kind: 'function', name: 'wait_agent', namespace: 'multi_agent_v1' });
    assert.equal(names.modelName({ kind: 'function', name: 'wait_agent', namespace: 'multi_agent_v1' }), 'wait_agent');
    assert.equal(
      names.modelName({ kind: 'function', name: 'close_agent', namespace: 'multi_agent_v1' }),
      'multi_agent_v1__close_agent',
    );
    assert.equal(names.modelName({ kind: 'function', name: 'plain' }), 'plain');
    assert.deepEqual(names.callee('unknown'), { kind: 'function', name: 'unknown' });
  });

  it('carries a local_shell action through the model and back', () => {
    const action = {
      type: 'exec' as const,
      command: ['bash', '-lc', 'ls'],
      working_directory: '/w',
      timeout_ms: 5000,
      env: { A: '1' },
      user: null,
    };
    assert.deepEqual(localShellInput(action), {
      command: ['bash', '-lc', 'ls'],
      workdir: '/w',
      timeout_ms: 5000,
      env: { A: '1' },
    });
    assert.deepEqual(localShellAction(localShellInput(action)), action);
    assert.deepEqual(localShellAction({ command: 'ls' }).command, ['ls'], 'a model that sends a string still runs it');
  });
});
