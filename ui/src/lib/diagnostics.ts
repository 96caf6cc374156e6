// Ordering and grouping of validation diagnostics for display.
//
// The core already sorts by file, line and column; the UI sorts again because it merges
// results and must not depend on that, and it breaks ties by severity so errors come first.
import type { Diagnostic } from '../bindings/Diagnostic';
import type { Severity } from '../bindings/Severity';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (
    a.line - b.line ||
    a.column - b.column ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** A sorted copy; the input is left alone (it is React state). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(compareDiagnostics);
}

export interface DiagnosticGroup {
  file: string;
  diagnostics: Diagnostic[];
}

/** Groups by file in path order, each group sorted by position. */
export function groupByFile(diagnostics: readonly Diagnostic[]): DiagnosticGroup[] {
  const groups: DiagnosticGroup[] = [];
  for (const d of sortDiagnostics(diagnostics)) {
    const last = groups[groups.length - 1];
    if (last?.file === d.file) {
      last.diagnostics.push(d);
    } else {
      groups.push({ file: d.file, diagnostics: [d] });
    }
  }
  return groups;
}

/**
 * `policies/a.cedar:3:14` — the form editors and terminals recognise. A problem about a whole
 * file, or an entry inside a bundle (`release.mandate-bundle!/../x`), has line 0: just the file.
 */
export function formatLocation(d: Pick<Diagnostic, 'file' | 'line' | 'column'>): string {
  if (d.line === 0) return d.file;
  return d.column === 0 ? `${d.file}:${d.line}` : `${d.file}:${d.line}:${d.column}`;
}
