/**
 * An in-process CLI2API (ApiServer on a free port) whose CLI children run the real Claude
 * Code binary against a FakeAnthropic; plus an `openai` SDK client pointed at it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { parseSettings, type Settings, type SettingsInput } from '../../src/config/settings';
import { ApiServer, type ApiServerOptions } from '../../src/server/api-server';
import { createConsoleLogger, type Logger } from '../../src/util/logger';
import { CLAUDE_BIN, fakeCliEnv } from './cli-env';
import { FakeAnthropic } from './fake-anthropic';
import { cliSessionsWithMarker, commandLine, waitForNoProcesses } from './processes';

/**
 * `CLI2API_TEST_POOL=default` runs the suites with the pool settings users get (warm and idle
 * processes kept): "no process left" then means none beyond the ones the manager keeps.
 */
export const DEFAULT_POOL = process.env.CLI2API_TEST_POOL === 'default';

export interface Stack {
  fake: FakeAnthropic;
  server: ApiServer;
  settings: Settings;
  baseURL: string;
  openai: OpenAI;
  marker: string;
  logLines: string[];
  /** Fails the test if a CLI process started by this stack is still alive after `ms`. */
  assertNoProcesses(ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(
  overrides: SettingsInput = {},
  cliEnvExtra: Record<string, string> = {},
  serverOptions: Pick<ApiServerOptions, 'prewarm' | 'remoteImages'> = {},
): Promise<Stack> {
  const fake = new FakeAnthropic();
  const fakeUrl = await fake.start();
  const marker = randomUUID();
  const settings = parseSettings({
    port: 0,
    claudePath: CLAUDE_BIN,
    // Most suites prove that no process outlives a request: pooling is on only where a test asks for it.
    ...(DEFAULT_POOL ? {} : { poolSize: 0, poolMaxIdle: 0 }),
    ...overrides,
    cliEnv: { ...fakeCliEnv(fakeUrl, cliEnvExtra), C2A_TEST_MARKER: marker, ...overrides.cliEnv },
  });
  const logLines: string[] = [];
  const logger: Logger = process.env.CLI2API_TEST_LOG
    ? createConsoleLogger({ level: 'trace', json: false })
    : createConsoleLogger({ level: 'debug', json: false, write: (l) => logLines.push(l) });
  const server = new ApiServer({
    settings: () => settings,
    logger,
    baseEnv: { PATH: process.env.PATH ?? '' },
    ...serverOptions,
  });
  await server.start();
  const state = server.state;
  if (state.kind !== 'running') throw new Error(`server did not start: ${JSON.stringify(state)}`);
  if (DEFAULT_POOL && settings.poolSize > 0) {
    // As users meet it: a server up for a moment has its warm process started.
    const deadline = Date.now() + 60_000;
    while (server.cli.warmReady === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
  const baseURL = `${state.url}/v1`;
  const openai = new OpenAI({ baseURL, apiKey: 'any-key', maxRetries: 0, timeout: 60_000 });
  return {
    fake,
    server,
    settings,
    baseURL,
    openai,
    marker,
    logLines,
    async assertNoProcesses(ms = 3000) {
      if (DEFAULT_POOL && server.state.kind === 'running') {
        // With the pool on, only the processes it keeps may stay. Counted: the CLI processes
        // themselves. A live CLI runs short helpers of its own that inherit the marker (measured:
        // `rg --version`, and `sh -c "ps aux | grep …"` looking for IDEs, while it starts); they
        // end with it, which the after hook checks once the server has stopped.
        const kept = () => Object.values(server.cli.pooled).reduce((a, b) => a + b, 0);
        const deadline = Date.now() + ms;
        while (cliSessionsWithMarker(marker).length > kept() && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        const alive = cliSessionsWithMarker(marker);
        if (alive.length > kept())
          throw new Error(
            `CLI processes alive beyond the ${kept()} the pool keeps (${JSON.stringify(server.cli.pooled)}): ` +
              `live ${server.cli.liveProcesses}; ` +
              alive.map((pid) => `${pid} ${(commandLine(pid) ?? []).slice(0, 3).join(' ')}`).join(', ') +
              `\n${logLines.slice(-60).join('\n')}`,
          );
        return;
      }
      const left = await waitForNoProcesses(marker, ms);
      if (left.length > 0) throw new Error(`CLI processes still alive: ${left.join(', ')}`);
    },
    async stop() {
      await server.stop();
      await fake.stop();
    },
  };
}

/**
 * One stack for a whole suite, with the hooks every suite needs: started before the first
 * test, stopped after the last, the fake reset before each test, and after each test no
 * request the real API would refuse, no tool call left waiting and no CLI process left alive. The returned object stands for the
 * stack once the `before` hook has started it.
 */
export function useStack(overrides: SettingsInput = {}, cliEnvExtra: Record<string, string> = {}): Stack {
  let current: Stack | undefined;
  const started = (): Stack => {
    if (!current) throw new Error('the stack starts in the before hook: use it inside hooks and tests');
    return current;
  };
  before(async () => {
    current = await startStack(overrides, cliEnvExtra);
  });
  after(async () => {
    await current?.stop();
    const left = current ? await waitForNoProcesses(current.marker, 3000) : [];
    assert.deepEqual(left, [], 'no CLI process outlives the server');
  });
  beforeEach(() => started().fake.reset());
  afterEach(async () => {
    assert.deepEqual(
      started().fake.refusals.map((r) => r.message),
      [],
      'the CLI sent nothing the real Messages API would refuse',
    );
    assert.equal(started().server.cli.heldCalls, 0, 'no tool call is left waiting');
    await started().assertNoProcesses();
  });
  return new Proxy({} as Stack, {
    get: (_, key) => Reflect.get(started(), key),
    set: (_, key, value) => Reflect.set(started(), key, value),
  });
}
