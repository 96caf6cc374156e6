// Maps the core's diagnostics (1-based lines, 1-based columns counted in characters, i.e.
// Unicode code points as Rust counts them) onto offsets in a JavaScript (UTF-16) string.
import type { Diagnostic } from '../../bindings/Diagnostic';

export interface Range {
  from: number;
  to: number;
}

/** Start offsets (UTF-16) of every line of `text`. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) starts.push(i + 1);
  }
  return starts;
}

/** The UTF-16 offset of 1-based `line`/`column` (in code points), clamped into `text`. */
export function offsetAt(text: string, starts: number[], line: number, column: number): number {
  if (starts.length === 0) return 0;
  const l = Math.min(Math.max(1, Math.floor(line) || 1), starts.length);
  const start = starts[l - 1] ?? 0;
  const next = starts[l];
  // The line's end, excluding its newline.
  const end = next === undefined ? text.length : next - 1;
  let pos = start;
  for (let c = 1; c < Math.max(1, Math.floor(column) || 1) && pos < end; c++) {
    const code = text.charCodeAt(pos);
    pos += code >= 0xd800 && code <= 0xdbff && pos + 1 < end ? 2 : 1;
  }
  return Math.min(pos, end);
}

/**
 * The document range a diagnostic covers. Out-of-range lines and columns are clamped; an
 * empty or inverted range is widened to one character (or stays empty at the end of text).
 */
export function diagnosticRange(text: string, d: Pick<Diagnostic, 'line' | 'column' | 'end_line' | 'end_column'>, starts = lineStarts(text)): Range {
  const from = offsetAt(text, starts, d.line, d.column);
  let to = offsetAt(text, starts, d.end_line, d.end_column);
  if (to <= from) {
    to = Math.min(text.length, from + 1);
    // Never run a squiggle across a line break.
    if (text.charCodeAt(from) === 10) to = from;
  }
  return { from, to };
}

/** A diagnostic placed in the editor's document. */
export interface EditorDiagnostic extends Range {
  line: number;
  severity: Diagnostic['severity'];
  code: string;
  message: string;
  help: string | null;
}

/** Places the core's diagnostics for `text` into it, in document order. */
export function toEditorDiagnostics(text: string, diagnostics: Diagnostic[]): EditorDiagnostic[] {
  const starts = lineStarts(text);
  return diagnostics
    .map((d) => ({
      ...diagnosticRange(text, d, starts),
      line: Math.min(Math.max(1, d.line), starts.length),
      severity: d.severity,
      code: d.code,
      message: d.message,
      help: d.help,
    }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
}
