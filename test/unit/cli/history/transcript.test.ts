import assert from 'node:assert/strict';
import { projectDir, transcriptLines } from '../../../../src/cli/history/transcript';

describe('transcripts', () => {
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
  });

  it('names the project folder as the CLI does', () => {
    assert.equal(projectDir('/cfg', '/tmp/cli2api-x/empty-cwd'), '/cfg/projects/-tmp-cli2api-x-empty-cwd');
  });
});
