/**
 * `npm run bench`: time to first token of CLI2API against running the Claude Code CLI
 * directly, in one run on this machine, with the real CLI talking to a fake Anthropic API
 * on 127.0.0.1 (so the model's own latency is out of the picture). Prints a table, writes
 * bench/results/latest.json, latest.svg and latest.png.
 *
 * Scenarios (issue 14's targets, as ratios to the direct CLI's cold start): the direct CLI;
 * CLI2API's cold path (pool off); the first request after start-up; new conversations 1 s
 * apart, also with `max_tokens: 32000`; a new conversation after the warm processes' idle
 * time expired; new conversations back to back; a growing conversation on /v1/chat/completions
 * and on /v1/messages (the Anthropic SDK, `max_tokens` set); concurrency 1/4/16. Plus the CLI
 * processes sampled every 20 ms against the bound the server states, and memory (RSS).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { parseCliLine } from '../src/cli/events';
import { buildArgs } from '../src/cli/process/args';
import { CLAUDE_BIN, fakeCliEnv } from '../test/support/cli-env';
import { FakeAnthropic } from '../test/support/fake-anthropic';
import { type HeadlessServer, startHeadless, stopHeadless } from '../test/support/headless';
import { cliSessionsWithMarker, type ProcessSampler, sampleProcesses } from '../test/support/processes';
import { renderChart } from './chart';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const N = Number(process.env.BENCH_N ?? 10);
const SYSTEM = 'You are a concise assistant. Answer in one short sentence.';
/** pool.idleSeconds for the "after the idle time expired" scenario. */
const SHORT_IDLE_SECONDS = 3;

interface Series {
  name: string;
  ttftMs: number[];
  note?: string;
  /** Issue 14's target, as a ratio to the direct CLI's median. */
  target?: number;
}

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo]! + (s[Math.ceil(i)]! - s[lo]!) * (i - lo);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(s + '\n');

/** The CLI started directly, the way every other proxy does per request: spawn → first text delta. */
async function directCold(env: Record<string, string>): Promise<number> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-bench-direct-'));
  const t0 = performance.now();
  const child = spawn(CLAUDE_BIN, buildArgs({ model: 'sonnet' }), {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  child.stdin.write(
    JSON.stringify({
      type: 'control_request',
      request_id: 'init',
      request: { subtype: 'initialize', systemPrompt: [SYSTEM] },
    }) + '\n',
  );
  child.stdin.write(
    JSON.stringify({
      type: 'user',
      message: { role: 'user', content: 'Say hello' },
      parent_tool_use_id: null,
      session_id: '',
    }) + '\n',
  );
  let first = NaN;
  let buf = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        // By structure, never by text: the key order of the CLI's lines changes between versions.
        const parsed = parseCliLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (!parsed.ok) continue;
        const line = parsed.line;
        const isText =
          line.type === 'stream_event' &&
          line.event.type === 'content_block_delta' &&
          line.event.delta.type === 'text_delta';
        if (Number.isNaN(first) && isText) first = performance.now() - t0;
        if (line.type === 'result') child.stdin.end();
      }
    });
    child.on('close', () => resolve());
  });
  fs.rmSync(cwd, { recursive: true, force: true });
  return first;
}

interface Server extends HeadlessServer {
  client: OpenAI;
  anthropic: Anthropic;
  /** CLI processes every 20 ms, from /proc. */
  sampler: ProcessSampler;
  /** The bound the server states (/health `processes.limit`). */
  limit: number;
}

async function startServer(env: Record<string, string>, marker: string): Promise<Server> {
  const server = await startHeadless({ ...env, CLI2API_PORT: '0', CLI2API_CLAUDE_CLI_PATH: CLAUDE_BIN });
  const limit = (await health(server.url)).processes.limit;
  return {
    ...server,
    client: new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'bench', maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: server.url, apiKey: 'bench', maxRetries: 0 }),
    sampler: sampleProcesses(marker, 20),
    limit,
  };
}

async function stopServer(s: Server): Promise<{ peak: number; samples: number; over: number }> {
  const samples = s.sampler.stop();
  await stopHeadless(s);
  return { peak: s.sampler.peak, samples: samples.length, over: samples.filter((n) => n > s.limit).length };
}

interface Health {
  processes: { alive: number; limit: number; warm: number; idle: number; held: number };
}

async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()) as Health;
}

