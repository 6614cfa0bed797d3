/**
 * Who holds a port: nobody, another CLI2API (it says so on /health: `name: "CLI2API"`, its
 * version and instance id), or some other program. No `vscode` here: tested in plain Node.
 */
import http from 'node:http';
import net from 'node:net';

export interface Cli2apiHolder {
  kind: 'cli2api';
  instance: string;
  version: string;
  /** Where it runs; `workspace` and `pid` only when it has no API keys. */
  runner: { kind: 'vscode' | 'headless' | 'unknown'; workspace?: string; pid?: number };
}

export type PortHolder =
  | { kind: 'free' }
  | Cli2apiHolder
  | { kind: 'foreign'; detail: string }
  /** Something answered too slowly or oddly to tell (a busy window): keep what was known. */
  | { kind: 'unknown'; detail: string };

/** The address to reach a server listening on `host` (a wildcard is reached on loopback). */
export function probeHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[|\]$/g, '');
}

export function probePort(host: string, port: number, timeoutMs = 2000): Promise<PortHolder> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: probeHost(host), port, path: '/health', timeout: timeoutMs, headers: { accept: 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
          if (body.length > 64_000) req.destroy();
        });
        res.on('end', () => resolve(classify(res.statusCode ?? 0, body)));
        res.on('error', () => resolve({ kind: 'unknown', detail: 'the answer to GET /health broke off' }));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ kind: 'unknown', detail: `no answer to GET /health within ${timeoutMs} ms` });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') resolve({ kind: 'free' });
      else if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'HPE_INVALID_CONSTANT')
        resolve({ kind: 'foreign', detail: `a program that does not speak HTTP (${e.code})` });
      else resolve({ kind: 'unknown', detail: e.message });
    });
  });
}

function classify(status: number, body: string): PortHolder {
  try {
    const h = JSON.parse(body) as {
      name?: unknown;
      version?: unknown;
      instance?: unknown;
      runner?: { kind?: unknown; workspace?: unknown; pid?: unknown };
    };
    if (status === 200 && h.name === 'CLI2API' && typeof h.instance === 'string' && typeof h.version === 'string') {
      const kind = h.runner?.kind === 'vscode' || h.runner?.kind === 'headless' ? h.runner.kind : 'unknown';
      return {
        kind: 'cli2api',
        instance: h.instance,
        version: h.version,
        runner: {
          kind,
          ...(typeof h.runner?.workspace === 'string' ? { workspace: h.runner.workspace } : {}),
          ...(typeof h.runner?.pid === 'number' ? { pid: h.runner.pid } : {}),
        },
      };
    }
  } catch {
    // not JSON: not CLI2API
  }
  return { kind: 'foreign', detail: `a program that answers GET /health with HTTP ${status} and is not CLI2API` };
}

export type AddressCheck =
  | { ok: true }
  | { ok: false; code: string; reason: string }
  /** In use: by whom decides whether this is a conflict or another window. */
  | { ok: false; code: 'EADDRINUSE'; reason: string; holder: PortHolder };

/** Whether this process could listen on host:port now (binds and closes at once). */
export function canListen(
  host: string,
  port: number,
): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) =>
      resolve({ ok: false, code: e.code ?? 'ERROR', message: e.message }),
    );
    server.listen(port, host, () => server.close(() => resolve({ ok: true })));
  });
}

/** Can CLI2API use host:port? A port held by another CLI2API is fine (it serves there). */
export async function checkAddress(host: string, port: number): Promise<AddressCheck> {
  const bind = await canListen(host, port);
  if (bind.ok) return { ok: true };
  if (bind.code === 'EADDRINUSE') {
    const holder = await probePort(host, port);
    if (holder.kind === 'cli2api' || holder.kind === 'free') return { ok: true };
    return { ok: false, code: 'EADDRINUSE', reason: `port ${port} is used by another program`, holder };
  }
  if (bind.code === 'EACCES')
    return { ok: false, code: bind.code, reason: `port ${port} needs administrator rights on this system` };
  if (bind.code === 'EADDRNOTAVAIL')
    return { ok: false, code: bind.code, reason: `${host} is not an address of this machine` };
  return { ok: false, code: bind.code, reason: bind.message };
}
