/**
 * Responses API tools → the function tools the model sees, and back. Clients such as Codex
 * send more than flat `function` tools:
 * - `namespace` tools group function tools (Codex's `multi_agent_v1`): each inner tool reaches
 *   the model as an ordinary tool; its calls go back as `function_call` items with the inner
 *   `name` and the `namespace`, which is how Codex finds its handler.
 * - `custom` tools take free text (optionally constrained by a grammar): the model sees one
 *   string argument `input`; calls go back as `custom_tool_call` items with that text.
 * - `local_shell` (older Codex models): the model sees an `exec`-style tool; calls go back as
 *   `local_shell_call` items.
 * - Hosted tools (`web_search`, `file_search`, `code_interpreter`, `computer_use_preview`,
 *   `image_generation`, `mcp`, …) run on OpenAI's servers. The CLI cannot run them, so they
 *   are left out (the route logs them at debug level) — unless `tool_choice` forces one, which
 *   is a 400 that says why. A tool type CLI2API does not know is a 400 too: it may be one the
 *   client runs, whose calls CLI2API could not produce.
 * Pure: the names the model sees are the ModelRequest tool names (the CLI layer makes them
 * safe); `ResponsesToolNames` maps them to Responses items both ways.
 */
import type { ToolChoice, ToolSpec } from '../core/model-request';
import { errors } from '../core/api-error';
import type { ResponsesTool, ResponsesToolChoice } from './responses-schema';

/** What a tool the model calls is, in Responses terms. */
export type ResponsesCallee =
  { kind: 'function'; name: string; namespace?: string } | { kind: 'custom'; name: string } | { kind: 'local_shell' };

/** Hosted tool types (and their dated variants) that run on OpenAI's side. */
const HOSTED =
  /^(web_search|web_search_preview|file_search|code_interpreter|computer_use|computer_use_preview|computer|image_generation|mcp)(_\d{4}_\d{2}_\d{2})?$/;

export function isHostedToolType(type: string): boolean {
  return HOSTED.test(type);
}

const LOCAL_SHELL = 'local_shell';

/** Model-facing tool names ↔ Responses call items, for one request's tools. */
export class ResponsesToolNames {
  private readonly callees = new Map<string, ResponsesCallee>();
  private readonly models = new Map<string, string>();

  /** Registers a tool the model sees under `modelName`. */
  add(modelName: string, callee: ResponsesCallee): void {
    this.callees.set(modelName, callee);
    this.models.set(key(callee), modelName);
  }

  has(modelName: string): boolean {
    return this.callees.has(modelName);
  }

  /** What the model's call of `modelName` is for the client (an unknown name is a plain function). */
  callee(modelName: string): ResponsesCallee {
    return this.callees.get(modelName) ?? { kind: 'function', name: modelName };
  }

  /**
   * The name the model knows for a call in the history. A call of a tool this request does
   * not offer keeps a stable name: Codex's own flat form `namespace__name` for a namespaced one.
   */
  modelName(callee: ResponsesCallee): string {
    const known = this.models.get(key(callee));
    if (known) return known;
    if (callee.kind === 'local_shell') return LOCAL_SHELL;
    return callee.kind === 'function' && callee.namespace ? flatName(callee.namespace, callee.name) : callee.name;
  }
}

function key(c: ResponsesCallee): string {
  if (c.kind === 'local_shell') return LOCAL_SHELL;
  return c.kind === 'function' && c.namespace ? `${c.kind}:${c.namespace}:${c.name}` : `${c.kind}::${c.name}`;
}

/** Codex's canonical flat name for a namespaced tool (ToolName::canonical_flat_name). */
function flatName(namespace: string, name: string): string {
  return `${namespace.replace(/_+$/, '')}__${name.replace(/^_+/, '')}`;
}

/** A `local_shell_call` item's action, as OpenAI shapes it. */
export interface LocalShellAction {
  type: 'exec';
  command: string[];
  working_directory: string | null;
  timeout_ms: number | null;
  env: Record<string, string>;
  user: string | null;
}

/** A local_shell call's action → the arguments of the tool the model sees (see localShellTool). */
export function localShellInput(action: {
  command: string[];
  working_directory?: string | null;
  timeout_ms?: number | null;
  env?: Record<string, string> | null;
  user?: string | null;
}): Record<string, unknown> {
  const input: Record<string, unknown> = { command: action.command };
  if (action.working_directory) input.workdir = action.working_directory;
  if (action.timeout_ms) input.timeout_ms = action.timeout_ms;
  if (action.env && Object.keys(action.env).length > 0) input.env = action.env;
  if (action.user) input.user = action.user;
  return input;
}

