/**
 * The default Responses store: in this process's memory. Bounded by `responsesStoreSize`
 * (oldest dropped first) and `responsesTtlSeconds`; both are read on every call, so settings
 * changes apply at once. Expired entries go lazily (no timers to clear); nothing survives a
 * restart, and other instances do not see it.
 */
import type { ResponseObject } from '../../openai/responses-stream';
import {
  type ResponseStore,
  type StoredRequest,
  type StoredResponse,
  type StoreSettings,
  storedResponse,
} from './response-store';

interface Entry {
  stored: StoredResponse;
  expiresAt: number;
}

export class MemoryResponseStore implements ResponseStore {
  readonly description = 'memory';
  readonly available = true;
  readonly unavailableReason = undefined;
  // A Map iterates in insertion order: the first key is always the oldest entry.
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly settings: StoreSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  put(response: ResponseObject, request: StoredRequest): Promise<void> {
    const { responsesStoreSize: max, responsesTtlSeconds: ttl } = this.settings();
    this.sweep();
    if (max === 0) return Promise.resolve();
    this.entries.delete(response.id);
    this.entries.set(response.id, { stored: storedResponse(response, request), expiresAt: this.now() + ttl * 1000 });
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
    return Promise.resolve();
  }

  get(id: string): Promise<StoredResponse | undefined> {
    const entry = this.live(id);
    return Promise.resolve(entry ? structuredClone(entry.stored) : undefined);
  }

  delete(id: string): Promise<boolean> {
    const found = this.live(id) !== undefined;
    this.entries.delete(id);
    return Promise.resolve(found);
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry;
    this.entries.delete(id);
    return undefined;
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
