#!/usr/bin/env bash
# Tag launch-<commit>: HEAD's notebooks with their set-up cells stamped to clone and install the
# book at HEAD, which is what each chapter's Colab link opens (pftlib/publish/setup_cell.py).
# The working tree is left alone (the stamping happens in a temporary worktree).
# PUSH=1 pushes the tag to origin (the Pages workflow does).
set -euo pipefail
cd "$(dirname "$0")/.."
repository=${PFT_REPOSITORY_URL:?set PFT_REPOSITORY_URL to the book\'s GitHub repository}
commit=$(git rev-parse --short=12 HEAD)
tree=$(mktemp -d)
git worktree add --quiet --detach "$tree" "$commit"
trap 'git worktree remove --force "$tree"' EXIT
"${PYTHON:-.venv/bin/python}" -m pftlib.publish.setup_cell "$repository" "$commit" "$tree"/notebooks/*.ipynb
git -C "$tree" -c user.name=pft -c user.email=pft@users.noreply.github.com commit --quiet -am "Launch notebooks for $commit"
git tag --force "launch-$commit" "$(git -C "$tree" rev-parse HEAD)" > /dev/null
if [ "${PUSH:-0}" = 1 ]; then
  git push --force origin "refs/tags/launch-$commit"
fi
echo "[launch] tagged launch-$commit"
