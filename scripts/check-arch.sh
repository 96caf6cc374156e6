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
awk '/^#\[tauri::command\]/{c=1; body=0; n=0; next}
     c && !body { if ($0 ~ /\{$/) body=1; next }
     c && body { if ($0 ~ /^}/) { if (n>10) { print FILENAME": command body of "n" lines"; bad=1 } c=0 } else n++ }
     END{exit bad}' src-tauri/src/main.rs || breach "a #[tauri::command] body is longer than 10 lines"

[ $fail -eq 0 ] && echo "architecture: ok"
exit $fail
