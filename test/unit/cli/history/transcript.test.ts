import assert from 'node:assert/strict';
import { localDate, transcriptLines } from '../../../../src/cli/history/transcript';
import type { Turn } from '../../../../src/core/model-request';

const text = (role: Turn['role'], t: string): Turn => ({ role, content: [{ type: 'text', text: t }] });
type Line = Record<string, unknown> & { type: string; uuid: string; parentUuid: string | null };
const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Line);

describe('transcripts', () => {
  const now = new Date(2026, 11, 1, 15, 30, 0);

  it('writes transcript lines the CLI accepts: chained uuids, timestamps, unique assistant ids with a model', () => {
    const lines = parse(
      transcriptLines('sid', [text('user', 'a'), text('assistant', 'b'), text('user', 'c'), text('assistant', 'd')], {
        now,
      }),
    );
    assert.equal(lines[0]!.parentUuid, null);
    for (let i = 1; i < lines.length; i++) assert.equal(lines[i]!.parentUuid, lines[i - 1]!.uuid);
    assert.ok(lines.every((l) => l.sessionId === 'sid' && typeof l.timestamp === 'string'));
    const times = lines.map((l) => Date.parse(String(l.timestamp)));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'in order',
    );
    assert.equal(times.at(-1), now.getTime());
    const assistants = lines.filter((l) => l.type === 'assistant') as Array<
      Line & { message: { id: string; model: string } }
    >;
    assert.equal(new Set(assistants.map((l) => l.message.id)).size, 2);
    assert.ok(assistants.every((l) => typeof l.message.model === 'string'));
  });

  it("puts one date attachment (today's local date) right after the first user line, and no prompt snapshot", () => {
    const lines = parse(
      transcriptLines('sid', [text('user', 'a'), text('assistant', 'b'), text('user', 'c')], { now }),
    );
    assert.deepEqual(
      lines.map((l) => l.type),
      ['user', 'attachment', 'assistant', 'user'],
    );
    assert.deepEqual(lines[1]!.attachment, { type: 'date', date: '2026-12-01' });
    assert.equal(lines[1]!.parentUuid, lines[0]!.uuid);
    assert.ok(!lines.some((l) => JSON.stringify(l).includes('prompt_snapshot')));
  });

  it('ends a history that ends in tool results with isCompactSummary and a hook line', () => {
    const turns: Turn[] = [
      text('user', 'weather?'),
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'w', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' }] },
    ];
    const lines = parse(transcriptLines('sid', turns, { now, endsWithToolResults: true }));
    assert.deepEqual(
      lines.map((l) => l.type),
      ['user', 'attachment', 'assistant', 'user', 'attachment'],
    );
    assert.equal(lines[3]!.isCompactSummary, true);
    assert.ok(!lines.slice(0, 3).some((l) => 'isCompactSummary' in l));
    assert.equal((lines[4]!.attachment as { type: string }).type, 'hook_success');
    assert.equal(lines[4]!.parentUuid, lines[3]!.uuid);
  });

  it('formats the local date', () => {
    assert.equal(localDate(new Date(2027, 0, 9, 23, 59)), '2027-01-09');
  });
});
