import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ContentBlock, Turn } from '../../../src/core/model-request';
import { conversationDifference } from '../../../src/doctor/sent-conversation';

type Message = { role: string; content: unknown };

/** What both CLIs sent for the same resumed conversation (recorded against a fake API). */
function recorded(name: string): Message[] {
  const file = path.resolve(__dirname, '../../fixtures/api-requests', name);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { body: { messages: Message[] } }).body.messages;
}

const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==';
const image: ContentBlock = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL } };
/** The client's conversation those requests came from. */
const turns: Turn[] = [
  { role: 'user', content: [{ type: 'text', text: 'what is in this image?' }, image] },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'A pixel. Taking a screenshot.' },
      { type: 'tool_use', id: 'call_img1', name: 'get_weather', input: { city: 'screenshot' } },
    ],
  },
  {
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: 'call_img1', content: [{ type: 'text', text: 'here' }, image] }],
  },
];

describe("comparing what reached the model with the client's conversation", () => {
  it("sets aside only the CLI's own additions: 2.1.332's date and environment messages, 2.1.197's reminder", () => {
    assert.equal(conversationDifference(recorded('2.1.332-resumed-images.json'), turns), undefined);
    assert.equal(conversationDifference(recorded('2.1.197-resumed-images.json'), turns), undefined);
  });

  it('finds an empty message, a message twice, a changed message and a system message the CLI does not add', () => {
    const sent = recorded('2.1.332-resumed-images.json');
    const empty = [sent[0]!, { role: 'system', content: [] }, ...sent.slice(1)];
    assert.match(conversationDifference(empty, turns) ?? '', /^messages\[1\] is a system message the CLI does not add/);
    const twice = [sent[0]!, sent[0]!, ...sent.slice(1)];
    assert.match(
      conversationDifference(twice, turns) ?? '',
      /^4 messages reached the model, 3 expected: user\[text,image\] user\[text,image\]/,
    );
    const changed = structuredClone(sent);
    (changed[2]!.content as Array<{ text?: string }>)[0]!.text = 'Something else.';
    assert.match(conversationDifference(changed, turns) ?? '', /^message 1 differs/);
    const extra = [...sent, { role: 'system', content: 'Continue from where you left off.' }];
    assert.match(conversationDifference(extra, turns) ?? '', /^messages\[5\] is a system message the CLI does not add/);
    const emptyUser = [...sent.slice(0, -1), { role: 'user', content: [] }, sent.at(-1)!];
    assert.match(conversationDifference(emptyUser, turns) ?? '', /^messages\[4\] \(user\) is empty/);
  });
});
