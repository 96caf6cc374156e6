#!/usr/bin/env bash
# `make package`: the Linux release artefacts in target/package/:
#   mandate_<version>_amd64.deb          the desktop app (Tauri's bundler) and the CLI as /usr/bin/mandate
#   mandate-<version>-x86_64-linux.tar.gz  the standalone CLI with README and CHANGELOG
#   SHA256SUMS
# and checks the .deb (scripts/check-package.sh).
#
# `scripts/package.sh --debug` is the check CI runs: it bundles the debug binaries `make app`
# built (no compile) into target/package-debug/ and checks that .deb the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh

profile=release
[ "${1:-}" = "--debug" ] && profile=debug
case "${1:-}" in ""|--debug) ;; *) echo "usage: scripts/package.sh [--debug]" >&2; exit 2 ;; esac

version=$(python3 -c 'import json; print(json.load(open("src-tauri/tauri.conf.json"))["version"])')
crate_version=$(cargo metadata --no-deps --format-version 1 --offline \
  | python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "mandate"))')
if [ "$version" != "$crate_version" ]; then
  echo "error: src-tauri/tauri.conf.json says version $version, Cargo.toml says $crate_version; make them agree" >&2
  exit 1
fi
arch=$(dpkg --print-architecture)
triple_arch=$(uname -m)

if [ "$profile" = release ]; then
  out=target/package
  # The UI is embedded into the app binary when it compiles.
  stage "ui build" npm --prefix ui run build
  # One cargo run for both binaries (as `make app` does in debug), so the core is compiled once
  # with one feature set; the Tauri CLI then bundles that binary (`tauri bundle` is the second
  # half of `tauri build`).
  stage "release build (app + CLI)" cargo build --release --locked -p mandate-desktop -p mandate
  config=()
else
  out=target/package-debug
  for bin in target/debug/mandate-desktop target/debug/mandate; do
    [ -x "$bin" ] || { echo "error: $bin is not built; run \`make app\` first" >&2; exit 2; }
  done
  config=(--debug --config '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/mandate":"../target/debug/mandate"}}}}}')
fi

bundle_dir=target/$profile/bundle/deb
rm -rf "$bundle_dir"
# From src-tauri/, where the CLI finds tauri.conf.json (the `tauri` binary is the UI's devDependency).
stage "tauri bundle (deb)" bash -c 'cd src-tauri && ../ui/node_modules/.bin/tauri bundle --ci --bundles deb "$@"' _ "${config[@]}"
shopt -s nullglob
debs=("$bundle_dir"/*.deb)
[ ${#debs[@]} -eq 1 ] || { echo "error: expected one .deb in $bundle_dir, found ${#debs[@]}" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
deb="$out/mandate_${version}_${arch}.deb"
cp "${debs[0]}" "$deb"

# The standalone CLI: one folder in a tarball, so it unpacks beside nothing else.
cli_name="mandate-${version}-${triple_arch}-linux"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/$cli_name"
cp "target/$profile/mandate" "$staging/$cli_name/mandate"
cp README.md CHANGELOG.md "$staging/$cli_name/"
tar -C "$staging" --owner=0 --group=0 --numeric-owner -czf "$out/$cli_name.tar.gz" "$cli_name"

(cd "$out" && sha256sum -- *.deb *.tar.gz > SHA256SUMS)

stage "check the package" bash scripts/check-package.sh "$deb" "$out/$cli_name.tar.gz"
echo "package: $profile artefacts in $out/:"
(cd "$out" && ls -l --block-size=K -- *)
