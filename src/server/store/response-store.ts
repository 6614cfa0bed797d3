/**
 * Stored Responses API responses, for GET /v1/responses/{id} and for requests that continue
 * one with `previous_response_id`. One interface, two implementations chosen at start: in
 * memory (the default, per instance) or in Redis/Valkey (`responsesStoreUrl`, shared by
 * every instance behind a load balancer). Both keep at most `responsesStoreSize` responses
 * for `responsesTtlSeconds`, read on every call.
 */
import type { Settings } from '../../config/settings';
import type { Turn } from '../../core/model-request';
import { outputTurn, type StoredConversation } from '../../openai/responses-request';
import type { ResponseObject } from '../../openai/responses-stream';
import type { ResponsesToolNames } from '../../openai/responses-tools';

export interface StoredResponse {
  response: ResponseObject;
  /** The conversation that led to it, its own output as the last assistant turn. */
  conversation: StoredConversation;
}

/** The request a response answered: its turns, its system text, and how its tools were named. */
export interface StoredRequest {
  turns: Turn[];
  inputSystem: string;
  toolNames?: ResponsesToolNames;
}

export type StoreSettings = () => Pick<Settings, 'responsesStoreSize' | 'responsesTtlSeconds'>;

export interface ResponseStore {
  /** `memory` or the Redis URL without credentials: for the log and /health/ready. */
  readonly description: string;
  /** False while a shared store cannot be reached (its calls then fail with 503 store_unavailable). */
  readonly available: boolean;
  /** Why it cannot be reached, while it cannot. */
  readonly unavailableReason: string | undefined;
  /** Keeps a finished response with the conversation that led to it. */
  put(response: ResponseObject, request: StoredRequest): Promise<void>;
  /** A copy: a caller that extends the conversation does not change what is stored. */
  get(id: string): Promise<StoredResponse | undefined>;
  /** Whether there was anything to delete. */
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** What is stored for a response: the request's turns plus the response's own output. */
export function storedResponse(response: ResponseObject, request: StoredRequest): StoredResponse {
  const turns = [...request.turns, outputTurn(response.output, request.toolNames)].filter((t) => t.content.length > 0);
  return structuredClone({ response, conversation: { inputSystem: request.inputSystem, turns } });
}
