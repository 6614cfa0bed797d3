/** A client's configuration file cannot be merged (it does not parse, or has an unexpected shape): nothing is written. */
export class ConfigMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigMergeError';
  }
}
