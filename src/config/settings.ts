/**
 * The one settings object the core runs on. The headless entry fills it from CLI2API_*
 * environment variables, the extension from `cli2api.*` settings; both go through
 * `parseSettings`, so defaults and limits live here only.
 */
import { z } from 'zod';
import { apiKeyListSchema } from './api-keys';
import { EFFORTS } from '../core/model-request';
import { LOG_LEVELS } from '../util/logger';

const modelList = z
  .array(z.string().trim().min(1))
  .min(1, 'needs at least one model id')
  .transform((ids) => [...new Set(ids)]);

export const settingsSchema = z.object({
  host: z.string().trim().min(1).default('127.0.0.1'),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65535).default(8000),
  /** Absolute path of the `claude` executable; empty means auto-detect. */
  claudePath: z.string().trim().default(''),
  models: modelList.default(['sonnet', 'opus', 'haiku']),
  defaultModel: z.string().trim().min(1).default('sonnet'),
  /** `--effort` for requests that name none (`reasoning_effort`, `reasoning.effort`); empty: the CLI's default. */
  defaultEffort: z.enum(['', ...EFFORTS]).default(''),
  /** Whole-request limit, queue time included. */
  timeoutSeconds: z
    .number()
    .positive()
    .max(24 * 3600)
    .default(300),
  /**
   * When not empty, every /v1 route needs `Authorization: Bearer <one of these>` (or `x-api-key`).
   * Each may carry a member name (logs and metrics); a plain string is a key without one.
   */
  apiKeys: apiKeyListSchema.default([]),
  /** When set, GET /metrics needs exactly this key (and no member key opens it); unset, /metrics follows the API keys. */
  metricsKey: z
    .string()
    .trim()
    .refine((k) => k === '' || k.length >= 8, 'a metrics key needs at least 8 characters')
    .default(''),
  /** Host names besides loopback names, IP literals and `host` that requests may address (DNS-rebinding defence). */
  allowedHosts: z.array(z.string().trim().toLowerCase().min(1)).default([]),
  /** Browser origins allowed to call the API (CORS); none by default. `*` allows any. */
  corsOrigins: z.array(z.string().trim().min(1)).default([]),
  /** Fetch http(s) image URLs in requests (off: they are refused with a 400). */
  allowRemoteImages: z.boolean().default(false),
  /** Largest request body accepted, in MB (larger: 413). */
  maxBodyMb: z.number().positive().max(1024).default(20),
  /**
   * Agent mode: Claude Code's own tools the CLI may use (e.g. Read, Grep, Edit), running in
   * `agentCwd`. Empty (the default): the CLI is a pure model with no tools of its own.
   */
  agentTools: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[A-Za-z][\w()*:, -]*$/, 'a Claude Code tool name such as Read or Bash(git:*)'),
    )
    .default([]),
  agentCwd: z.string().trim().default(''),
  /** Silence from a running CLI longer than this kills it (a hung connection, a stuck process). */
  idleTimeoutSeconds: z
    .number()
    .positive()
    .max(24 * 3600)
    .default(180),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  logJson: z.boolean().default(false),
  /** Logs prompts and every CLI line; never on by default. */
  debug: z.boolean().default(false),
  /** Extra environment for the CLI child, over the server's own. */
  cliEnv: z.record(z.string(), z.string()).default({}),
  /** CLI runs at once; more wait in a FIFO queue. */
  maxConcurrent: z.number().int().min(1).max(64).default(4),
  /** Requests allowed to wait; beyond this they get 429. */
  maxQueue: z.number().int().min(0).max(10_000).default(64),
  /** Started CLI processes kept ready per kind recent requests used (model, effort, …); 0: none. */
  poolSize: z.number().int().min(0).max(16).default(1),
  /** Warm (started, unused) processes in all, spares for bursts and replacements included; never below poolSize. */
  poolMaxWarm: z.number().int().min(0).max(64).default(3),
  /** Used CLI processes kept alive to continue their conversation or take a new one with the same system prompt. */
  poolMaxIdle: z.number().int().min(0).max(64).default(2),
  /** Processes kept waiting for their tool calls' results; beyond this the oldest is dropped (its follow-up starts a new one). */
  poolMaxHeld: z.number().int().min(0).max(64).default(4),
  /** Seconds an unused warm or idle process lives. */
  poolIdleSeconds: z
    .number()
    .positive()
    .max(24 * 3600)
    .default(300),
  /** Stored Responses API responses (for previous_response_id and GET /v1/responses/{id}). */
  responsesStoreSize: z.number().int().min(0).max(100_000).default(1000),
  /**
   * While a usage window of the subscription is full: hold requests until it resets (when
   * that is within their timeout) instead of answering 429 at once. For unattended jobs.
   */
  waitWhenFull: z.boolean().default(false),
  /** How long a stored response is kept. */
  responsesTtlSeconds: z.number().positive().default(3600),
  /** Empty: responses are kept in memory. `redis://host:port` (or rediss://): in Redis/Valkey, shared by instances. */
  responsesStoreUrl: z
    .string()
    .trim()
    .refine((u) => u === '' || isRedisUrl(u), 'a redis://host:port or rediss://host:port URL')
    .default(''),
  /** On SIGTERM (headless), seconds the requests in flight may take to finish before they are stopped. */
  drainSeconds: z.number().min(0).max(3600).default(30),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;

export function parseSettings(input: SettingsInput): Settings {
  return settingsSchema.parse(input);
}

export const DEFAULT_SETTINGS: Settings = parseSettings({});

/** Settings whose change needs the server to start again: the address, and the store chosen at start. */
export function needsRestart(before: Settings, after: Settings): boolean {
  return (
    before.host !== after.host || before.port !== after.port || before.responsesStoreUrl !== after.responsesStoreUrl
  );
}

function isRedisUrl(u: string): boolean {
  try {
    const url = new URL(u);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A store URL without its user name and password, for logs. */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '(invalid URL)';
  }
}
