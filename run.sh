#!/usr/bin/env bash
# Set everything up once (a .venv with the CPU build of torch, the assistant and its models; see
# scripts/venv.py) and start the web chat over the bundled corpus. Later starts reuse .venv and
# work offline; they reinstall only when pyproject.toml changed. The first start builds the index
# (a few minutes, with a progress bar). Arguments go to app.py: ./run.sh --port 8080 --auth user:pass
set -euo pipefail
cd "$(dirname "$0")"
BOOT=$(command -v "${PYTHON:-python3}" || command -v python3 || true)
if [ -z "$BOOT" ]; then
  echo "run.sh: no Python found; install Python 3.11 or 3.12 (Debian/Ubuntu: sudo apt install python3.11-venv)" >&2
  exit 3
fi
"$BOOT" scripts/venv.py
exec .venv/bin/python app.py "$@"
