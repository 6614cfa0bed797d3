/**
 * API keys with member names. In CLI2API_API_KEY an entry is either a plain key or
 * `name:key`: an entry that contains ':' is split at its first ':', the part before it is the
 * member name (1–64 of A–Z a–z 0–9 . _ -), the rest the key. So a key that itself contains
 * ':' needs a name in front (`name:key:with:colons`); a plain key never has one. In VS Code
 * the commands store the name and the key separately, so nothing is split there.
 */
import { z } from 'zod';

export const MEMBER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export interface ApiKey {
  /** Who uses it, for logs and metrics; undefined for a key given without a name. */
  member?: string;
  key: string;
}

const key = z.string().trim().min(8, 'an API key needs at least 8 characters');

/** One key: a plain string (never split) or `{member, key}`. */
export const apiKeySchema = z.union([
  key.transform((k): ApiKey => ({ key: k })),
  z.object({
    member: z.string().trim().regex(MEMBER_NAME, "a member name is 1–64 letters, digits, '.', '_' or '-'").optional(),
    key,
  }),
]);

export const apiKeyListSchema = z.array(apiKeySchema).superRefine((keys, ctx) => {
  const seen = new Set<string>();
  for (const [i, k] of keys.entries()) {
    if (seen.has(k.key)) ctx.addIssue({ code: 'custom', message: 'the same key is given twice', path: [i] });
    seen.add(k.key);
  }
});

/** `name:key` → {member, key}; an entry without ':' is a plain key. Validation is the schema's. */
export function parseKeyEntry(entry: string): { member?: string; key: string } {
  const colon = entry.indexOf(':');
  return colon < 0 ? { key: entry } : { member: entry.slice(0, colon), key: entry.slice(colon + 1) };
}
