#!/usr/bin/env bash
# Install panva's oidc-provider (the real OpenID Provider peer of tests/identity/test_oidc_panva.py)
# into fixtures/identity/oidc_provider/node_modules, exactly as package-lock.json pins it.
# Idempotent: a second call installs nothing. Never a runtime dependency of cgconform.
# Needs node >= 20 and npm; reaches only the npm registry; runs no install scripts.
# Usage:  .ci/oidc-provider.sh
set -euo pipefail

DIR="$(cd "$(dirname "$0")/.." && pwd)/fixtures/identity/oidc_provider"

command -v node >/dev/null || { echo "oidc-provider.sh: node is not installed" >&2; exit 2; }
command -v npm >/dev/null || { echo "oidc-provider.sh: npm is not installed" >&2; exit 2; }
VERSION="$(node -p "require('$DIR/package.json').dependencies['oidc-provider']")"
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
    echo "oidc-provider.sh: oidc-provider $VERSION needs node >= 20, found $(node --version)" >&2
    exit 2
fi

have="$(node -p "require('$DIR/node_modules/oidc-provider/package.json').version" 2>/dev/null || true)"
if [ "$have" != "$VERSION" ]; then
    npm ci --prefix "$DIR" --ignore-scripts --no-audit --no-fund --no-update-notifier \
        --loglevel=error >&2
fi
echo "$DIR/node_modules/oidc-provider"
