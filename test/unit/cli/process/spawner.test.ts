/** The kind of a CLI process: fixed by what the settings give it, not by later changes to the host's own environment. */
import assert from 'node:assert/strict';
import { parseSettings } from '../../../../src/config/settings';
import type { ClaudeBinary } from '../../../../src/cli/process/locate';
import { Spawner } from '../../../../src/cli/process/spawner';
import { createConsoleLogger } from '../../../../src/util/logger';

const quiet = createConsoleLogger({ level: 'error', json: false, write: () => {} });
const binary = { path: '/opt/claude', version: '2.1.332' } as ClaudeBinary;

describe('spawner: the kind of a process', () => {
  it("keeps a process's kind when the host's environment changes after the start (VS Code's extension host does)", () => {
    const host: NodeJS.ProcessEnv = { PATH: '/usr/bin', HOME: '/home/u' };
    let settings = parseSettings({ cliEnv: { A: '1' } });
    const spawner = new Spawner({ settings: () => settings, logger: quiet, baseEnv: host });
    const before = spawner.kind(binary, { model: 'sonnet' });
    host.VSCODE_L10N_BUNDLE_LOCATION = ''; // what another extension's start did to the host
    assert.equal(spawner.kind(binary, { model: 'sonnet' }).key, before.key);
    assert.equal(spawner.env().VSCODE_L10N_BUNDLE_LOCATION, undefined, 'the CLI gets the environment of the start');
    settings = parseSettings({ cliEnv: { A: '2' } });
    assert.notEqual(spawner.kind(binary, { model: 'sonnet' }).key, before.key, 'a changed cli2api.env is a new kind');
    assert.notEqual(spawner.kind(binary, { model: 'opus' }).key, before.key);
  });
});
