/** CLI output recorded from the real CLI (test/fixtures/cli/*.jsonl, made by scripts/record-cli-fixtures.ts), parsed. */
import fs from 'node:fs';
import path from 'node:path';
import { type CliLine, parseCliLine } from '../../src/cli/events';

export function recorded(name: string): CliLine[] {
  const text = fs.readFileSync(path.join(__dirname, '../fixtures/cli', `${name}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((raw) => {
      const parsed = parseCliLine(raw);
      if (!parsed.ok) throw new Error(`fixture line did not parse: ${parsed.reason}`);
      return parsed.line;
    });
}
