import { expect, it } from 'vitest';
import { formatSeconds, formatTimestamp } from './time';

it('shows unparseable timestamps as they came, never "Invalid Date"', () => {
  expect(formatTimestamp('yesterday-ish')).toBe('yesterday-ish');
});

it('formats RFC 3339 timestamps with the date', () => {
  expect(formatTimestamp('2026-03-04T10:20:00Z', 'en-GB')).toMatch(/2026/);
});

it('formats a step time to the second, and leaves junk as it came', () => {
  expect(formatSeconds('2026-03-04T10:20:07Z', 'en-GB')).toMatch(/:07/);
  expect(formatSeconds('line 3')).toBe('line 3');
});
