/**
 * Anthropic's unified rate-limit response headers, written out as the real API sends them
 * to a subscription login (resets in epoch seconds, utilization 0–1), for the fake to send.
 */
export interface WindowHeaders {
  utilization: number;
  /** Epoch seconds. */
  reset: number;
  status?: 'allowed' | 'allowed_warning' | 'rejected';
}

export interface UnifiedHeaders {
  status: 'allowed' | 'allowed_warning' | 'rejected';
  claim: 'five_hour' | 'seven_day';
  fiveHour: WindowHeaders;
  sevenDay: WindowHeaders;
  overage?: { status: string; disabledReason?: string; reset?: number; inUse?: boolean };
}

export function unifiedHeaders(h: UnifiedHeaders): Record<string, string> {
  const p = 'anthropic-ratelimit-unified-';
  const claimed = h.claim === 'five_hour' ? h.fiveHour : h.sevenDay;
  const out: Record<string, string> = {
    [`${p}status`]: h.status,
    [`${p}reset`]: String(claimed.reset),
    [`${p}representative-claim`]: h.claim,
    [`${p}fallback`]: 'available',
    [`${p}5h-utilization`]: String(h.fiveHour.utilization),
    [`${p}5h-reset`]: String(h.fiveHour.reset),
    [`${p}5h-status`]: h.fiveHour.status ?? 'allowed',
    [`${p}7d-utilization`]: String(h.sevenDay.utilization),
    [`${p}7d-reset`]: String(h.sevenDay.reset),
    [`${p}7d-status`]: h.sevenDay.status ?? 'allowed',
  };
  if (h.overage) {
    out[`${p}overage-status`] = h.overage.status;
    if (h.overage.disabledReason) out[`${p}overage-disabled-reason`] = h.overage.disabledReason;
    if (h.overage.reset !== undefined) out[`${p}overage-reset`] = String(h.overage.reset);
    if (h.overage.inUse) out[`${p}overage-in-use`] = 'true';
  }
  return out;
}

/** Whole epoch seconds `s` from now. */
export function secondsFromNow(s: number): number {
  return Math.floor(Date.now() / 1000) + s;
}
