/** The core's Logger on a VS Code LogOutputChannel. */
import type * as vscode from 'vscode';
import { isEnabled, type Logger, type LogLevel } from '../util/logger';

export function channelLogger(channel: vscode.LogOutputChannel, level: () => LogLevel): Logger {
  const on = (l: LogLevel) => isEnabled(level(), l);
  return {
    trace: (m) => on('trace') && channel.trace(m),
    debug: (m) => on('debug') && channel.debug(m),
    info: (m) => on('info') && channel.info(m),
    warn: (m) => on('warn') && channel.warn(m),
    error: (m) => on('error') && channel.error(m),
  };
}
