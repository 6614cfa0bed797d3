#!/usr/bin/env bash
# Installs what the extension-host e2e tests need on a Linux (Debian) machine:
#   - apt: chromium (driven headless by playwright-core), ripgrep, libkrb5-dev (headers for
#     a native module of code-server);
#   - code-server (a real VS Code server from the npm registry) into .e2e-cache/code-server.
# code-server is not a project dependency: it is ~600 MB and only these tests use it.
# Idempotent: a second run with everything in place takes well under a second.
# Fails (non-zero exit) as soon as a prerequisite cannot be installed.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3 # VS Code 1.100.3, the newest code-server that runs on Node 20
# code-server 4.100.3 installs @vscode/ripgrep 1.15.11, whose postinstall downloads
# ripgrep-<RG_RELEASE>-<target>.tar.gz from GitHub unless it finds it in
# $TMPDIR/vscode-ripgrep-cache-<package version>/ (see its lib/download.js).
RIPGREP_PKG_VERSION=1.15.11
RG_RELEASE=v13.0.0-10
APT_PACKAGES=(chromium ripgrep libkrb5-dev)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CLI2API_E2E_CACHE:-$ROOT/.e2e-cache}"
PREFIX="$CACHE/code-server"
BIN="$PREFIX/node_modules/.bin/code-server"

log() { printf '[e2e-setup] %s\n' "$*" >&2; }
die() { printf '[e2e-setup] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(uname -s)" = Linux ] || die "only Linux is supported (found $(uname -s))"
command -v node >/dev/null || die "node is not on PATH"
command -v npm >/dev/null || die "npm is not on PATH"

# --- apt packages -----------------------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing packages ${missing[*]}: run as root or install sudo"
    SUDO=(sudo)
  fi
  log "apt-get install ${missing[*]}"
  t0=$SECONDS
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
    || die "apt-get update failed"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed"
  log "apt done in $((SECONDS - t0)) s"
fi
command -v chromium >/dev/null || die "chromium is not on PATH after installing it"
command -v rg >/dev/null || die "rg is not on PATH after installing ripgrep"

# --- code-server ------------------------------------------------------------------------
# Prints the installed version ("" if none). The first run of code-server writes a config
# under $XDG_CONFIG_HOME and may log a line first: point it at a scratch dir, keep the version line.
installed_version() {
  [ -x "$BIN" ] || return 0
  local scratch
  scratch="$(mktemp -d)"
  XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" "$BIN" --version 2>/dev/null \
    | awk '/^[0-9]+\.[0-9]+\.[0-9]+ /{print $1; exit}' || true
  rm -rf "$scratch"
}

if [ "$(installed_version)" = "$CODE_SERVER_VERSION" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
  exit 0
fi

log "installing code-server@$CODE_SERVER_VERSION into $PREFIX"
t0=$SECONDS
rm -rf "$PREFIX"
mkdir -p "$PREFIX"
printf '{\n  "name": "cli2api-e2e-code-server",\n  "private": true\n}\n' >"$PREFIX/package.json"

# A private TMPDIR for the install, pre-seeded with a ripgrep "download" built from
# Debian's rg (the postinstall only untars it and expects ./rg at the top).
INSTALL_TMP="$CACHE/install-tmp"
rm -rf "$INSTALL_TMP"
case "$(uname -m)" in
  x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac
RG_CACHE_DIR="$INSTALL_TMP/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
mkdir -p "$RG_CACHE_DIR/stage"
cp "$(command -v rg)" "$RG_CACHE_DIR/stage/rg"
tar -czf "$RG_CACHE_DIR/ripgrep-$RG_RELEASE-$RG_TARGET.tar.gz" -C "$RG_CACHE_DIR/stage" rg
rm -rf "$RG_CACHE_DIR/stage"

# unsafe_perm: code-server's postinstall refuses to run as root without it.
# yes: node-pty's postinstall runs `npx node-gyp` and the machine's npmrc may say yes=false.
# dangerously_allow_all_scripts: npm >= 11.1x blocks dependency install scripts unless a
# package.json lists them in allowScripts; code-server's postinstall runs a nested
# `npm install` in lib/vscode (node-pty, @vscode/ripgrep, kerberos, ... all need their
# scripts) whose package.json we cannot edit beforehand. Scoped to this one pinned install.
if ! env TMPDIR="$INSTALL_TMP" npm_config_unsafe_perm=true npm_config_yes=true \
  npm_config_dangerously_allow_all_scripts=true \
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=warn \
  "code-server@$CODE_SERVER_VERSION"; then
  die "npm install code-server@$CODE_SERVER_VERSION failed (see the output above)"
fi

# The nested @vscode/ripgrep must be the version whose cache we seeded, and must have its rg.
rg_pkg="$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep"
if [ -f "$rg_pkg/package.json" ]; then
  got=$(node -p "require(process.argv[1]).version" "$rg_pkg/package.json")
  [ "$got" = "$RIPGREP_PKG_VERSION" ] \
    || log "warning: code-server installed @vscode/ripgrep $got, not $RIPGREP_PKG_VERSION (update RIPGREP_PKG_VERSION)"
  [ -x "$rg_pkg/bin/rg" ] || die "@vscode/ripgrep has no bin/rg: its postinstall did not use the seeded cache"
fi
rm -rf "$INSTALL_TMP"

got="$(installed_version)"
[ "$got" = "$CODE_SERVER_VERSION" ] \
  || die "code-server --version says '${got:-nothing}', expected $CODE_SERVER_VERSION"
log "code-server $CODE_SERVER_VERSION installed in $((SECONDS - t0)) s"
