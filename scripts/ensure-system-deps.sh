#!/usr/bin/env bash
# Installs the Debian packages the interop tests need (Python autobahn with msgpack and CBOR serializers).
# Run by `npm test` (pretest) and by .ci/run; does nothing when they are already there.
set -euo pipefail
PY=/usr/bin/python3
check() { [ -x "$PY" ] && "$PY" -c 'import autobahn, cbor2, msgpack, nacl' >/dev/null 2>&1; }
if check; then exit 0; fi
echo "installing Debian packages for the interop tests: python3-autobahn python3-cbor2 python3-msgpack python3-nacl" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "error: not root and no sudo; install python3-autobahn python3-cbor2 python3-msgpack python3-nacl with apt-get" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq python3-autobahn python3-cbor2 python3-msgpack python3-nacl >/dev/null
check || { echo "error: python3-autobahn is still not importable by $PY" >&2; exit 1; }
