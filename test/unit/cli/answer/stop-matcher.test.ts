import assert from 'node:assert/strict';
import { StopMatcher } from '../../../../src/cli/answer/stop-matcher';

describe('stop matcher', () => {
  it('ends the text right before the first stop sequence', () => {
    const m = new StopMatcher(['END', 'x']);
    assert.deepEqual(m.push('abc END def x'), { text: 'abc ', stopped: 'END' });
  });

  it('finds a sequence split across deltas, holding back only what could start it', () => {
    const m = new StopMatcher(['</answer>']);
    assert.deepEqual(m.push('yes</an'), { text: 'yes' });
    assert.deepEqual(m.push('swer> more'), { text: '', stopped: '</answer>' });
  });

  it('releases held-back text as soon as it cannot become a sequence, and at the end', () => {
    const m = new StopMatcher(['STOP']);
    assert.deepEqual(m.push('a ST'), { text: 'a ' });
    assert.deepEqual(m.push('AR'), { text: 'STAR' });
    assert.deepEqual(m.push('ST'), { text: '' });
    assert.equal(m.flush(), 'ST');
  });

  it('ignores empty sequences', () => {
    const m = new StopMatcher(['']);
    assert.equal(m.active, false);
  });
});
