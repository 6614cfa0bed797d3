import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configFile, type Environment, propose, writeProposal } from '../../../../src/extension/connect/client-files';
import type { ConnectInfo } from '../../../../src/extension/connect/clients';
import { ConfigMergeError } from '../../../../src/extension/connect/config-error';

const info: ConnectInfo = {
  baseUrl: 'http://127.0.0.1:8000',
  models: ['sonnet', 'opus'],
  defaultModel: 'sonnet',
  apiKey: undefined,
};

describe('client configuration files', () => {
  let home: string;
  let e: Environment;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-home-'));
    e = { home, env: {} };
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('knows where each client keeps its file, and honours the variables that move them', () => {
    assert.equal(configFile('continue', e), path.join(home, '.continue', 'config.yaml'));
    assert.equal(configFile('codex', e), path.join(home, '.codex', 'config.toml'));
    assert.equal(configFile('kilo', e), path.join(home, '.config', 'kilo', 'kilo.jsonc'));
    const moved = { home, env: { CODEX_HOME: '/c', XDG_CONFIG_HOME: '/x', CONTINUE_GLOBAL_DIR: '/k' } };
    assert.equal(configFile('codex', moved), path.join('/c', 'config.toml'));
    assert.equal(configFile('kilo', moved), path.join('/x', 'kilo', 'kilo.jsonc'));
    assert.equal(configFile('continue', moved), path.join('/k', 'config.yaml'));
  });

  it('proposes, then writes (creating the folder), privately; a second proposal changes nothing', () => {
    for (const id of ['continue', 'codex', 'kilo'] as const) {
      const p = propose(id, info, e);
      assert.equal(p.before, undefined);
      writeProposal(p);
      assert.equal(fs.readFileSync(p.file, 'utf8'), p.after);
      assert.equal(fs.statSync(p.file).mode & 0o777, 0o600, `${id} is private`);
      const again = propose(id, info, e);
      assert.equal(again.after, again.before, `${id}: nothing left to change`);
    }
  });

  it('keeps the previous file as a backup', () => {
    const file = configFile('codex', e);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '# mine\nmodel = "gpt-5"\n');
    const p = propose('codex', info, e);
    assert.match(p.notes.join(' '), /codex --profile cli2api/);
    writeProposal(p);
    assert.equal(fs.readFileSync(`${file}.cli2api-backup`, 'utf8'), '# mine\nmodel = "gpt-5"\n');
    assert.ok(fs.readFileSync(file, 'utf8').startsWith('# mine\nmodel = "gpt-5"\n'));
  });

  it('writes nothing when the file changed after the preview', () => {
    const p = propose('continue', info, e);
    fs.mkdirSync(path.dirname(p.file), { recursive: true });
    fs.writeFileSync(p.file, 'name: changed meanwhile\n');
    assert.throws(() => writeProposal(p), /changed since the preview/);
    assert.equal(fs.readFileSync(p.file, 'utf8'), 'name: changed meanwhile\n');
  });

  it("does not shadow Continue's old config.json with a new config.yaml", () => {
    fs.mkdirSync(path.join(home, '.continue'));
    fs.writeFileSync(path.join(home, '.continue', 'config.json'), '{"models":[]}');
    assert.throws(() => propose('continue', info, e), /config\.json here; a new config\.yaml would replace it/);
  });

  it('names the file when it cannot be merged', () => {
    const file = configFile('kilo', e);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{ broken');
    assert.throws(
      () => propose('kilo', info, e),
      (err: Error) => err instanceof ConfigMergeError && err.message.startsWith(`Cannot update ${file}:`),
    );
  });

  it("leaves Kilo's default model alone when kilo.json sets one", () => {
    fs.mkdirSync(path.join(home, '.config', 'kilo'), { recursive: true });
    fs.writeFileSync(path.join(home, '.config', 'kilo', 'kilo.json'), '{ "model": "anthropic/claude" }');
    assert.doesNotMatch(propose('kilo', info, e).after, /"model"/);
  });

  it('with keys, Codex gets env_key and the note says which variable to set', () => {
    const p = propose('codex', { ...info, apiKey: 'c2a-k-12345678' }, e);
    assert.match(p.after, /env_key = "CLI2API_API_KEY"/);
    assert.match(p.notes.join(' '), /export CLI2API_API_KEY=c2a-k-12345678/);
  });
});
