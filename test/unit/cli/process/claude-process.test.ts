import assert from 'node:assert/strict';
import { isOwnSocket, treeKill } from '../../../../src/cli/process/claude-process';

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

describe("the CLI's messaging socket", () => {
  it("is removed only when it is the killed process's own (…/cc-socks/<pid>.sock)", () => {
    assert.equal(isOwnSocket('/tmp/cc-socks/4242.sock', 4242), true);
    assert.equal(isOwnSocket('/run/user/1000/cc-socks/4242.sock', 4242), true);
    assert.equal(isOwnSocket('/tmp/cc-socks/4243.sock', 4242), false);
    assert.equal(isOwnSocket('/tmp/other/4242.sock', 4242), false);
    assert.equal(isOwnSocket('/tmp/cc-socks', 4242), false);
  });
});
