#!/usr/bin/env bash
# Install the assistant with its test extras into .venv (once; see scripts/venv.py) and Debian's
# chromium for the browser tests, check formatting, lint and the import contracts (pyproject.toml),
# then run the whole test suite. Arguments go to pytest: ./test.sh -m "not slow" is the fast loop.
set -euo pipefail
cd "$(dirname "$0")"
BOOT=$(command -v "${PYTHON:-python3}" || command -v python3 || true)
if [ -z "$BOOT" ]; then
  echo "test.sh: no Python found; install Python 3.11 or 3.12 (Debian/Ubuntu: sudo apt install python3.11-venv)" >&2
  exit 3
fi
"$BOOT" scripts/venv.py --extras test
if ! command -v chromium >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "test.sh: installing Debian's chromium for the browser tests" >&2
  $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq chromium >/dev/null
fi
# The walls first (a second or two): format, lint with its complexity limit, the import contracts.
.venv/bin/ruff format --check --quiet .
.venv/bin/ruff check --quiet .
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
exec .venv/bin/python -m pytest "$@"
