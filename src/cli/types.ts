/**
 * What the OpenAI translation hands to the CLI process manager: a conversation in
 * Anthropic's message shape (the shape the CLI's transcripts and stdin take), plus the
 * client's function tools.
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

/** A client function tool, as the client named and described it. */
export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON schema of the arguments (as the client sent it; adapted by the manager). */
  parameters?: Record<string, unknown>;
}

/** `auto`: the model may call tools; `none`: it cannot; `required`: it must call one; `{name}`: it must call that one. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface ModelRequest {
  /** Passed to `--model` as given: aliases and full ids alike. */
  model: string;
  /** Replaces Claude Code's agent prompt; empty means none. */
  system: string;
  /** Alternating turns, first and last from the user. Tool names in tool_use blocks are the client's. */
  turns: Turn[];
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  /** false: the model is told to make at most one call per turn. */
  parallelToolCalls?: boolean;
}
