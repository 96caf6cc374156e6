#!/usr/bin/env bash
# The dependency rules of DESIGN.md §1, checked mechanically. Exit 1 names every breach.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
breach() { echo "architecture: $*" >&2; fail=1; }

# 1. The core has no Tauri (and no clap without the cli feature).
tree=$(cargo tree -p mandate --no-default-features -e normal --prefix none 2>/dev/null) || { breach "cargo tree failed"; tree=""; }
echo "$tree" | grep -qE '^tauri(-| )' && breach "the core depends on tauri: $(echo "$tree" | grep -E '^tauri' | head -3 | tr '\n' ' ')"
echo "$tree" | grep -qE '^clap ' && breach "the core depends on clap without the cli feature"
grep -rnE '\b(AppHandle|tauri::)' src --include=*.rs && breach "Tauri types named in the core (src/)"

# 2. Shells call only mandate::api (ErrorCode, which api errors carry, is re-exported at the root).
bad=$(grep -rnE 'mandate::[a-z_]+' src-tauri/src src/bin/mandate | grep -vE 'mandate::(api|ErrorCode)\b' || true)
[ -n "$bad" ] && breach "shells reach past mandate::api:\n$bad"
# Domain modules never call api.
bad=$(grep -rnE 'crate::api|super::super::api' src --include=*.rs | grep -v '^src/api/' || true)
[ -n "$bad" ] && breach "domain modules call api:\n$bad"

# 3. Cedar and rusqlite types do not cross IPC.
grep -nE '^[^/]*\b(cedar_policy|rusqlite)::' src/api/dto.rs src-tauri/src/*.rs && breach "Cedar or rusqlite types in DTOs or Tauri commands"

# 4. Only ui/src/backend imports @tauri-apps.
bad=$(grep -rlE "from ['\"]@tauri-apps/|import\(['\"]@tauri-apps/" ui/src 2>/dev/null | grep -v '^ui/src/backend/' || true)
[ -n "$bad" ] && breach "@tauri-apps imported outside ui/src/backend/: $bad"

# Tauri commands stay thin: each body (after the signature, however rustfmt wraps it) is at
# most 10 lines.
awk '/^#\[tauri::command(\(async\))?\]/{c=1; body=0; n=0; next}
     c && !body { if ($0 ~ /\{$/) body=1; next }
     c && body { if ($0 ~ /^}/) { if (n>10) { print FILENAME": command body of "n" lines"; bad=1 } c=0 } else n++ }
     END{exit bad}' src-tauri/src/main.rs || breach "a #[tauri::command] body is longer than 10 lines"

# 5. Tauri hardening. The window may call exactly the app commands the UI uses: the app
# manifest (src-tauri/build.rs), generate_handler! (src-tauri/src/main.rs), the `allow-*`
# permissions of the capability and the commands ui/src/backend/tauri.ts calls are one set.
# Plugin permissions only for what the UI imports; no shell plugin anywhere.
cap=src-tauri/capabilities/default.json
set_diff() { comm -3 <(echo "$1") <(echo "$2") | tr -s ' \t\n' ' '; }
manifest=$(sed -n '/^const COMMANDS/,/^];/p' src-tauri/build.rs | grep -oE '"[a-z0-9_]+"' | tr -d '"' | sort)
handler=$(sed -n '/generate_handler!\[/,/\]/p' src-tauri/src/main.rs | grep -E '^\s*[a-z0-9_]+,?\s*$' | tr -d ' ,' | sort)
permissions=$(jq -r '.permissions[] | if type == "string" then . else .identifier end' "$cap" | sort)
granted=$(echo "$permissions" | grep -E '^allow-' | sed 's/^allow-//; s/-/_/g' | sort)
called=$(grep -oE "call(<[^(]*>)?\('[a-z0-9_]+'" ui/src/backend/tauri.ts | grep -oE "'[a-z0-9_]+'" | tr -d "'" | sort -u)
[ -n "$manifest" ] || breach "no command list (const COMMANDS) in src-tauri/build.rs"
dups=$(echo "$manifest" | uniq -d); [ -z "$dups" ] || breach "commands listed twice in src-tauri/build.rs: $dups"
[ "$manifest" = "$handler" ] || breach "build.rs commands and generate_handler! differ: $(set_diff "$manifest" "$handler")"
[ "$manifest" = "$granted" ] || breach "build.rs commands and the allow-* permissions of $cap differ: $(set_diff "$manifest" "$granted")"
[ "$manifest" = "$called" ] || breach "build.rs commands and the commands ui/src/backend/tauri.ts calls differ: $(set_diff "$manifest" "$called")"
grep -q 'app_manifest' src-tauri/build.rs || breach "src-tauri/build.rs declares no app manifest: every command would be allowed"
[ "$(jq -r '.windows | join(",")' "$cap")" = "main" ] || breach "$cap applies to windows other than main"
jq -e 'has("remote")' "$cap" >/dev/null && breach "$cap grants remote URLs"
[ "$(ls src-tauri/capabilities)" = "default.json" ] || breach "capabilities other than default.json: $(ls src-tauri/capabilities | tr '\n' ' ')"
ui_imports=$(grep -rhoE "from '@tauri-apps/[a-z0-9/-]+'" ui/src/backend | sort -u)
for p in $(echo "$permissions" | grep ':' || true); do
  plugin=${p%%:*}; rest=${p#*:}
  case "$p" in *:default) breach "$cap grants a default set ($p): grant the commands one by one"; continue ;; esac
  if [ "$plugin" = core ]; then module="@tauri-apps/api/${rest%%:*}"; else module="@tauri-apps/plugin-$plugin"; fi
  echo "$ui_imports" | grep -qF "'$module'" || breach "$cap grants $p but ui/src/backend imports no $module"
done
grep -rnE 'tauri-plugin-shell|plugin-shell|"shell:' src-tauri/Cargo.toml src-tauri/capabilities src-tauri/src ui/package.json ui/src 2>/dev/null \
  && breach "the shell plugin is not allowed"
grep -qE '^name = "tauri-plugin-shell"' Cargo.lock && breach "Cargo.lock has tauri-plugin-shell"

# The CSP: nothing inline, nothing evaluated, nothing remote (IPC aside); and the page has no
# inline script and no remote URL (ui/index.html, and the built ui/dist/index.html when there).
csp=$(jq -r '.app.security.csp' src-tauri/tauri.conf.json)
directive() { echo "$csp" | tr ';' '\n' | sed 's/^ *//' | grep -E "^$1( |$)" | cut -d' ' -f2-; }
[ "$(directive default-src)" = "'none'" ] || breach "CSP default-src is not 'none': $(directive default-src)"
[ "$(directive script-src)" = "'self'" ] || breach "CSP script-src is not 'self': $(directive script-src)"
[ "$(directive style-src)" = "'self'" ] || breach "CSP style-src is not 'self': $(directive style-src)"
[ "$(directive connect-src)" = "ipc: http://ipc.localhost" ] || breach "CSP connect-src allows more than IPC: $(directive connect-src)"
for d in base-uri frame-ancestors form-action; do
  [ "$(directive $d)" = "'none'" ] || breach "CSP $d is not 'none'"
