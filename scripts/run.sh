#!/usr/bin/env bash
# `make run`: open the desktop app on the demo workspace; without a display, validate it.
set -euo pipefail
cd "$(dirname "$0")/.."
demo=examples/demo
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display (DISPLAY and WAYLAND_DISPLAY are unset): the window cannot open here."
  echo "Validating the demo workspace with the CLI instead:"
  echo "\$ mandate --workspace $demo validate"
  exec target/debug/mandate --workspace "$demo" validate
fi
exec target/debug/mandate-desktop "$(pwd)/$demo"
