/** The one logging interface the core receives: a console logger headless, a LogOutputChannel in VS Code. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

export function isEnabled(threshold: LogLevel, level: LogLevel): boolean {
  return ORDER[level] >= ORDER[threshold];
}

/** Lines on stderr (stdout stays free for programs that wrap the server); JSON lines if asked. */
export function createConsoleLogger(opts: { level: LogLevel; json: boolean; write?: (line: string) => void }): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const log = (level: LogLevel, message: string | Error) => {
    if (!isEnabled(opts.level, level)) return;
    const text = message instanceof Error ? (message.stack ?? message.message) : message;
    const time = new Date().toISOString();
    write(opts.json ? JSON.stringify({ time, level, msg: text }) : `${time} ${level.toUpperCase().padEnd(5)} ${text}`);
  };
  return {
    trace: (m) => log('trace', m),
    debug: (m) => log('debug', m),
    info: (m) => log('info', m),
    warn: (m) => log('warn', m),
    error: (m) => log('error', m),
  };
}
