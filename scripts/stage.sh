# Sourced by scripts/test.sh and scripts/soak.sh: `stage NAME CMD…` runs one stage of a long
# run between a start line and a timing line, so a log shows where the time went.
export CARGO_TERM_COLOR=never
start_all=$(date +%s)
stage() {
  local name=$1; shift
  local t0; t0=$(date +%s)
  echo "==> $name"
  "$@"
  echo "<== $name: $(( $(date +%s) - t0 )) s"
}
