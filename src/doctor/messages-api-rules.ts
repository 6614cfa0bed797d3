/**
 * What the real Anthropic Messages API refuses, as one function: every reason it would
 * answer a `POST /v1/messages` body with 400 `invalid_request_error`, in the API's own
 * words. The test suite's fake API and `cli2api doctor` both apply it to every request the
 * Claude CLI sends, so a CLI (or a transcript CLI2API wrote) that sends what the real API
 * refuses fails here too.
 *
 * Sources: the Messages API reference (roles, content blocks, tool use, vision) and the
 * API's error texts as users have reported them (`messages.N: all messages must have
 * non-empty content…`, `unexpected \`tool_use_id\`…`, `\`tool_use\` ids were found
 * without…`, `text content blocks must…`, `image.source.base64…`). The wording of the
 * mid-conversation `role:"system"` errors follows what the CLI itself matches
 * (`role 'system' must follow a …`, `use the top-level 'system' parameter…`).
 */

/** Betas under which the API takes `role:"system"` messages inside `messages`. */
export const SYSTEM_MESSAGE_BETA_PREFIXES = ['mid-conversation-system-', 'per-turn-control-'] as const;

/** The image types the API takes, and how their bytes begin. */
const IMAGE_SIGNATURES: Record<string, (bytes: Buffer) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/gif': (b) => b.subarray(0, 4).toString('latin1') === 'GIF8',
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};
const MEDIA_TYPES_TEXT = "'image/jpeg', 'image/png', 'image/gif' or 'image/webp'";
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Json = Record<string, unknown>;

/** The `anthropic-beta` header as a list. */
export function betasOf(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/**
 * Every reason the real API would refuse `body` (in its words, in the order it checks them);
 * empty when it would accept it. `betas` are the request's `anthropic-beta` values.
 */
export function messagesApiViolations(body: unknown, betas: readonly string[] = []): string[] {
  const out: string[] = [];
  if (!isObject(body)) return ['body: Input should be a valid dictionary'];
  if (typeof body.model !== 'string' || body.model === '') out.push('model: Field required');
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    out.push('max_tokens: Field required');
  }
  checkSystem(body.system, out);
  checkTools(body.tools, out);
  checkThinking(body, out);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    out.push('messages: at least one message is required');
    return out;
  }
  const systemAllowed = betas.some((b) => SYSTEM_MESSAGE_BETA_PREFIXES.some((p) => b.startsWith(p)));
  messages.forEach((m: unknown, i) => checkMessage(m, i, i === messages.length - 1, systemAllowed, out));
  checkOrder(messages as Json[], out);
  return out;
}

function checkSystem(system: unknown, out: string[]): void {
  if (system === undefined || typeof system === 'string') return;
  if (!Array.isArray(system)) {
    out.push('system: Input should be a valid string or list');
    return;
  }
  for (const block of system) {
    if (!isObject(block) || block.type !== 'text') out.push("system: Input should be a list of 'text' blocks");
    else if (block.text === '') out.push('system: text content blocks must be non-empty');
  }
}

function checkTools(tools: unknown, out: string[]): void {
  if (tools === undefined) return;
  if (!Array.isArray(tools)) {
    out.push('tools: Input should be a valid list');
    return;
  }
  const names = new Set<string>();
  tools.forEach((tool: unknown, i) => {
    if (!isObject(tool)) return;
    // Server tools (web search, …) carry a `type` and no schema.
    if (tool.type !== undefined && tool.type !== 'custom') return;
    const name = String(tool.name ?? '');
    if (!TOOL_NAME.test(name)) out.push(`tools.${i}.custom.name: String should match pattern '${TOOL_NAME.source}'`);
    if (names.has(name)) out.push('tools: Tool names must be unique.');
    names.add(name);
    if (!isObject(tool.input_schema)) out.push(`tools.${i}.custom.input_schema: Field required`);
  });
}