done
# Every source is one of these: no 'unsafe-*', nonce, hash, wildcard, scheme or host beyond
# IPC, and data: only for images (CodeMirror draws its lint marks with data: SVGs).
loose=$(echo "$csp" | tr ';' '\n' | while read -r name sources; do
  for s in $sources; do
    case "$s" in
      "'self'" | "'none'" | ipc: | http://ipc.localhost) ;;
      data:) [ "$name" = img-src ] || echo "$name $s" ;;
      *) echo "$name $s" ;;
    esac
  done
done)
[ -z "$loose" ] || breach "CSP allows more than the app's own files and IPC: $(echo "$loose" | tr '\n' ',')"
jq -e '.app.security | has("dangerousDisableAssetCspModification") or has("devCsp") or has("assetProtocol")' src-tauri/tauri.conf.json >/dev/null \
  && breach "tauri.conf.json loosens the CSP (dangerousDisableAssetCspModification, devCsp or assetProtocol)"
jq -e '.app.windows[] | select(.url != null and (.url | test("^https?:")))' src-tauri/tauri.conf.json >/dev/null \
  && breach "a window loads a remote URL"
check_page() {
  local page=$1
  grep -oiE '<script\b[^>]*>' "$page" | grep -viE '\bsrc="' && breach "$page has an inline <script>"
  grep -oiE '\b(src|href|action)="(https?:)?//[^"]*"' "$page" && breach "$page loads a remote URL"
  grep -qiE '<[^>]+\son[a-z]+=' "$page" && breach "$page has an inline event handler"
  grep -qiE 'http-equiv' "$page" && breach "$page sets a CSP of its own"
}
check_page ui/index.html
if [ -f ui/dist/index.html ]; then check_page ui/dist/index.html; else echo "architecture: ui/dist not built; its page is checked by e2e" >&2; fi

[ $fail -eq 0 ] && echo "architecture: ok"
exit $fail
