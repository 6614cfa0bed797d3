import assert from 'node:assert/strict';
import { spawnFlags } from '../../../../src/cli/process/spawn-flags';

describe('spawn flags', () => {
  const s = { agentTools: [] };

  it('turn thinking off for an output limit of 1024 or less, and only then', () => {
    assert.equal(spawnFlags({ model: 'sonnet', maxOutputTokens: 300 }, s).thinkingOff, true);
    assert.equal(spawnFlags({ model: 'sonnet', maxOutputTokens: 1024 }, s).thinkingOff, true);
    assert.equal('thinkingOff' in spawnFlags({ model: 'sonnet', maxOutputTokens: 1025 }, s), false);
    assert.equal('thinkingOff' in spawnFlags({ model: 'sonnet' }, s), false);
  });

  it("keep a process's thinking off when its flags are resolved again under new settings", () => {
    const flags = spawnFlags({ model: 'sonnet', maxOutputTokens: 300 }, s);
    assert.deepEqual(spawnFlags(flags, s), flags);
    assert.deepEqual(spawnFlags(flags, { agentTools: ['Read'] }), { ...flags, agentTools: ['Read'] });
  });
});
