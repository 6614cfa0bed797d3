/**
 * The subscription's usage windows in a real VS Code extension host (code-server + headless
 * Chromium): the packaged VSIX, the REAL Claude CLI logged in with an OAuth-style token (only
 * then does it report usage), and the fake Anthropic API sending the unified rate-limit
 * headers. The status bar shows a window from `cli2api.usage.warnAt` up, the tooltip both
 * windows with their resets in local time, and a notification says so once, then when full.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { fakeCliEnv, OAUTH_LOGIN } from '../support/cli-env';
import { FakeAnthropic, type FakeReply, lastUserText } from '../support/fake-anthropic';
import { secondsFromNow, unifiedHeaders } from '../support/rate-limit-headers';
import {
  ARTIFACTS_DIR,
  CodeServerSession,
  freePort,
  packageVsix,
  processesWithEnv,
  REPO_ROOT,
  waitFor,
} from './harness';

const CLAUDE_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'claude');
const CLI_MARK_ENV = 'CLI2API_E2E_CLI_MARK';

/** "16:00" in this machine's zone, as the extension (same machine) shows local times. */
function localClock(epochSeconds: number): string {
  return new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(epochSeconds * 1000),
  );
}

describe('usage windows in the status bar, in a real VS Code extension host', function () {
  this.timeout(240_000);
  let tmp: string;
  let fake: FakeAnthropic;
  let session: CodeServerSession;
  let port: number;
  const cliMark = randomBytes(6).toString('hex');
  const fiveReset = secondsFromNow(3 * 3600 + 120);
  const sevenReset = secondsFromNow(4 * 86400);
  let fullReset = 0;
  const client = () =>
    new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });
  const item = (suffix = '') => new RegExp(`^CLI2API :${port}${suffix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-e2e-usage-'));
    const vsix = packageVsix(tmp);
    fake = new FakeAnthropic();
    const fakeUrl = await fake.start();
    fake.handle((req): FakeReply => {
      const text = lastUserText(req.body);
      if (/window full/.test(text)) {
        fullReset = secondsFromNow(58 * 60);
        return {
          kind: 'error',
          status: 429,
          errorType: 'rate_limit_error',
          message: 'usage limit reached',
          headers: unifiedHeaders({
            status: 'rejected',
            claim: 'five_hour',
            fiveHour: { utilization: 1, reset: fullReset, status: 'rejected' },
            sevenDay: { utilization: 0.8, reset: sevenReset, status: 'allowed_warning' },
            overage: { status: 'rejected', disabledReason: 'org_level_disabled' },
          }),
        };
      }
      // The weekly window warns (0.8, 4 days before its reset) while the 5-hour one, near its
      // end, does not: the CLI's verdict is then about the weekly window, which every CLI version reports.
      const weekly = /weekly/.test(text);
      return {
        kind: 'message',
        blocks: [{ type: 'text', text: `echo: ${text}` }],
        headers: unifiedHeaders({
          status: 'allowed_warning',
          claim: weekly ? 'seven_day' : 'five_hour',
          fiveHour: weekly
            ? { utilization: 0.91, reset: secondsFromNow(3600), status: 'allowed' }
            : { utilization: 0.91, reset: fiveReset, status: 'allowed_warning' },
          sevenDay: {
            utilization: weekly ? 0.8 : 0.4,
            reset: sevenReset,
            status: weekly ? 'allowed_warning' : 'allowed',
          },
        }),
      };
    });
    port = await freePort();
    session = await CodeServerSession.launch({
      vsix,
      name: 'usage',
      settings: {
        'cli2api.port': port,
        'cli2api.host': '127.0.0.1',
        'cli2api.autoStart': true,
        'cli2api.claudePath': CLAUDE_BIN,
        'cli2api.env': fakeCliEnv(fakeUrl, { ...OAUTH_LOGIN, [CLI_MARK_ENV]: cliMark }),
        'cli2api.usage.warnAt': 0.8,
      },
    });
  });

  after(async function () {
    await session?.dispose();
    await fake?.stop().catch(() => undefined);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session && !session.isDisposed)
      await session.screenshot(`failed-usage-${this.currentTest.title}`).catch(() => undefined);
  });

  it('shows nothing about usage before the first answer', async function () {
    await session.waitForStatusBarItem(item(), 60_000);
  });

  it('shows the 5-hour window at 91% after an answer, with its reset in the tooltip, and warns', async function () {
    const res = await client().chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hello at 91 percent' }],
    });
    assert.equal(res.choices[0]?.message.content, 'echo: hello at 91 percent', 'a warning is not a failure');
    await session.waitForStatusBarItem(item(' · 5h 91%'), 15_000);
    const note = await session.waitForNotification(/Claude 5-hour usage at 91%/, 15_000);
    assert.match(note, new RegExp(`resets at ${localClock(fiveReset)} \\(in \\d+ h( \\d+ min)?\\)`));
    const tooltip = await session.statusBarTooltip(item(' · 5h 91%'));
    assert.match(tooltip, new RegExp(`Claude 5-hour window: 91% used · resets ${localClock(fiveReset)}`));
    assert.match(tooltip, /estimate at API prices, not a charge/);
    await session.screenshot('usage-statusbar-91', '.part.statusbar');
    await screenshotWithTooltip(session, item(' · 5h 91%'), 'usage-statusbar-91-tooltip');
  });

  it('shows both windows once the weekly one passes the threshold too', async function () {
    await client().chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'weekly check' }] });
    await session.waitForStatusBarItem(item(' · 5h 91% · 7d 80%'), 15_000);
    await session.waitForNotification(/Claude weekly usage at 80%/, 15_000);
    const tooltip = await session.statusBarTooltip(item(' · 5h 91% · 7d 80%'));
    assert.match(tooltip, /Claude 5-hour window: 91% used · resets \d\d:\d\d/);
    assert.match(tooltip, /Claude weekly window: 80% used · resets [A-Z][a-z]{2} \d{1,2}, \d\d:\d\d/);
    await screenshotWithTooltip(session, item(' · 5h 91% · 7d 80%'), 'usage-statusbar-both-tooltip');
  });

  it('says when the 5-hour window is full, and refuses the next request at once', async function () {
    await session.clearNotifications();
    const refused = await client()
      .chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'window full' }] })
      .catch((e: unknown) => e);
    assert.ok(refused instanceof OpenAI.RateLimitError, String(refused));
    await session.waitForStatusBarItem(item(' · 5h full · 7d 80%'), 15_000);
    const note = await session.waitForNotification(/Claude 5-hour usage limit reached/, 15_000);
    assert.match(note, new RegExp(`requests get 429 until ${localClock(fullReset)} \\(in \\d+ min\\)`));
    await session.screenshot('usage-statusbar-full', '.part.statusbar');

    const calls = fake.messageRequests.length;
    const again = await client()
      .chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hello again' }] })
      .catch((e: unknown) => e);
    assert.ok(again instanceof OpenAI.RateLimitError);
    assert.match(again.message, /Claude 5-hour usage limit reached; resets at \d\d:\d\d UTC/);
    assert.equal(fake.messageRequests.length, calls, 'answered without calling the API');
    await waitFor(
      'no CLI process of this suite left',
      () => processesWithEnv(CLI_MARK_ENV, cliMark).length === 0,
      10_000,
    );
  });
});

/** A PNG of the status bar item with its tooltip open (for the README). */
async function screenshotWithTooltip(session: CodeServerSession, text: RegExp, name: string): Promise<void> {
  const found = await session.waitForStatusBarItem(text);
  const label = session.page.locator(`[id="${found.id}"] .statusbar-item-label`);
  await session.page.mouse.move(0, 0);
  await label.hover();
  const hover = session.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: /\S/ }).last();
  await hover.waitFor({ state: 'visible', timeout: 10_000 });
  const a = await hover.boundingBox();
  const b = await label.boundingBox();
  if (a && b) {
    const x = Math.max(0, Math.min(a.x, b.x) - 16);
    const y = Math.max(0, a.y - 16);
    const right = Math.max(a.x + a.width, b.x + b.width) + 16;
    const bottom = b.y + b.height + 8;
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await session.page.screenshot({
      path: path.join(ARTIFACTS_DIR, `${name}.png`),
      clip: { x, y, width: right - x, height: bottom - y },
    });
  }
  await session.page.mouse.move(0, 0);
}
