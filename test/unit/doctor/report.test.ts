import assert from 'node:assert/strict';
import { versionSupport } from '../../../src/cli/process/cli-versions';
import type { DoctorReport } from '../../../src/doctor/doctor';
import { healthy, renderReport, summary } from '../../../src/doctor/report';

const about = { version: '0.1.0', platform: 'linux x64, Node 20.20.2' };
const cli = { path: '/usr/local/bin/claude', version: '2.1.332', support: versionSupport('2.1.332') };

describe('the doctor report', () => {
  it('is a plain, stable table: header fields, one PASS/FAIL row per capability, details under a failure', () => {
    const report: DoctorReport = {
      cli,
      auth: { loggedIn: true, method: 'claude.ai' },
      rows: [
        { title: 'stream-json input and output', ok: true },
        {
          title: 'one API call for an answer cut at the limit',
          ok: false,
          detail: '2 API requests for one cut answer',
        },
      ],
    };
    assert.equal(
      renderReport(report, about),
      [
        'CLI2API doctor (CLI2API 0.1.0, linux x64, Node 20.20.2)',
        '',
        'Claude Code CLI:  2.1.332 at /usr/local/bin/claude',
        'Version support:  tested (CLI2API is tested with 2.1.197 to 2.1.332)',
        'Logged in:        yes (claude.ai)',
        '',
        'capability                                   result',
        'stream-json input and output                 PASS',
        'one API call for an answer cut at the limit  FAIL',
        '                                             2 API requests for one cut answer',
        '',
        'Result: 1 of 2 checks passed with Claude Code 2.1.332: CLI2API will not work fully with this CLI.',
        '',
      ].join('\n'),
    );
    assert.equal(healthy(report), false);
  });

  it('says when the CLI is not logged in, its version untested or refused, or its login unknown', () => {
    const loggedOut: DoctorReport = {
      cli,
      auth: { loggedIn: false, method: 'none' },
      rows: [{ title: 'x', ok: true }],
    };
    assert.match(renderReport(loggedOut, about), /^Logged in: {8}NO — run `claude` in a terminal and \/login/m);
    assert.equal(
      summary(loggedOut),
      'Result: 1 of 1 checks passed with Claude Code 2.1.332: CLI2API can use this CLI; the CLI is not logged in.',
    );
    assert.equal(healthy(loggedOut), false);

    const newer = { ...cli, version: '2.9.0', support: versionSupport('2.9.0') };
    const untested: DoctorReport = { cli: newer, auth: { error: 'no answer' }, rows: [{ title: 'x', ok: true }] };
    const text = renderReport(untested, about);
    assert.match(text, /^Version support: {2}NOT TESTED — Claude Code CLI 2\.9\.0 is newer than/m);
    assert.match(text, /^Logged in: {8}unknown — no answer$/m);
    assert.equal(healthy(untested), true, 'an untested version that passes every check is usable');
  });

  it('says when no CLI was found', () => {
    const text = renderReport({ notFound: 'no `claude` executable found on PATH', rows: [] }, about);
    assert.match(text, /^Claude Code CLI: {2}NOT FOUND — no `claude` executable found on PATH$/m);
    assert.match(text, /^Result: no CLI to check\.$/m);
  });
});
