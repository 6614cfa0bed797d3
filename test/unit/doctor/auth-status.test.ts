import assert from 'node:assert/strict';
import { parseAuthStatus } from '../../../src/doctor/auth-status';

describe('claude auth status', () => {
  it('reads loggedIn and authMethod from the JSON both versions print (2.1.332 prints more keys)', () => {
    const v332 =
      '{\n  "loggedIn": true,\n  "authMethod": "api_key",\n  "apiProvider": "firstParty",\n  "analyticsDisabled": true,\n' +
      '  "configDirectory": "/home/u/.claude",\n  "apiKeySource": "ANTHROPIC_API_KEY"\n}\n';
    assert.deepEqual(parseAuthStatus(v332), { loggedIn: true, method: 'api_key' });
    const v197 = '{\n  "loggedIn": false,\n  "authMethod": "none",\n  "apiProvider": "firstParty"\n}\n';
    assert.deepEqual(parseAuthStatus(v197, 'exit code 1'), { loggedIn: false, method: 'none' });
  });

  it('says why when there is no status (an old CLI without the command)', () => {
    assert.deepEqual(parseAuthStatus('', "error: unknown command 'auth'\n"), {
      error: "`claude auth status` gave no status: error: unknown command 'auth'",
    });
  });
});
