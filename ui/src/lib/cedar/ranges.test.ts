import { describe, expect, it } from 'vitest';
import { diagnostic } from '../../test/fakeBackend';
import { diagnosticRange, toEditorDiagnostics } from './ranges';

const at = (line: number, column: number, end_line: number, end_column: number) => ({ line, column, end_line, end_column });

describe('diagnosticRange', () => {
  const text = 'permit(\n  principal,\n  action\n);';

  it('maps 1-based line and column to offsets', () => {
    // `principal` on line 2, columns 3..12
    const r = diagnosticRange(text, at(2, 3, 2, 12));
    expect(text.slice(r.from, r.to)).toBe('principal');
  });

  it('counts columns in characters, not UTF-16 code units', () => {
    const t = '@rationale("🔐 é secret")\npermit(principal, action, resource);';
    // `secret` starts at character 17 (the emoji is one character but two code units).
    const r = diagnosticRange(t, at(1, 17, 1, 23));
    expect(t.slice(r.from, r.to)).toBe('secret');
    const r2 = diagnosticRange(t, at(2, 8, 2, 17));
    expect(t.slice(r2.from, r2.to)).toBe('principal');
  });

  it('clamps lines and columns past the end', () => {
    expect(diagnosticRange(text, at(99, 1, 99, 5))).toEqual({ from: text.length - 2, to: text.length });
    // Column past the end of line 1 stops at the line end, before the newline.
    const r = diagnosticRange(text, at(1, 50, 1, 60));
    expect(r.from).toBe(7);
    expect(r.to).toBe(7);
    expect(diagnosticRange(text, at(0, 0, 0, 0))).toEqual({ from: 0, to: 1 });
  });

  it('widens an empty range to one character', () => {
    expect(diagnosticRange(text, at(2, 3, 2, 3))).toEqual({ from: 10, to: 11 });
    expect(diagnosticRange('', at(1, 1, 1, 1))).toEqual({ from: 0, to: 0 });
  });
});

describe('toEditorDiagnostics', () => {
  it('keeps message, help and severity and sorts by position', () => {
    const text = 'permt(principal, action, resource);\npermit(principal, action, resource);';
    const out = toEditorDiagnostics(text, [
      diagnostic({ line: 2, column: 1, end_line: 2, end_column: 7, severity: 'warning', message: 'w', help: 'h' }),
      diagnostic({ line: 1, column: 1, end_line: 1, end_column: 6 }),
    ]);
    expect(out.map((d) => [d.line, d.severity, text.slice(d.from, d.to)])).toEqual([
      [1, 'error', 'permt'],
      [2, 'warning', 'permit'],
    ]);
    expect(out[1]?.help).toBe('h');
  });
});
