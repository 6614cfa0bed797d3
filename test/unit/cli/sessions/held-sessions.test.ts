/** Processes held while the client runs their tool calls: released by the results of the same tenant, expired, or dropped beyond maxHeld. */
import assert from 'node:assert/strict';
import { HeldSessions } from '../../../../src/cli/sessions/held-sessions';
import { type Logger, createConsoleLogger } from '../../../../src/util/logger';
import { fakeSession, sleep } from '../../../support/fake-session';

describe('held sessions', () => {
  let maxHeld: number;
  let logged: string[];
  const newHeld = () => {
    const logger: Logger = createConsoleLogger({ level: 'info', json: false, write: (l) => logged.push(l) });
    return new HeldSessions({ maxHeld: () => maxHeld, logger });
  };
  beforeEach(() => {
    maxHeld = 4;
    logged = [];
  });

  it('gives the session and all its call ids for any one of them, once', async () => {
    const held = newHeld();
    const { session } = fakeSession();
    await held.hold(session, ['toolu_1', 'toolu_2'], 60_000);
    assert.equal(held.count, 1);
    assert.equal(held.calls, 2);
    assert.deepEqual(held.take('toolu_2', ''), { session, toolUseIds: ['toolu_1', 'toolu_2'] });
    assert.equal(held.take('toolu_1', ''), undefined, 'the other id of the same session is released too');
    assert.equal(held.count, 0);
    assert.equal(held.calls, 0);
  });

  it('never gives a process to another tenant, and leaves it held for its own', async () => {
    const held = newHeld();
    const { session, child } = fakeSession();
    session.tenant = 'tenant-a';
    await held.hold(session, ['toolu_1'], 60_000);
    assert.equal(held.take('toolu_1', 'tenant-b'), undefined);
    assert.equal(child.stops, 0);
    assert.equal(held.take('toolu_1', 'tenant-a')?.session, session);
    held.drain();
  });

  it('stops a process after its timeout, and counts it as held until it has exited', async () => {
    const held = newHeld();
    const { session, child } = fakeSession();
    child.exitsWhenStopped = false;
    await held.hold(session, ['toolu_1', 'toolu_2'], 20);
    await child.killed;
    assert.equal(child.finishes, 1);
    assert.equal(held.take('toolu_1', ''), undefined);
    assert.equal(held.calls, 0);
    assert.equal(held.count, 1, 'still exiting');
    child.exit();
    await sleep(1);
    assert.equal(held.count, 0);
    assert.ok(logged.some((l) => /toolu_1, toolu_2 got no result/.test(l)));
  });

  it('drops the oldest beyond maxHeld with a log line, and the caller waits for it to exit', async () => {
    maxHeld = 2;
    const held = newHeld();
    const [a, b, c] = [fakeSession(), fakeSession(), fakeSession()];
    await held.hold(a.session, ['toolu_a'], 60_000);
    await held.hold(b.session, ['toolu_b'], 60_000);
    a.child.exitsWhenStopped = false;
    let done = false;
    const holding = held.hold(c.session, ['toolu_c'], 60_000).then(() => (done = true));
    assert.equal(a.child.finishes, 1);
    assert.equal(held.take('toolu_a', ''), undefined, 'its late follow-up takes the cold path');
    assert.ok(logged.some((l) => new RegExp(`dropping claude pid=${a.child.pid}`).test(l)));
    await sleep(5);
    assert.equal(done, false);
    a.child.exit();
    await holding;
    assert.equal(held.take('toolu_c', '')?.session, c.session);
    held.drain();
  });

  it('holds nothing with maxHeld 0: the process is stopped', async () => {
    maxHeld = 0;
    const held = newHeld();
    const { session, child } = fakeSession();
    await held.hold(session, ['toolu_1'], 60_000);
    assert.equal(child.finishes, 1);
    assert.equal(held.count, 0);
  });

  it('forgets a held process that died by itself', async () => {
    const held = newHeld();
    const { session, child } = fakeSession();
    await held.hold(session, ['toolu_1'], 60_000);
    child.exit();
    await sleep(1);
    assert.equal(held.count, 0);
    assert.equal(held.take('toolu_1', ''), undefined);
  });

  it('stops the held processes whose start settings no longer match', async () => {
    const held = newHeld();
    const stale = fakeSession('old');
    const current = fakeSession('new');
    await held.hold(stale.session, ['toolu_1'], 60_000);
    await held.hold(current.session, ['toolu_2'], 60_000);
    held.reconcile((s) => s.kind.key === 'new');
    assert.equal(stale.child.finishes, 1);
    assert.equal(current.child.stops, 0);
    assert.equal(held.take('toolu_2', '')?.session, current.session);
  });

  it('does not expire a session once it is taken or drained', async () => {
    const held = newHeld();
    const [a, b, c] = [fakeSession(), fakeSession(), fakeSession()];
    await held.hold(a.session, ['toolu_1'], 20);
    await held.hold(b.session, ['toolu_2', 'toolu_3'], 20);
    await held.hold(c.session, ['toolu_4'], 20);
    held.take('toolu_1', '');
    const drained = held.drain();
    assert.deepEqual(new Set(drained), new Set([b.session, c.session]));
    assert.equal(drained.length, 2, 'each session once, however many calls it waits for');
    assert.equal(held.calls, 0);
    await sleep(60);
    assert.equal(a.child.stops + b.child.stops + c.child.stops, 0);
  });
});
