#!/usr/bin/env bash
# Runs the agents suite (test/agents/*.agents.ts) inside a loopback-only network namespace when
# the machine allows one — `unshare -n` as root, else `unshare -rn` (an unprivileged user
# namespace) — so the fake Anthropic API, CLI2API, its Claude CLI and every client reach nothing
# but 127.0.0.1 (the suite checks that an outside address is unreachable). Otherwise it runs on
# the host network; every client runs with its telemetry and update checks off either way.
# Extra arguments go to mocha (e.g. -g Kilo). CLI2API_AGENTS_NO_NETNS=1 skips the namespace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MOCHA=(node_modules/.bin/mocha --timeout 600000 'test/agents/**/*.agents.ts' "$@")
if [ -z "${CLI2API_AGENTS_NO_NETNS:-}" ] && command -v unshare >/dev/null && command -v ip >/dev/null; then
  for flags in -n -rn; do
    if unshare "$flags" true 2>/dev/null; then
      printf '[agents] running in a loopback-only network namespace (unshare %s)\n' "$flags" >&2
      exec unshare "$flags" bash -c 'ip link set lo up && CLI2API_AGENTS_NETNS=1 exec "$@"' _ "${MOCHA[@]}"
    fi
  done
fi
printf '[agents] no network namespace here: the clients run on the host network, telemetry and update checks off\n' >&2
exec "${MOCHA[@]}"
