import assert from 'node:assert/strict';
import { ConfigError, settingsFromEnv } from '../../../src/config/env';
import { DEFAULT_SETTINGS, needsRestart } from '../../../src/config/settings';

describe('settings from CLI2API_* variables', () => {
  it('has safe defaults: loopback, port 8000, sonnet', () => {
    const s = settingsFromEnv({});
    assert.equal(s.host, '127.0.0.1');
    assert.equal(s.port, 8000);
    assert.equal(s.defaultModel, 'sonnet');
    assert.deepEqual(s.models, ['sonnet', 'opus', 'haiku']);
    assert.equal(s.timeoutSeconds, 300);
    assert.deepEqual(s, DEFAULT_SETTINGS);
  });

  it('reads every variable', () => {
    const s = settingsFromEnv({
      CLI2API_HOST: '0.0.0.0',
      CLI2API_PORT: '0',
      CLI2API_CLAUDE_CLI_PATH: '/opt/claude',
      CLI2API_CLAUDE_MODELS: 'opus, claude-sonnet-4-5 ,opus',
      CLI2API_DEFAULT_MODEL: 'opus',
      CLI2API_DEFAULT_TIMEOUT: '12.5',
      CLI2API_LOG_LEVEL: 'DEBUG',
      CLI2API_LOG_JSON: 'true',
      CLI2API_DEBUG: '1',
      CLI2API_MAX_CONCURRENT: '2',
      CLI2API_MAX_QUEUE: '0',
      CLI2API_WAIT_WHEN_FULL: 'yes',
      CLI2API_POOL_MAX_WARM: '5',
      CLI2API_POOL_MAX_HELD: '0',
    });
    assert.deepEqual(
      { ...s, cliEnv: undefined },
      {
        host: '0.0.0.0',
        port: 0,
        claudePath: '/opt/claude',
        models: ['opus', 'claude-sonnet-4-5'],
        defaultModel: 'opus',
        defaultEffort: '',
        timeoutSeconds: 12.5,
        idleTimeoutSeconds: 180,
        apiKeys: [],
        allowedHosts: [],
        corsOrigins: [],
        allowRemoteImages: false,
        maxBodyMb: 20,
        agentTools: [],
        agentCwd: '',
        logLevel: 'debug',
        logJson: true,
        debug: true,
        maxConcurrent: 2,
        maxQueue: 0,
        poolSize: 1,
        poolMaxWarm: 5,
        poolMaxIdle: 2,
        poolMaxHeld: 0,
        poolIdleSeconds: 300,
        responsesStoreSize: 1000,
        responsesTtlSeconds: 3600,
        waitWhenFull: true,
        cliEnv: undefined,
      },
    );
  });

  for (const [variable, value] of [
    ['CLI2API_PORT', '80a'],
    ['CLI2API_PORT', '70000'],
    ['CLI2API_DEFAULT_TIMEOUT', '-1'],
    ['CLI2API_LOG_LEVEL', 'loud'],
    ['CLI2API_LOG_JSON', 'maybe'],
    ['CLI2API_MAX_CONCURRENT', '0'],
  ] as const) {
    it(`names ${variable} when it is invalid (${value})`, () => {
      assert.throws(
        () => settingsFromEnv({ [variable]: value }),
        (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.startsWith(`${variable}:`),
      );
    });
  }

  it('refuses agent mode without a working directory', () => {
    assert.throws(
      () => settingsFromEnv({ CLI2API_AGENT_TOOLS: 'Read' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'CLI2API_AGENT_CWD',
    );
    assert.deepEqual(settingsFromEnv({ CLI2API_AGENT_TOOLS: 'Read,Grep', CLI2API_AGENT_CWD: '/w' }).agentTools, [
      'Read',
      'Grep',
    ]);
  });

  it('restarts the listener only for host or port changes', () => {
    assert.equal(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, port: 9000 }), true);
    assert.equal(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, host: '::1' }), true);
    assert.equal(
      needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, defaultModel: 'opus', timeoutSeconds: 5 }),
      false,
    );
  });
});
