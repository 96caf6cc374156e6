import { expect, it } from 'vitest';
import { formatTimestamp } from './time';

it('shows unparseable timestamps as they came, never "Invalid Date"', () => {
  expect(formatTimestamp('yesterday-ish')).toBe('yesterday-ish');
});

it('formats RFC 3339 timestamps with the date', () => {
  expect(formatTimestamp('2026-03-04T10:20:00Z', 'en-GB')).toMatch(/2026/);
});
