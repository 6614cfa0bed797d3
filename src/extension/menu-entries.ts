/**
 * The status bar menu for the window's state. Pure, so it is unit-tested. The first entry is
 * what the quick pick pre-selects, so it is never one that stops or restarts anything; entries
 * that need a server are left out when there is none (and say what they do otherwise).
 */
import type { WindowView } from './sharing/window-server';

export interface MenuEntry {
  label: string;
  description?: string;
  detail?: string;
  command: string;
  args?: unknown[];
}

export const SETTINGS_QUERY = '@ext:cli2api.cli2api';

export function menuEntries(view: WindowView, inFlight: number): MenuEntry[] {
  const log: MenuEntry = { label: '$(output) Show Log', command: 'cli2api.showLog' };
  const settings: MenuEntry = {
    label: '$(gear) Open Settings',
    description: 'CLI2API settings only',
    command: 'workbench.action.openSettings',
    args: [SETTINGS_QUERY],
  };
  const check: MenuEntry = { label: '$(checklist) Check Claude CLI', command: 'cli2api.checkCli' };
  const connect: MenuEntry = { label: '$(plug) Connect a Client…', command: 'cli2api.connectClient' };
  switch (view.kind) {
    case 'running':
      return [
        { label: '$(clippy) Copy Base URL', description: `${view.url}/v1`, command: 'cli2api.copyBaseUrl' },
        connect,
        log,
        {
          label: '$(debug-restart) Restart Server',
          description: inFlight > 0 ? `ends ${requests(inFlight)}` : undefined,
          command: 'cli2api.restart',
        },
        {
          label: '$(debug-stop) Stop Server',
          description: inFlight > 0 ? `ends ${requests(inFlight)}` : undefined,
          command: 'cli2api.stop',
        },
        check,
        settings,
      ];
    case 'elsewhere':
      return [
        { label: '$(clippy) Copy Base URL', description: `${view.url}/v1`, command: 'cli2api.copyBaseUrl' },
        connect,
        { ...log, description: 'where the server runs' },
        {
          label: '$(debug-stop) Stop Server',
          description: 'stops it in the window that serves',
          command: 'cli2api.stop',
        },
        check,
        settings,
      ];
    case 'stopped':
      return [{ label: '$(play) Start Server', command: 'cli2api.start' }, log, check, settings];
    case 'conflict':
      return [
        { label: '$(play) Start Server', description: 'try again', command: 'cli2api.start' },
        {
          label: '$(arrow-swap) Use Another Port…',
          description: 'for this workspace, or for every window',
          command: 'cli2api.choosePort',
        },
        log,
        check,
        settings,
      ];
    case 'failed':
      return [
        { label: '$(play) Start Server', description: 'try again', command: 'cli2api.start' },
        log,
        check,
        settings,
      ];
    case 'starting':
    case 'stopping':
      return [log, check, settings];
  }
}

function requests(n: number): string {
  return `${n} running ${n === 1 ? 'request' : 'requests'}`;
}
