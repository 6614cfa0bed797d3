import os from 'node:os';
import path from 'node:path';

/** `$TMPDIR/cli2api-<user>`: CLI2API's private folder for this user (created by whoever needs it, mode 0700). */
export function userTempDir(): string {
  let user = 'user';
  try {
    user = os.userInfo().username.replace(/[^a-zA-Z0-9_-]/g, '') || 'user';
  } catch {
    // no passwd entry (some containers)
  }
  return path.join(os.tmpdir(), `cli2api-${user}`);
}
