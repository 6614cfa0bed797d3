#!/usr/bin/env bash
# Installs what the agents suite (test/agents/, `npm run test:agents`) needs:
#   - the pinned coding agents (test/agents/package.json and its lockfile), installed with
#     `npm ci` into .agents-clients/ (Codex CLI, Continue CLI and, on linux-x64, Kilo CLI;
#     ~700 MB, so they live in their own package, not the root one; outside test/, since their
#     own sources hold skipped tests and timings that are not this project's);
#   - on Linux: util-linux (`unshare`) and iproute2 (`ip`), which scripts/agents-run.sh uses for a
#     loopback-only network namespace (apt-get, when run as root or with sudo).
# Idempotent: with everything in place it only compares the lockfile with the installed one.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AGENTS="$ROOT/test/agents"
CLIENTS="$ROOT/.agents-clients"
log() { printf '[agents-setup] %s\n' "$*" >&2; }
die() { printf '[agents-setup] ERROR: %s\n' "$*" >&2; exit 1; }

# --- unshare and ip (Debian: util-linux, iproute2) --------------------------------------------
if [ "$(uname -s)" = Linux ]; then
  missing=()
  command -v unshare >/dev/null || missing+=(util-linux)
  command -v ip >/dev/null || missing+=(iproute2)
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=()
    [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
    if command -v apt-get >/dev/null && { [ ${#SUDO[@]} -eq 0 ] || command -v sudo >/dev/null; }; then
      log "apt-get install ${missing[*]}"
      "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || die "apt-get update failed"
      "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
        || die "apt-get install ${missing[*]} failed"
    else
      log "warning: ${missing[*]} missing and not installable here: the suite runs without a network namespace"
    fi
  fi
fi

# --- the clients --------------------------------------------------------------------------------
stamp="$CLIENTS/node_modules/.cli2api-lock.sha256"
want="$(sha256sum "$AGENTS/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "clients already installed in .agents-clients/node_modules"
  exit 0
fi
log "npm ci in .agents-clients (Codex CLI, Continue CLI, Kilo CLI)"
t0=$SECONDS
mkdir -p "$CLIENTS"
cp "$AGENTS/package.json" "$AGENTS/package-lock.json" "$CLIENTS/"
npm ci --prefix "$CLIENTS" --no-audit --no-fund --loglevel=warn || die "npm ci in .agents-clients failed"
echo "$want" >"$stamp"
log "clients installed in $((SECONDS - t0)) s"
