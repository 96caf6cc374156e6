#!/usr/bin/env bash
# End-to-end tests: drive the real app window under Xvfb with tauri-driver + WebKitWebDriver.
# Needs: target/debug/mandate-desktop and target/debug/mandate built, ui/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
for bin in target/debug/mandate-desktop target/debug/mandate; do
  [ -x "$bin" ] || { echo "error: $bin is not built; run \`make app\` first" >&2; exit 2; }
done
command -v tauri-driver >/dev/null || { echo "error: tauri-driver missing; run scripts/deps.sh" >&2; exit 2; }
# A stale driver from an interrupted run would hold the ports.
pkill -f "tauri-driver --port 4444" 2>/dev/null || true
cd ui
xvfb-run -a -s "-screen 0 1280x800x24" node --test --test-concurrency=1 e2e/*.e2e.mjs
