#!/usr/bin/env bash
# Fails when the committed TypeScript bindings differ from what the Rust DTOs generate
# (`cargo test` regenerates them into ui/src/bindings).
set -euo pipefail
cd "$(dirname "$0")/.."
untracked=$(git ls-files --others --exclude-standard ui/src/bindings)
if ! git diff --quiet -- ui/src/bindings || [ -n "$untracked" ]; then
  echo "error: ui/src/bindings drifted from the Rust DTOs:" >&2
  git --no-pager diff --stat -- ui/src/bindings >&2
  [ -n "$untracked" ] && echo "new, uncommitted: $untracked" >&2
  echo "help: run \`cargo test -p mandate --lib\` and commit ui/src/bindings" >&2
  exit 1
fi
echo "bindings: in step with the Rust DTOs"
