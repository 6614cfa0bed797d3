/**
 * Warnings about settings are shown once per change of the setting: reading the settings
 * again (at start, on an unrelated change) repeats nothing; a new problem with the same
 * setting, or the same one after it was fixed in between, shows again. Pure.
 */
export interface SettingWarning {
  /** The setting's key below `cli2api.` (e.g. `port`, `agentMode.enabled`). */
  key: string;
  message: string;
}

export class SettingWarnings {
  private readonly shown = new Map<string, string>();

  /**
   * Everything wrong after one read of the settings (every key the read covers: those not
   * listed are fine now). Returns the warnings to show.
   */
  update(current: SettingWarning[]): SettingWarning[] {
    const now = new Map(current.map((w) => [w.key, w.message]));
    for (const key of [...this.shown.keys()]) if (!now.has(key)) this.shown.delete(key);
    const fresh: SettingWarning[] = [];
    for (const [key, message] of now) {
      if (this.shown.get(key) === message) continue;
      this.shown.set(key, message);
      fresh.push({ key, message });
    }
    return fresh;
  }
}
