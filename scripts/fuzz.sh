#!/usr/bin/env bash
# The fuzzing campaign of `make soak` (issue #11): every cargo-fuzz target in fuzz/ runs
# RUNS executions (default 1,000,000) over its committed corpus and crash regressions, then
# one line per target reports libFuzzer's execution count and the wall time. Exits 1 when
# any target crashed, hung, ran out of memory or did not finish its runs; the input is then
# in fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [RUNS]
#   FUZZ_TARGETS="requests ipc" scripts/fuzz.sh 10000   # some targets only
#   FUZZ_MERGE=1 scripts/fuzz.sh                         # then fold new coverage into
#                                                        # fuzz/corpus/ and minimise it (cmin)
#
# New inputs the fuzzer finds go to fuzz/target/work-corpus/<target>/ (ignored by git), so
# a run never adds thousands of files to the committed corpus unless FUZZ_MERGE asks.
# Builds with debug assertions (-a) so an integer overflow panics here as in `cargo test`,
# and without AddressSanitizer (FUZZ_SANITIZER=address to add it): the core forbids unsafe
# code, and ASan made the import target five times slower.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-1000000}
targets=${FUZZ_TARGETS:-requests inventory bundle ipc}
sanitizer=${FUZZ_SANITIZER:-none}

# Largest input per target: a bundle or a request file is worth 64 KiB of structure; IPC
# arguments are a few hundred bytes of JSON.
max_len() {
    case $1 in
        requests | bundle) echo 65536 ;;
        inventory) echo 32768 ;;
        *) echo 8192 ;;
    esac
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz from crates.io" >&2
    cargo install cargo-fuzz --locked
fi

# cargo fuzz passes nightly-only flags (-Z…); without a nightly toolchain, stable is told to
# accept nightly flags.
if cargo +nightly --version >/dev/null 2>&1; then
    fuzz=(cargo +nightly fuzz)
else
    echo "fuzz: no nightly toolchain; building on stable with RUSTC_BOOTSTRAP=1" >&2
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi

(cd fuzz && "${fuzz[@]}" build -a -s "$sanitizer")

failed=0
summary=()
for t in $targets; do
    work=fuzz/target/work-corpus/$t
    log=fuzz/target/fuzz-$t.log
    mkdir -p "$work" fuzz/corpus/"$t" fuzz/artifacts/"$t"
    dirs=("$PWD/$work" "$PWD/fuzz/corpus/$t")
    [ -d fuzz/regressions/"$t" ] && dirs+=("$PWD/fuzz/regressions/$t")
    start=$EPOCHREALTIME
    status=0
    # One process per target (no -jobs): the exec count is then the run's own.
    (cd fuzz && "${fuzz[@]}" run -a -s "$sanitizer" "$t" "${dirs[@]}" -- \
        -runs="$runs" -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=20 \
        -print_final_stats=1) >"$log" 2>&1 || status=$?
    secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$log" | tail -1)
    line=$(printf '%-10s %12s execs in %6s s' "$t" "${execs:-?}" "$secs")
    if [ "$status" -ne 0 ] || [ -z "$execs" ] || [ "$execs" -lt "$runs" ]; then
        line+="  FAILED (exit $status; see $log and fuzz/artifacts/$t/)"
        failed=1
    fi
    summary+=("$line")
    if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$status" -eq 0 ]; then
        # Fold what the run found into the corpus, then keep the fewest inputs that cover
        # every edge (a greedy set cover, hit counts ignored): a tenth of the plain cmin's
        # size for the same edges, which keeps the committed corpus small.
        (cd fuzz && "${fuzz[@]}" run -a -s "$sanitizer" "$t" "$PWD/corpus/$t" "$PWD/target/work-corpus/$t" -- \
            -merge=1 -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=20) >>"$log" 2>&1
        (cd fuzz && "${fuzz[@]}" cmin -a -s "$sanitizer" "$t" "$PWD/corpus/$t" -- \
            -set_cover_merge=1 -use_counters=0 \
            -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=20) >>"$log" 2>&1
    fi
done

echo "fuzz: $runs runs per target"
printf '%s\n' "${summary[@]}"
exit $failed
