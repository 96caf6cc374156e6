import { expect, it } from 'vitest';
import { hrefFor, PAGES, parseHash, parsePolicyTarget, parseView, policyHref } from './route';

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

it('names a policy file and line for the Policies page', () => {
  const href = policyHref('policies/controls/mnd a.cedar', 14);
  expect(parseHash(href)).toBe('policies');
  expect(parsePolicyTarget(href)).toEqual({ file: 'policies/controls/mnd a.cedar', line: 14 });
  expect(parsePolicyTarget(policyHref('policies/a.cedar'))).toEqual({ file: 'policies/a.cedar', line: null });
  expect(parsePolicyTarget('#/policies')).toBeNull();
  expect(parsePolicyTarget('#/agents?file=x')).toBeNull();
});
