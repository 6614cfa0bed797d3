/** Responses API fixtures: the fields a response echoes, and a finished response to store. */
import type { Turn } from '../../src/core/model-request';
import type { ResponseEcho, ResponseObject } from '../../src/openai/responses-stream';

/** The request fields a Responses API response echoes, as a request with nothing set produces them. */

export const DEFAULT_ECHO: ResponseEcho = {
  model: 'sonnet',
  instructions: null,
  tools: [],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  max_output_tokens: null,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: true,
  temperature: null,
  top_p: null,
  text: { format: { type: 'text' } },
  truncation: 'disabled',
  metadata: {},
  user: null,
};

/** A completed response `id` whose one message says `text`, as a store keeps it. */
export function completedResponse(id: string, text = 'answer'): ResponseObject {
  return {
    id,
    object: 'response',
    created_at: 1,
    status: 'completed',
    background: false,
    error: null,
    incomplete_details: null,
    output: [
      {
        id: `msg_${id}`,
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
      },
    ],
    usage: null,
    ...DEFAULT_ECHO,
  };
}

/** The one user turn a stored response answered. */
export const QUESTION: Turn[] = [{ role: 'user', content: [{ type: 'text', text: 'q' }] }];
