import assert from 'node:assert/strict';
import { SettingWarnings } from '../../../src/extension/setting-warnings';

describe('setting warnings', () => {
  it('shows a warning once per change of its setting', () => {
    const w = new SettingWarnings();
    const bad = { key: 'timeout', message: 'Setting cli2api.timeout is invalid (too small)' };
    assert.deepEqual(w.update([bad]), [bad], 'first read: shown');
    assert.deepEqual(w.update([bad]), [], 'read again (start-up twice, an unrelated change): not again');
    const worse = { key: 'timeout', message: 'Setting cli2api.timeout is invalid (not a number)' };
    assert.deepEqual(w.update([worse]), [worse], 'a new problem with the same setting: shown');
  });

  it('forgets a setting once it is fixed, so a later problem shows again', () => {
    const w = new SettingWarnings();
    const bad = { key: 'port', message: 'bad port' };
    w.update([bad]);
    assert.deepEqual(w.update([]), []);
    assert.deepEqual(w.update([bad]), [bad]);
  });

  it('keeps settings apart', () => {
    const w = new SettingWarnings();
    const a = { key: 'timeout', message: 'a' };
    const b = { key: 'env', message: 'b' };
    assert.deepEqual(w.update([a]), [a]);
    assert.deepEqual(w.update([a, b]), [b]);
  });
});
