#!/usr/bin/env bash
# Install the comparison oracle Spectral (@stoplight/spectral-cli 6.16) into .ci/node and
# print the path of its binary. Idempotent: a second call installs nothing.
#
# Spectral is never a runtime dependency of cgconform; only tests/test_adr_parity.py and
# benchmarks/adr_lint_vs_spectral.py use it (they find it at .ci/node/node_modules/.bin/spectral
# or through CG_SPECTRAL). Needs node >= 18 and npm; reaches only the npm registry.
# Usage:  export CG_SPECTRAL="$(.ci/spectral.sh)"
set -euo pipefail

VERSION="6.16"                       # the version the official ADR linter's golden tests use
PREFIX="$(cd "$(dirname "$0")" && pwd)/node"
BIN="$PREFIX/node_modules/.bin/spectral"
STAMP="$PREFIX/.installed-$VERSION"

command -v node >/dev/null || { echo "spectral.sh: node is not installed" >&2; exit 2; }
command -v npm >/dev/null || { echo "spectral.sh: npm is not installed" >&2; exit 2; }
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 18 ]; then
    echo "spectral.sh: spectral-cli $VERSION needs node >= 18, found $(node --version)" >&2
    exit 2
fi

installed_ok() {
    [ -f "$STAMP" ] && [ -x "$BIN" ] || return 1
    local have
    have="$(node -p "require('$PREFIX/node_modules/@stoplight/spectral-cli/package.json').version" 2>/dev/null)" || return 1
    [ "${have%.*}" = "$VERSION" ]
}

if ! installed_ok; then
    mkdir -p "$PREFIX"
    [ -f "$PREFIX/package.json" ] || printf '{"name":"cgconform-ci-node","private":true}\n' >"$PREFIX/package.json"
    # --ignore-scripts: no install scripts run as root; spectral-cli needs none (the only one
    # in its tree is @scarf/scarf's install-analytics ping).
    # Output goes to stderr so that stdout carries only the path.
    npm install --prefix "$PREFIX" --no-audit --no-fund --no-update-notifier --ignore-scripts \
        --loglevel=error "@stoplight/spectral-cli@~$VERSION.0" >&2
    "$BIN" --version >/dev/null
    touch "$STAMP"
fi

echo "$BIN"
