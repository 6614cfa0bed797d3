/**
 * What a request fixes when its CLI process starts (the command line): a process serves only
 * requests of the same kind. Defaults from the settings are resolved here, once, because they
 * are part of what a process was started with. The output limit is not among them: a live
 * process takes a new one before any turn (see output-limit.ts).
 */
import type { Settings } from '../../config/settings';
import type { ModelRequest } from '../../core/model-request';

export type SpawnFlags = Pick<ModelRequest, 'model'> &
  Partial<Pick<ModelRequest, 'effort' | 'jsonSchema'>> & { agentTools?: string[] };

export function spawnFlags(
  req: Pick<ModelRequest, 'model' | 'effort' | 'jsonSchema'>,
  s: Pick<Settings, 'agentTools'>,
): SpawnFlags {
  return {
    model: req.model,
    effort: req.effort,
    jsonSchema: req.jsonSchema,
    agentTools: s.agentTools.length > 0 ? s.agentTools : undefined,
  };
}

/** The request with the settings' defaults filled in (the default effort). */
export function withDefaults<R extends Pick<ModelRequest, 'effort'>>(req: R, s: Pick<Settings, 'defaultEffort'>): R {
  return { ...req, effort: req.effort ?? (s.defaultEffort || undefined) };
}
