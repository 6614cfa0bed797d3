/**
 * A Koa app served on a free loopback port for unit tests, raw requests to it (fetch cannot
 * set Host), and a logger that keeps what it is given.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../../src/util/logger';

export interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function serve(app: Koa): Promise<Served> {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with exactly these headers (Host included). */
export function rawRequest(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string> },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export interface RecordingLogger extends Logger {
  readonly errors: Array<string | Error>;
}

export function recordingLogger(): RecordingLogger {
  const errors: Array<string | Error> = [];
  const ignore = () => {};
  return { errors, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: (m) => errors.push(m) };
}
