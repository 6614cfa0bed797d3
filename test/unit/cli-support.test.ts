/** The pure helpers around the CLI: argv, environment, transcripts, error classification, versions. */
import assert from 'node:assert/strict';
import { buildArgs, buildEnv } from '../../src/cli/args';
import { errorFromResult } from '../../src/cli/cli-errors';
import type { ResultLine } from '../../src/cli/events';
import { compareVersions } from '../../src/cli/locate';
import { projectDir, transcriptLines } from '../../src/cli/transcript';

const result = (text: string, status: number | null = null): ResultLine =>
  ({ type: 'result', subtype: 'success', is_error: true, result: text, api_error_status: status }) as ResultLine;

describe('CLI support', () => {
  it('runs the CLI as a pure model with nothing of the prompt on the command line', () => {
    const args = buildArgs({ model: 'sonnet', resumeSessionId: 'abc' });
    for (const flag of [
      '-p',
      '--verbose',
      '--include-partial-messages',
      '--strict-mcp-config',
      '--no-session-persistence',
    ])
      assert.ok(args.includes(flag), flag);
    assert.equal(args[args.indexOf('--tools') + 1], '');
    assert.equal(args[args.indexOf('--input-format') + 1], 'stream-json');
    assert.equal(args[args.indexOf('--output-format') + 1], 'stream-json');
    assert.equal(args[args.indexOf('--model') + 1], 'sonnet');
    assert.equal(args[args.indexOf('--resume') + 1], 'abc');
    assert.ok(!args.includes('--system-prompt'));
  });

  it('gives the CLI its own tools only in agent mode, allowed by name', () => {
    const args = buildArgs({ model: 'sonnet', agentTools: ['Read', 'Grep'] });
    assert.equal(args[args.indexOf('--tools') + 1], 'Read,Grep');
    assert.equal(args[args.indexOf('--allowedTools') + 1], 'mcp__c,Read,Grep');
    assert.equal(
      buildArgs({ model: 'sonnet' })[buildArgs({ model: 'sonnet' }).indexOf('--allowedTools') + 1],
      'mcp__c',
    );
  });

  it("gives the CLI the server's environment and the user's extras, never CLI2API's own variables", () => {
    const env = buildEnv({ PATH: '/bin', CLI2API_API_KEY: 'secret', HOME: '/h' }, { HTTPS_PROXY: 'http://p' });
    assert.deepEqual(env, { ENABLE_TOOL_SEARCH: 'false', PATH: '/bin', HOME: '/h', HTTPS_PROXY: 'http://p' });
  });

  it('writes transcript lines the CLI accepts: chained uuids, unique assistant ids with a model', () => {
    const lines = transcriptLines('sid', [
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
      { role: 'user', content: [{ type: 'text', text: 'c' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'd' }] },
    ]).map((l) => JSON.parse(l));
    assert.equal(lines[0].parentUuid, null);
    for (let i = 1; i < lines.length; i++) assert.equal(lines[i].parentUuid, lines[i - 1].uuid);
    assert.ok(lines.every((l) => l.sessionId === 'sid'));
    const assistants = lines.filter((l) => l.type === 'assistant');
    assert.equal(new Set(assistants.map((l) => l.message.id)).size, 2);
    assert.ok(assistants.every((l) => typeof l.message.model === 'string'));
    assert.equal(projectDir('/cfg', '/tmp/cli2api-x/empty-cwd'), '/cfg/projects/-tmp-cli2api-x-empty-cwd');
  });

  it('classifies CLI failures into OpenAI errors', () => {
    const cases: Array<[ResultLine, number, string]> = [
      [result('Invalid API key · Fix external API key', 401), 401, 'cli_not_authenticated'],
      [result('Not logged in · Please run /login'), 401, 'cli_not_authenticated'],
      [result('API Error: Request rejected (429) · too many', 429), 429, 'rate_limit_exceeded'],
      [result('API Error: 529 Overloaded'), 503, 'overloaded'],
      [result("There's an issue with the selected model (x). It may not exist"), 404, 'model_not_found'],
      [result('Request timed out'), 504, 'timeout'],
      [result('API Error: 400 Third-party apps now draw from your extra usage'), 403, 'cli_usage_refused'],
      [result('API Error: Unable to connect to API (ConnectionRefused)'), 502, 'upstream_error'],
    ];
    for (const [line, status, code] of cases) {
      const e = errorFromResult(line, 'x');
      assert.equal(e.status, status, line.result);
      assert.equal(e.code, code, line.result);
    }
  });

  it('compares versions numerically', () => {
    assert.ok(compareVersions('2.1.197', '2.1.33') > 0);
    assert.ok(compareVersions('2.0.0', '10.0.0') < 0);
    assert.equal(compareVersions('1.2.3', '1.2.3'), 0);
  });
});