function checkThinking(body: Json, out: string[]): void {
  const thinking = body.thinking;
  if (!isObject(thinking) || thinking.type !== 'enabled') return;
  const budget = thinking.budget_tokens;
  if (typeof budget !== 'number' || budget < 1024) {
    out.push('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
  } else if (typeof body.max_tokens === 'number' && body.max_tokens <= budget) {
    out.push(
      '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at ' +
        'https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
    );
  }
}

function checkMessage(m: unknown, i: number, isLast: boolean, systemAllowed: boolean, out: string[]): void {
  const at = `messages.${i}`;
  if (!isObject(m)) {
    out.push(`${at}: Input should be a valid dictionary`);
    return;
  }
  const role = m.role;
  if (role === 'system') {
    if (!systemAllowed) {
      out.push(`${at}.role: Input should be 'user' or 'assistant'`);
      return;
    }
    if (i === 0) {
      out.push(
        `${at}: role 'system' must follow a user or assistant message; ` +
          "use the top-level 'system' parameter for the initial system prompt",
      );
    }
  } else if (role !== 'user' && role !== 'assistant') {
    out.push(`${at}.role: Input should be 'user' or 'assistant'`);
    return;
  }
  const content = m.content;
  const blocks: unknown[] | undefined =
    typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content : undefined;
  if (!blocks) {
    out.push(`${at}.content: Input should be a valid string or list`);
    return;
  }
  const finalAssistant = isLast && role === 'assistant';
  if ((blocks.length === 0 || content === '') && !finalAssistant) {
    out.push(`${at}: all messages must have non-empty content except for the optional final assistant message`);
    return;
  }
  blocks.forEach((b, j) => checkBlock(b, `${at}.content.${j}`, role, out));
  if (finalAssistant) {
    const lastBlock = blocks[blocks.length - 1];
    if (isObject(lastBlock) && lastBlock.type === 'text' && /\s$/.test(String(lastBlock.text))) {
      out.push('messages: final assistant content cannot end with trailing whitespace');
    }
  }
}

function checkBlock(block: unknown, at: string, role: unknown, out: string[]): void {
  if (!isObject(block) || typeof block.type !== 'string') {
    out.push(`${at}: Input should be a valid dictionary with a 'type'`);
    return;
  }
  if (role === 'system' && block.type !== 'text') {
    out.push(`${at}: text-only role 'system' messages require 'text' content blocks, not '${block.type}'`);
    return;
  }
  switch (block.type) {
    case 'text':
      checkText(block.text, out);
      return;
    case 'image':
      checkImage(block, `${at}.image`, out);
      return;
    case 'tool_result':
      if (role !== 'user') out.push(`${at}: \`tool_result\` blocks can only be in \`user\` messages`);
      checkToolResultContent(block.content, `${at}.tool_result`, out);
      return;
    case 'tool_use':
      if (role !== 'assistant') out.push(`${at}: \`tool_use\` blocks can only be in \`assistant\` messages`);
      if (typeof block.id !== 'string' || block.id === '') out.push(`${at}.tool_use.id: Field required`);
      if (!isObject(block.input)) out.push(`${at}.tool_use.input: Input should be a valid dictionary`);
      return;
    default:
      return; // thinking, documents, server tools…: not sent by CLI2API's CLI runs, passed unchecked
  }
}

function checkText(text: unknown, out: string[]): void {
  if (typeof text !== 'string' || text === '') out.push('messages: text content blocks must be non-empty');
  else if (text.trim() === '') out.push('messages: text content blocks must contain non-whitespace text');
}

function checkToolResultContent(content: unknown, at: string, out: string[]): void {
  if (content === undefined || typeof content === 'string') return;
  if (!Array.isArray(content)) {
    out.push(`${at}.content: Input should be a valid string or list`);
    return;
  }
  content.forEach((b: unknown, k) => {
    if (!isObject(b)) return;
    if (b.type === 'text') checkText(b.text, out);
    if (b.type === 'image') checkImage(b, `${at}.content.${k}.image`, out);
  });
}

function checkImage(block: Json, at: string, out: string[]): void {
  const source = block.source;
  if (!isObject(source)) {
    out.push(`${at}.source: Field required`);
    return;
  }
  if (source.type !== 'base64') return; // url and file sources: not checked here
  const mediaType = String(source.media_type ?? '');
  const signature = IMAGE_SIGNATURES[mediaType];
  if (!signature) {
    out.push(`${at}.source.base64.media_type: Input should be ${MEDIA_TYPES_TEXT}`);
    return;
  }
  const data = typeof source.data === 'string' ? source.data : '';
  if (data === '') {
    out.push(`${at}.source.base64: image cannot be empty`);
    return;
  }
  if (data.length % 4 !== 0 || !BASE64.test(data)) {
    out.push(`${at}.source.base64: invalid base64 data`);
    return;
  }
  if (!signature(Buffer.from(data.slice(0, 64), 'base64'))) {
    out.push(`${at}.source.base64.data: Image does not match the provided media type ${mediaType}`);
  }
}

/**
 * The conversation's order: the first message is the user's; every tool_use is answered by
 * a tool_result in the message right after it (results first in that message), and every
 * tool_result answers a tool_use of the message right before it.
 */
function checkOrder(messages: Json[], out: string[]): void {
  if (messages[0]?.role === 'assistant') out.push('messages: first message must use the "user" role');
  messages.forEach((m, i) => {
    const blocks = Array.isArray(m.content) ? (m.content as Json[]) : [];
    if (m.role === 'assistant') {
      const ids = blocks.filter((b) => b?.type === 'tool_use').map((b) => String(b.id));
      const dup = ids.find((id, k) => ids.indexOf(id) !== k);
      if (dup !== undefined) out.push(`messages.${i}: \`tool_use\` ids must be unique`);
      if (ids.length === 0 || i === messages.length - 1) return;
      const next = messages[i + 1]!;
      const nextBlocks = next.role === 'user' && Array.isArray(next.content) ? (next.content as Json[]) : [];
      const answered = new Set(nextBlocks.filter((b) => b?.type === 'tool_result').map((b) => String(b.tool_use_id)));
      const missing = ids.filter((id) => !answered.has(id));
      if (missing.length > 0) {
        out.push(
          `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ` +
            `${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        );
      }
      const leading = nextBlocks.findIndex((b) => b?.type !== 'tool_result');
      const resultsAtStart = leading === -1 ? nextBlocks.length : leading;
      const total = nextBlocks.filter((b) => b?.type === 'tool_result').length;
      if (missing.length === 0 && resultsAtStart < total) {
        out.push(
          `messages.${i + 1}: Did not find ${total} \`tool_result\` block(s) at the beginning of this message. ` +
            'Messages following `tool_use` blocks must begin with a matching number of `tool_result` blocks.',
        );
      }
    }
    if (m.role === 'user') {
      const prev = messages[i - 1];
      const prevIds = new Set(
        prev?.role === 'assistant' && Array.isArray(prev.content)
          ? (prev.content as Json[]).filter((b) => b?.type === 'tool_use').map((b) => String(b.id))
          : [],
      );
      blocks.forEach((b, j) => {
        if (b?.type !== 'tool_result' || prevIds.has(String(b.tool_use_id))) return;
        out.push(
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. ` +
            'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
        );
      });
    }
  });
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
