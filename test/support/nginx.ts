/**
 * nginx (Debian's) run by the test itself, in the foreground, with everything in a temporary
 * folder. Its configuration is the one README's "Team setup" documents — read from README
 * itself, so the documented configuration is the tested one — with the instance addresses
 * and the listen port put in, plus a round-robin copy without the stickiness line on a
 * second port (correctness must not depend on stickiness).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

const README = path.resolve(__dirname, '../../README.md');

export interface Nginx {
  /** The documented configuration: sticky by conversation header, else by key. */
  url: string;
  /** The same without the `hash` line: plain round robin. */
  roundRobinUrl: string;
  dir: string;
  child: ChildProcess;
  /** Access log lines: `<method> <uri> <status> upstream=<addrs> upstream_status=<statuses>`. */
  accessLog(): string[];
  stop(): Promise<void>;
}

export function nginxInstalled(): boolean {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The http-level configuration README documents (the first ```nginx block under "## Team setup"). */
export function documentedConfig(): string {
  const readme = fs.readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf('## Team setup'));
  const m = /```nginx\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README has no ```nginx block under "## Team setup"');
  return m[1]!;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`README's nginx configuration no longer has ${pattern}`);
  return text.replace(pattern, replacement);
}

/** Starts nginx in front of `instances` (`127.0.0.1:port` each); resolves once both ports accept connections. */
export async function startNginx(instances: string[]): Promise<Nginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-nginx-'));
  const [port, rrPort] = [await freePort(), await freePort()];
  const documented = documentedConfig();
  const servers = [...documented.matchAll(/^\s*server (\S+:\d+)/gm)].map((m) => m[1]!);
  if (servers.length !== instances.length)
    throw new Error(`README's upstream lists ${servers.length} instances, the test runs ${instances.length}`);
  let sticky = documented;
  for (const [i, s] of servers.entries()) sticky = sticky.replace(`server ${s}`, `server ${instances[i]}`);
  sticky = replaceOnce(sticky, /listen \d+;/, `listen 127.0.0.1:${port};`);
  let roundRobin = sticky.replace(/^map [\s\S]*?^}\n/m, '');
  roundRobin = replaceOnce(roundRobin, /upstream cli2api \{/, 'upstream cli2api_rr {');
  roundRobin = replaceOnce(roundRobin, /^\s*hash .*\n/m, '');
  roundRobin = replaceOnce(roundRobin, /proxy_pass http:\/\/cli2api;/, 'proxy_pass http://cli2api_rr;');
  roundRobin = replaceOnce(roundRobin, /listen 127\.0\.0\.1:\d+;/, `listen 127.0.0.1:${rrPort};`);
  const conf = `# Written by test/support/nginx.ts
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
error_log ${dir}/error.log info;
pid ${dir}/nginx.pid;
events { worker_connections 512; }
http {
  log_format upstreams '$request_method $request_uri $status upstream=$upstream_addr upstream_status=$upstream_status';
  access_log ${dir}/access.log upstreams;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  # --- README "Team setup" ---
${sticky}
  # --- the same, round robin ---
${roundRobin}
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-e', `${dir}/error.log`, '-p', dir, '-c', `${dir}/nginx.conf`, '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => {
      const log = fs.existsSync(`${dir}/error.log`) ? fs.readFileSync(`${dir}/error.log`, 'utf8') : '';
      reject(new Error(`nginx exited ${code}:\n${output}\n${log}\n${conf}`));
    }),
  );
  exited.catch(() => {}); // observed below, and after a normal stop nobody waits for it
  await Promise.race([Promise.all([accepting(port), accepting(rrPort)]), exited]);
  return {
    url: `http://127.0.0.1:${port}`,
    roundRobinUrl: `http://127.0.0.1:${rrPort}`,
    dir,
    child,
    accessLog: () =>
      fs.existsSync(`${dir}/access.log`)
        ? fs.readFileSync(`${dir}/access.log`, 'utf8').split('\n').filter(Boolean)
        : [],
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGQUIT'); // graceful: workers finish their requests
      }),
  };
}

/** Resolves once something accepts TCP connections on `port` (polls for up to 20 s). */
async function accepting(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
