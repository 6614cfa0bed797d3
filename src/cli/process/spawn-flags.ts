/**
 * What a request fixes when its CLI process starts (the command line, and whether thinking is
 * off): a process serves only requests of the same kind. Defaults from the settings are
 * resolved here, once, because they are part of what a process was started with. The output
 * limit is not among them: a live process takes a new one before any turn (see
 * sessions/session-input.ts). Only whether it is small enough to turn thinking off is: the CLI
 * reads that when it starts.
 */
import type { Settings } from '../../config/settings';
import type { ModelRequest } from '../../core/model-request';
import { thinkingOffUnder } from './args';

export type SpawnFlags = Pick<ModelRequest, 'model'> &
  Partial<Pick<ModelRequest, 'effort' | 'jsonSchema'>> & { agentTools?: string[]; thinkingOff?: true };

/** The flags for a request, or those of a process's flags (`thinkingOff` kept) under the current settings. */
export function spawnFlags(
  req: Pick<ModelRequest, 'model' | 'effort' | 'jsonSchema'> & { maxOutputTokens?: number; thinkingOff?: true },
  s: Pick<Settings, 'agentTools'>,
): SpawnFlags {
  return {
    model: req.model,
    effort: req.effort,
    jsonSchema: req.jsonSchema,
    agentTools: s.agentTools.length > 0 ? s.agentTools : undefined,
    ...(req.thinkingOff || thinkingOffUnder(req.maxOutputTokens) ? { thinkingOff: true as const } : {}),
  };
}

/** The request with the settings' defaults filled in (the default effort). */
export function withDefaults<R extends Pick<ModelRequest, 'effort'>>(req: R, s: Pick<Settings, 'defaultEffort'>): R {
  return { ...req, effort: req.effort ?? (s.defaultEffort || undefined) };
}
