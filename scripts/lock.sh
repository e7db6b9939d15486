#!/usr/bin/env bash
# Refresh constraints.txt, the exact versions the book is built and tested with: install pftlib
# with its test extras, unconstrained, into a scratch environment, and freeze it.  torch is
# written without its local label (2.13.0, not 2.13.0+cpu), so the lock accepts the CPU build
# scripts/install.sh prefers and the CUDA build on a GPU machine alike.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
VENV="$scratch/venv" CONSTRAINTS="" bash scripts/install.sh
{
  echo "# The exact versions the book is built and tested with (pip constraints)."
  echo "# scripts/install.sh installs with it; refresh with: bash scripts/lock.sh"
  "$scratch/venv/bin/python" -m pip freeze --exclude-editable \
    | grep -v -i -E '^pftlib( |=|@)' \
    | sed -E 's/^torch @ .*torch-([0-9.]+)(%2B|\+)[a-z0-9]+-.*$/torch==\1/; s/^(torch==[0-9.]+)\+[a-z0-9]+$/\1/'
} > constraints.txt.tmp
mv constraints.txt.tmp constraints.txt
echo "[lock] wrote constraints.txt ($(grep -c '==' constraints.txt) pins)"
