/**
 * tool_choice has no CLI flag: "none" offers no tools at all (when nothing in the history
 * needs them), "required" and a named function are stated to the model (tool-set.ts), and an
 * answer that did not honour them is a clear error here rather than a silent text answer.
 */
import { ApiError } from '../../core/api-error';
import type { ModelRequest, Turn } from '../../core/model-request';

/** tool_choice "none" with no tool history: the model is offered no tools at all. */
export function effectiveTools(req: ModelRequest): ModelRequest {
  const toolHistory = req.turns.some((t) => t.content.some((b) => b.type === 'tool_use' || b.type === 'tool_result'));
  return req.toolChoice === 'none' && !toolHistory ? { ...req, tools: [] } : req;
}

/** tool_choice "required" or a named function that the model did not honour in `answer`: a 422. */
export function requireToolCall(req: ModelRequest, answer: Turn): void {
  const choice = req.toolChoice;
  if (!req.tools?.length || !choice || choice === 'auto' || choice === 'none') return;
  const called = answer.content.flatMap((b) => (b.type === 'tool_use' ? [b.name] : []));
  const ok = typeof choice === 'object' ? called.includes(choice.name) : called.length > 0;
  if (!ok) {
    const wanted = typeof choice === 'object' ? `the function '${choice.name}'` : 'a tool';
    throw new ApiError(
      422,
      `tool_choice required the model to call ${wanted}, but it answered without doing so.`,
      'tool_choice_not_satisfied',
      'tool_choice',
    );
  }
}
