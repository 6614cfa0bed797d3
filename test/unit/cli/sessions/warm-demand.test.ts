/** Which kinds of process to keep warm, and how many: recent kinds, the most recent always, spares while requests waited. */
import assert from 'node:assert/strict';
import {
  BURST_WINDOW_MS,
  MAX_BURST_SPARES,
  MAX_WARM_KINDS,
  WarmDemand,
} from '../../../../src/cli/sessions/warm-demand';
import { fakeKind } from '../../../support/fake-session';

const limits = { poolSize: 1, poolIdleSeconds: 300 };
const wanted = (d: WarmDemand, now: number, l = limits) => d.wanted(now, l).map((w) => `${w.kind.key}:${w.target}`);

describe('warm demand', () => {
  it('wants nothing until a kind is used, then poolSize of each recent kind, the most recent first', () => {
    const d = new WarmDemand();
    assert.deepEqual(wanted(d, 0), []);
    d.note(fakeKind('sonnet'), 0);
    d.note(fakeKind('opus'), 10);
    d.note(fakeKind('sonnet'), 20);
    assert.deepEqual(wanted(d, 30), ['sonnet:1', 'opus:1']);
    assert.deepEqual(wanted(d, 30, { poolSize: 2, poolIdleSeconds: 300 }), ['sonnet:2', 'opus:2']);
    assert.deepEqual(wanted(d, 30, { poolSize: 0, poolIdleSeconds: 300 }), [], 'poolSize 0: the pool is off');
  });

  it(`keeps at most ${MAX_WARM_KINDS} kinds, and drops a kind unused for poolIdleSeconds except the most recent`, () => {
    const d = new WarmDemand();
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) d.note(fakeKind(k), i);
    assert.deepEqual(wanted(d, 10), ['d:1', 'c:1', 'b:1']);
    const later = 10 + limits.poolIdleSeconds * 1000;
    assert.deepEqual(wanted(d, later), ['d:1'], 'only the most recent kind outlives the idle time');
  });

  it(`adds up to ${MAX_BURST_SPARES} spares while new conversations of a known kind waited, for ${BURST_WINDOW_MS / 1000} s`, () => {
    const d = new WarmDemand();
    d.note(fakeKind('a'), 0, false, true);
    d.note(fakeKind('a'), 0, true);
    assert.deepEqual(wanted(d, 1), ['a:1'], "a kind's first request is no burst, even after a seed at start-up");
    d.note(fakeKind('a'), 2, true);
    assert.deepEqual(wanted(d, 3), ['a:2']);
    for (let t = 4; t < 10; t++) d.note(fakeKind('a'), t, true);
    assert.deepEqual(wanted(d, 10), [`a:${1 + MAX_BURST_SPARES}`]);
    assert.deepEqual(wanted(d, 10 + BURST_WINDOW_MS), ['a:1'], 'back to poolSize once the waits are old');
  });

  it('maps each kind to the same kind under new settings, and forgets the ones that have none', () => {
    const d = new WarmDemand();
    d.note(fakeKind('agent-old'), 0);
    d.note(fakeKind('gone'), 1);
    d.update((k) => (k.key === 'agent-old' ? fakeKind('plain') : undefined));
    assert.deepEqual(wanted(d, 2), ['plain:1']);
  });
});
