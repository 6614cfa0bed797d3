import assert from 'node:assert/strict';
import { compareVersions } from '../../../../src/cli/process/locate';

describe('locating the CLI', () => {
  it('compares versions numerically', () => {
    assert.ok(compareVersions('2.1.197', '2.1.33') > 0);
    assert.ok(compareVersions('2.0.0', '10.0.0') < 0);
    assert.equal(compareVersions('1.2.3', '1.2.3'), 0);
  });
});
