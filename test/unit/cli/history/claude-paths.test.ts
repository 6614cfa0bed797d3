import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claudeConfigDir, javaHash, projectDir, projectKey } from '../../../../src/cli/history/claude-paths';

const linux = { platform: 'linux' as const, homedir: () => '/home/fallback' };
const windows = { platform: 'win32' as const, homedir: () => 'C:\\Users\\Fallback' };

describe('the CLI folder rules', () => {
  describe('claudeConfigDir', () => {
    it('is CLAUDE_CONFIG_DIR when set, even when empty (the CLI uses ??)', () => {
      assert.equal(claudeConfigDir({ CLAUDE_CONFIG_DIR: '/cfg', HOME: '/home/u' }, linux), '/cfg');
      assert.equal(claudeConfigDir({ CLAUDE_CONFIG_DIR: '', HOME: '/home/u' }, linux), '');
    });

    it('is $HOME/.claude on POSIX, falling back to the home directory', () => {
      assert.equal(claudeConfigDir({ HOME: '/home/u', USERPROFILE: '/ignored' }, linux), '/home/u/.claude');
      assert.equal(claudeConfigDir({}, linux), '/home/fallback/.claude');
    });

    it('is %USERPROFILE%\\.claude on Windows, even when HOME is set (Git Bash)', () => {
      assert.equal(
        claudeConfigDir({ HOME: '/c/Users/ann', USERPROFILE: 'C:\\Users\\ann' }, windows),
        'C:\\Users\\ann\\.claude',
      );
      assert.equal(claudeConfigDir({}, windows), 'C:\\Users\\Fallback\\.claude');
    });

    it('is NFC-normalised', () => {
      const decomposed = '/home/Jose\u0301';
      assert.equal(claudeConfigDir({ HOME: decomposed }, linux), '/home/Jos\u00e9/.claude');
    });
  });

  describe('projectKey', () => {
    it('turns every non-alphanumeric UTF-16 unit into -', () => {
      assert.equal(projectKey('/tmp/cli2api-x/empty-cwd'), '-tmp-cli2api-x-empty-cwd');
      assert.equal(projectKey('/tmp/dé-ü 😀 dir'), '-tmp-d-------dir');
      assert.equal(
        projectKey('C:\\Users\\ann\\AppData\\Local\\Temp\\cli2api-ann\\empty-cwd'),
        'C--Users-ann-AppData-Local-Temp-cli2api-ann-empty-cwd',
      );
    });

    it('cuts a name over 200 characters and appends the base-36 Java hash of the full path', () => {
      // Measured: 2.1.197 and 2.1.332 both stored their own transcript for this 264-character cwd under this name.
      const cwd = `/tmp/inv-resume/cwds/${'L'.repeat(60)}/${'x'.repeat(60)}/${'y'.repeat(60)}/${'z'.repeat(60)}`;
      const measured = `-tmp-inv-resume-cwds-${'L'.repeat(60)}-${'x'.repeat(60)}-${'y'.repeat(57)}-s0xany`;
      assert.equal(cwd.length, 264);
      assert.equal(projectKey(cwd), measured);
      assert.equal(projectKey('/'.repeat(200)), '-'.repeat(200), 'exactly 200 is not cut');
    });

    it('hashes like Java String.hashCode', () => {
      assert.equal(javaHash(''), 0);
      assert.equal(javaHash('a'), 97);
      assert.equal(javaHash('hello'), 99162322);
      assert.equal(javaHash('The quick brown fox jumps over the lazy dog'), -609428141);
    });
  });

  describe('projectDir', () => {
    it('uses the realpath of the working directory (macOS /var → /private/var)', () => {
      const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-paths-')));
      try {
        const real = path.join(root, 'private', 'var', 'folders', 'x');
        fs.mkdirSync(real, { recursive: true });
        const link = path.join(root, 'var');
        fs.symlinkSync(path.join(root, 'private', 'var'), link);
        assert.equal(
          projectDir('/cfg', path.join(link, 'folders', 'x')),
          path.join('/cfg', 'projects', projectKey(real)),
        );
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('puts a relative config dir under the working directory, as the CLI resolves it', () => {
      assert.equal(
        projectDir('', '/work/dir', (p) => p),
        '/work/dir/projects/-work-dir',
      );
    });
  });
});
