/**
 * A redis-server (Debian's, or a Valkey build that answers to the same name) run by the test
 * itself on a free loopback port, with no persistence; plus how to tell whether one is
 * installed. In CI (.ci/run installs it) a missing server fails the suite; elsewhere the
 * suite is skipped with a message saying what to install.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { freePort } from './free-port';

export interface RedisServer {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function redisServerInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Skips the suite (or fails it in CI) when `what` is missing. Call inside `before`. */
export function requireTool(ctx: Mocha.Context, installed: boolean, what: string): void {
  if (installed) return;
  const message = `${what} is not installed: apt-get install -y nginx redis-server (the suite is skipped)`;
  if (process.env.CI) throw new Error(`${what} is missing in CI; .ci/run should have installed it`);
  process.stderr.write(`      skipped: ${message}\n`);
  ctx.skip();
}

/** Starts redis-server on `port` (a free one by default) with `args`; resolves once it accepts connections. */
export async function startRedis(port?: number, args: string[] = []): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 20 s:\n${output}`)), 20_000);
    const onData = (d: Buffer) => {
      output += String(d);
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited ${code}:\n${output}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
