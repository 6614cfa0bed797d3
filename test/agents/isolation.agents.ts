/** The suite's claim that every client runs offline: checked, not assumed (scripts/agents-run.sh). */
import { assertNoOutsideNetwork, inNetworkNamespace } from './harness';

describe('agents suite isolation', () => {
  it('runs in a loopback-only network namespace: an outside address is unreachable', async function () {
    if (!inNetworkNamespace) this.skip(); // no namespace on this machine: clients run with telemetry and updates off
    await assertNoOutsideNetwork();
  });
});
