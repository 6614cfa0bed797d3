/**
 * Client function tools → tools of an MCP server that CLI2API serves over the CLI's own
 * control channel (server `c`), so the model sees them as real tools with their schemas.
 * Pure: names made safe and reversible, schemas adapted to what the CLI accepts, and the
 * instructions that stand in for tool_choice / parallel_tool_calls (the CLI has no flag).
 */
import type { ContentBlock, ModelRequest, Turn } from '../../core/model-request';

export const MCP_SERVER = 'c';
export const API_PREFIX = `mcp__${MCP_SERVER}__`;
/** The CLI cuts tool descriptions at 2048 characters. */
const MAX_DESCRIPTION = 2000;

export interface McpTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: { readOnlyHint: true };
}

interface Entry {
  client: string;
  safe: string;
  /** The client's schema was not an object schema: arguments travel as `{ value: … }`. */
  wrapped: boolean;
}

export class ToolSet {
  readonly mcpTools: McpTool[];
  readonly systemAddendum: string;
  private readonly byClient = new Map<string, Entry>();
  private readonly bySafe = new Map<string, Entry>();

  constructor(req: Pick<ModelRequest, 'tools' | 'toolChoice' | 'parallelToolCalls'>) {
    const tools = req.tools ?? [];
    const longDescriptions: string[] = [];
    this.mcpTools = tools.map((tool) => {
      const safe = this.uniqueSafeName(tool.name);
      const { schema, wrapped, constraint } = adaptSchema(tool.parameters);
      const entry: Entry = { client: tool.name, safe, wrapped };
      this.byClient.set(tool.name, entry);
      this.bySafe.set(safe, entry);
      let description =
        (tool.description ?? '') + (constraint ? `\n\nThe arguments must also satisfy: ${constraint}` : '');
      if (description.length > MAX_DESCRIPTION) {
        longDescriptions.push(`### ${API_PREFIX}${safe}\n${description}`);
        description = `${description.slice(0, MAX_DESCRIPTION - 80)}… (the full description is in the system prompt under "${API_PREFIX}${safe}")`;
      }
      return { name: safe, description, inputSchema: schema, annotations: { readOnlyHint: true } };
    });
    this.systemAddendum = instructions(req, this, longDescriptions);
  }

  get offered(): boolean {
    return this.mcpTools.length > 0;
  }

  /** The name the model sees for a client tool (unknown names pass unchanged). */
  apiName(clientName: string): string {
    const e = this.byClient.get(clientName);
    return e ? API_PREFIX + e.safe : clientName;
  }

  /** Whether the model called one of the client's tools (else one of Claude Code's own, in agent mode). */
  isClientTool(apiName: string): boolean {
    return apiName.startsWith(API_PREFIX) && this.bySafe.has(apiName.slice(API_PREFIX.length));
  }

  /** The client's name for what the model called. */
  clientName(apiOrSafeName: string): string {
    const safe = apiOrSafeName.startsWith(API_PREFIX) ? apiOrSafeName.slice(API_PREFIX.length) : apiOrSafeName;
    return this.bySafe.get(safe)?.client ?? apiOrSafeName;
  }

  isWrapped(apiOrSafeName: string): boolean {
    const safe = apiOrSafeName.startsWith(API_PREFIX) ? apiOrSafeName.slice(API_PREFIX.length) : apiOrSafeName;
    return this.bySafe.get(safe)?.wrapped ?? false;
  }

  /** Arguments the model produced → the client's shape. */
  argumentsOut(apiName: string, input: unknown): unknown {
    return this.isWrapped(apiName) && input && typeof input === 'object' && 'value' in input
      ? (input as { value: unknown }).value
      : input;
  }

  /** History turns with the client's tool names and argument shapes → what the model saw. */
  turnsIn(turns: Turn[]): Turn[] {
    if (!this.offered) return turns;
    return turns.map((t) => ({ role: t.role, content: t.content.map((b) => this.blockIn(b)) }));
  }

  private blockIn(block: ContentBlock): ContentBlock {
    if (block.type !== 'tool_use') return block;
    const e = this.byClient.get(block.name);
    if (!e) return block;
    return { ...block, name: API_PREFIX + e.safe, input: e.wrapped ? { value: block.input } : block.input };
  }

  private uniqueSafeName(name: string): string {
    const base = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 48) || 'tool';
    let safe = base;
    for (let i = 2; this.bySafe.has(safe); i++) safe = `${base}_${i}`;
    // Reserve now, so a later tool cannot take the same name.
    this.bySafe.set(safe, { client: name, safe, wrapped: false });
    return safe;
  }
}

/**
 * The CLI lists a tool only when its schema is an object schema, and silently drops one
 * with a top-level anyOf/oneOf/allOf. An object schema keeps its shape and loses the
 * top-level combinator (a constraint between properties, restated in the description);
 * anything else is wrapped as `{ value: <schema> }` and unwrapped on the way out.
 */
export function adaptSchema(parameters: Record<string, unknown> | undefined): {
  schema: Record<string, unknown>;
  wrapped: boolean;
  constraint?: string;
} {
  if (!parameters || Object.keys(parameters).length === 0)
    return { schema: { type: 'object', properties: {} }, wrapped: false };
  const { anyOf, oneOf, allOf, ...rest } = parameters;
  const combinators = Object.fromEntries(Object.entries({ anyOf, oneOf, allOf }).filter(([, v]) => v !== undefined));
  const isObject = rest.type === 'object' || (rest.type === undefined && ('properties' in rest || 'required' in rest));
  if (isObject) {
    const constraint = Object.keys(combinators).length > 0 ? JSON.stringify(combinators) : undefined;
    return { schema: { ...rest, type: 'object' }, wrapped: false, constraint };
  }
  const { $defs, definitions, $schema: _ignored, ...inner } = parameters;
  const schema: Record<string, unknown> = { type: 'object', properties: { value: inner }, required: ['value'] };
  if ($defs) schema.$defs = $defs;
  if (definitions) schema.definitions = definitions;
  return { schema, wrapped: true };
}

function instructions(
  req: Pick<ModelRequest, 'toolChoice' | 'parallelToolCalls'>,
  tools: ToolSet,
  longDescriptions: string[],
): string {
  const parts: string[] = [];
  if (longDescriptions.length > 0) parts.push(`## Full tool descriptions\n\n${longDescriptions.join('\n\n')}`);
  if (tools.offered) {
    const choice = req.toolChoice ?? 'auto';
    if (choice === 'required')
      parts.push('In this turn you must call at least one of the available tools; do not answer with text only.');
    else if (typeof choice === 'object')
      parts.push(`In this turn you must call the tool ${tools.apiName(choice.name)}.`);
    else if (choice === 'none') parts.push('In this turn do not call any tool: answer with text only.');
    if (req.parallelToolCalls === false) parts.push('Call at most one tool per response.');
  }
  return parts.join('\n\n');
}
