#!/usr/bin/env bash
# End-to-end tests: drive the real app window under Xvfb with tauri-driver + WebKitWebDriver.
# Needs: target/debug/mandate-desktop and target/debug/mandate built, ui/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
for bin in target/debug/mandate-desktop target/debug/mandate; do
  [ -x "$bin" ] || { echo "error: $bin is not built; run \`make app\` first" >&2; exit 2; }
done
command -v tauri-driver >/dev/null || { echo "error: tauri-driver missing; run scripts/deps.sh" >&2; exit 2; }
[ -f ui/dist/index.html ] || { echo "error: ui/dist is not built; run \`npm --prefix ui run build\` first" >&2; exit 2; }
# A driver left by an interrupted run would hold the ports: say so, rather than kill every
# tauri-driver on the machine by name (another checkout may be running its own tests).
for port in 4444 4445; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: port $port is in use (a tauri-driver left running?); stop it by its pid first" >&2
    exit 2
  fi
done
# The app's file dialogs are answered by MANDATE_E2E_PICK (see ui/e2e/driver.mjs), which
# startApp sets for each window; nothing here needs it.
cd ui
xvfb-run -a -s "-screen 0 1280x800x24" node --test --test-concurrency=1 e2e/*.e2e.mjs
