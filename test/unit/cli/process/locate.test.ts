import assert from 'node:assert/strict';
import { candidatePaths, executableFor } from '../../../../src/cli/process/locate';

const windows = { platform: 'win32' as const, homedir: () => 'C:\\Users\\ann' };
const linux = { platform: 'linux' as const, homedir: () => '/home/fallback' };

describe('locating the CLI', () => {
  describe('on Windows', () => {
    const env = {
      Path: 'C:\\Windows\\system32;C:\\Users\\ann\\AppData\\Roaming\\npm;D:\\tools',
      USERPROFILE: 'C:\\Users\\ann',
      APPDATA: 'C:\\Users\\ann\\AppData\\Roaming',
    };
    const candidates = candidatePaths(env, windows);

    it('looks for claude.exe only, never the npm shims', () => {
      assert.ok(candidates.length > 0);
      assert.ok(
        candidates.every((c) => c.endsWith('\\claude.exe')),
        candidates.join('\n'),
      );
      assert.ok(candidates.includes('D:\\tools\\claude.exe'), 'on Path (any case)');
    });

    it("finds npm's global install under %APPDATA%\\npm and the native installer's launcher", () => {
      assert.ok(
        candidates.includes(
          'C:\\Users\\ann\\AppData\\Roaming\\npm\\node_modules\\@anthropic-ai\\claude-code\\bin\\claude.exe',
        ),
      );
      assert.ok(candidates.includes('C:\\Users\\ann\\.local\\bin\\claude.exe'));
    });

    it('also looks where a HOME set by Git Bash puts the native launcher', () => {
      const withHome = candidatePaths({ ...env, HOME: 'C:\\msys\\home\\ann' }, windows);
      assert.ok(withHome.includes('C:\\msys\\home\\ann\\.local\\bin\\claude.exe'));
    });

    it('resolves a configured npm shim to the executable it runs', () => {
      const exe = 'C:\\Users\\ann\\AppData\\Roaming\\npm\\node_modules\\@anthropic-ai\\claude-code\\bin\\claude.exe';
      assert.equal(executableFor('C:\\Users\\ann\\AppData\\Roaming\\npm\\claude.cmd', windows), exe);
      assert.equal(executableFor('C:\\Users\\ann\\AppData\\Roaming\\npm\\claude.ps1', windows), exe);
      assert.equal(executableFor('C:\\Users\\ann\\AppData\\Roaming\\npm\\claude', windows), exe);
      assert.equal(
        executableFor('C:\\Users\\ann\\.local\\bin\\claude.exe', windows),
        'C:\\Users\\ann\\.local\\bin\\claude.exe',
      );
    });
  });

  describe('on Linux and macOS', () => {
    it('looks on PATH and in the usual install locations under HOME', () => {
      const candidates = candidatePaths({ PATH: '/usr/bin:/opt/x/bin', HOME: '/home/u' }, linux);
      assert.deepEqual(candidates.slice(0, 2), ['/usr/bin/claude', '/opt/x/bin/claude']);
      for (const expected of [
        '/home/u/.claude/local/claude',
        '/home/u/.local/bin/claude',
        '/usr/local/bin/claude',
        '/opt/homebrew/bin/claude',
      ])
        assert.ok(candidates.includes(expected), expected);
    });

    it('keeps a configured path as it is', () => {
      assert.equal(executableFor('/usr/local/bin/claude', linux), '/usr/local/bin/claude');
    });
  });
});
