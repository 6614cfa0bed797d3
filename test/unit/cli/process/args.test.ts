import assert from 'node:assert/strict';
import { buildArgs, buildEnv } from '../../../../src/cli/process/args';

describe('CLI command line and environment', () => {
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

  it('puts the effort and the JSON schema on the command line', () => {
    const args = buildArgs({ model: 'opus', effort: 'max' });
    assert.equal(args[args.indexOf('--effort') + 1], 'max');
    assert.ok(!buildArgs({ model: 'opus' }).includes('--effort'));
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    const withSchema = buildArgs({ model: 'sonnet', jsonSchema: schema });
    assert.deepEqual(JSON.parse(withSchema[withSchema.indexOf('--json-schema') + 1]!), schema);
  });

  it("gives the CLI the server's environment and the user's extras, never CLI2API's own variables", () => {
    const env = buildEnv({ PATH: '/bin', CLI2API_API_KEY: 'secret', HOME: '/h' }, { HTTPS_PROXY: 'http://p' });
    assert.deepEqual(env, { ENABLE_TOOL_SEARCH: 'false', PATH: '/bin', HOME: '/h', HTTPS_PROXY: 'http://p' });
  });

  it("puts the output limit in the environment, where the request's limit wins", () => {
    assert.equal(buildEnv({}, { CLAUDE_CODE_MAX_OUTPUT_TOKENS: '9' }, 100).CLAUDE_CODE_MAX_OUTPUT_TOKENS, '100');
    assert.equal(buildEnv({}, {}).CLAUDE_CODE_MAX_OUTPUT_TOKENS, undefined);
  });

  it('turns thinking off under an output limit too small for any thinking budget the API takes (1024)', () => {
    // Measured: under such a limit both CLIs ask for a thinking budget the API refuses; MAX_THINKING_TOKENS=0 sends none.
    assert.equal(buildEnv({}, {}, 256).MAX_THINKING_TOKENS, '0');
    assert.equal(buildEnv({}, {}, 1024).MAX_THINKING_TOKENS, '0');
    assert.equal(buildEnv({}, {}, 1025).MAX_THINKING_TOKENS, undefined);
    assert.equal(buildEnv({}, { MAX_THINKING_TOKENS: '2000' }, 4000).MAX_THINKING_TOKENS, '2000');
    assert.equal(buildEnv({}, {}).MAX_THINKING_TOKENS, undefined);
    // A process started with thinking off keeps it off whatever limit it starts with.
    assert.equal(buildEnv({}, {}, undefined, true).MAX_THINKING_TOKENS, '0');
    assert.equal(buildEnv({}, {}, 300, false).MAX_THINKING_TOKENS, undefined);
  });
});
