#!/usr/bin/env bash
# Validates `mandate export --format oscal` with compliance-trestle (pinned below): exports a
# copy of a workspace (default examples/demo, its recorded traffic generated and imported)
# using the built CLI, then runs `trestle validate` on the component-definition and on every
# derived catalog, and cross-checks with trestle's own models that each
# control-implementation's source resolves to a catalog written beside it (same SHA-256)
# that defines every control-id.
# Any failure exits 1. Nothing is written into the repository except the venv under target/.
#
#   bash scripts/oscal-validate.sh [WORKSPACE]
#
# The venv is target/trestle-venv, created with `python3 -m venv` on first use (Debian's
# python3 needs the python3-venv package; pyenv's CPython has venv built in).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

TRESTLE_VERSION=5.2.0
venv="$root/target/trestle-venv"
mandate="${MANDATE_BIN:-$root/target/debug/mandate}"
workspace="${1:-examples/demo}"

fail() { echo "oscal-validate: $*" >&2; exit 1; }

[ -d "$workspace" ] || fail "no workspace folder \`$workspace\`"
if [ ! -x "$mandate" ]; then
  echo "oscal-validate: building the CLI"
  cargo build -p mandate --bin mandate --quiet
fi

if [ ! -x "$venv/bin/trestle" ] || ! "$venv/bin/trestle" version 2>/dev/null | grep -q "v$TRESTLE_VERSION "; then
  echo "oscal-validate: installing compliance-trestle $TRESTLE_VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "compliance-trestle==$TRESTLE_VERSION" \
    || fail "pip could not install compliance-trestle==$TRESTLE_VERSION"
fi
"$venv/bin/trestle" version

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Export from a copy, so nothing is written into the workspace (or its database).
cp -R "$workspace" "$tmp/ws"
rm -rf "$tmp/ws/.mandate"
# The demo's traffic is generated (not in git): the same 5,000 requests whatever `make run`
# left in examples/demo, so the export is the same on every machine.
if [ -d "$tmp/ws/revisions/production" ] && [ -d "$tmp/ws/requests" ]; then
  "$mandate" demo --traffic "$tmp/ws/requests/traffic.jsonl" --requests 5000 >/dev/null
fi
if [ -f "$tmp/ws/requests/traffic.jsonl" ]; then
  "$mandate" --workspace "$tmp/ws" requests import "$tmp/ws/requests/traffic.jsonl" --set demo >/dev/null
fi
mkdir -p "$tmp/out"
"$mandate" --workspace "$tmp/ws" export --format oscal --out "$tmp/out/mandate.json"

# trestle validates files inside a trestle workspace, each in its model's folder.
mkdir -p "$tmp/trestle"
cd "$tmp/trestle"
"$venv/bin/trestle" init >/dev/null
files=()
mkdir -p component-definitions/mandate
cp "$tmp/out/mandate.json" component-definitions/mandate/component-definition.json
files+=(component-definitions/mandate/component-definition.json)
catalogs=0
for f in "$tmp"/out/mandate.*.catalog.json; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .catalog.json)
  name=${name#mandate.}
  mkdir -p "catalogs/$name"
  cp "$f" "catalogs/$name/catalog.json"
  files+=("catalogs/$name/catalog.json")
  catalogs=$((catalogs + 1))
done
[ "$catalogs" -gt 0 ] || fail "the export wrote no catalog"

failed=0
for f in "${files[@]}"; do
  echo "\$ trestle validate -f $f"
  # trestle's links check warns that back-matter resources are not referenced: it counts only
  # version-4 UUIDs in `#uuid` references, and Mandate's are version 5 (stable across
  # exports). The cross-check below resolves them. Warnings do not fail validation.
  if ! "$venv/bin/trestle" validate -f "$f"; then
    echo "oscal-validate: INVALID: $f" >&2
    failed=1
  fi
done
[ "$failed" -eq 0 ] || fail "trestle found invalid OSCAL (above)"

echo "\$ cross-check: control-implementation sources and control-ids"
"$venv/bin/python" - "$tmp/out" <<'PY'
import hashlib
import pathlib
import sys

from trestle.core.catalog.catalog_interface import CatalogInterface
from trestle.oscal.catalog import Catalog
from trestle.oscal.component import ComponentDefinition

out = pathlib.Path(sys.argv[1])
cd = ComponentDefinition.oscal_read(out / "mandate.json")
resources = {r.uuid: r for r in (cd.back_matter.resources if cd.back_matter else [])}
problems, requirements = [], 0
for component in cd.components or []:
    for ci in component.control_implementations or []:
        res = resources.get(ci.source.lstrip("#"))
        if res is None or not res.rlinks:
            problems.append(f"source {ci.source} names no back-matter resource with a link")
            continue
        link = res.rlinks[0]
        path = out / link.href
        if not path.is_file():
            problems.append(f"{link.href}: not written beside the component-definition")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if link.hashes and link.hashes[0].value != digest:
            problems.append(f"{link.href}: SHA-256 differs from the component-definition's")
        ids = set(CatalogInterface(Catalog.oscal_read(path)).get_control_ids())
        for ir in ci.implemented_requirements:
            requirements += 1
            if ir.control_id not in ids:
                problems.append(f"{ir.control_id} is not a control of {link.href}")
for p in problems:
    print(f"  {p}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"  {requirements} implemented requirement(s): every control-id is defined in its catalog")
PY
echo "oscal-validate: component-definition and $catalogs catalog(s) valid (compliance-trestle $TRESTLE_VERSION)"
