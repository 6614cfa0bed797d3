/**
 * Stored Responses API responses, in memory: for GET /v1/responses/{id} and for requests
 * that continue one with `previous_response_id`. Bounded by `responsesStoreSize` (oldest
 * dropped first) and `responsesTtlSeconds`; both are read on every call, so settings
 * changes apply at once. Expired entries go lazily (no timers to clear); nothing survives
 * a restart.
 */
import type { Settings } from '../config/settings';
import { outputTurn, type StoredConversation } from '../openai/responses-request';
import type { ResponseObject } from '../openai/responses-stream';
import type { ResponsesToolNames } from '../openai/responses-tools';
import type { Turn } from '../core/model-request';

interface Entry {
  response: ResponseObject;
  conversation: StoredConversation;
  expiresAt: number;
}

export class ResponseStore {
  // A Map iterates in insertion order: the first key is always the oldest entry.
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly settings: () => Pick<Settings, 'responsesStoreSize' | 'responsesTtlSeconds'>,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Keeps a finished response with the conversation that led to it (its own output appended). */
  put(response: ResponseObject, request: { turns: Turn[]; inputSystem: string; toolNames?: ResponsesToolNames }): void {
    const { responsesStoreSize: max, responsesTtlSeconds: ttl } = this.settings();
    this.sweep();
    if (max === 0) return;
    const turns = [...request.turns, outputTurn(response.output, request.toolNames)].filter(
      (t) => t.content.length > 0,
    );
    this.entries.delete(response.id);
    this.entries.set(response.id, {
      response: structuredClone(response),
      conversation: { inputSystem: request.inputSystem, turns: structuredClone(turns) },
      expiresAt: this.now() + ttl * 1000,
    });
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
  }

  get(id: string): { response: ResponseObject; conversation: StoredConversation } | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    // Copies: a caller that extends the conversation must not change what is stored.
    return structuredClone({ response: entry.response, conversation: entry.conversation });
  }

  delete(id: string): boolean {
    const found = this.get(id) !== undefined;
    this.entries.delete(id);
    return found;
  }

  /** Drops expired entries from the old end (entries expire roughly in insertion order). */
  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(id);
    }
  }
}
