import { expect, it } from 'vitest';
import { diagnostic } from '../test/fakeBackend';
import { diagnosticHref, firstError, location, percentText, runHref, sidesText, waitingCount } from './dashboard';

it('finds the first error and links it to its file and line', () => {
  const warning = diagnostic({ severity: 'warning', file: 'policies/a.cedar', line: 1 });
  const error = diagnostic({ file: 'policies/b.cedar', line: 7 });
  expect(firstError({ diagnostics: [warning, error] })).toBe(error);
  expect(firstError({ diagnostics: [warning] })).toBeNull();
  expect(diagnosticHref(error)).toBe('#/policies?file=policies%2Fb.cedar&line=7');
  // Not a policy file (the schema, mandate.toml): the Policies page itself.
  expect(diagnosticHref(diagnostic({ file: 'schema.cedarschema', line: 2 }))).toBe('#/policies');
  expect(location(error)).toBe('policies/b.cedar:7');
  expect(location(diagnostic({ file: 'mandate.toml', line: 0 }))).toBe('mandate.toml');
});

it('formats percentages, runs and what is waiting', () => {
  expect(percentText(70)).toBe('70%');
  expect(percentText(12.5)).toBe('12.5%');
  expect(percentText(33.333333)).toBe('33.3%');
  expect(runHref(7)).toBe('#/simulate/run-7');
  expect(sidesText({ baseline: 'git:HEAD', candidate: 'working copy' })).toBe('git:HEAD → working copy');
  expect(waitingCount({ open: [], awaiting: [] })).toBe(0);
});
