/** Logged in, as far as known without spending usage: `claude auth status` (a fake CLI script here) and what runs showed. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LoginState } from '../../../../src/cli/process/login-state';

describe('login state', () => {
  let dir: string;
  let script: string;
  let exitCode: number;
  let now: number;
  const calls = () => (fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf8') : '');
  const state = (
    binary: () => Promise<{ path: string; version: string }> = async () => ({ path: script, version: '2.1.197' }),
  ) =>
    new LoginState(
      {
        binary,
        env: () => ({ PATH: process.env.PATH, EXIT_CODE: String(exitCode), CALLS: path.join(dir, 'calls') }),
        cwd: () => dir,
      },
      () => now,
    );

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-login-'));
    script = path.join(dir, 'claude');
    // Answers only `auth status`, with the exit code the test sets; notes each call.
    fs.writeFileSync(
      script,
      '#!/bin/sh\necho "$*" >> "$CALLS"\n[ "$1 $2" = "auth status" ] || exit 9\nexit "$EXIT_CODE"\n',
      {
        mode: 0o755,
      },
    );
    exitCode = 0;
    now = 1_000_000;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('asks `claude auth status` once: exit 0 is logged in, and stays known', async () => {
    const s = state();
    assert.equal(await s.loggedIn(), true);
    now += 3_600_000;
    assert.equal(await s.loggedIn(), true);
    assert.equal(calls(), 'auth status\n');
  });

  it('shares one check between callers that ask at once', async () => {
    const s = state();
    assert.deepEqual(await Promise.all([s.loggedIn(), s.loggedIn(), s.loggedIn()]), [true, true, true]);
    assert.equal(calls(), 'auth status\n');
  });

  it('exit 1 is "not logged in", asked again 30 s later (a login meanwhile is noticed)', async () => {
    exitCode = 1;
    const s = state();
    assert.equal(await s.loggedIn(), false);
    now += 29_000;
    assert.equal(await s.loggedIn(), false);
    assert.equal(calls().split('\n').filter(Boolean).length, 1);
    exitCode = 0;
    now += 2_000;
    assert.equal(await s.loggedIn(), true);
    assert.equal(calls().split('\n').filter(Boolean).length, 2);
  });

  it('is unknown when the CLI cannot say (another exit code, or no CLI)', async () => {
    exitCode = 3;
    assert.equal(await state().loggedIn(), undefined);
    assert.equal(await state(() => Promise.reject(new Error('not found'))).loggedIn(), undefined);
  });

  it('believes what the last run showed, without asking', async () => {
    const s = state();
    s.noteRun(false);
    assert.equal(await s.loggedIn(), false);
    s.noteRun(true);
    assert.equal(await s.loggedIn(), true);
    assert.equal(calls(), '', 'no auth status was needed');
  });
});
