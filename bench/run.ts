/**
 * `npm run bench`: time to first token of CLI2API against running the Claude Code CLI
 * directly, in one run on this machine, with the real CLI talking to a fake Anthropic API
 * on 127.0.0.1 (so the model's own latency is out of the picture). Prints a table, writes
 * bench/results/latest.json, latest.svg and latest.png.
 *
 * Scenarios: direct CLI cold spawn; CLI2API with no warm processes (cold path); repeated
 * single-turn requests (same system prompt, new user message; 1 s apart, as an IDE agent or
 * an app sends them, and back to back); a growing conversation (turns 2–6, each request
 * carrying the whole history); concurrency 1/4/16. Plus RSS of the server and of all CLI
 * processes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { parseCliLine } from '../src/cli/events';
import { buildArgs } from '../src/cli/process/args';
import { CLAUDE_BIN, fakeCliEnv } from '../test/support/cli-env';
import { FakeAnthropic } from '../test/support/fake-anthropic';
import { type HeadlessServer, startHeadless, stopHeadless } from '../test/support/headless';
import { processesWithMarker } from '../test/support/processes';
import { renderChart } from './chart';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const N = Number(process.env.BENCH_N ?? 10);
const SYSTEM = 'You are a concise assistant. Answer in one short sentence.';

interface Series {
  name: string;
  ttftMs: number[];
  totalMs?: number[];
  note?: string;
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
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const server = await startHeadless({ ...env, CLI2API_PORT: '0', CLI2API_CLAUDE_CLI_PATH: CLAUDE_BIN });
  return { ...server, client: new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'bench', maxRetries: 0 }) };
}

async function health(s: Server): Promise<{ processes: { alive: number; warm: number; idle: number } }> {
  return (await (await fetch(`${s.url}/health`)).json()) as {
    processes: { alive: number; warm: number; idle: number };
  };
}

async function untilWarm(s: Server, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await health(s)).processes.warm < 1 && Date.now() < deadline) await sleep(50);
  await sleep(600); // the CLI finishes starting in the background after it spawned
}

/** One streamed request: time to the first content delta, and to the end. */
async function timedChat(
  client: OpenAI,
  messages: ChatCompletionMessageParam[],
): Promise<{ ttft: number; total: number; text: string }> {
  const t0 = performance.now();
  const stream = await client.chat.completions.create({ model: 'sonnet', stream: true, messages });
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
    const page = await browser.newPage({ viewport: { width: 860, height: 400 }, deviceScaleFactor: 2 });
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
  const log = (s: string) => process.stderr.write(s + '\n');

  log(`direct CLI cold spawn ×${N}`);
  const direct: number[] = [];
  for (let i = 0; i < N; i++) direct.push(await directCold(cliEnv));
  series.push({ name: 'direct CLI (cold spawn)', ttftMs: direct });

  log(`CLI2API cold path ×${N}`);
  const cold = await startServer({ ...cliEnv, CLI2API_POOL_SIZE: '0', CLI2API_POOL_MAX_IDLE: '0' });
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
  await stopHeadless(cold);
  series.push({ name: 'CLI2API cold path', ttftMs: coldTtft, note: 'pool off: a new CLI per request' });

  const warm = await startServer(cliEnv);
  await untilWarm(warm);
  const serverRssIdle = rssMb(warm.child.pid!);

  log(`CLI2API first request and repeated single-turn requests ×${N}`);
  const firstReq = await timedChat(warm.client, [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: 'first' },
  ]);
  series.push({
    name: 'CLI2API first request',
    ttftMs: [firstReq.ttft],
    note: 'served by the process prewarmed at start-up',
  });
  const repeated: number[] = [];
  for (let i = 0; i < N; i++) {
    await untilWarm(warm);
    repeated.push(
      (
        await timedChat(warm.client, [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: `question ${i}` },
        ])
      ).ttft,
    );
  }
  series.push({
    name: 'CLI2API repeated single-turn',
    ttftMs: repeated,
    note: 'new user message each time, ~1 s apart',
  });
  const backToBack: number[] = [];
  for (let i = 0; i < N; i++)
    backToBack.push(
      (
        await timedChat(warm.client, [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: `fast ${i}` },
        ])
      ).ttft,
    );
  series.push({
    name: 'CLI2API repeated, back to back',
    ttftMs: backToBack,
    note: 'no pause: the pool cannot refill in time',
  });

  log('CLI2API growing conversation, turns 2–6 ×3');
  const growing: number[] = [];
  for (let c = 0; c < 3; c++) {
    await untilWarm(warm);
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
    name: 'CLI2API growing conversation (turns 2–6)',
    ttftMs: growing,
    note: 'each request carries the whole history',
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
    const sampler = setInterval(() => (peakCli = Math.max(peakCli, processesWithMarker(marker).length)), 50);
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

  const cliPids = processesWithMarker(marker);
  const memory = {
    serverRssMbIdle: serverRssIdle,
    serverRssMbAfter: rssMb(warm.child.pid!),
    cliProcessesAfter: cliPids.length,
    cliRssMbEach: cliPids.map(rssMb),
    cliRssMbTotal: cliPids.map(rssMb).reduce((a, b) => a + b, 0),
  };
  await stopHeadless(warm);
  await fake.stop();

  const directMedian = median(direct);
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    claudeCli: execFileSync(CLAUDE_BIN, ['--version']).toString().trim(),
  };
  const rows = series.map((s) => ({
    ...s,
    medianMs: median(s.ttftMs),
    p95Ms: quantile(s.ttftMs, 0.95),
    ratio: median(s.ttftMs) / directMedian,
  }));
  const result = { date: new Date().toISOString(), machine, samples: N, series: rows, concurrency, memory };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  const svg = renderChart(
    rows.map((r) => ({ label: r.name, value: r.medianMs, ratio: r.ratio })),
    machine,
  );
  fs.writeFileSync(path.join(RESULTS, 'latest.svg'), svg);
  await writePng(svg, path.join(RESULTS, 'latest.png'));

  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(
    `\nTime to first token (fake API on loopback; ${machine.cpu}, ${machine.cores} cores, ${machine.claudeCli})\n`,
  );
  console.log(`${pad('scenario', 44)}${pad('median ms', 11)}${pad('p95 ms', 9)}${pad('× direct', 9)}n`);
  for (const r of rows)
    console.log(
      `${pad(r.name, 44)}${pad(r.medianMs.toFixed(0), 11)}${pad(r.p95Ms.toFixed(0), 9)}${pad(r.ratio.toFixed(2), 9)}${r.ttftMs.length}`,
    );
  console.log(
    `\n${pad('concurrency', 13)}${pad('requests', 10)}${pad('req/s', 8)}${pad('TTFT p50', 10)}${pad('TTFT p95', 10)}${pad('total p50', 11)}peak CLI processes`,
  );
  for (const c of concurrency) {
    console.log(
      `${pad(String(c.clients), 13)}${pad(String(c.requests), 10)}${pad(c.rps.toFixed(1), 8)}${pad(c.ttftP50.toFixed(0), 10)}${pad(c.ttftP95.toFixed(0), 10)}${pad(c.totalP50.toFixed(0), 11)}${c.peakCli}`,
    );
  }
  console.log(
    `\nmemory: server RSS ${memory.serverRssMbIdle.toFixed(0)} MB idle, ${memory.serverRssMbAfter.toFixed(0)} MB after; ` +
      `${memory.cliProcessesAfter} CLI processes alive after the run, ${memory.cliRssMbTotal.toFixed(0)} MB in all`,
  );
  console.log(`\nwrote ${path.relative(ROOT, path.join(RESULTS, 'latest.json'))} and latest.svg`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
