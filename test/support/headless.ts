/**
 * The headless server as users run it (`node bin/cli2api.js`, what `npx cli2api` runs), in
 * its own process: for the headless tests, the benchmark and the load test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(__dirname, '../../bin/cli2api.js');

export interface HeadlessServer {
  child: ChildProcess;
  /** http://127.0.0.1:<port>, from the server's "listening on" log line. */
  url: string;
  /** Everything it printed so far. */
  output(): string;
}

/** Starts it with `env` (and PATH) only; resolves once it listens. */
export function startHeadless(env: Record<string, string>, cwd?: string): Promise<HeadlessServer> {
  const child = spawn(process.execPath, [BIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 15 s:\n${output}`)), 15_000);
    child.stderr!.on('data', () => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => output });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${output}`));
    });
  });
}

/** SIGTERM, as a service manager would; resolves with the exit code. */
export function stopHeadless(server: HeadlessServer): Promise<number | null> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve(server.child.exitCode);
    server.child.once('exit', (code) => resolve(code));
    server.child.kill('SIGTERM');
  });
}
