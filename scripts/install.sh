#!/usr/bin/env bash
# Create .venv and install pftlib with its test extras.
# Where the machine keeps a local CPU build of torch in pip's find-links folder (PIP_FIND_LINKS),
# install that first, so pip does not download the multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
for dir in ${PIP_FIND_LINKS:-} /opt/wheels; do
  wheel=$(ls "$dir"/torch-*+cpu-*.whl 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$wheel" ]; then
    echo "[install] local CPU torch: $wheel"
    .venv/bin/python -m pip install -q "$wheel"
    break
  fi
done
.venv/bin/python -m pip install -q -e ".[test]"
echo "[install] done: $(.venv/bin/python -c 'import torch, trl, transformers; print("torch", torch.__version__, "trl", trl.__version__, "transformers", transformers.__version__)')"
