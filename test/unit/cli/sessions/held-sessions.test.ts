/** Processes held while the client runs their tool calls: released by the results, or expired. */
import assert from 'node:assert/strict';
import { HeldSessions } from '../../../../src/cli/sessions/held-sessions';
import type { Session } from '../../../../src/cli/sessions/session';
import { fakeSession, sleep } from '../../../support/fake-session';

const never = () => assert.fail('expired');

describe('held sessions', () => {
  it('gives the session and all its call ids for any one of them, once', () => {
    const held = new HeldSessions();
    const { session } = fakeSession();
    held.hold(session, ['toolu_1', 'toolu_2'], 60_000, never);
    assert.equal(held.count, 1);
    assert.equal(held.calls, 2);
    assert.deepEqual(held.take('toolu_2'), { session, toolUseIds: ['toolu_1', 'toolu_2'] });
    assert.equal(held.take('toolu_1'), undefined, 'the other id of the same session is released too');
    assert.equal(held.count, 0);
    assert.equal(held.calls, 0);
  });

  it('counts sessions and calls, and knows nothing of other ids', () => {
    const held = new HeldSessions();
    const a = fakeSession().session;
    const b = fakeSession().session;
    held.hold(a, ['toolu_1', 'toolu_2'], 60_000, never);
    held.hold(b, ['toolu_3'], 60_000, never);
    assert.equal(held.count, 2);
    assert.equal(held.calls, 3);
    assert.equal(held.take('toolu_9'), undefined);
    assert.equal(held.take('toolu_3')?.session, b);
    assert.equal(held.take('toolu_1')?.session, a);
    held.drain();
  });

  it('lets a session go after its timeout, calling onExpire once', async () => {
    const held = new HeldSessions();
    const { session } = fakeSession();
    const expired: Session[] = [];
    await new Promise<void>((resolve) =>
      held.hold(session, ['toolu_1', 'toolu_2'], 20, (s) => {
        expired.push(s);
        resolve();
      }),
    );
    assert.deepEqual(expired, [session]);
    assert.equal(held.count, 0);
    assert.equal(held.take('toolu_1'), undefined);
    await sleep(60);
    assert.equal(expired.length, 1);
  });

  it('does not expire a session once it is taken or drained', async () => {
    const held = new HeldSessions();
    const expired: Session[] = [];
    const a = fakeSession().session;
    const b = fakeSession().session;
    const c = fakeSession().session;
    held.hold(a, ['toolu_1'], 20, (s) => expired.push(s));
    held.hold(b, ['toolu_2', 'toolu_3'], 20, (s) => expired.push(s));
    held.hold(c, ['toolu_4'], 20, (s) => expired.push(s));
    held.take('toolu_1');
    const drained = held.drain();
    assert.deepEqual(new Set(drained), new Set([b, c]));
    assert.equal(drained.length, 2, 'each session once, however many calls it waits for');
    assert.equal(held.calls, 0);
    await sleep(60);
    assert.deepEqual(expired, []);
  });
});
