/** What the status bar, /health and the log report about the server since it started. */
export interface StatsSnapshot {
  inFlight: number;
  served: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** The most recent failed request: its HTTP status and error code. */
  lastError?: { status: number; code: string; at: number };
}

export interface RequestOutcome {
  ok: boolean;
  status?: number;
  code?: string;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
}

export class ServerStats {
  private data: StatsSnapshot = { inFlight: 0, served: 0, failed: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
  private listeners = new Set<(outcome?: RequestOutcome) => void>();

  snapshot(): StatsSnapshot {
    return { ...this.data };
  }

  /** Fires when a request begins (no argument) and when one ends (with its outcome). */
  onDidChange(listener: (outcome?: RequestOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  begin(): void {
    this.data.inFlight++;
    this.fire();
  }

  end(outcome: RequestOutcome): void {
    this.data.inFlight--;
    if (outcome.ok) this.data.served++;
    else {
      this.data.failed++;
      this.data.lastError = { status: outcome.status ?? 500, code: outcome.code ?? 'error', at: Date.now() };
    }
    this.data.promptTokens += outcome.promptTokens ?? 0;
    this.data.completionTokens += outcome.completionTokens ?? 0;
    this.data.costUsd += outcome.costUsd ?? 0;
    this.fire(outcome);
  }

  private fire(outcome?: RequestOutcome): void {
    for (const l of this.listeners) l(outcome);
  }
}
