/** tool_choice without a CLI flag: "none" offers no tools, "required" and a named function are checked after. */
import assert from 'node:assert/strict';
import { effectiveTools, requireToolCall } from '../../../../src/cli/tools/tool-choice';
import type { ModelRequest, ToolChoice, Turn } from '../../../../src/core/model-request';

const question: Turn = { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] };
const tools = [{ name: 'get_weather' }, { name: 'get_time' }];
const request = (toolChoice?: ToolChoice, turns: Turn[] = [question]): ModelRequest => ({
  model: 'sonnet',
  system: '',
  turns,
  tools,
  toolChoice,
});
const calling = (...names: string[]): Turn => ({
  role: 'assistant',
  content: names.map((name, i) => ({ type: 'tool_use', id: `toolu_${i}`, name, input: {} })),
});
const text: Turn = { role: 'assistant', content: [{ type: 'text', text: 'It is sunny.' }] };

describe('tool_choice', () => {
  it('offers no tools for "none", unless the history holds tool calls', () => {
    assert.deepEqual(effectiveTools(request('none')).tools, []);
    const history = [
      question,
      calling('get_weather'),
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: 'sunny' }] },
    ] satisfies Turn[];
    const withHistory = request('none', history);
    assert.equal(effectiveTools(withHistory), withHistory);
    for (const choice of [undefined, 'auto', 'required'] as const) {
      const req = request(choice);
      assert.equal(effectiveTools(req), req);
    }
  });

  it('accepts any call for "required" and only the named function for a name', () => {
    requireToolCall(request('required'), calling('get_time'));
    requireToolCall(request({ name: 'get_weather' }), calling('get_time', 'get_weather'));
    requireToolCall(request('auto'), text);
    requireToolCall(request('none'), text);
    requireToolCall({ ...request('required'), tools: [] }, text);
  });

  it('refuses an answer that ignored tool_choice with 422 naming the param', () => {
    const refused = (wanted: RegExp) => (e: { status: number; code: string; param: string; message: string }) =>
      e.status === 422 && e.code === 'tool_choice_not_satisfied' && e.param === 'tool_choice' && wanted.test(e.message);
    assert.throws(() => requireToolCall(request('required'), text), refused(/call a tool,/));
    assert.throws(
      () => requireToolCall(request({ name: 'get_weather' }), calling('get_time')),
      refused(/the function 'get_weather'/),
    );
  });
});
