# Mandate — the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: run test soak deps ui app cli e2e package check-arch bindings fmt clean

## Install what is missing, build, open the app on the demo workspace.
run: app
	bash scripts/run.sh

## Everything CI runs.
test:
	bash scripts/test.sh

## The long runs CI leaves out: crash trials at full count (50 per operation) and the
## fuzzing campaign (1,000,000 executions per target).
soak:
	bash scripts/soak.sh

deps:
	bash scripts/deps.sh

ui: deps
	npm --prefix ui run build

app: ui
	cargo build -p mandate-desktop -p mandate

cli:
	cargo build -p mandate --bin mandate

e2e: app
	bash scripts/e2e.sh

## The release artefacts in target/package/: the .deb (desktop app + CLI), the standalone CLI
## as a tarball, SHA256SUMS; then checks the .deb (scripts/check-package.sh).
package: deps
	bash scripts/package.sh

check-arch:
	bash scripts/check-arch.sh

## Regenerate the TypeScript bindings from the Rust DTOs.
bindings:
	cargo test -p mandate --lib export_bindings

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules
