/**
 * One workbench window in the browser (a page on code-server, with its own extension host):
 * the status bar, the command palette, quick picks, notifications, dialogs, the Output panel,
 * webviews, the Settings UI, and settings.json edits. CodeServerSession is the first window;
 * `session.openWindow()` gives more.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FrameLocator, Page } from 'playwright-core';
import { sleep, waitFor } from './wait';

export const ARTIFACTS_DIR = path.join(path.resolve(__dirname, '..', '..'), 'test-artifacts', 'e2e');

export interface StatusBarItemInfo {
  /** The visible text (codicons are separate spans without text, so they do not appear). */
  text: string;
  ariaLabel: string;
  /** The `title` attribute if any; VS Code 1.100 shows most tooltips as a custom hover instead. */
  title: string;
  id: string;
}

export class Workbench {
  constructor(
    public page: Page,
    /** The user settings.json of the code-server this window belongs to. */
    readonly settingsPath: string,
  ) {}

  /** The first status bar item whose visible text matches, now (undefined if none). */
  async statusBarItem(text: RegExp): Promise<StatusBarItemInfo | undefined> {
    const items = await this.statusBarItems();
    return items.find((i) => text.test(i.text));
  }

  /** Every status bar item, left to right. */
  async statusBarItems(): Promise<StatusBarItemInfo[]> {
    return this.page.$$eval('.part.statusbar .statusbar-item', (els) =>
      els.map((el) => {
        const label = el.querySelector('.statusbar-item-label') ?? el;
        return {
          text: ((label as HTMLElement).innerText ?? label.textContent ?? '').replace(/\s+/g, ' ').trim(),
          ariaLabel: label.getAttribute('aria-label') ?? el.getAttribute('aria-label') ?? '',
          title: label.getAttribute('title') ?? el.getAttribute('title') ?? '',
          id: el.id,
        };
      }),
    );
  }

  /** Waits until a status bar item's text matches. */
  async waitForStatusBarItem(text: RegExp, timeoutMs = 30_000): Promise<StatusBarItemInfo> {
    return waitFor(`a status bar item matching ${text}`, () => this.statusBarItem(text), timeoutMs, 200);
  }

