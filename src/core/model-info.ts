/**
 * What a client needs to configure itself for a model: its context window, the most output
 * tokens one answer may have, and whether it takes images and tools. Claude models are
 * named by family; the aliases (`sonnet`, `opus`, `haiku`) follow the CLI to the newest
 * model of their family, so they get that family's current limits. Ids this table does not
 * know get the limits every current Claude model has at least.
 */
export interface ModelInfo {
  /** Input + output tokens per request. */
  contextWindow: number;
  /** Output tokens one answer may have (what `max_tokens` may ask for). */
  maxOutputTokens: number;
  images: boolean;
  tools: boolean;
  /** Extended thinking (`reasoning_effort` / `reasoning.effort`). */
  reasoning: boolean;
}

const CURRENT: ModelInfo = {
  contextWindow: 200_000,
  maxOutputTokens: 64_000,
  images: true,
  tools: true,
  reasoning: true,
};

/** First match wins; patterns are tested on the lower-cased id. */
const FAMILIES: Array<[RegExp, Partial<ModelInfo>]> = [
  // Opus 4 and 4.1 answer with at most 32k tokens; later Opus models with 64k.
  [/opus-4(-0|-1|-2025|$)/, { maxOutputTokens: 32_000 }],
  [/claude-3-7-sonnet/, { maxOutputTokens: 64_000 }],
  [/claude-3-5-haiku|claude-3-5-sonnet/, { maxOutputTokens: 8_192, reasoning: false }],
  [/claude-3-(opus|sonnet|haiku)/, { maxOutputTokens: 4_096, reasoning: false }],
];

export function modelInfo(id: string): ModelInfo {
  const lower = id.toLowerCase();
  const family = FAMILIES.find(([pattern]) => pattern.test(lower));
  return { ...CURRENT, ...family?.[1] };
}
