/**
 * Messages API tools → the tools the model sees, as the real API would show them:
 * - custom tools (no `type`, or `custom`) reach the model with their schemas;
 * - a tool with `defer_loading: true` is hidden until the conversation loads it: a
 *   `tool_reference` block (what a tool search returns, e.g. Claude Code's own ToolSearch)
 *   names it, or tool_choice forces it. When the request relies on Anthropic's server-side
 *   tool search (`tool_search_tool_*`), which the CLI cannot run, every deferred tool is offered
 *   at once instead, so the model can still reach them;
 * - server tools (`web_search_*`, `web_fetch_*`, `code_execution_*`, `tool_search_tool_*`,
 *   `mcp_toolset`) run on Anthropic's side: the CLI cannot run them, so they are left out (the
 *   route logs them at debug level) — unless tool_choice forces one, a 400 that says why;
 * - Anthropic-defined client tools (`bash_*`, `text_editor_*`, `computer_*`, `memory_*`) and
 *   unknown types are a 400: their calls would need a shape CLI2API cannot produce.
 */
import type { ToolChoice, ToolSpec } from '../core/model-request';
import { errors } from '../core/api-error';
import type { MessagesRequest } from './messages-schema';

/** Server tool types, dated (`web_search_20250305`, `tool_search_tool_regex_20251119`) or not (`mcp_toolset`). */
const SERVER_TOOL = /^(web_search|web_fetch|code_execution|tool_search_tool|mcp_toolset)(_|$)/;

export function isServerToolType(type: string): boolean {
  return SERVER_TOOL.test(type);
}

export interface PlannedMessagesTools {
  specs: ToolSpec[];
  toolChoice: ToolChoice | undefined;
  parallelToolCalls: false | undefined;
  /** Server tools left out, for the log (`web_search_20250305 (tools[3])`). */
  leftOut: string[];
}

/** `loaded`: the tool names `tool_reference` blocks in the conversation name. */
export function planMessagesTools(
  tools: MessagesRequest['tools'],
  choice: MessagesRequest['tool_choice'],
  loaded: ReadonlySet<string>,
): PlannedMessagesTools {
  const list = tools ?? [];
  const leftOut: string[] = [];
  const serverNames = new Set<string>();
  const custom: Array<{ spec: ToolSpec; deferred: boolean }> = [];
  list.forEach((t, i) => {
    if (!t.type || t.type === 'custom') {
      custom.push({
        spec: { name: t.name, description: t.description ?? undefined, parameters: t.input_schema ?? undefined },
        deferred: t.defer_loading === true,
      });
    } else if (isServerToolType(t.type)) {
      leftOut.push(`${t.type} (tools[${i}])`);
      serverNames.add(t.name);
    } else {
      throw errors.invalidRequest(
        `Tool type '${t.type}' is not supported: the model can use custom tools (name, description, input_schema) your client runs; server tools such as web_search are left out.`,
        `tools[${i}].type`,
        'unsupported_value',
      );
    }
  });
  const forced = choice?.type === 'tool' ? choice.name : undefined;
  if (forced !== undefined && serverNames.has(forced))
    throw errors.invalidRequest(
      `tool_choice forces the server tool '${forced}', which CLI2API cannot run: the Claude Code CLI has no such tool, and server tools are left out of the request. Use auto or force a tool your client runs.`,
      'tool_choice.name',
      'unsupported_value',
    );
  const serverSearch = list.some((t) => t.type?.startsWith('tool_search_tool_'));
  const specs = custom
    .filter((c) => !c.deferred || serverSearch || loaded.has(c.spec.name) || c.spec.name === forced)
    .map((c) => c.spec);
  return {
    specs,
    toolChoice: toolChoiceFrom(choice, specs),
    parallelToolCalls: choice?.disable_parallel_tool_use === true ? false : undefined,
    leftOut,
  };
}

function toolChoiceFrom(choice: MessagesRequest['tool_choice'], tools: ToolSpec[]): ToolChoice | undefined {
  if (!choice || choice.type === 'auto') return choice ? 'auto' : undefined;
  if (choice.type === 'none') return 'none';
  if (tools.length === 0) throw errors.invalidRequest(`tool_choice '${choice.type}' needs tools.`, 'tool_choice');
  if (choice.type === 'any') return 'required';
  if (!choice.name || !tools.some((t) => t.name === choice.name)) {
    throw errors.invalidRequest(
      `tool_choice names '${choice.name ?? ''}', which is not among the tools.`,
      'tool_choice.name',
    );
  }
  return { name: choice.name };
}
