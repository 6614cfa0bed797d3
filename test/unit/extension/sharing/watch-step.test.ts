import assert from 'node:assert/strict';
import type { PortHolder } from '../../../../src/extension/sharing/port-holder';
import { type WatchFacts, watchStep } from '../../../../src/extension/sharing/watch-step';

const other: PortHolder = { kind: 'cli2api', instance: 'other', version: '0.1.0', runner: { kind: 'vscode' } };
const base: WatchFacts = {
  serving: false,
  servingSince: 0,
  mark: undefined,
  holder: { kind: 'free' },
  freeStreak: 1,
  sawOther: false,
  self: 'me',
};

describe('port watch step', () => {
  it('serves a free port at once when nobody served it before', () => {
    assert.deepEqual(watchStep(base), { do: 'serve' });
  });

  it('takes over from another window only after the port was free on two ticks in a row', () => {
    assert.deepEqual(watchStep({ ...base, sawOther: true, freeStreak: 1 }), { do: 'keep' });
    assert.deepEqual(watchStep({ ...base, sawOther: true, freeStreak: 2 }), { do: 'serve' });
  });

  it('stands by while another CLI2API holds the port, and reports a foreign program as a conflict', () => {
    assert.deepEqual(watchStep({ ...base, holder: other, freeStreak: 0 }), { do: 'show-elsewhere' });
    assert.deepEqual(watchStep({ ...base, holder: { kind: 'foreign', detail: 'nginx' }, freeStreak: 0 }), {
      do: 'show-conflict',
      detail: 'nginx',
    });
  });

  it('keeps what it knew when the holder could not be told (a busy window)', () => {
    assert.deepEqual(watchStep({ ...base, holder: { kind: 'unknown', detail: 'timeout' }, freeStreak: 0 }), {
      do: 'keep',
    });
  });

  it('does not take a free port the user stopped (in any window): shows stopped instead', () => {
    const mark = { at: 5, by: 'someone' };
    assert.deepEqual(watchStep({ ...base, mark }), { do: 'show-stopped', mark });
    assert.deepEqual(watchStep({ ...base, mark, sawOther: true, freeStreak: 3 }), { do: 'show-stopped', mark });
  });

  it('stops serving when another window chose Stop after this one started', () => {
    const serving = { ...base, serving: true, servingSince: 100, holder: undefined };
    assert.deepEqual(watchStep({ ...serving, mark: { at: 150, by: 'other' } }), {
      do: 'stop-serving',
      mark: { at: 150, by: 'other' },
    });
    // A mark from before this start (the start lifted it) or from this window itself changes nothing.
    assert.deepEqual(watchStep({ ...serving, mark: { at: 50, by: 'other' } }), { do: 'keep' });
    assert.deepEqual(watchStep({ ...serving, mark: { at: 150, by: 'me' } }), { do: 'keep' });
    assert.deepEqual(watchStep(serving), { do: 'keep' });
  });
});
