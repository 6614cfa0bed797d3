import assert from 'node:assert/strict';
import { treeKill } from '../../../../src/cli/process/claude-process';

describe('ending a CLI process tree', () => {
  it('signals the process group on POSIX (the child leads its own group)', () => {
    assert.deepEqual(treeKill(4242, 'linux'), { kind: 'signal', pid: -4242 });
    assert.deepEqual(treeKill(4242, 'darwin'), { kind: 'signal', pid: -4242 });
  });

  it('runs taskkill on the whole tree on Windows (asynchronously, never spawnSync)', () => {
    assert.deepEqual(treeKill(4242, 'win32'), {
      kind: 'command',
      file: 'taskkill',
      args: ['/pid', '4242', '/T', '/F'],
    });
  });
});
