/** The request fields a Responses API response echoes, as a request with nothing set produces them. */
import type { ResponseEcho } from '../../src/openai/responses-stream';

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
