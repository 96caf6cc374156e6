#!/usr/bin/env bash
# Installs the system packages and tools Mandate needs on Debian 12, only what is missing.
# Used by `make run` and `make test` (and so by CI): the one list of Debian packages.
set -euo pipefail

APT_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev
  libssl-dev libxdo-dev build-essential pkg-config file
  xvfb xauth webkit2gtk-driver cvc5 imagemagick x11-utils
  python3-venv
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# tauri-driver bridges WebDriver to WebKitWebDriver for the end-to-end tests.
if [ "${MANDATE_SKIP_TAURI_DRIVER:-0}" != "1" ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "deps: installing tauri-driver from crates.io"
  cargo install tauri-driver --locked --version "^2" --quiet
fi

# Node packages for the UI and the end-to-end suite, exactly as locked.
if [ -f ui/package-lock.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "deps: npm ci (ui)"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
