import assert from 'node:assert/strict';
import {
  compareVersions,
  NEWEST_TESTED,
  OLDEST_SUPPORTED,
  versionSupport,
} from '../../../../src/cli/process/cli-versions';

describe('CLI versions', () => {
  it('knows the tested range: the pinned oldest and newest', () => {
    assert.ok(compareVersions(OLDEST_SUPPORTED, NEWEST_TESTED) < 0);
    assert.deepEqual(versionSupport(OLDEST_SUPPORTED), { kind: 'tested' });
    assert.deepEqual(versionSupport(NEWEST_TESTED), { kind: 'tested' });
    assert.deepEqual(versionSupport('2.1.250'), { kind: 'tested' });
  });

  it('warns (never refuses) outside the tested range, naming the range and what to do', () => {
    const newer = versionSupport('2.2.0');
    assert.equal(newer.kind, 'untested');
    assert.match(
      newer.kind === 'untested' ? newer.warning : '',
      /newer than .* tested with \(2\.1\.332\).*cli2api doctor/,
    );
    const older = versionSupport('2.1.150');
    assert.equal(older.kind, 'untested');
    assert.match(older.kind === 'untested' ? older.warning : '', /older than .* supports \(2\.1\.197\)/);
  });

  it('refuses a version known not to work, saying which version to install', () => {
    for (const version of ['2.0.77', '2.0.0', '1.0.128']) {
      const support = versionSupport(version);
      assert.equal(support.kind, 'broken', version);
      assert.match(
        support.kind === 'broken' ? support.error : '',
        new RegExp(
          `^Claude Code CLI ${version.replace(/\./g, '\\.')} does not work with CLI2API .*Install 2\\.1\\.332: npm install -g @anthropic-ai/claude-code@2\\.1\\.332`,
        ),
      );
    }
    assert.equal(versionSupport('2.1.0').kind, 'untested');
  });

  it('compares versions numerically', () => {
    assert.ok(compareVersions('2.1.197', '2.1.33') > 0);
    assert.ok(compareVersions('2.0.0', '10.0.0') < 0);
    assert.equal(compareVersions('1.2.3', '1.2.3'), 0);
  });
});
