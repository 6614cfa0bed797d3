/** What the status bar, /health and the log report about the server since it started. */
export interface StatsSnapshot {
  inFlight: number;
  served: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export class ServerStats {
  private data: StatsSnapshot = { inFlight: 0, served: 0, failed: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
  private listeners = new Set<() => void>();

  snapshot(): StatsSnapshot {
    return { ...this.data };
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  begin(): void {
    this.data.inFlight++;
    this.fire();
  }

  end(outcome: { ok: boolean; promptTokens?: number; completionTokens?: number; costUsd?: number }): void {
    this.data.inFlight--;
    if (outcome.ok) this.data.served++;
    else this.data.failed++;
    this.data.promptTokens += outcome.promptTokens ?? 0;
    this.data.completionTokens += outcome.completionTokens ?? 0;
    this.data.costUsd += outcome.costUsd ?? 0;
    this.fire();
  }

  private fire(): void {
    for (const l of this.listeners) l();
  }
}
