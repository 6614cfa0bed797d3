/**
 * What a request fixes when its CLI process starts (command line and environment): a
 * process serves only requests with the same flags. Defaults from the settings are resolved
 * here, once, because they are part of what a process was started with.
 */
import type { Settings } from '../../config/settings';
import type { ModelRequest } from '../../core/model-request';

export type SpawnFlags = Pick<ModelRequest, 'model'> &
  Partial<Pick<ModelRequest, 'effort' | 'maxOutputTokens' | 'jsonSchema'>> & { agentTools?: string[] };

export function spawnFlags(
  req: Pick<ModelRequest, 'model' | 'effort' | 'maxOutputTokens' | 'jsonSchema'>,
  s: Pick<Settings, 'agentTools'>,
): SpawnFlags {
  return {
    model: req.model,
    effort: req.effort,
    maxOutputTokens: req.maxOutputTokens,
    jsonSchema: req.jsonSchema,
    agentTools: s.agentTools,
  };
}

/** The request with the settings' defaults filled in (the default effort). */
export function withDefaults<R extends Pick<ModelRequest, 'effort'>>(req: R, s: Pick<Settings, 'defaultEffort'>): R {
  return { ...req, effort: req.effort ?? (s.defaultEffort || undefined) };
}
