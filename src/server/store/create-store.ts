/** Chooses the Responses store at start: Redis/Valkey when a store URL is set, else memory. */
import { redactUrl, type Settings } from '../../config/settings';
import type { Logger } from '../../util/logger';
import { MemoryResponseStore } from './memory-store';
import { RedisResponseStore } from './redis-store';
import type { ResponseStore } from './response-store';

/** A Redis store starts connecting at once and keeps retrying; requests meanwhile get 503 store_unavailable. */
export function createResponseStore(settings: () => Settings, logger: Logger): ResponseStore {
  const url = settings().responsesStoreUrl;
  if (!url) return new MemoryResponseStore(settings);
  logger.info(`Responses store: ${redactUrl(url)} (shared)`);
  return new RedisResponseStore(url, settings, logger);
}
