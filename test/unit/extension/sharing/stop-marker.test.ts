import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StopMarker } from '../../../../src/extension/sharing/stop-marker';

describe('stop marker', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-marker-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is per port, readable by another marker on the same folder, and cleared', () => {
    const a = new StopMarker(dir);
    const b = new StopMarker(dir);
    a.write(8000, 'window-a', 1234);
    assert.deepEqual(b.read(8000), { at: 1234, by: 'window-a' });
    assert.equal(b.read(8001), undefined);
    b.clear(8000);
    assert.equal(a.read(8000), undefined);
  });

  it('counts only while its lease is kept: an untouched mark expires', () => {
    const m = new StopMarker(dir, 10_000);
    m.write(8000, 'w');
    const file = path.join(dir, 'stopped-8000.json');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    assert.equal(m.read(8000), undefined, 'expired');
    m.touch(8000);
    assert.deepEqual(m.read(8000)?.by, 'w', 'touched: current again');
  });

  it('is private to the user (mode 0600)', () => {
    new StopMarker(dir).write(8000, 'w');
    assert.equal(fs.statSync(path.join(dir, 'stopped-8000.json')).mode & 0o777, 0o600);
  });
});
