/** Readiness: the first failing check is the reason; local paths only when the server is not shared. */
import assert from 'node:assert/strict';
import type { CliManager } from '../../../src/cli/cli-manager';
import { UsageLimits } from '../../../src/core/usage-limits';
import { readiness } from '../../../src/server/readiness';
import type { ResponseStore } from '../../../src/server/store/response-store';

function deps(o: { stopping?: boolean; cliError?: string; loggedIn?: boolean; storeUp?: boolean; fullUntil?: number }) {
  const closing = new AbortController();
  if (o.stopping) closing.abort();
  let loginAsked = 0;
  const cli = {
    status: () =>
      Promise.resolve(
        o.cliError
          ? { ok: false, error: o.cliError }
          : { ok: true, path: '/opt/claude/bin/claude', version: '2.1.197' },
      ),
    login: {
      loggedIn: () => {
        loginAsked++;
        return Promise.resolve(o.loggedIn);
      },
    },
  } as unknown as CliManager;
  const responses = { available: o.storeUp ?? true } as ResponseStore;
  const usage = new UsageLimits();
  if (o.fullUntil)
    usage.report(
      {
        status: 'rejected',
        window: 'seven_day',
        resetsAt: o.fullUntil,
        windows: { seven_day: { utilization: 1, resetsAt: o.fullUntil, status: 'rejected', surpassedThreshold: null } },
        overage: null,
      },
      Date.now(),
    );
  return { d: { closing: closing.signal, cli, responses, usage }, loginAsked: () => loginAsked };
}

describe('readiness', () => {
  it('is ready when not stopping, the CLI is found and logged in', async () => {
    const r = await readiness(deps({ loggedIn: true }).d, true);
    assert.deepEqual(r, {
      ready: true,
      checks: { stopping: false, cli: 'ok', login: 'ok', usageWindow: 'ok', responsesStore: 'ok' },
    });
  });

  it('is ready as far as known when the login cannot be told', async () => {
    const r = await readiness(deps({ loggedIn: undefined }).d, true);
    assert.equal(r.ready, true);
    assert.equal(r.checks.login, 'unknown');
  });

  it('says "stopping" first, without asking the CLI about the login', async () => {
    const { d, loginAsked } = deps({ stopping: true, loggedIn: false });
    const r = await readiness(d, true);
    assert.equal(r.ready, false);
    assert.match(r.reason!, /^stopping/);
    assert.equal(loginAsked(), 0);
  });

  it('names a missing CLI, with the detail only when the server is not shared', async () => {
    const missing = deps({ cliError: 'No claude at /home/me/.local/bin/claude' }).d;
    assert.equal(
      (await readiness(missing, true)).reason,
      'Claude Code CLI not found: No claude at /home/me/.local/bin/claude',
    );
    assert.equal((await readiness(missing, false)).reason, 'Claude Code CLI not found');
  });

  it('is not ready when the CLI is not logged in', async () => {
    const r = await readiness(deps({ loggedIn: false }).d, true);
    assert.equal(r.ready, false);
    assert.match(r.reason!, /not logged in/);
  });

  it('is not ready while a usage window is known to be full, and is again once it has reset', async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 7200;
    const r = await readiness(deps({ loggedIn: true, fullUntil: resetsAt }).d, true);
    assert.equal(r.ready, false);
    assert.equal(r.checks.usageWindow, 'full');
    assert.match(r.reason!, /^the Claude weekly usage window is full; resets at /);
    const past = await readiness(deps({ loggedIn: true, fullUntil: Math.floor(Date.now() / 1000) - 1 }).d, true);
    assert.equal(past.ready, true);
  });

  it('reports an unreachable shared store without failing on it', async () => {
    const r = await readiness(deps({ loggedIn: true, storeUp: false }).d, true);
    assert.equal(r.ready, true);
    assert.equal(r.checks.responsesStore, 'unreachable');
  });
});
