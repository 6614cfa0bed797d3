/**
 * `cli2api doctor` as users run it (`node bin/cli2api.js doctor`), with the pinned CLI the
 * suite runs on (CLI2API_TEST_CLI): every capability row passes, and the report is the
 * stable plain text users paste into bug reports.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NEWEST_TESTED, OLDEST_SUPPORTED } from '../../src/cli/process/cli-versions';
import { CLAUDE_BIN } from '../support/cli-env';
import { processesWithEnv } from '../support/processes';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'cli2api.js');
const ROWS = [
  'stream-json input and output',
  'partial messages (streamed deltas)',
  'system prompt through initialize',
  'client tools over MCP (call held, then answered)',
  'resume a conversation (transcript, exact messages)',
  'resume a conversation ending in tool results',
  'images in a user turn and in a tool result',
  'structured output (--json-schema)',
  'output limit (CLAUDE_CODE_MAX_OUTPUT_TOKENS)',
  'one API call for an answer cut at the limit',
];

function doctor(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'doctor'], { env, timeout: 240_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('cli2api doctor', function () {
  this.timeout(300_000);
  let home: string;

  before(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-doctor-test-'));
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('passes every capability with the pinned CLI, says it is logged in, and prints a stable table', async () => {
    const version = execFileSync(CLAUDE_BIN, ['--version']).toString().split(' ')[0]!;
    const { code, stdout, stderr } = await doctor({
      PATH: process.env.PATH ?? '',
      HOME: home,
      CLI2API_CLAUDE_CLI_PATH: CLAUDE_BIN,
      // The user's own login, as `claude auth status` sees it (the checks themselves use a fake key of their own).
      ANTHROPIC_API_KEY: 'sk-ant-the-users-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
    console.log(stdout);
    assert.equal(code, 0, `exit code 0 when all is well:\n${stdout}\n${stderr}`);
    const lines = stdout.split('\n');
    assert.match(lines[0]!, /^CLI2API doctor \(CLI2API \d+\.\d+\.\d+, \w+ \w+, Node \d+/);
    assert.ok(lines.includes(`Claude Code CLI:  ${version} at ${CLAUDE_BIN}`), stdout);
    assert.ok(
      lines.includes(`Version support:  tested (CLI2API is tested with ${OLDEST_SUPPORTED} to ${NEWEST_TESTED})`),
      stdout,
    );
    assert.ok(lines.includes('Logged in:        yes (api_key)'), stdout);
    for (const row of ROWS) {
      const line = lines.find((l) => l.startsWith(row));
      assert.ok(line, `a row for "${row}"`);
      assert.match(line, /PASS$/, line);
    }
    assert.ok(!lines.some((l) => /FAIL/.test(l)), stdout);
    assert.ok(
      lines.includes(
        `Result: ${ROWS.length} of ${ROWS.length} checks passed with Claude Code ${version}: CLI2API can use this CLI.`,
      ),
      stdout,
    );
    assert.ok(!stdout.includes('sk-ant-the-users-key'), 'the key never appears');
    assert.deepEqual(processesWithEnv('ANTHROPIC_API_KEY=sk-ant-cli2api-doctor'), [], 'no CLI process left');
  });

  it('names what is missing when there is no CLI', async () => {
    const { code, stdout } = await doctor({ PATH: '/nonexistent', HOME: home });
    assert.equal(code, 1);
    assert.match(stdout, /^Claude Code CLI: {2}NOT FOUND — no `claude` executable found/m);
  });
});
