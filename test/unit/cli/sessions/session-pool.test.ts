/** Warm and idle CLI processes: which one a request gets, when the pool starts, replaces and stops one, and its limits. */
import assert from 'node:assert/strict';
import type { SpawnKind } from '../../../../src/cli/process/spawner';
import type { Session } from '../../../../src/cli/sessions/session';
import { MAX_CONVERSATIONS_PER_PROCESS, type PoolLimits, SessionPool } from '../../../../src/cli/sessions/session-pool';
import { createConsoleLogger } from '../../../../src/util/logger';
import { type FakeChild, fakeKind, fakeSession, sleep } from '../../../support/fake-session';

const quiet = createConsoleLogger({ level: 'error', json: false, write: () => {} });

describe('session pool', () => {
  let limits: PoolLimits;
  let spawned: Array<{ session: Session; child: FakeChild }>;
  let pools: SessionPool[];
  const newPool = () => {
    const pool = new SessionPool({
      limits: () => limits,
      spawn: (kind: SpawnKind) => {
        const s = fakeSession(kind);
        s.session.tenant = undefined;
        spawned.push(s);
        return s.session;
      },
      logger: quiet,
    });
    pools.push(pool);
    return pool;
  };
  const alive = () => spawned.filter((s) => s.child.alive);
  const ready = () => {
    for (const s of spawned) s.child.answerControls();
  };
  /** Lets the pool's zero-delay timer and promise callbacks run. */
  const settle = () => sleep(5);

  beforeEach(() => {
    limits = { poolSize: 1, poolMaxWarm: 3, poolMaxIdle: 2, poolIdleSeconds: 60, prewarm: 'startup' };
    spawned = [];
    pools = [];
  });
  afterEach(() => {
    for (const p of pools) p.drain();
  });

  it('starts the warm processes a seeded kind wants, and hands one out only when ready and of that kind', async () => {
    const pool = newPool();
    const sonnet = fakeKind('sonnet');
    pool.seed(sonnet);
    assert.equal(pool.warmCount, 1);
    assert.equal(pool.takeReady(sonnet), undefined, 'still starting');
    assert.equal(pool.takeReady(fakeKind('opus')), undefined);
    ready();
    await settle();
    const taken = pool.takeReady(sonnet);
    assert.equal(taken, spawned[0]!.session);
    await settle();
    assert.equal(pool.warmCount, 1, 'refilled in the background');
    assert.notEqual(spawned[1]!.session, taken);
  });

  it('gives a process still starting only when asked for one', async () => {
    const pool = newPool();
    const kind = fakeKind('sonnet');
    pool.seed(kind);
    assert.equal(pool.takeStarting(fakeKind('opus')), undefined);
    assert.equal(pool.takeStarting(kind), spawned[0]!.session);
  });

  it('continues only the idle process of the same kind and tenant that holds exactly the conversation', async () => {
    const pool = newPool();
    const one = fakeSession('key', 'conv-1');
    const two = fakeSession('key', 'conv-2');
    two.session.tenant = 'tenant-b';
    await Promise.all([pool.putIdle(one.session), pool.putIdle(two.session)]);
    assert.equal(pool.idleCount, 2);
    assert.equal(pool.takeConversation('conv-3', fakeKind('key'), ''), undefined);
    assert.equal(pool.takeConversation('conv-2', fakeKind('key'), ''), undefined, 'another tenant');
    assert.equal(pool.takeConversation('conv-1', fakeKind('other'), ''), undefined, 'another kind');
    assert.equal(pool.takeConversation('conv-2', fakeKind('key'), 'tenant-b'), two.session);
    assert.equal(pool.takeConversation('conv-2', fakeKind('key'), 'tenant-b'), undefined, 'once');
    assert.equal(pool.takeReady(fakeKind('key')), undefined, 'an idle process is never handed out as warm');
    assert.equal(pool.idleCount, 1);
  });

  it('lets an idle process take a new conversation only with the same kind, tenant and setup, the least recently used first', async () => {
    const pool = newPool();
    const [a, b, c] = [fakeSession('key', 'a'), fakeSession('key', 'b'), fakeSession('key', 'c')];
    limits.poolMaxIdle = 3;
    a.session.setup = 'setup-1';
    b.session.setup = 'setup-1';
    c.session.setup = 'setup-2';
    for (const s of [a, b, c]) await pool.putIdle(s.session);
    assert.equal(pool.takeReusable(fakeKind('key'), '', 'setup-3'), undefined);
    assert.equal(pool.takeReusable(fakeKind('key'), 'tenant-b', 'setup-1'), undefined);
    assert.equal(pool.takeReusable(fakeKind('other'), '', 'setup-1'), undefined);
    assert.equal(pool.takeReusable(fakeKind('key'), '', 'setup-1'), a.session);
    assert.equal(pool.takeReusable(fakeKind('key'), '', 'setup-1'), b.session);
    assert.equal(pool.takeReusable(fakeKind('key'), '', 'setup-2'), c.session);
  });

  it('never gives a new conversation to a process in agent mode or one that has begun the most', async () => {
    const pool = newPool();
    const agent = fakeSession(fakeKind('key', ['Read']), 'a');
    const worn = fakeSession('key', 'b');
    agent.session.setup = worn.session.setup = 'setup';
    worn.session.conversations = MAX_CONVERSATIONS_PER_PROCESS;
    await pool.putIdle(agent.session);
    await pool.putIdle(worn.session);
    assert.equal(pool.takeReusable(fakeKind('key', ['Read']), '', 'setup'), undefined);
    assert.equal(pool.takeReusable(fakeKind('key'), '', 'setup'), undefined);
    worn.session.conversations--;
    assert.equal(pool.takeReusable(fakeKind('key'), '', 'setup'), worn.session);
  });

  it('stops the least recently used idle process beyond poolMaxIdle, and the caller waits for its exit', async () => {
    const pool = newPool();
    const [a, b, c] = [fakeSession('key', 'a'), fakeSession('key', 'b'), fakeSession('key', 'c')];
    await pool.putIdle(a.session);
    await pool.putIdle(b.session);
    c.child.exitsWhenStopped = a.child.exitsWhenStopped = false;
    let done = false;
    const put = pool.putIdle(c.session).then(() => (done = true));
    assert.equal(a.child.finishes, 1, 'stopped as a process whose work is done');
    assert.equal(pool.idleCount, 2);
    await settle();
    assert.equal(done, false, 'resolves only once the stopped process has exited');
    a.child.exit();
    await put;
    assert.equal(pool.takeConversation('a', fakeKind('key'), ''), undefined);
    assert.equal(pool.takeConversation('b', fakeKind('key'), ''), b.session);
  });

  it('stops a used process at once when idle processes are off, or when it is dead', async () => {
    const pool = newPool();
    const dead = fakeSession('key', 'a');
    dead.child.alive = false;
    await pool.putIdle(dead.session);
    assert.equal(pool.idleCount, 0);
    limits.poolMaxIdle = 0;
    const used = fakeSession('key', 'b');
    await pool.putIdle(used.session);
    assert.equal(used.child.finishes, 1);
    assert.equal(pool.idleCount, 0);
  });

  it('stops only the idle processes over a lowered limit', async () => {
    limits.poolMaxIdle = 3;
    const pool = newPool();
    const used = [fakeSession('key', 'a'), fakeSession('key', 'b'), fakeSession('key', 'c')];
    for (const u of used) {
      u.child.exitsWhenStopped = false;
      await pool.putIdle(u.session);
    }
    limits.poolMaxIdle = 1;
    pool.maintain();
    assert.deepEqual(
      used.map((u) => u.child.stops),
      [1, 1, 0],
      'the least recently used two',
    );
    assert.equal(pool.idleCount, 1);
  });

  it('counts a process it stopped against its limit until it has exited', async () => {
    limits.poolIdleSeconds = 0.03;
    limits.poolMaxIdle = 1;
    const pool = newPool();
    const old = fakeSession('key', 'old');
    old.child.exitsWhenStopped = false;
    await pool.putIdle(old.session);
    await old.child.killed; // expired: stopped, but not gone yet
    assert.equal(pool.exitingCount, 1);
    const next = fakeSession('key', 'next');
    await pool.putIdle(next.session);
    assert.equal(next.child.finishes, 1, 'no room while the stopped one is still alive');
    old.child.exit();
    await settle();
    assert.equal(pool.exitingCount, 0);
    const last = fakeSession('key', 'last');
    await pool.putIdle(last.session);
    assert.equal(pool.idleCount, 1);
  });

  it('replaces a warm process that waited poolIdleSeconds: the replacement first, the old one once it is ready', async () => {
    limits.poolIdleSeconds = 0.05;
    const pool = newPool();
    pool.seed(fakeKind('key'));
    ready();
    await sleep(80);
    assert.equal(spawned.length, 2, 'a replacement started');
    assert.equal(spawned[0]!.child.stops, 0, 'the old one still serves while the replacement starts');
    ready();
    await settle();
    assert.equal(spawned[0]!.child.finishes, 1, 'stopped once the replacement is ready');
    assert.equal(pool.warmCount, 1);
  });

  it('hands out the process being replaced while its replacement is still starting', async () => {
    limits.poolIdleSeconds = 0.05;
    const pool = newPool();
    const kind = fakeKind('key');
    pool.seed(kind);
    ready();
    await sleep(80);
    assert.equal(pool.takeReady(kind), spawned[0]!.session);
    await settle();
    assert.equal(spawned.length, 2, 'the replacement is all the kind needs');
  });

  it('keeps its size: an expired warm process is replaced again and again, never more than maxWarm at once', async () => {
    limits.poolIdleSeconds = 0.04;
    const pool = newPool();
    pool.seed(fakeKind('key'));
    let most = 0;
    for (let i = 0; i < 12; i++) {
      ready();
      await sleep(15);
      most = Math.max(most, alive().length);
    }
    assert.ok(spawned.length >= 3, `replaced over time (${spawned.length} started)`);
    assert.ok(
      spawned.slice(0, -2).every((s) => !s.child.alive),
      'the replaced ones are gone',
    );
    assert.ok(most <= 2, 'one serving plus its replacement');
    assert.equal(pool.warmCount >= 1, true);
  });

  it('refills after a warm process dies, and backs off when one dies while starting', async () => {
    const pool = newPool();
    pool.seed(fakeKind('key'));
    ready();
    await settle();
    spawned[0]!.child.exit(); // crashed after it was ready
    await settle();
    assert.equal(spawned.length, 2, 'replaced at once');
    spawned[1]!.child.exit(); // died while starting
    await settle();
    assert.equal(spawned.length, 2, 'no restart loop: the next start waits');
    assert.equal(pool.warmCount, 0);
  });

  it('keeps warm the kinds requests used, the most recent always, and spares while new conversations had to wait', async () => {
    limits.poolMaxWarm = 4;
    const pool = newPool();
    const sonnet = fakeKind('sonnet');
    const opus = fakeKind('opus');
    pool.noteRequest(sonnet, false);
    await settle();
    pool.noteRequest(opus, false);
    await settle();
    assert.deepEqual(
      alive().map((s) => s.session.kind.key),
      ['sonnet', 'opus'],
      'one of each kind recent requests used',
    );
    pool.noteRequest(opus, true);
    pool.noteRequest(opus, true);
    pool.noteRequest(opus, true);
    await settle();
    assert.equal(alive().filter((s) => s.session.kind.key === 'opus').length, 3, 'poolSize plus two spares');
    assert.equal(alive().length, 4, 'and never more than maxWarm in all');
  });

  it("makes room for the most recent kind's first process by stopping another kind's spare", async () => {
    limits.poolMaxWarm = 3;
    const pool = newPool();
    const sonnet = fakeKind('sonnet');
    pool.noteRequest(sonnet, false);
    pool.noteRequest(sonnet, true);
    pool.noteRequest(sonnet, true);
    await settle();
    assert.equal(alive().length, 3, 'sonnet and its two spares fill maxWarm');
    pool.noteRequest(fakeKind('opus'), false);
    await settle();
    assert.equal(spawned.filter((s) => s.child.stops > 0).length, 1, 'one spare stopped');
    assert.deepEqual(
      alive()
        .map((s) => s.session.kind.key)
        .sort(),
      ['opus', 'sonnet', 'sonnet'],
    );
  });

  it('starts nothing with prewarm off, and nothing before a request with prewarm first-request', async () => {
    limits.prewarm = 'off';
    const pool = newPool();
    pool.noteRequest(fakeKind('key'), false);
    pool.maintain();
    await settle();
    assert.equal(spawned.length, 0);
    limits.prewarm = 'first-request';
    pool.maintain();
    await settle();
    assert.equal(spawned.length, 0, 'nothing until a request came');
    pool.noteRequest(fakeKind('key'), false);
    await settle();
    assert.equal(spawned.length, 1);
  });

  it('stops its warm processes at once when warm processes are turned off (prewarm off, or poolSize 0)', async () => {
    for (const off of [{ prewarm: 'off' as const }, { poolSize: 0 }]) {
      limits = { poolSize: 1, poolMaxWarm: 3, poolMaxIdle: 2, poolIdleSeconds: 60, prewarm: 'startup' };
      spawned = [];
      const pool = newPool();
      pool.seed(fakeKind('key'));
      ready();
      await settle();
      const idle = fakeSession('key', 'conv');
      await pool.putIdle(idle.session);
      assert.equal(pool.warmCount, 1);
      Object.assign(limits, off);
      pool.reconcile(
        () => true,
        (k) => k,
      );
      await settle();
      assert.equal(pool.warmCount, 0, JSON.stringify(off));
      assert.equal(spawned[0]!.child.stops, 1, 'the warm process was stopped');
      assert.equal(idle.child.stops, 0, 'an idle process keeps its conversation until its time is up');
      assert.equal(pool.idleCount, 1);
    }
  });

  it('stops the processes whose start settings no longer match, and keeps the same kinds warm under the new ones', async () => {
    const pool = newPool();
    pool.seed(fakeKind('old'));
    const idle = fakeSession('old', 'conv');
    await pool.putIdle(idle.session);
    const keep = fakeSession('new', 'conv2');
    await pool.putIdle(keep.session);
    pool.reconcile(
      (s) => s.kind.key === 'new',
      (k) => (k.key === 'old' ? fakeKind('new') : k),
    );
    await settle();
    assert.equal(spawned[0]!.child.stops, 1, 'the stale warm process');
    assert.equal(idle.child.stops, 1, 'the stale idle process');
    assert.equal(keep.child.stops, 0);
    assert.deepEqual(
      alive().map((s) => s.session.kind.key),
      ['new'],
      'warm again, under the new settings',
    );
  });

  it('drains everything for shutdown and starts nothing more', async () => {
    limits.poolIdleSeconds = 0.03;
    const pool = newPool();
    pool.seed(fakeKind('key'));
    const idle = fakeSession('key', 'conv');
    await pool.putIdle(idle.session);
    const drained = pool.drain();
    assert.equal(drained.length, 2);
    assert.equal(pool.warmCount + pool.idleCount, 0);
    pool.noteRequest(fakeKind('key'), true);
    pool.maintain();
    await sleep(80);
    assert.equal(spawned.length, 1);
    assert.equal(idle.child.stops + spawned[0]!.child.stops, 0, 'no expiry left behind: the caller kills');
  });
});
