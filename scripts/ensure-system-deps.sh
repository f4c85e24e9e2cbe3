#!/usr/bin/env bash
# Installs the Debian packages the tests need: Python autobahn with msgpack and CBOR serializers (interop tests)
# and Chromium (the status page, driven headless by playwright-core: test/e2e/market/status-page.test.ts).
# Run by `npm test` (pretest) and by .ci/run; does nothing (one python import, one file test) when they are there.
set -euo pipefail
PY=/usr/bin/python3
CHROMIUM=/usr/bin/chromium
PY_PACKAGES=(python3-autobahn python3-cbor2 python3-msgpack python3-nacl)
python_ok() { [ -x "$PY" ] && "$PY" -c 'import autobahn, cbor2, msgpack, nacl' >/dev/null 2>&1; }
chromium_ok() { [ -x "$CHROMIUM" ]; }

missing=()
python_ok || missing+=("${PY_PACKAGES[@]}")
chromium_ok || missing+=(chromium)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
echo "installing Debian packages for the tests: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "error: not root and no sudo; install ${missing[*]} with apt-get" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
python_ok || { echo "error: python3-autobahn is still not importable by $PY" >&2; exit 1; }
chromium_ok || { echo "error: $CHROMIUM is still missing after installing chromium" >&2; exit 1; }
