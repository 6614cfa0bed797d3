/**
 * `npm run load`: LOAD_CLIENTS (50) concurrent clients for LOAD_SECONDS (60) against the
 * headless server (its own process, maxConcurrent 4) and the real CLI talking to a fake
 * Anthropic API on 127.0.0.1. Clients mix streaming and non-streamed requests, some hang up
 * after the first token, some send malformed JSON. Prints requests served, errors by kind
 * (only deliberate queue-full 429s are allowed), the CLI processes sampled every 20 ms from
 * /proc against the bound the server states (/health `processes.limit`), and the server's
 * RSS and open file descriptors before and after. Exits 1 on an unexpected error, a sample
 * over the bound, or a CLI process left after the server stopped.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type OpenAI from 'openai';
import { CLAUDE_BIN, fakeCliEnv } from '../test/support/cli-env';
import { FakeAnthropic } from '../test/support/fake-anthropic';
import { startHeadless, stopHeadless } from '../test/support/headless';
import { cliSessionsWithMarker, sampleProcesses, waitForNoProcesses } from '../test/support/processes';

const ROOT = path.resolve(__dirname, '..');
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 50);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);

const procStat = (pid: number) => ({
  rssMb: Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
  fds: fs.readdirSync(`/proc/${pid}/fd`).length,
});

async function main(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const fake = new FakeAnthropic();
  await fake.start();
  fake.handle(() => ({
    kind: 'message',
    blocks: [{ type: 'text', text: 'load test answer', chunks: ['load', ' test', ' answer'] }],
    deltaDelayMs: 30,
  }));
  const marker = randomUUID();
  const headless = await startHeadless({
    ...fakeCliEnv(fake.url),
    C2A_TEST_MARKER: marker,
    CLI2API_PORT: '0',
    CLI2API_CLAUDE_CLI_PATH: CLAUDE_BIN,
    CLI2API_MAX_CONCURRENT: '4',
  });
  const { child: server, url } = headless;
  // Let the prewarmed process start, so "before" is the server at rest.
  await new Promise((r) => setTimeout(r, 2000));
  const before = procStat(server.pid!);
  const counts: Record<string, number> = {};
  const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  const health = (await (await fetch(`${url}/health`)).json()) as { processes: { limit: number } };
  const bound = health.processes.limit;
  const sampler = sampleProcesses(marker, 20);
  const deadline = Date.now() + SECONDS * 1000;

  async function one(kind: number): Promise<void> {
    const body = { model: 'sonnet', messages: [{ role: 'user', content: `load ${randomUUID()}` }] };
    if (kind < 1) {
      const r = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"model":"sonnet","messages":[',
      });
      await r.text();
      count(r.status === 400 ? 'bad input → 400 (expected)' : `bad input → ${r.status} (UNEXPECTED)`);
      return;
    }
    const stream = kind < 6;
    const ac = new AbortController();
    const r = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, stream }),
      signal: ac.signal,
    });
    if (r.status !== 200) {
      const err = (await r.json()) as { error?: { code?: string } };
      count(
        r.status === 429 && err.error?.code === 'queue_full'
          ? '429 queue_full (allowed)'
          : `${r.status} ${err.error?.code} (UNEXPECTED)`,
      );
      return;
    }
    if (kind < 2) {
      // Hang up after the first bytes.
      const reader = r.body!.getReader();
      await reader.read();
      ac.abort();
      count('disconnected early');
      return;
    }
    const text = await r.text();
    count(
      stream
        ? streamAnswered(text)
          ? 'stream ok'
          : 'stream error (UNEXPECTED)'
        : (JSON.parse(text) as OpenAI.ChatCompletion).choices[0]?.message.content?.includes('load test answer')
          ? 'non-stream ok'
          : 'non-stream error (UNEXPECTED)',
    );
  }

  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      let i = c;
      while (Date.now() < deadline) {
        try {
          await one(i++ % 10);
        } catch (e) {
          count(`client error ${(e as Error).name} (UNEXPECTED)`);
        }
      }
    }),
  );
  const samples = sampler.stop();
  const overBound = samples.filter((n) => n > bound).length;
  await new Promise((r) => setTimeout(r, 2000));
  const after = procStat(server.pid!);
  const cliAfterRun = cliSessionsWithMarker(marker).length;
  await stopHeadless(headless);
  const orphans = await waitForNoProcesses(marker, 3000);
  await fake.stop();

  const served = Object.entries(counts)
    .filter(([k]) => / ok$/.test(k))
    .reduce((a, [, v]) => a + v, 0);
  const cliVersion = execFileSync(CLAUDE_BIN, ['--version']).toString().trim();
  console.log(
    `\nload: ${CLIENTS} clients for ${SECONDS} s, maxConcurrent 4 (real CLI ${cliVersion}, fake API on loopback)\n`,
  );
  for (const [k, v] of Object.entries(counts).sort()) console.log(`  ${k.padEnd(36)} ${v}`);
  console.log(`\n  answers served: ${served} (${(served / SECONDS).toFixed(1)}/s)`);
  console.log(
    `  CLI processes: peak ${sampler.peak} of at most ${bound} (${samples.length} samples every 20 ms, ${overBound} over), ` +
      `after the run ${cliAfterRun} (warm/idle pool), after the server stopped ${orphans.length}`,
  );
  console.log(
    `  server RSS ${before.rssMb.toFixed(0)} MB → ${after.rssMb.toFixed(0)} MB; open fds ${before.fds} → ${after.fds}`,
  );
  const unexpected = Object.keys(counts).filter((k) => k.includes('UNEXPECTED'));
  const failures = [
    ...unexpected,
    ...(orphans.length ? [`${orphans.length} orphaned CLI processes`] : []),
    ...(overBound ? [`${overBound} samples over the bound of ${bound} CLI processes`] : []),
  ];
  if (failures.length > 0) {
    console.log(`\nFAILED: ${failures.join('; ')}`);
    process.exit(1);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/** An SSE answer that carries the text, holds no error event and ends with [DONE] (read event by event). */
function streamAnswered(text: string): boolean {
  const data = text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));
  if (data.at(-1) !== '[DONE]') return false;
  const events = data
    .slice(0, -1)
    .map((d) => JSON.parse(d) as Partial<OpenAI.ChatCompletionChunk> & { error?: unknown });
  if (events.some((e) => e.error !== undefined)) return false;
  return events
    .map((e) => e.choices?.[0]?.delta.content ?? '')
    .join('')
    .includes('load test answer');
}