/** Waits until the server holds a warm process (it then finishes starting in the background). */
async function untilWarm(s: Server, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await health(s.url)).processes.warm < 1 && Date.now() < deadline) await sleep(50);
}

/** One streamed chat request: time to the first content delta, and to the end. */
async function timedChat(
  client: OpenAI,
  messages: ChatCompletionMessageParam[],
  extra: { max_tokens?: number } = {},
): Promise<{ ttft: number; total: number; text: string }> {
  const t0 = performance.now();
  const stream = await client.chat.completions.create({ model: 'sonnet', stream: true, messages, ...extra });
  let ttft = NaN;
  let text = '';
  for await (const chunk of stream) {
    const c = chunk.choices[0]?.delta.content;
    if (c) {
      if (Number.isNaN(ttft)) ttft = performance.now() - t0;
      text += c;
    }
  }
  return { ttft, total: performance.now() - t0, text };
}

/** One streamed /v1/messages request through the Anthropic SDK: time to the first text delta. */
async function timedMessages(
  client: Anthropic,
  messages: Anthropic.MessageParam[],
): Promise<{ ttft: number; text: string }> {
  const t0 = performance.now();
  const stream = await client.messages.create({
    model: 'sonnet',
    max_tokens: 4096,
    system: SYSTEM,
    messages,
    stream: true,
  });
  let ttft = NaN;
  let text = '';
  for await (const event of stream) {
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
      if (Number.isNaN(ttft)) ttft = performance.now() - t0;
      text += event.delta.text;
    }
  }
  return { ttft, text };
}

/** New conversations (same system prompt, a new user message each), `gapMs` apart. */
async function newConversations(
  s: Server,
  label: string,
  gapMs: number,
  extra: { max_tokens?: number } = {},
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const r = await timedChat(
      s.client,
      [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `${label} ${i}` },
      ],
      extra,
    );
    out.push(r.ttft);
    if (gapMs > 0) await sleep(gapMs);
  }
  return out;
}

