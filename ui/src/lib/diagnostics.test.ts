import { describe, expect, it } from 'vitest';
import { diagnostic } from '../test/fakeBackend';
import { formatLocation, groupByFile, sortDiagnostics } from './diagnostics';

describe('sortDiagnostics', () => {
  it('orders by file, then line, then column, errors before warnings at the same spot', () => {
    const input = [
      diagnostic({ file: 'policies/b.cedar', line: 1, message: 'b1' }),
      diagnostic({ file: 'policies/a.cedar', line: 10, column: 2, message: 'a10' }),
      diagnostic({ file: 'policies/a.cedar', line: 2, column: 9, severity: 'warning', message: 'a2w' }),
      diagnostic({ file: 'policies/a.cedar', line: 2, column: 9, severity: 'error', message: 'a2e' }),
      diagnostic({ file: 'policies/a.cedar', line: 2, column: 3, severity: 'info', message: 'a2i' }),
    ];
    expect(sortDiagnostics(input).map((d) => d.message)).toEqual(['a2i', 'a2e', 'a2w', 'a10', 'b1']);
  });

  it('compares lines numerically, not as text', () => {
    const sorted = sortDiagnostics([diagnostic({ line: 10 }), diagnostic({ line: 9 })]);
    expect(sorted.map((d) => d.line)).toEqual([9, 10]);
  });

  it('does not mutate its input', () => {
    const input = [diagnostic({ line: 5 }), diagnostic({ line: 1 })];
    sortDiagnostics(input);
    expect(input.map((d) => d.line)).toEqual([5, 1]);
  });
});

describe('groupByFile', () => {
  it('puts every diagnostic of a file in one group, files in path order', () => {
    const groups = groupByFile([
      diagnostic({ file: 'z.cedar', line: 3 }),
      diagnostic({ file: 'a.cedar', line: 7 }),
      diagnostic({ file: 'z.cedar', line: 1 }),
    ]);
    expect(groups.map((g) => [g.file, g.diagnostics.map((d) => d.line)])).toEqual([
      ['a.cedar', [7]],
      ['z.cedar', [1, 3]],
    ]);
  });

  it('returns no groups for no diagnostics', () => {
    expect(groupByFile([])).toEqual([]);
  });
});

it('formats a location as file:line:column', () => {
  expect(formatLocation({ file: 'policies/x.cedar', line: 12, column: 4 })).toBe('policies/x.cedar:12:4');
  // A whole-file problem or a bundle entry: no invented position.
  expect(formatLocation({ file: 'r.mandate-bundle!/../evil.txt', line: 0, column: 0 })).toBe('r.mandate-bundle!/../evil.txt');
  expect(formatLocation({ file: 'mandate.toml', line: 7, column: 0 })).toBe('mandate.toml:7');
});
