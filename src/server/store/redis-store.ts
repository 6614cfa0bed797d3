/**
 * The shared Responses store, in Redis or Valkey (same protocol), through node-redis
 * (`@redis/client`, the Redis project's own client). Every instance behind a load balancer
 * sees every response, so a `previous_response_id` chain may move between instances.
 *
 * Layout: `cli2api:response:<id>` holds the JSON of one stored response and expires by
 * itself (PX = the TTL); the sorted set `cli2api:responses` holds the ids scored by the time
 * they were stored. The size limit is kept on every put, in one MULTI: add the id, drop ids
 * older than the TTL, take the ids beyond the newest `responsesStoreSize` and remove them
 * from the set; their keys are then deleted (a key missed there still expires by its TTL).
 *
 * Redis being unreachable is not fatal: the client reconnects in the background, calls fail
 * at once (no offline queue) with a 503 `store_unavailable`, and the log says when it went
 * away and when it came back.
 */
import { createClient } from '@redis/client';
import { redactUrl } from '../../config/settings';
import { errors } from '../../core/api-error';
import type { ResponseObject } from '../../openai/responses-stream';
import type { Logger } from '../../util/logger';
import {
  type ResponseStore,
  type StoredRequest,
  type StoredResponse,
  type StoreSettings,
  storedResponse,
} from './response-store';

const KEY_PREFIX = 'cli2api:response:';
const INDEX = 'cli2api:responses';
/** A command Redis does not answer within this fails (a hung server must not hang requests). */
const COMMAND_TIMEOUT_MS = 5000;

export class RedisResponseStore implements ResponseStore {
  readonly description: string;
  private readonly client;
  /** Why the store is unreachable, while it is; undefined when it is connected. */
  private down: string | undefined = 'not connected yet';
  private closed = false;

  constructor(
    url: string,
    private readonly settings: StoreSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.description = redactUrl(url);
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
    });
    this.client.on('ready', () => {
      if (this.down !== 'not connected yet') logger.info(`Responses store ${this.description} is reachable again`);
      else logger.info(`Responses store ${this.description} connected`);
      this.down = undefined;
    });
    // Without a listener an 'error' event would throw; it comes once per failed (re)connect attempt.
    this.client.on('error', (e: unknown) => this.wentDown(e));
    this.client.connect().catch((e: unknown) => {
      if (!this.closed) this.wentDown(e);
    });
  }

  get available(): boolean {
    return this.down === undefined;
  }

  get unavailableReason(): string | undefined {
    return this.down;
  }

  async put(response: ResponseObject, request: StoredRequest): Promise<void> {
    const { responsesStoreSize: max, responsesTtlSeconds: ttl } = this.settings();
    if (max === 0) return;
    const ttlMs = Math.max(1, Math.round(ttl * 1000));
    const now = this.now();
    const json = JSON.stringify(storedResponse(response, request));
    const replies = await this.call(() =>
      this.client
        .multi()
        .set(KEY_PREFIX + response.id, json, { expiration: { type: 'PX', value: ttlMs } })
        .zAdd(INDEX, { score: now, value: response.id })
        .zRemRangeByScore(INDEX, '-inf', now - ttlMs)
        .zRange(INDEX, 0, -(max + 1))
        .zRemRangeByRank(INDEX, 0, -(max + 1))
        .pExpire(INDEX, ttlMs)
        .exec(),
    );
    const dropped = replies[3] as unknown as string[];
    if (dropped.length > 0) await this.call(() => this.client.del(dropped.map((id) => KEY_PREFIX + id)));
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const json = await this.call(() => this.client.get(KEY_PREFIX + id));
    if (json === null) return undefined;
    try {
      const stored = JSON.parse(json) as StoredResponse;
      if (stored?.response?.id === id && Array.isArray(stored.conversation?.turns)) return stored;
    } catch {
      // fall through: not something this store wrote
    }
    this.logger.warn(`Responses store ${this.description}: the entry for ${id} is not a stored response; ignored`);
    return undefined;
  }

  async delete(id: string): Promise<boolean> {
    const replies = await this.call(() =>
      this.client
        .multi()
        .del(KEY_PREFIX + id)
        .zRem(INDEX, id)
        .exec(),
    );
    return (replies[0] as unknown as number) > 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.client.isReady) await this.client.close();
      else this.client.destroy();
    } catch {
      this.client.destroy();
    }
  }

  /** Runs Redis commands; any failure becomes a 503 the client can act on (and a log line). */
  private async call<T>(commands: () => Promise<T>): Promise<T> {
    if (this.closed) throw errors.storeUnavailable('the server is stopping');
    try {
      return await commands();
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.logger.warn(`Responses store ${this.description}: ${reason}`);
      throw errors.storeUnavailable(this.down ?? reason);
    }
  }

  private wentDown(e: unknown): void {
    const reason = e instanceof Error ? e.message || e.name : String(e);
    if (this.down === undefined || this.down === 'not connected yet') {
      this.logger.warn(
        `Responses store ${this.description} is unreachable (${reason}); requests that need it get 503 until it is back`,
      );
    } else this.logger.debug(`Responses store ${this.description}: ${reason}`);
    this.down = reason;
  }
}
