#!/usr/bin/env bash
# Checks what `make package` (or `scripts/package.sh --debug`) made, without installing it:
#   scripts/check-package.sh DEB [CLI_TARBALL]
# The .deb: its control fields (name, version, architecture, the WebKitGTK and GTK runtime
# libraries in Depends, and every shared library the two binaries load provided by an installed
# package that Depends pulls in), its files (the app binary, /usr/bin/mandate, the desktop entry
# and its icons), a valid desktop entry whose Exec and Icon name what the package installs, and
# the CLI starting from the unpacked tree. The tarball: one folder with the CLI, README and
# CHANGELOG, the same CLI as the .deb's. Every problem is listed; the exit status is 1 if any.
set -euo pipefail
cd "$(dirname "$0")/.."

deb=${1:?usage: scripts/check-package.sh DEB [CLI_TARBALL]}
tarball=${2:-}
[ -f "$deb" ] || { echo "error: $deb does not exist" >&2; exit 2; }

problems=0
fail() {
  printf 'check-package: %b\n' "$*" >&2
  problems=$((problems + 1))
}
# `ok` closes a group of checks: it says what was checked if none of them failed.
mark=0
ok() {
  if [ "$problems" -eq "$mark" ]; then echo "  ok: $*"; fi
  mark=$problems
}

version=$(python3 -c 'import json; print(json.load(open("src-tauri/tauri.conf.json"))["version"])')
arch=$(dpkg --print-architecture)
field() { dpkg-deb -f "$deb" "$1"; }

echo "check-package: $deb"
# Control fields.
[ "$(field Package)" = mandate ] || fail "Package is '$(field Package)', expected 'mandate'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', expected '$version' (src-tauri/tauri.conf.json)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)', expected '$arch'"
depends=$(field Depends)
for dep in libwebkit2gtk-4.1-0 libgtk-3-0; do
  grep -Eq "(^|, *)$dep( |,|$)" <<<"$depends" || fail "Depends ($depends) lacks $dep"
done
[ -n "$(field Description)" ] || fail "no Description"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
ok "control: $(field Package) $(field Version) $(field Architecture); Depends: $depends"

# Files.
# Paths as installed (dpkg-deb prints them as `./usr/…` or `usr/…`, by how the archive was made).
listing=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|^\([^/]\)|/\1|')
need() { grep -qxF "$1" <<<"$listing" || fail "the package has no $1"; }
need /usr/bin/mandate-desktop
need /usr/bin/mandate
need /usr/share/applications/Mandate.desktop
icons=$(grep -E '^/usr/share/icons/hicolor/[^/]+/apps/[^/]+\.png$' <<<"$listing" || true)
[ "$(wc -l <<<"$icons")" -ge 2 ] && [ -n "$icons" ] || fail "fewer than two hicolor icons: ${icons:-none}"
ok "files: $(grep -c . <<<"$listing") entries, $(grep -c . <<<"$icons") icons"

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
dpkg-deb -x "$deb" "$tree"

# The desktop entry.
desktop="$tree/usr/share/applications/Mandate.desktop"
if [ -f "$desktop" ]; then
  if command -v desktop-file-validate >/dev/null; then
    out=$(desktop-file-validate "$desktop" 2>&1) || fail "desktop-file-validate: $out"
  else
    fail "desktop-file-validate is missing (Debian package desktop-file-utils; scripts/deps.sh installs it)"
  fi
  exec_line=$(sed -n 's/^Exec=//p' "$desktop")
  exec_bin=${exec_line%% *}
  [ -x "$tree/usr/bin/$exec_bin" ] || [ -x "$tree$exec_bin" ] || fail "Exec=$exec_line names no binary of the package"
  icon=$(sed -n 's/^Icon=//p' "$desktop")
  grep -q "/apps/$icon\.png$" <<<"$icons" || fail "Icon=$icon names no icon of the package"
  ok "desktop entry: Exec=$exec_line Icon=$icon"
fi

