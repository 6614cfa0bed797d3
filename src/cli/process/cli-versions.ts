/**
 * The Claude Code CLI versions CLI2API was tested with. CLI2API relies on behaviour the CLI
 * does not document (the stream-json control protocol, hand-written `--resume`
 * transcripts, its project-folder naming, error texts), so a version outside the tested
 * range is used with a warning, and a version known not to work is refused with the
 * version to install.
 */

/** The oldest version the integration suite runs on (CI: `npm run test:integration:oldest`). */
export const OLDEST_SUPPORTED = '2.1.197';
/** The newest version tested (the pinned devDependency; CI: `npm run test:integration`). */
export const NEWEST_TESTED = '2.1.332';

/** Versions measured not to work with CLI2API, newest range first. */
export const KNOWN_BROKEN: ReadonlyArray<{ below: string; reason: string }> = [
  {
    // Measured with `cli2api doctor`: 2.0.0 has no --tools flag; 2.0.77 sends three extra "Warmup" model requests
    // (paid) on every start, so each answer costs four API calls.
    below: '2.1.0',
    reason: 'versions before 2.1 lack flags CLI2API needs or spend extra model requests on every start',
  },
];

export type VersionSupport =
  { kind: 'tested' } | { kind: 'untested'; warning: string } | { kind: 'broken'; error: string };

export function versionSupport(version: string): VersionSupport {
  const broken = KNOWN_BROKEN.find((b) => compareVersions(version, b.below) < 0);
  if (broken) {
    return {
      kind: 'broken',
      error:
        `Claude Code CLI ${version} does not work with CLI2API (${broken.reason}). ` +
        `Install ${NEWEST_TESTED}: npm install -g @anthropic-ai/claude-code@${NEWEST_TESTED} (or run \`claude update\`).`,
    };
  }
  if (compareVersions(version, OLDEST_SUPPORTED) < 0) {
    return {
      kind: 'untested',
      warning:
        `Claude Code CLI ${version} is older than the oldest version CLI2API supports (${OLDEST_SUPPORTED}); ` +
        `it may not work. Update it (claude update, or npm install -g @anthropic-ai/claude-code@${NEWEST_TESTED}).`,
    };
  }
  if (compareVersions(version, NEWEST_TESTED) > 0) {
    return {
      kind: 'untested',
      warning:
        `Claude Code CLI ${version} is newer than the newest version CLI2API was tested with (${NEWEST_TESTED}); ` +
        'it will most likely work. If something fails, run `cli2api doctor` (VS Code: "CLI2API: Check Claude CLI").',
    };
  }
  return { kind: 'tested' };
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isNaN(pa[i] ?? 0) ? 0 : (pa[i] ?? 0);
    const y = Number.isNaN(pb[i] ?? 0) ? 0 : (pb[i] ?? 0);
    if (x !== y) return x - y;
  }
  return 0;
}
