/** zod validation with OpenAI-style 400s that name the offending field in `param`. */
import type { z } from 'zod';
import { errors } from './api-error';

export function validate<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue ? formatPath(issue.path) : null;
  const message = issue ? `Invalid value for '${param || 'body'}': ${describe(issue)}` : 'Invalid request body.';
  throw errors.invalidRequest(message, param || null, 'invalid_value');
}

/** `["messages", 0, "content"]` → `messages[0].content`, as OpenAI names parameters. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.path.at(-1) !== undefined) return issue.message;
  if (issue.code === 'invalid_value' && 'values' in issue)
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}
