import { expect, it } from 'vitest';
import { hrefFor, PAGES, parseHash, parseView } from './route';

it('parses page hashes and falls back to the dashboard', () => {
  expect(parseHash('#/policies')).toBe('policies');
  expect(parseHash('#audit')).toBe('audit');
  expect(parseHash('#/simulate/run-3')).toBe('simulate');
  expect(parseHash('')).toBe('dashboard');
  expect(parseHash('#/nope')).toBe('dashboard');
  expect(parseHash('#/__proto__')).toBe('dashboard');
});

it('round-trips every page through its href', () => {
  for (const page of PAGES) expect(parseHash(hrefFor(page))).toBe(page);
});

it('carries a view after the page', () => {
  expect(hrefFor('agents', 'gaps')).toBe('#/agents/gaps');
  expect(parseHash('#/agents/gaps')).toBe('agents');
  expect(parseView('#/agents/gaps')).toBe('gaps');
  expect(parseView('#/agents')).toBe('');
  expect(parseView('')).toBe('');
});