# The binaries: x86-64 ELF executables whose every library an installed package provides, and
# that package comes with what Depends names (its dependency closure among installed packages).
closure() {
  local -A seen=()
  local queue=("$@") p deps
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    p=${p%%:*}
    [ -n "$p" ] && [ -z "${seen[$p]:-}" ] || continue
    seen[$p]=1
    deps=$(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$p" 2>/dev/null || true)
    # "a (>= 1) | b, c" → a c (the first of alternatives, versions dropped).
    while IFS= read -r d; do queue+=("$d"); done < <(tr ',' '\n' <<<"$deps" | sed 's/|.*//; s/(.*)//; s/ //g' | grep -v '^$')
  done
  printf '%s\n' "${!seen[@]}"
}
essential=$(dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' | awk '$2 == "yes" || $3 == "required" {print $1}')
provided=$( (closure $(tr ',' '\n' <<<"$depends" | sed 's/|.*//; s/(.*)//; s/ //g'); closure $essential) | sort -u)
for bin in usr/bin/mandate-desktop usr/bin/mandate; do
  [ -f "$tree/$bin" ] || continue
  file -b "$tree/$bin" | grep -q 'ELF 64-bit LSB pie executable, x86-64\|ELF 64-bit LSB executable, x86-64' \
    || fail "/$bin is not an x86-64 executable: $(file -b "$tree/$bin")"
  missing=$(ldd "$tree/$bin" | grep 'not found' || true)
  [ -z "$missing" ] || fail "/$bin loads libraries this system lacks:\n$missing"
  for lib in $(objdump -p "$tree/$bin" | awk '$1 == "NEEDED" {print $2}'); do
    path=$(ldd "$tree/$bin" | awk -v l="$lib" '$1 == l {print $3}')
    [ -n "$path" ] || continue
    # dpkg knows a file by the path its package ships (/lib/… or /usr/lib/… on a merged
    # /usr, the link or its target).
    real=$(readlink -f "$path")
    owner=""
    for candidate in "$path" "/usr$path" "$real" "${real#/usr}"; do
      owner=$( (dpkg -S "$candidate" 2>/dev/null || true) | head -1 | cut -d: -f1 | cut -d, -f1)
      [ -z "$owner" ] || break
    done
    if [ -z "$owner" ]; then
      fail "/$bin loads $lib ($path), which no Debian package provides"
    elif ! grep -qxF "$owner" <<<"$provided"; then
      fail "/$bin loads $lib from $owner, which Depends ($depends) does not pull in"
    fi
  done
  ok "/$bin: $(objdump -p "$tree/$bin" | awk '$1 == "NEEDED"' | wc -l) libraries, each from a package Depends pulls in"
done

# The CLI runs from the unpacked tree and says its version.
if [ -x "$tree/usr/bin/mandate" ]; then
  cli_version=$("$tree/usr/bin/mandate" --version 2>&1 || true)
  grep -qF "$version" <<<"$cli_version" || fail "/usr/bin/mandate --version said '$cli_version', expected $version"
  ok "/usr/bin/mandate --version: $cli_version"
fi

# The CLI tarball.
if [ -n "$tarball" ]; then
  top=$(basename "$tarball" .tar.gz)
  entries=$(tar -tzf "$tarball" | sed 's|/$||' | sort)
  expected=$(printf '%s\n' "$top" "$top/CHANGELOG.md" "$top/README.md" "$top/mandate" | sort)
  [ "$entries" = "$expected" ] || fail "$tarball holds:\n$entries\nexpected:\n$expected"
  mkdir "$tree/tarball"
  tar -C "$tree/tarball" -xzf "$tarball"
  cmp -s "$tree/tarball/$top/mandate" "$tree/usr/bin/mandate" || fail "the tarball's mandate differs from the .deb's /usr/bin/mandate"
  ok "$(basename "$tarball"): $(tr '\n' ' ' <<<"$entries")"
fi

if [ "$problems" -gt 0 ]; then
  echo "check-package: $problems problem(s) in $deb" >&2
  exit 1
fi
echo "check-package: $deb is complete"
