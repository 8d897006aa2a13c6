#!/usr/bin/env bash
# Set everything up (a .venv with the CPU build of torch, the assistant, its models) and start the
# web chat over the bundled corpus on the embedded Chroma store. The first start builds the index
# (a few minutes, with a progress bar); later starts reuse it.  Extra arguments go to app.py.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# torch first, pinned to the CPU build (unpinned, pip would pull a multi-GB CUDA build).
# Elsewhere: pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
python -c "import torch" 2>/dev/null || python -m pip install -q "torch==2.13.0" ${TORCH_INDEX:+--index-url "$TORCH_INDEX"}
python -m pip install -q -e .
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False OMP_WAIT_POLICY=PASSIVE
exec python app.py "$@"
