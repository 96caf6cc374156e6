#!/usr/bin/env bash
# Installs the system packages and tools Mandate needs on Debian 12, only what is missing.
# Used by `make run` and `make test` (and so by CI): the one list of Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev
  libssl-dev libxdo-dev build-essential pkg-config file
  xvfb xauth webkit2gtk-driver cvc5 imagemagick x11-utils
  python3-venv
  desktop-file-utils
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

# The SMT solvers for `mandate analyze`, from PyPI (Debian 12's cvc5 1.0.3 rejects `bvnego`,
# which cedar-policy-symcc emits for any unary minus on a Long): cvc5 1.4 through the
# SMT-LIB front end scripts/solver/cvc5-smt.py, and the z3 binary of the z3-solver wheel.
# Both land in target/solver-venv/bin, where `mandate` finds them from a checkout.
CVC5_PY_VERSION=1.4.2
Z3_PY_VERSION=5.4.1.0
solver_venv=target/solver-venv
if ! "$solver_venv/bin/python" -c "import cvc5, sys; sys.exit(cvc5.__version__ != '$CVC5_PY_VERSION')" 2>/dev/null \
  || [ ! -x "$solver_venv/bin/z3" ] || ! "$solver_venv/bin/z3" --version | grep -q "version ${Z3_PY_VERSION%.0} "; then
  echo "deps: installing cvc5 $CVC5_PY_VERSION and z3 $Z3_PY_VERSION from PyPI into $solver_venv"
  rm -rf "$solver_venv"
  python3 -m venv "$solver_venv"
  "$solver_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "cvc5==$CVC5_PY_VERSION" "z3-solver==$Z3_PY_VERSION"
fi
# The front end, as `cvc5` (the name and arguments symcc and Mandate use for cvc5).
{
  echo "#!$(cd "$solver_venv" && pwd)/bin/python"
  tail -n +2 scripts/solver/cvc5-smt.py
} > "$solver_venv/bin/cvc5.tmp"
chmod 755 "$solver_venv/bin/cvc5.tmp"
mv "$solver_venv/bin/cvc5.tmp" "$solver_venv/bin/cvc5"

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
