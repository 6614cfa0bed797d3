/** The bound on CLI processes the manager keeps to, as the README and /health state it. */
import assert from 'node:assert/strict';
import { processBound } from '../../../src/cli/cli-manager';
import { DEFAULT_SETTINGS } from '../../../src/config/settings';

describe('the CLI process bound', () => {
  it('is maxConcurrent + pool.maxWarm + pool.maxIdle + pool.maxHeld: 13 with the defaults', () => {
    assert.equal(processBound(DEFAULT_SETTINGS), 4 + 3 + 2 + 4);
  });

  it('counts no warm processes when the pool is off, and never fewer than pool.size', () => {
    assert.equal(processBound({ ...DEFAULT_SETTINGS, poolSize: 0 }), 4 + 0 + 2 + 4);
    assert.equal(processBound({ ...DEFAULT_SETTINGS, poolSize: 5, poolMaxWarm: 3 }), 4 + 5 + 2 + 4);
  });
});
