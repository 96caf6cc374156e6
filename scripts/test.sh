#!/usr/bin/env bash
# Everything CI runs (`make test`), with a timing line per stage. No benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh

stage "deps (apt, tauri-driver, npm ci)" bash scripts/deps.sh
stage "rustfmt" cargo fmt --all --check
stage "architecture rules" bash scripts/check-arch.sh
stage "rust tests (unit + integration; regenerates TS bindings)" cargo test -p mandate --all-targets
stage "bindings drift" bash scripts/check-bindings.sh
stage "ui lint" npm --prefix ui run lint
stage "ui typecheck" npm --prefix ui run typecheck
stage "ui unit tests (vitest)" npm --prefix ui test
stage "ui build" npm --prefix ui run build
stage "clippy (workspace, all targets, -D warnings)" cargo clippy --workspace --all-targets -- -D warnings
stage "desktop app build" cargo build -p mandate-desktop -p mandate
stage "OSCAL validation (compliance-trestle)" bash scripts/oscal-validate.sh
stage "end-to-end (real window, Xvfb, tauri-driver, WebdriverIO)" bash scripts/e2e.sh
# `make package` builds in release (too long for CI); this bundles the debug build the same way
# and checks the .deb and the CLI tarball.
stage "Linux package (.deb of the debug build, checked)" bash scripts/package.sh --debug
echo "make test: all stages passed in $(( $(date +%s) - start_all )) s"
