/** Warm and idle CLI processes: which one a request gets, and when the pool kills one. */
import assert from 'node:assert/strict';
import { type PoolLimits, SessionPool } from '../../../../src/cli/sessions/session-pool';
import { fakeSession, sleep } from '../../../support/fake-session';

describe('session pool', () => {
  let limits: PoolLimits;
  const newPool = () => new SessionPool(() => limits);
  beforeEach(() => (limits = { poolSize: 1, poolMaxIdle: 2, poolIdleSeconds: 60 }));

  it('hands out a fresh process only for its spawn key, and only once', () => {
    const pool = newPool();
    const sonnet = fakeSession('sonnet');
    const opus = fakeSession('opus');
    pool.addFresh(sonnet.session);
    pool.addFresh(opus.session);
    assert.equal(pool.freshCount, 2);
    assert.equal(pool.freshFor('opus'), 1);
    assert.equal(pool.freshFor('haiku'), 0);
    assert.equal(pool.takeFresh('haiku'), undefined);
    assert.equal(pool.takeFresh('opus'), opus.session);
    assert.equal(pool.takeFresh('opus'), undefined);
    assert.equal(pool.freshCount, 1);
    assert.equal(sonnet.child.kills + opus.child.kills, 0);
  });

  it('continues only the idle process that holds exactly the conversation', () => {
    const pool = newPool();
    const one = fakeSession('key', 'conv-1');
    const two = fakeSession('key', 'conv-2');
    pool.putIdle(one.session);
    pool.putIdle(two.session);
    assert.equal(pool.idleCount, 2);
    assert.equal(pool.takeConversation('conv-3'), undefined);
    assert.equal(pool.takeConversation('conv-2'), two.session);
    assert.equal(pool.takeConversation('conv-2'), undefined);
    assert.equal(pool.takeFresh('key'), undefined, 'an idle process is never handed out as fresh');
    assert.equal(pool.idleCount, 1);
  });

  it('skips processes that died, and forgets a process once it exits', async () => {
    const pool = newPool();
    const dying = fakeSession('key', 'conv');
    const live = fakeSession('key');
    pool.addFresh(dying.session);
    pool.addFresh(live.session);
    dying.child.alive = false;
    assert.equal(pool.takeFresh('key'), live.session);
    dying.child.exit();
    await dying.child.exited;
    assert.equal(pool.freshCount, 0);

    const idle = fakeSession('key', 'conv');
    pool.putIdle(idle.session);
    idle.child.alive = false;
    assert.equal(pool.takeConversation('conv'), undefined);
  });

  it('kills a used process at once when idle processes are off, or when it is dead', () => {
    const pool = newPool();
    const dead = fakeSession('key', 'a');
    dead.child.alive = false;
    pool.putIdle(dead.session);
    assert.equal(dead.child.kills, 1);
    limits.poolMaxIdle = 0;
    const used = fakeSession('key', 'b');
    pool.putIdle(used.session);
    assert.equal(used.child.kills, 1);
    assert.equal(pool.idleCount, 0);
  });

  it('kills the oldest idle process beyond poolMaxIdle', () => {
    const pool = newPool();
    const [a, b, c] = [fakeSession('key', 'a'), fakeSession('key', 'b'), fakeSession('key', 'c')];
    for (const s of [a, b, c]) pool.putIdle(s.session);
    assert.deepEqual([a.child.kills, b.child.kills, c.child.kills], [1, 0, 0]);
    assert.equal(pool.idleCount, 2);
    assert.equal(pool.takeConversation('a'), undefined);
    assert.equal(pool.takeConversation('b'), b.session);
  });

  it('kills fresh and idle processes left unused for poolIdleSeconds', async () => {
    limits.poolIdleSeconds = 0.05;
    const pool = newPool();
    const fresh = fakeSession('key');
    const idle = fakeSession('key', 'conv');
    pool.addFresh(fresh.session);
    pool.putIdle(idle.session);
    await Promise.all([fresh.child.killed, idle.child.killed]);
    assert.equal(pool.freshCount, 0);
    assert.equal(pool.idleCount, 0);
  });

  it('never kills a process once it has been taken', async () => {
    limits.poolIdleSeconds = 0.05;
    const pool = newPool();
    const fresh = fakeSession('key');
    const idle = fakeSession('key', 'conv');
    pool.addFresh(fresh.session);
    pool.putIdle(idle.session);
    pool.takeFresh('key');
    pool.takeConversation('conv');
    await sleep(150);
    assert.equal(fresh.child.kills + idle.child.kills, 0);
  });

  it('drains everything for shutdown, leaving the killing to the caller', async () => {
    limits.poolIdleSeconds = 0.05;
    const pool = newPool();
    const fresh = fakeSession('key');
    const idle = fakeSession('key', 'conv');
    pool.addFresh(fresh.session);
    pool.putIdle(idle.session);
    const drained = pool.drain();
    assert.deepEqual(new Set(drained), new Set([fresh.session, idle.session]));
    assert.equal(pool.freshCount + pool.idleCount, 0);
    assert.deepEqual(pool.drain(), []);
    await sleep(150);
    assert.equal(fresh.child.kills + idle.child.kills, 0, 'no expiry left behind');
  });
});
