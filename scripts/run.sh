#!/usr/bin/env bash
# `make run`: open the desktop app on the demo workspace; without a display, validate it.
# The demo's recorded traffic is generated, not kept in git: the first run writes it
# (`mandate demo --traffic`, 50,000 requests) and imports it as the request set `production`;
# later runs find both and leave them alone.
set -euo pipefail
cd "$(dirname "$0")/.."
demo=examples/demo
mandate=target/debug/mandate
traffic="$demo/requests/traffic.jsonl"
if [ ! -f "$traffic" ]; then
  echo "generating the demo's recorded traffic (first run only):"
  "$mandate" demo --traffic "$traffic"
fi
if ! "$mandate" --workspace "$demo" requests stats production >/dev/null 2>&1; then
  echo "importing it as the request set \`production\` (first run only):"
  "$mandate" --workspace "$demo" requests import "$traffic" --set production
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display (DISPLAY and WAYLAND_DISPLAY are unset): the window cannot open here."
  echo "Validating the demo workspace with the CLI instead:"
  echo "\$ mandate --workspace $demo validate"
  exec "$mandate" --workspace "$demo" validate
fi
exec target/debug/mandate-desktop "$(pwd)/$demo"
