#!/usr/bin/env bash
# `make soak`: the long runs CI leaves out (DESIGN.md §8), each stage timed like make test.
#   1. crash trials at full count: 50 seeded SIGKILLs each of `requests import`,
#      `bundle publish` and an inventory save (release build; MANDATE_CRASH_TRIALS=N to change);
#   2. the fuzzing campaign: every cargo-fuzz target for FUZZ_RUNS executions (default
#      1,000,000) over its committed corpus (scripts/fuzz.sh).
# Prints the trial tallies and the libFuzzer execution counts that the README reports.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
trials=${MANDATE_CRASH_TRIALS:-50}
stage "crash trials (${trials} per operation, release)" \
  env MANDATE_CRASH_TRIALS="$trials" cargo test --release -p mandate --test main crash -- --nocapture --test-threads=1
stage "fuzzing (${FUZZ_RUNS:-1000000} executions per target)" bash scripts/fuzz.sh "${FUZZ_RUNS:-1000000}"
echo "make soak: all stages passed in $(( $(date +%s) - start_all )) s"
