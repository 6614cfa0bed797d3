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
  /** The output ends before the first of these strings (matched by CLI2API; the CLI has no flag for it). */
  stop?: string[];
  /** Limit on the model's output tokens, thinking included (the CLI process's CLAUDE_CODE_MAX_OUTPUT_TOKENS). */
  maxOutputTokens?: number;
  /** `--effort`; unset: the `defaultEffort` setting, then the CLI's own default. */
  effort?: Effort;
  /** The answer must be a JSON value matching this schema (`--json-schema`); it becomes the text of the answer. */
  jsonSchema?: Record<string, unknown>;
}

/** The CLI's `--effort` levels (2.1.197). */
export const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;
export type Effort = (typeof EFFORTS)[number];
