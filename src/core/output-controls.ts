/**
 * Request fields that shape the model's output, shared by every API: stop sequences, the
 * output token limit and the reasoning effort, validated into ModelRequest fields.
 */
import { type Effort, EFFORTS } from './model-request';
import { errors } from './api-error';

/** `stop` as a string or a list; empty strings match nothing and are dropped. */
export function stopSequences(stop: string | string[] | null | undefined): string[] | undefined {
  if (stop === null || stop === undefined) return undefined;
  const list = (typeof stop === 'string' ? [stop] : stop).filter((s) => s.length > 0);
  return list.length > 0 ? list : undefined;
}

/** OpenAI's effort names → the CLI's `--effort`. Claude has no "no thinking" effort: `none`/`minimal` become `low`. */
export function effortFrom(value: string | null | undefined, param: string): Effort | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const v = value.toLowerCase();
  if (v === 'none' || v === 'minimal') return 'low';
  if ((EFFORTS as readonly string[]).includes(v)) return v as Effort;
  throw errors.invalidRequest(
    `Unsupported reasoning effort '${value}'; use one of none, minimal, ${EFFORTS.join(', ')}.`,
    param,
    'unsupported_value',
  );
}

/**
 * `response_format` (Chat Completions) or `text.format` (Responses) → the schema for the
 * CLI's `--json-schema`. `json_object` asks for any JSON object; `text` or nothing: plain text.
 */
export function jsonSchemaFrom(
  format: { type?: unknown; schema?: unknown; json_schema?: unknown } | null | undefined,
  param: string,
): Record<string, unknown> | undefined {
  if (!format || format.type === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'object' };
  if (format.type !== 'json_schema') {
    throw errors.invalidRequest(
      `${param}.type '${String(format.type)}' is not supported; use text, json_object or json_schema.`,
      `${param}.type`,
      'unsupported_value',
    );
  }
  // Chat Completions nests the schema in json_schema; the Responses API puts it on the format itself.
  const holder = (format.json_schema ?? format) as { schema?: unknown };
  const schema = holder.schema ?? { type: 'object' };
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw errors.invalidRequest(
      'The JSON schema must be an object.',
      `${param}${format.json_schema ? '.json_schema' : ''}.schema`,
      'invalid_value',
    );
  }
  // The CLI's StructuredOutput tool needs an object at the top, as every tool input is.
  if ((schema as { type?: unknown }).type !== 'object') {
    throw errors.invalidRequest(
      'Claude can only answer with a JSON object: the schema\'s top level must be {"type": "object"}.',
      `${param}.schema`,
      'unsupported_value',
    );
  }
  // A `$schema` naming draft 2020-12 (zod 4's JSON Schema, sent by LangChain) makes CLI 2.1.197
  // silently drop its StructuredOutput tool; the dialect adds nothing the model needs.
  const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  return rest;
}
