#!/usr/bin/env bash
# Regenerates requests/traffic.jsonl: the records, then production's recorded decisions
# (the demo's policies decide them; one in 200 is flipped as drift). Needs the CLI built.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
demo="$here/.."
mandate="${MANDATE:-$here/../../../target/debug/mandate}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 "$here/generate.py" > "$tmp/plain.jsonl"
"$mandate" -w "$demo" entities > "$tmp/entities.json"
"$mandate" -w "$demo" schema > "$tmp/schema.cedarschema"
"$mandate" simulate --schema "$tmp/schema.cedarschema" --entities "$tmp/entities.json" \
  --baseline "$demo/policies" --candidate "$demo/policies" --requests "$tmp/plain.jsonl" \
  --format jsonl > "$tmp/decided.jsonl"
python3 "$here/generate.py" --decisions "$tmp/decided.jsonl" > "$here/traffic.jsonl"
wc -l "$here/traffic.jsonl"
