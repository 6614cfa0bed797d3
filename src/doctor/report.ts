/**
 * The doctor's report as plain text, for a terminal, the VS Code output channel and bug
 * reports: stable (no timings, no colours), one row per capability, PASS or FAIL.
 */
import { NEWEST_TESTED, OLDEST_SUPPORTED } from '../cli/process/cli-versions';
import type { DoctorReport } from './doctor';

export function renderReport(report: DoctorReport, about: { version: string; platform: string }): string {
  const lines = [`CLI2API doctor (CLI2API ${about.version}, ${about.platform})`, ''];
  const field = (name: string, value: string) => lines.push(`${`${name}:`.padEnd(18)}${value}`);
  if (!report.cli) {
    field('Claude Code CLI', `NOT FOUND — ${report.notFound ?? 'unknown reason'}`);
    lines.push('', 'Result: no CLI to check.');
    return lines.join('\n') + '\n';
  }
  const { support } = report.cli;
  field('Claude Code CLI', `${report.cli.version} at ${report.cli.path}`);
  field(
    'Version support',
    support.kind === 'tested'
      ? `tested (CLI2API is tested with ${OLDEST_SUPPORTED} to ${NEWEST_TESTED})`
      : support.kind === 'untested'
        ? `NOT TESTED — ${support.warning}`
        : `REFUSED — ${support.error}`,
  );
  const auth = report.auth;
  field(
    'Logged in',
    auth?.loggedIn === true
      ? `yes (${auth.method ?? 'unknown method'})`
      : auth?.loggedIn === false
        ? 'NO — run `claude` in a terminal and /login (or set ANTHROPIC_API_KEY for the CLI)'
        : `unknown — ${auth?.error ?? 'not checked'}`,
  );
  lines.push('');
  const width = Math.max(...report.rows.map((r) => r.title.length), 'capability'.length) + 2;
  lines.push(`${'capability'.padEnd(width)}result`);
  for (const row of report.rows) {
    lines.push(`${row.title.padEnd(width)}${row.ok ? 'PASS' : 'FAIL'}`);
    if (row.detail) lines.push(`${' '.repeat(width)}${row.detail}`);
  }
  lines.push('', summary(report));
  return lines.join('\n') + '\n';
}

/** One line: how many checks passed, and whether CLI2API can use this CLI. */
export function summary(report: DoctorReport): string {
  if (!report.cli) return 'No Claude Code CLI found.';
  const passed = report.rows.filter((r) => r.ok).length;
  const all = report.rows.length;
  const verdict =
    report.cli.support.kind === 'broken'
      ? 'this CLI version is refused by CLI2API'
      : passed === all
        ? 'CLI2API can use this CLI'
        : 'CLI2API will not work fully with this CLI';
  const login = report.auth?.loggedIn === false ? '; the CLI is not logged in' : '';
  return `Result: ${passed} of ${all} checks passed with Claude Code ${report.cli.version}: ${verdict}${login}.`;
}

/** True when the CLI is usable as it is: every check passed, the version is not refused, and it is logged in. */
export function healthy(report: DoctorReport): boolean {
  return (
    report.cli !== undefined &&
    report.cli.support.kind !== 'broken' &&
    report.rows.every((r) => r.ok) &&
    report.auth?.loggedIn !== false
  );
}

/** The platform line of the report's header. */
export function platformLine(): string {
  return `${process.platform} ${process.arch}, Node ${process.versions.node}`;
}
