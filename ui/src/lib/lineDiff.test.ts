import { expect, it } from 'vitest';
import { changeCounts, lineDiff, withContext } from './lineDiff';

const show = (before: string, after: string) => lineDiff(before, after).map((l) => `${l.kind}${l.text}`);

it('marks the lines only in each text, removals first, around the common ones', () => {
  expect(show('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual([' a', '-b', '+B', ' c', '+d']);
  expect(show('', 'x\n')).toEqual(['+x']);
  expect(show('x\n', '')).toEqual(['-x']);
  expect(show('same\n', 'same\n')).toEqual([' same']);
});

it('finds a line inserted in the middle as one addition', () => {
  const before = ['permit(', '  principal,', '  action,', '  resource', ');'].join('\n');
  const after = ['permit(', '  principal,', '  action,', '  // theirs', '  resource', ');'].join('\n');
  const diff = lineDiff(before, after);
  expect(changeCounts(diff)).toEqual({ added: 1, removed: 0 });
  expect(diff.find((l) => l.kind === '+')?.text).toBe('  // theirs');
});

it('shows a change with its context and folds the unchanged lines around it', () => {
  const before = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
  const after = before.replace('line 5', 'line 5 (theirs)');
  const rows = withContext(lineDiff(before, after), 1);
  expect(rows.map((r) => (r.kind === 'skip' ? `…${r.count}` : `${r.kind}${r.text}`))).toEqual([
    '…4',
    ' line 4',
    '-line 5',
    '+line 5 (theirs)',
    ' line 6',
    '…3',
  ]);
});
