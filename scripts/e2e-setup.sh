#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, offline-safe and idempotent:
#   - Debian's chromium (driven by playwright-core, which never downloads a browser),
#   - code-server 4.100.3 (VS Code 1.100.3) from npm, into its own prefix outside the repo.
# Run as root with apt available (CI is); a second run only checks and exits.
# Prints the code-server binary's path on its last line.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# code-server 4.100.3 depends on @vscode/ripgrep 1.15.11, whose installer downloads
# ripgrep v13.0.0-10 unless it finds this archive in its cache directory.
RIPGREP_PACKAGE_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10

E2E_HOME="${LEAKLINT_E2E_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/leaklint-e2e}"
PREFIX="$E2E_HOME/code-server-$CODE_SERVER_VERSION"
BIN="$PREFIX/node_modules/.bin/code-server"

log() { echo "e2e-setup: $*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# chromium for the browser; ripgrep stands in for the rg binary @vscode/ripgrep would download;
# libkrb5-dev and a compiler for code-server's native modules (kerberos, node-pty).
apt_install chromium ripgrep libkrb5-dev build-essential python3 fonts-dejavu-core

if [ -x "$BIN" ] && [ -f "$PREFIX/.complete" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
  echo "$BIN"
  exit 0
fi

mkdir -p "$PREFIX"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# The ripgrep archive the installer looks for: Debian's rg under the expected name.
RG_CACHE="$TMP/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION"
mkdir -p "$RG_CACHE/stage"
cp "$(command -v rg)" "$RG_CACHE/stage/rg"
tar -C "$RG_CACHE/stage" -czf "$RG_CACHE/ripgrep-$RIPGREP_RELEASE-x86_64-unknown-linux-musl.tar.gz" rg
cp "$RG_CACHE/ripgrep-$RIPGREP_RELEASE-x86_64-unknown-linux-musl.tar.gz" "$RG_CACHE/ripgrep-$RIPGREP_RELEASE-x86_64-unknown-linux-gnu.tar.gz"

[ -f "$PREFIX/package.json" ] || echo '{ "name": "leaklint-e2e-code-server", "private": true }' >"$PREFIX/package.json"

log "npm install code-server@$CODE_SERVER_VERSION into $PREFIX (a few minutes)"
(
  cd "$PREFIX"
  # code-server's postinstall refuses root without unsafe-perm; node-pty's install runs npx.
  export npm_config_unsafe_perm=true npm_config_yes=true TMPDIR="$TMP"
  # code-server writes its config on first run: keep that out of the user's home.
  export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data"
  npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2
)

XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" "$BIN" --version >&2
touch "$PREFIX/.complete"
echo "$BIN"