  /** Hovers the item and returns the text of the hover that appears (its tooltip). */
  async statusBarTooltip(text: RegExp, timeoutMs = 10_000): Promise<string> {
    const item = await this.waitForStatusBarItem(text, timeoutMs);
    await this.page.mouse.move(0, 0);
    await this.page.locator(`[id="${item.id}"] .statusbar-item-label`).hover({ timeout: timeoutMs });
    const hover = this.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: /\S/ }).last();
    await hover.waitFor({ state: 'visible', timeout: timeoutMs });
    const tooltip = (await hover.innerText({ timeout: timeoutMs })).trim();
    await this.page.mouse.move(0, 0);
    return tooltip;
  }

  async clickStatusBarItem(text: RegExp, timeoutMs = 10_000): Promise<void> {
    const item = await this.waitForStatusBarItem(text, timeoutMs);
    await this.closeQuickInput();
    await this.page.locator(`[id="${item.id}"] .statusbar-item-label`).click({ timeout: timeoutMs });
  }

  /** The labels of the rows the open quick pick shows (waits for it to show at least one). */
  async quickPickItems(timeoutMs = 10_000): Promise<string[]> {
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: timeoutMs });
    return rows.evaluateAll((els) =>
      els.map((el) => {
        const label = el.querySelector('.quick-input-list-label .label-name') ?? el.querySelector('.label-name') ?? el;
        return ((label as HTMLElement).innerText ?? '').replace(/\s+/g, ' ').trim();
      }),
    );
  }

  /** Picks the row whose label equals `label` in the open quick pick. */
  async pickQuickPickItem(label: string, timeoutMs = 10_000): Promise<void> {
    const row = await this.findQuickPickRow(label, timeoutMs);
    await row.click({ timeout: timeoutMs });
    const widget = this.page.locator('.quick-input-widget');
    // A click while the list still settles may not accept it: filter to the row and press Enter.
    const closed = await widget.waitFor({ state: 'hidden', timeout: 3_000 }).then(
      () => true,
      () => false,
    );
    if (!closed) {
      const input = widget.locator('input').first();
      await input.fill(label);
      await input.press('Enter');
      await widget.waitFor({ state: 'hidden', timeout: timeoutMs });
    }
  }

  async closeQuickInput(timeoutMs = 5_000): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    if (!(await widget.isVisible())) return;
    await this.page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  /** Runs a command by its title through the command palette (F1, type, pick the row). */
  async runCommand(title: string, timeoutMs = 15_000): Promise<void> {
    await this.closeQuickInput();
    await this.focusWorkbench();
    const input = this.page.locator('.quick-input-widget input');
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(`>${title}`);
    // Click the row with exactly this label: the first row is not always it while the list filters.
    const row = await this.findQuickPickRow(title, timeoutMs);
    await row.click({ timeout: timeoutMs });
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  private async findQuickPickRow(label: string, timeoutMs: number) {
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const index = await waitFor(
      `a quick pick row labelled "${label}"`,
      async () => {
        const labels = await rows.evaluateAll((els) =>
          els.map((el) => {
            const l = el.querySelector('.quick-input-list-label .label-name') ?? el.querySelector('.label-name') ?? el;
            return ((l as HTMLElement).innerText ?? '').replace(/\s+/g, ' ').trim();
          }),
        );
        const i = labels.findIndex((l) => l === label);
        return i >= 0 ? i : undefined;
      },
      timeoutMs,
      100,
    );
    return rows.nth(index);
  }

  private async focusWorkbench(): Promise<void> {
    // Keys go to the focused element; make sure focus is in the workbench, not on nothing.
    // A webview (an iframe) keeps keys to itself: take the focus back to the workbench first.
    const active = await this.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (el?.tagName === 'IFRAME') el.blur();
      return document.activeElement?.tagName ?? '';
    });
    if (active === '' || active === 'BODY' || active === 'IFRAME') {
      // The middle of the status bar holds no item: a click there only focuses the workbench.
      const bar = this.page.locator('.part.statusbar');
      const box = await bar.boundingBox();
      await bar.click({ position: { x: Math.round((box?.width ?? 800) / 2), y: Math.round((box?.height ?? 22) / 2) } });
    }
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** Texts of the notification toasts shown now. */
  async notifications(): Promise<string[]> {
    return this.page.$$eval('.notifications-toasts .notification-list-item-message', (els) =>
      els.map((el) => ((el as HTMLElement).innerText ?? '').trim()),
    );
  }

  async waitForNotification(text: RegExp, timeoutMs = 15_000): Promise<string> {
    return waitFor(
      `a notification matching ${text}`,
      async () => (await this.notifications()).find((t) => text.test(t)),
      timeoutMs,
      200,
    );
  }

  /**
   * The visible text of the Output panel's editor and the name of the selected channel.
   * Monaco renders only the lines in view; the output view keeps the end of the log in view.
   */
  async outputPanel(): Promise<{ visible: boolean; channel: string; text: string }> {
    return this.page.evaluate(() => {
      const panel = document.querySelector('.part.panel');
      const view = panel?.querySelector('.output-view, [id="workbench.panel.output"]') ?? null;
      const visible = !!view && (view as HTMLElement).offsetParent !== null;
      const select = panel?.querySelector('select.monaco-select-box') as HTMLSelectElement | null;
      const channel = select ? (select.selectedOptions[0]?.textContent ?? '') : '';
      const lines = [...(view?.querySelectorAll('.view-lines .view-line') ?? [])]
        .map((l) => ({
          top: parseFloat((l as HTMLElement).style.top || '0'),
          text: (l as HTMLElement).innerText ?? '',
        }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text.replace(/\u00a0/g, ' '));
      return { visible, channel: channel.trim(), text: lines.join('\n') };
    });
  }

  /** Saves a PNG of the whole workbench (or of one element) under test-artifacts/e2e/. */
  async screenshot(name: string, selector?: string): Promise<string> {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    if (selector) await this.page.locator(selector).first().screenshot({ path: file, timeout: 10_000 });
    else await this.page.screenshot({ path: file, timeout: 10_000 });
    return file;
  }

  /** Saves a PNG of a region of the page under test-artifacts/e2e/ (e.g. a status bar with its hover). */
  async screenshotRegion(name: string, clip: { x: number; y: number; width: number; height: number }): Promise<string> {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file, clip, timeout: 10_000 });
    return file;
  }

  // --- Settings and logs ----------------------------------------------------------------

  readUserSettings(): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(this.settingsPath, 'utf8')) as Record<string, unknown>;
  }

  /**
   * Changes user settings in the running workbench, as a user editing settings.json would:
   * opens "Preferences: Open User Settings (JSON)", replaces the text, saves, closes the
   * editor, and checks the file on disk. A key set to `undefined` is removed.
   *
   * Why not just rewrite the file on disk: code-server 4.100.3 never applies outside changes
   * to the user settings.json while a window is open. The browser watches the file as
   * `vscode-remote:/<path>` (no authority) but the change events come back as
   * `vscode-remote://127.0.0.1:<port>/<path>`, so the configuration service ignores them
   * (verified: the server logs the change, the browser gets the event, nothing reloads).
   * A save from the workbench itself goes through its own file operation event and applies
   * at once, and `onDidChangeConfiguration` fires in the extension host without a reload.
   */
  async editUserSettings(patch: Record<string, unknown>, timeoutMs = 20_000): Promise<void> {
    const next = { ...this.readUserSettings() };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete next[key];
      else next[key] = value;
    }
    // One line: a newline typed into the editor would be followed by auto-indentation.
    const text = JSON.stringify(next);
    await this.runCommand('Preferences: Open User Settings (JSON)', timeoutMs);
    const editor = this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
    await waitFor(
      'settings.json to be the active editor',
      async () =>
        /settings\.json/.test(
          (await this.page
            .locator('.editor-group-container.active .tab.active')
            .first()
            .innerText()
            .catch(() => '')) ?? '',
        ),
      timeoutMs,
    );
    await editor.waitFor({ state: 'visible', timeout: timeoutMs });
    await editor.locator('.view-lines').click({ timeout: timeoutMs });
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.insertText(text);
    await this.page.keyboard.press('ControlOrMeta+S');
    await waitFor(
      'the saved settings.json to hold the new settings',
      () => {
        try {
          return isDeepStrictEqual(this.readUserSettings(), next);
        } catch {
          return false; // half-written
        }
      },
      timeoutMs,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nsettings.json now:\n${fs.readFileSync(this.settingsPath, 'utf8')}`);
    });
    await this.runCommand('View: Close Editor', timeoutMs);
  }

  /**
   * Rewrites the user settings.json on disk only. A running code-server window does NOT
   * apply it (see editUserSettings); use it before a reload or to prepare a file.
   */
  writeUserSettingsFile(patch: Record<string, unknown>): void {
    const next = { ...this.readUserSettings() };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete next[key];
      else next[key] = value;
    }
    fs.writeFileSync(this.settingsPath, JSON.stringify(next, null, 2) + '\n');
  }

  // --- Clipboard, dialogs, webviews, the Settings UI -------------------------------------

  /** The browser's clipboard (what the extension's Copy commands wrote). */
  async clipboard(): Promise<string> {
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  /** Waits for a modal dialog and returns its text (message and detail). */
  async dialog(timeoutMs = 15_000): Promise<string> {
    const box = this.page.locator('.monaco-dialog-box');
    await box.waitFor({ state: 'visible', timeout: timeoutMs });
    return ((await box.innerText()) ?? '').replace(/\s+/g, ' ').trim();
  }

  /** Clicks the button labelled `label` in the open modal dialog, and waits for the dialog to close. */
  async clickDialogButton(label: string, timeoutMs = 15_000): Promise<void> {
    const box = this.page.locator('.monaco-dialog-box');
    await box
      .locator('.monaco-button', { hasText: new RegExp(`^${label}$`) })
      .first()
      .click({ timeout: timeoutMs });
    await box.waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  /** The active webview's document (webviews are an iframe inside an iframe). */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }

  /** Opens the Settings UI with `query` in its search box. */
  async openSettingsUi(query: string, timeoutMs = 20_000): Promise<void> {
    await this.runCommand('Preferences: Open Settings (UI)', timeoutMs);
    const search = this.page.locator(
      '.settings-editor .settings-header .suggest-input-container .monaco-editor textarea',
    );
    await search.waitFor({ state: 'attached', timeout: timeoutMs });
    await search.focus();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.insertText(query);
  }

  /**
   * Types `text` into the Settings UI's field of setting `key` (opened by openSettingsUi) the
   * way keystrokes arrive: the field holds each prefix in turn (`9`, `91`, `910`, `9100`), and
   * the Settings UI writes each one as a configuration change. Each prefix is set whole: this
   * code-server re-renders the field from the settings while the writes are in flight, which
   * would scramble key presses typed one by one.
   */
  async typeIntoSetting(key: string, text: string, delayMs = 150, timeoutMs = 20_000): Promise<void> {
    const input = this.page.locator(`.settings-editor input[aria-label="${key}"]`).first();
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    for (let i = 1; i <= text.length; i++) {
      await input.fill(text.slice(0, i), { timeout: timeoutMs });
      await sleep(delayMs);
    }
  }

  /**
   * Picks `file` in VS Code's own file dialog (code-server shows a quick input with a path):
   * waits until the dialog has its starting folder, types the path, and accepts with `button`.
   */
  async pickFile(file: string, button: string, timeoutMs = 15_000): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('input').first();
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await waitFor(
      'the dialog to show its starting folder',
      async () => (await input.inputValue()).endsWith('/'),
      timeoutMs,
    );
    await waitFor(
      `the dialog to hold ${file}`,
      async () => {
        if ((await input.inputValue()) !== file) await input.fill(file);
        return (await input.inputValue()) === file;
      },
      timeoutMs,
      300,
    );
    await widget.locator('.monaco-button', { hasText: button }).click({ timeout: timeoutMs });
    await widget.waitFor({ state: 'hidden', timeout: timeoutMs });
  }
}
