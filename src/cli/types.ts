/**
 * What the OpenAI translation hands to the CLI process manager: a conversation in
 * Anthropic's message shape (the shape the CLI's transcripts and stdin take).
 */
export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string | ContentBlock[]; is_error?: boolean };

export interface Turn {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface ModelRequest {
  /** Passed to `--model` as given: aliases and full ids alike. */
  model: string;
  /** Replaces Claude Code's agent prompt; empty means none. */
  system: string;
  /** Alternating turns, first and last from the user. */
  turns: Turn[];
}
