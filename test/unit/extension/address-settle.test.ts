import assert from 'node:assert/strict';
import { type Address, AddressSettle, type SettleTimers } from '../../../src/extension/address-settle';
import type { AddressCheck } from '../../../src/extension/sharing/port-holder';

/** A clock the test moves by hand: timers fire only on `advance`. */
class HandClock implements SettleTimers {
  now = 0;
  private next = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get timers(): number {
    return this.pending.size;
  }

  /** Moves time on, firing every timer that falls due, in order; then lets their promises run. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await flush();
    }
    this.now = until;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function setup(checkResult: (a: Address) => AddressCheck = () => ({ ok: true })) {
  const clock = new HandClock();
  const events: string[] = [];
  const checked: string[] = [];
  let release: (() => void) | undefined;
  let holdChecks = false;
  const settle = new AddressSettle(
    { host: '127.0.0.1', port: 8000 },
    {
      settleMs: 1500,
      timers: clock,
      check: async (host, port) => {
        checked.push(`${host}:${port}`);
        if (holdChecks) await new Promise<void>((r) => (release = r));
        return checkResult({ host, port });
      },
      events: {
        pending: (next) => events.push(`pending ${next.port}`),
        moved: (next) => events.push(`moved ${next.port}`),
        refused: (next, reason, stays) => events.push(`refused ${next.port} (${reason}), stays ${stays.port}`),
        cleared: () => events.push('cleared'),
      },
    },
  );
  const type = (port: number) => settle.configure({ host: '127.0.0.1', port });
  return {
    clock,
    events,
    checked,
    settle,
    type,
    holdChecks: () => (holdChecks = true),
    releaseCheck: () => release?.(),
  };
}

describe('address settle: a new port applies once it has settled', () => {
  it('moves once, to the whole value, when a port is typed a keystroke at a time', async () => {
    const t = setup();
    for (const port of [9, 91, 910, 9100]) {
      t.type(port);
      await t.clock.advance(400); // a person's pace: well inside the settle time
    }
    assert.deepEqual(t.checked, [], 'nothing checked while typing');
    assert.equal(t.settle.address.port, 8000, 'still where it was');
    await t.clock.advance(1100);
    assert.deepEqual(t.checked, ['127.0.0.1:9100']);
    assert.deepEqual(t.events, ['pending 9', 'pending 91', 'pending 910', 'pending 9100', 'moved 9100']);
    assert.equal(t.settle.address.port, 9100);
    assert.equal(t.clock.timers, 0, 'no timer left');
  });

  it('a value typed back to the current address before it settled changes nothing', async () => {
    const t = setup();
    t.type(8001);
    await t.clock.advance(500);
    t.type(8000);
    await t.clock.advance(5000);
    assert.deepEqual(t.checked, []);
    assert.deepEqual(t.events, ['pending 8001']);
    assert.equal(t.settle.address.port, 8000);
    assert.equal(t.clock.timers, 0);
  });

  it('re-reading the same pending value (an unrelated setting changed) logs it once; the wait counts from the last change', async () => {
    const t = setup();
    t.type(8100);
    await t.clock.advance(1000);
    t.type(8100);
    await t.clock.advance(1000);
    assert.deepEqual(t.checked, [], 'the wait starts again from the last change of any setting');
    await t.clock.advance(500);
    assert.deepEqual(t.events, ['pending 8100', 'moved 8100']);
  });

  it('refuses a port that cannot be used, with its reason; the server stays; going back clears the refusal', async () => {
    const t = setup((a) =>
      a.port === 8200
        ? { ok: false, code: 'EADDRINUSE', reason: 'port 8200 is used by another program' }
        : { ok: true },
    );
    t.type(8200);
    await t.clock.advance(1500);
    assert.deepEqual(t.events, ['pending 8200', 'refused 8200 (port 8200 is used by another program), stays 8000']);
    assert.equal(t.settle.address.port, 8000);
    assert.equal(t.settle.refused, '127.0.0.1:8200 (port 8200 is used by another program)');
    t.type(8000);
    assert.equal(t.settle.refused, undefined);
    assert.deepEqual(t.events.slice(2), ['cleared']);
  });

  it('a refused value that is then changed to a usable one moves there and forgets the refusal', async () => {
    const t = setup((a) => (a.port === 8200 ? { ok: false, code: 'EACCES', reason: 'no rights' } : { ok: true }));
    t.type(8200);
    await t.clock.advance(1500);
    t.type(8300);
    await t.clock.advance(1500);
    assert.equal(t.settle.address.port, 8300);
    assert.equal(t.settle.refused, undefined);
    assert.deepEqual(t.events.slice(-2), ['pending 8300', 'moved 8300']);
  });

  it('a value that changes while it is being checked is left to settle on its own', async () => {
    const t = setup();
    t.holdChecks();
    t.type(8400);
    await t.clock.advance(1500);
    assert.deepEqual(t.checked, ['127.0.0.1:8400']);
    t.type(8500); // typed on while the check of 8400 runs
    t.releaseCheck();
    await t.clock.advance(0);
    assert.equal(t.settle.address.port, 8000, '8400 is no longer what the setting says');
    await t.clock.advance(1500);
    t.releaseCheck();
    await t.clock.advance(0);
    assert.equal(t.settle.address.port, 8500);
    assert.deepEqual(t.events, ['pending 8400', 'pending 8500', 'moved 8500']);
  });

  it('port 0 (any free port) needs no check; a new host settles like a port', async () => {
    const t = setup();
    t.type(0);
    await t.clock.advance(1500);
    assert.deepEqual(t.checked, []);
    assert.equal(t.settle.address.port, 0);
    t.settle.configure({ host: '::1', port: 0 });
    await t.clock.advance(1500);
    assert.deepEqual(t.settle.address, { host: '::1', port: 0 });
  });

  it('dispose stops the pending wait', async () => {
    const t = setup();
    t.type(8600);
    t.settle.dispose();
    assert.equal(t.clock.timers, 0);
    await t.clock.advance(5000);
    assert.deepEqual(t.checked, []);
    assert.equal(t.settle.address.port, 8000);
  });
});