/** The chart as PNG too (the VS Code Marketplace refuses SVG in a README), drawn by headless Chromium when there is one. */
async function writePng(svg: string, file: string): Promise<void> {
  const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) =>
    fs.existsSync(p),
  );
  if (!executablePath) {
    process.stderr.write('no Chromium found: bench/results/latest.png not updated\n');
    return;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 400 }, deviceScaleFactor: 2 });
    await page.setContent(`<body style="margin:0">${svg}</body>`);
    await page.locator('svg').screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const load = os.loadavg();
  const fake = new FakeAnthropic();
  await fake.start();
  fake.handle((req) => ({
    kind: 'message',
    blocks: [
      {
        type: 'text',
        text: `Hello! (${req.body.messages.length} messages)`,
        chunks: ['Hello', '! (', `${req.body.messages.length} messages)`],
      },
    ],
  }));
  const marker = randomUUID();
  const cliEnv = { ...fakeCliEnv(fake.url), C2A_TEST_MARKER: marker };
  const series: Series[] = [];
  const bounds: Array<{ server: string; limit: number; peak: number; samples: number; over: number }> = [];

  log(`direct CLI cold spawn ×${N}`);
  const direct: number[] = [];
  for (let i = 0; i < N; i++) direct.push(await directCold(cliEnv));
  series.push({ name: 'direct CLI (cold spawn)', ttftMs: direct });

  log(`CLI2API cold path ×${N}`);
  const cold = await startServer({ ...cliEnv, CLI2API_POOL_SIZE: '0', CLI2API_POOL_MAX_IDLE: '0' }, marker);
  const coldTtft: number[] = [];
  await timedChat(cold.client, [{ role: 'user', content: 'warm-up: binary lookup' }]);
  for (let i = 0; i < N; i++)
    coldTtft.push(
      (
        await timedChat(cold.client, [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: `Say hello ${i}` },
        ])
      ).ttft,
    );
  bounds.push({ server: 'pool off', limit: cold.limit, ...(await stopServer(cold)) });
  series.push({ name: 'CLI2API cold path', ttftMs: coldTtft, note: 'pool off: a new CLI per request', target: 1.05 });

  // Default settings from here on.
  const warm = await startServer(cliEnv, marker);
  await untilWarm(warm);
  await sleep(2000); // the prewarmed process finishes starting in the background
  const serverRssIdle = rssMb(warm.child.pid!);

  log('CLI2API first request');
  const firstReq = await timedChat(warm.client, [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: 'first' },
  ]);
  series.push({ name: 'first request', ttftMs: [firstReq.ttft], note: 'the process prewarmed at start-up' });
  await sleep(1000);

  log(`new conversations 1 s apart ×${N}`);
  series.push({
    name: 'new conversations, 1 s apart',
    ttftMs: await newConversations(warm, 'question', 1000),
    note: 'default settings',
    target: 0.15,
  });

  log(`new conversations 1 s apart with max_tokens 32000 ×${N}`);
  series.push({
    name: 'the same, max_tokens 32000',
    ttftMs: await newConversations(warm, 'limited', 1000, { max_tokens: 32000 }),
    note: 'the output limit is set per turn',
    target: 0.2,
  });

  log(`new conversations back to back ×${N}`);
  series.push({
    name: 'new conversations, back to back',
    ttftMs: await newConversations(warm, 'fast', 0),
    note: 'a used process takes the new conversation',
    target: 0.1,
  });

  log('growing chat conversation, turns 2–6 ×3');
  const growing: number[] = [];
  for (let c = 0; c < 3; c++) {
    const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: SYSTEM }];
    for (let turn = 1; turn <= 6; turn++) {
      messages.push({ role: 'user', content: `conversation ${c}, turn ${turn}` });
      const r = await timedChat(warm.client, messages);
      messages.push({ role: 'assistant', content: r.text });
      if (turn >= 2) growing.push(r.ttft);
      await sleep(200);
    }
  }
  series.push({
    name: 'growing conversation (turns 2–6)',
    ttftMs: growing,
    note: '/v1/chat/completions, the whole history each time',
  });

  log('growing /v1/messages conversation (Anthropic SDK, max_tokens), turns 2–6 ×3');
  const growingMessages: number[] = [];
  for (let c = 0; c < 3; c++) {
    const messages: Anthropic.MessageParam[] = [];
    for (let turn = 1; turn <= 6; turn++) {
      messages.push({ role: 'user', content: `messages conversation ${c}, turn ${turn}` });
      const r = await timedMessages(warm.anthropic, messages);
      messages.push({ role: 'assistant', content: r.text });
      if (turn >= 2) growingMessages.push(r.ttft);
      await sleep(200);
    }
  }
  series.push({
    name: '/v1/messages growing (turns 2–6)',
    ttftMs: growingMessages,
    note: '@anthropic-ai/sdk, max_tokens on every request',
    target: 0.2,
  });

  const concurrency: Array<{
    clients: number;
    requests: number;
    rps: number;
    ttftP50: number;
    ttftP95: number;
    totalP50: number;
    peakCli: number;
  }> = [];
  for (const clients of [1, 4, 16]) {
    log(`concurrency ${clients}`);
    await untilWarm(warm);
    const perClient = Math.max(2, Math.ceil(16 / clients));
    const ttfts: number[] = [];
    const totals: number[] = [];
    let peakCli = 0;
    const sampler = setInterval(() => (peakCli = Math.max(peakCli, cliSessionsWithMarker(marker).length)), 20);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, k) => {
        for (let i = 0; i < perClient; i++) {
          const r = await timedChat(warm.client, [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: `client ${k} request ${i}` },
          ]);
          ttfts.push(r.ttft);
          totals.push(r.total);
        }
      }),
    );
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    concurrency.push({
      clients,
      requests: ttfts.length,
      rps: ttfts.length / seconds,
      ttftP50: median(ttfts),
      ttftP95: quantile(ttfts, 0.95),
      totalP50: median(totals),
      peakCli,
    });
  }

  await sleep(2000);
  const cliPids = cliSessionsWithMarker(marker);
  const cliRss = cliPids.map(rssMb);
  const memory = {
    serverRssMbIdle: serverRssIdle,
    serverRssMbAfter: rssMb(warm.child.pid!),
    cliProcessesAfter: cliPids.length,
    cliRssMbEach: cliRss,
    cliRssMbTotal: cliRss.reduce((a, b) => a + b, 0),
    limit: warm.limit,
  };
  bounds.push({ server: 'default settings', limit: warm.limit, ...(await stopServer(warm)) });

  log(`a new conversation after the idle time expired (pool.idleSeconds ${SHORT_IDLE_SECONDS}) ×${N}`);
  const short = await startServer({ ...cliEnv, CLI2API_POOL_IDLE_SECONDS: String(SHORT_IDLE_SECONDS) }, marker);
  await untilWarm(short);
  const afterIdle: number[] = [];
  for (let i = 0; i < N; i++) {
    // Past the idle time of the warm process and of the used one: nothing started within it is left as it was.
    await sleep(SHORT_IDLE_SECONDS * 2000 + 1000);
    afterIdle.push(
      (
        await timedChat(short.client, [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: `after a pause ${i}` },
        ])
      ).ttft,
    );
  }
  bounds.push({ server: `pool.idleSeconds ${SHORT_IDLE_SECONDS}`, limit: short.limit, ...(await stopServer(short)) });
  series.push({
    name: 'new conversation after idle expiry',
    ttftMs: afterIdle,
    note: `pool.idleSeconds ${SHORT_IDLE_SECONDS}; ${SHORT_IDLE_SECONDS * 2 + 1} s pause each`,
    target: 0.4,
  });
  await fake.stop();

  const directMedian = median(direct);
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    claudeCli: execFileSync(CLAUDE_BIN, ['--version']).toString().trim(),
    loadAverageAtStart: load.map((x) => Number(x.toFixed(2))),
    loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
  const rows = series.map((s) => {
    const ratio = median(s.ttftMs) / directMedian;
    return {
      ...s,
      medianMs: median(s.ttftMs),
      p95Ms: quantile(s.ttftMs, 0.95),
      ratio,
      met: s.target === undefined ? undefined : ratio <= s.target,
    };
  });
  const result = { date: new Date().toISOString(), machine, samples: N, series: rows, concurrency, bounds, memory };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  const svg = renderChart(
    rows.map((r) => ({ label: r.name, value: r.medianMs, ratio: r.ratio, target: r.target })),
    machine,
  );
  fs.writeFileSync(path.join(RESULTS, 'latest.svg'), svg);
  await writePng(svg, path.join(RESULTS, 'latest.png'));

  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(
    `\nTime to first token (fake API on loopback; ${machine.cpu}, ${machine.cores} cores, ${machine.claudeCli}; ` +
      `load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd.join(' ')} at end)\n`,
  );
  console.log(
    `${pad('scenario', 40)}${pad('median ms', 11)}${pad('p95 ms', 9)}${pad('× direct', 10)}${pad('target', 9)}n`,
  );
  for (const r of rows)
    console.log(
      `${pad(r.name, 40)}${pad(r.medianMs.toFixed(0), 11)}${pad(r.p95Ms.toFixed(0), 9)}${pad(r.ratio.toFixed(2), 10)}` +
        `${pad(r.target === undefined ? '' : `≤ ${r.target.toFixed(2)} ${r.met ? 'met' : 'MISSED'}`, 9)} ${r.ttftMs.length}`,
    );
  console.log(
    `\n${pad('concurrency', 13)}${pad('requests', 10)}${pad('req/s', 8)}${pad('TTFT p50', 10)}${pad('TTFT p95', 10)}${pad('total p50', 11)}peak CLI processes`,
  );
  for (const c of concurrency) {
    console.log(
      `${pad(String(c.clients), 13)}${pad(String(c.requests), 10)}${pad(c.rps.toFixed(1), 8)}${pad(c.ttftP50.toFixed(0), 10)}${pad(c.ttftP95.toFixed(0), 10)}${pad(c.totalP50.toFixed(0), 11)}${c.peakCli}`,
    );
  }
  console.log('\nCLI processes, sampled every 20 ms from /proc, against the bound each server states:');
  for (const b of bounds)
    console.log(`  ${pad(b.server, 24)} peak ${b.peak} of at most ${b.limit} (${b.samples} samples, ${b.over} over)`);
  console.log(
    `\nmemory: server RSS ${memory.serverRssMbIdle.toFixed(0)} MB idle, ${memory.serverRssMbAfter.toFixed(0)} MB after; ` +
      `${memory.cliProcessesAfter} CLI processes alive after the run (${memory.cliRssMbEach.map((m) => m.toFixed(0)).join(', ')} MB), ` +
      `${memory.cliRssMbTotal.toFixed(0)} MB in all; at most ${memory.limit} CLI processes at once`,
  );
  console.log(`\nwrote ${path.relative(ROOT, path.join(RESULTS, 'latest.json'))}, latest.svg and latest.png`);
  if (bounds.some((b) => b.over > 0)) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