/** The model's arguments → a local_shell_call action (what the model left out is null). */
export function localShellAction(input: unknown): LocalShellAction {
  const i = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    type: 'exec',
    command: Array.isArray(i.command) ? i.command.map(String) : typeof i.command === 'string' ? [i.command] : [],
    working_directory: str(i.workdir),
    timeout_ms: typeof i.timeout_ms === 'number' ? i.timeout_ms : null,
    env:
      i.env && typeof i.env === 'object'
        ? Object.fromEntries(Object.entries(i.env as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
        : {},
    user: str(i.user),
  };
}

export interface PlannedTools {
  specs: ToolSpec[];
  names: ResponsesToolNames;
  /** The request's tools as the response object echoes them. */
  echo: unknown[];
  /** Hosted tools left out, for the log (`web_search (tools[8])`). */
  leftOut: string[];
  toolChoice: ToolChoice | undefined;
}

interface Candidate {
  spec: ToolSpec;
  callee: ResponsesCallee;
  /** The inner name, preferred as the model's name when no other tool has it. */
  plain: string;
}

export function planResponsesTools(
  tools: ResponsesTool[],
  choice: ResponsesToolChoice | null | undefined,
): PlannedTools {
  const candidates: Candidate[] = [];
  const leftOut: string[] = [];
  const echo: unknown[] = [];
  tools.forEach((t, i) => {
    const param = `tools[${i}]`;
    if (t.type === 'function') {
      const fn = functionSpec(t, param);
      candidates.push({ spec: fn, callee: { kind: 'function', name: fn.name }, plain: fn.name });
      echo.push({
        type: 'function',
        name: t.name,
        description: t.description ?? null,
        parameters: t.parameters ?? null,
        strict: t.strict ?? null,
      });
      return;
    }
    echo.push(t);
    if (t.type === 'namespace') candidates.push(...namespaceTools(t, param));
    else if (t.type === 'custom') candidates.push(customTool(t, param));
    else if (t.type === LOCAL_SHELL) candidates.push(localShellTool());
    else if (isHostedToolType(t.type)) leftOut.push(`${t.type} (${param})`);
    else
      throw errors.invalidRequest(
        `Tool type '${t.type}' is not supported: CLI2API serves Claude through the Claude Code CLI and offers the model the tools your client runs (function, namespace, custom, local_shell); hosted tools such as web_search are left out.`,
        `${param}.type`,
        'unsupported_value',
      );
  });
  const names = new ResponsesToolNames();
  const taken = new Map<string, number>();
  for (const c of candidates) taken.set(c.plain, (taken.get(c.plain) ?? 0) + 1);
  const specs = candidates.map((c) => {
    // A namespaced tool keeps its plain name (the one its descriptions use) unless another tool has it.
    const modelName =
      c.callee.kind === 'function' && c.callee.namespace && taken.get(c.plain)! > 1
        ? flatName(c.callee.namespace, c.plain)
        : c.plain;
    if (names.has(modelName))
      throw errors.invalidRequest(`Two tools are named '${modelName}'; tool names must be unique.`, 'tools');
    names.add(modelName, c.callee);
    return { ...c.spec, name: modelName };
  });
  const { specs: offered, toolChoice } = applyToolChoice(choice, specs, names);
  return { specs: offered, names, echo, leftOut, toolChoice };
}

function functionSpec(t: ResponsesTool, param: string): ToolSpec {
  if (!t.name) throw errors.invalidRequest('A function tool needs a name.', `${param}.name`, 'invalid_value');
  return { name: t.name, description: t.description ?? undefined, parameters: t.parameters ?? undefined };
}

function namespaceTools(t: ResponsesTool, param: string): Candidate[] {
  const namespace = t.name;
  if (!namespace) throw errors.invalidRequest('A namespace tool needs a name.', `${param}.name`, 'invalid_value');
  const inner = Array.isArray(t.tools) ? (t.tools as ResponsesTool[]) : [];
  const about = t.description ? `\n\n(Part of ${namespace}: ${t.description})` : '';
  return inner.map((tool, j) => {
    const where = `${param}.tools[${j}]`;
    if (tool.type !== 'function')
      throw errors.invalidRequest(
        `Tool type '${tool.type}' inside a namespace is not supported; a namespace holds function tools.`,
        `${where}.type`,
        'unsupported_value',
      );
    const fn = functionSpec(tool, where);
    return {
      spec: { ...fn, description: (fn.description ?? '') + about },
      callee: { kind: 'function', name: fn.name, namespace },
      plain: fn.name,
    };
  });
}

function customTool(t: ResponsesTool, param: string): Candidate {
  if (!t.name) throw errors.invalidRequest('A custom tool needs a name.', `${param}.name`, 'invalid_value');
  const format = t.format as { type?: string; syntax?: string; definition?: string } | undefined;
  const grammar =
    format?.type === 'grammar' && format.definition
      ? ` It must match this ${format.syntax ?? ''} grammar exactly:\n${format.definition}`
      : '';
  return {
    spec: {
      name: t.name,
      description: t.description ?? undefined,
      parameters: {
        type: 'object',
        properties: { input: { type: 'string', description: `The tool's whole input, as free text.${grammar}` } },
        required: ['input'],
        additionalProperties: false,
      },
    },
    callee: { kind: 'custom', name: t.name },
    plain: t.name,
  };
}

function localShellTool(): Candidate {
  return {
    spec: {
      name: LOCAL_SHELL,
      description: "Runs a command on the user's machine and returns its output.",
      parameters: {
        type: 'object',
        properties: {
          command: { type: 'array', items: { type: 'string' }, description: 'The program and its arguments.' },
          workdir: { type: 'string', description: 'Working directory.' },
          timeout_ms: { type: 'integer', description: 'Time limit in milliseconds.' },
          env: { type: 'object', additionalProperties: { type: 'string' } },
          user: { type: 'string' },
        },
        required: ['command'],
      },
    },
    callee: { kind: 'local_shell' },
    plain: LOCAL_SHELL,
  };
}

/** tool_choice → the CLI's ToolChoice; `allowed_tools` narrows what is offered. */
function applyToolChoice(
  choice: ResponsesToolChoice | null | undefined,
  specs: ToolSpec[],
  names: ResponsesToolNames,
): { specs: ToolSpec[]; toolChoice: ToolChoice | undefined } {
  if (choice === null || choice === undefined) return { specs, toolChoice: undefined };
  if (typeof choice === 'string') {
    if (choice === 'required' && specs.length === 0)
      throw errors.invalidRequest(
        "tool_choice 'required' needs tools the client runs (function, namespace or custom) in 'tools'.",
        'tool_choice',
      );
    return { specs, toolChoice: choice };
  }
  const c = choice as { type: string; name?: string; namespace?: string; mode?: string; tools?: unknown };
  if (isHostedToolType(c.type))
    throw errors.invalidRequest(
      `tool_choice forces the hosted tool '${c.type}', which CLI2API cannot run: the Claude Code CLI has no such tool, and hosted tools are left out of the request. Use 'auto' or force a tool your client runs.`,
      'tool_choice',
      'unsupported_value',
    );
  if (c.type === 'allowed_tools') {
    const allowed = Array.isArray(c.tools) ? (c.tools as Array<{ type?: string; name?: string }>) : [];
    const keep = new Set(
      allowed.flatMap((a) => (a.type && !isHostedToolType(a.type) ? [forcedName(a, names, 'tool_choice.tools')] : [])),
    );
    const narrowed = specs.filter((s) => keep.has(s.name));
    if (c.mode === 'required' && narrowed.length === 0)
      throw errors.invalidRequest(
        'tool_choice allowed_tools with mode required names no tool your client runs.',
        'tool_choice.tools',
      );
    return { specs: narrowed, toolChoice: c.mode === 'required' ? 'required' : 'auto' };
  }
  if (c.type !== 'function' && c.type !== 'custom' && c.type !== LOCAL_SHELL)
    throw errors.invalidRequest(
      `tool_choice of type '${c.type}' is not supported; use 'auto', 'none', 'required', {type:'function', name}, {type:'custom', name} or allowed_tools.`,
      'tool_choice',
      'unsupported_value',
    );
  return { specs, toolChoice: { name: forcedName(c, names, 'tool_choice.name') } };
}

/** The model's name for a tool a tool_choice names; a name that is not among the tools is a 400. */
function forcedName(c: { type?: string; name?: string; namespace?: string }, names: ResponsesToolNames, param: string) {
  const callee: ResponsesCallee =
    c.type === LOCAL_SHELL
      ? { kind: 'local_shell' }
      : c.type === 'custom'
        ? { kind: 'custom', name: c.name ?? '' }
        : { kind: 'function', name: c.name ?? '', namespace: c.namespace };
  const name = names.modelName(callee);
  if (names.has(name)) return name;
  throw errors.invalidRequest(
    `tool_choice names the ${c.type === 'custom' ? 'custom tool' : 'function'} '${c.name ?? ''}', which is not among the tools.`,
    param,
  );
}
