import assert from 'node:assert/strict';
import { ConfigError, settingsFromEnv } from '../../../src/config/env';
import { DEFAULT_SETTINGS, needsRestart, redactUrl } from '../../../src/config/settings';

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
        responsesStoreUrl: '',
        metricsKey: '',
        drainSeconds: 30,
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
    ['CLI2API_STORE_URL', 'http://127.0.0.1:6379'],
    ['CLI2API_STORE_URL', 'redis://'],
    ['CLI2API_DRAIN_SECONDS', '-1'],
    ['CLI2API_METRICS_KEY', 'short'],
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

  it('reads the team settings: store URL, metrics key, drain bound', () => {
    const s = settingsFromEnv({
      CLI2API_STORE_URL: 'redis://:pw@10.0.0.5:6379/2',
      CLI2API_METRICS_KEY: 'scrape-key-123',
      CLI2API_DRAIN_SECONDS: '0',
    });
    assert.equal(s.responsesStoreUrl, 'redis://:pw@10.0.0.5:6379/2');
    assert.equal(s.metricsKey, 'scrape-key-123');
    assert.equal(s.drainSeconds, 0);
    assert.equal(
      settingsFromEnv({ CLI2API_STORE_URL: 'rediss://cache.internal:6380' }).responsesStoreUrl.length > 0,
      true,
    );
  });

  describe('CLI2API_API_KEY with member names', () => {
    it('reads name:key entries and plain keys', () => {
      const s = settingsFromEnv({ CLI2API_API_KEY: 'alice:key-of-alice-1, bob:key-of-bob-22,plain-key-333' });
      assert.deepEqual(s.apiKeys, [
        { member: 'alice', key: 'key-of-alice-1' },
        { member: 'bob', key: 'key-of-bob-22' },
        { key: 'plain-key-333' },
      ]);
    });

    it('splits at the first colon only: the key may contain colons, a plain key may not', () => {
      assert.deepEqual(settingsFromEnv({ CLI2API_API_KEY: 'ops.team_1:a:b:c:d:e:f' }).apiKeys, [
        { member: 'ops.team_1', key: 'a:b:c:d:e:f' },
      ]);
    });

    for (const [value, why] of [
      ['al ice:key-of-alice-1', /member name/],
      [':key-without-name', /member name/],
      [`${'n'.repeat(65)}:key-of-long-name`, /member name/],
      ['alice:short', /8 characters/],
      ['alice:same-key-123,bob:same-key-123', /same key is given twice/],
    ] as const) {
      it(`refuses ${JSON.stringify(value.slice(0, 20))} and never repeats a key in the error`, () => {
        assert.throws(
          () => settingsFromEnv({ CLI2API_API_KEY: value }),
          (e: unknown) =>
            e instanceof ConfigError &&
            e.variable === 'CLI2API_API_KEY' &&
            why.test(e.message) &&
            !/key-of|same-key|short|without/.test(e.message),
        );
      });
    }

    it('names the entry at fault', () => {
      assert.throws(
        () => settingsFromEnv({ CLI2API_API_KEY: 'alice:key-of-alice-1,b@d:key-of-bob-22' }),
        /CLI2API_API_KEY: invalid value \(entry 2: /,
      );
    });
  });

  it('never repeats a store URL (it may hold a password) in an error', () => {
    assert.throws(
      () => settingsFromEnv({ CLI2API_STORE_URL: 'http://user:secret-pw@host:1' }),
      (e: unknown) => e instanceof ConfigError && !/secret-pw/.test(e.message),
    );
  });

  it('shows a store URL in logs without its user name and password', () => {
    assert.equal(redactUrl('redis://user:secret-pw@10.0.0.5:6379/2'), 'redis://10.0.0.5:6379/2');
    assert.equal(redactUrl('rediss://:pw@cache.internal:6380'), 'rediss://cache.internal:6380');
  });

  it('restarts the server for host, port or store URL changes only', () => {
    assert.equal(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, port: 9000 }), true);
    assert.equal(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, host: '::1' }), true);
    assert.equal(
      needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, responsesStoreUrl: 'redis://127.0.0.1:6379' }),
      true,
    );
    assert.equal(
      needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, defaultModel: 'opus', timeoutSeconds: 5 }),
      false,
    );
  });
});
