import { describe, expect, it } from 'vitest';
import { diagnostic, policyFile, report } from '../test/fakeBackend';
import { plural, schemaText, summaryText } from './summary';

describe('summaryText', () => {
  it('reads like the spec example', () => {
    const files = [
      policyFile('a.cedar', ['1', '2', '3']),
      policyFile('b.cedar', ['4', '5', '6']),
      policyFile('c.cedar', ['7', '8', '9']),
      policyFile('d.cedar', ['10', '11', '12']),
    ];
    expect(summaryText(report(files, [diagnostic({ severity: 'warning' })]))).toBe(
      '12 policies in 4 files — 0 errors, 1 warning',
    );
  });

  it('uses the singular for one policy, file and error', () => {
    expect(summaryText(report([policyFile('a.cedar', ['only'])], [diagnostic()]))).toBe(
      '1 policy in 1 file — 1 error, 0 warnings',
    );
  });

  it('handles an empty workspace', () => {
    expect(summaryText(report([]))).toBe('0 policies in 0 files — 0 errors, 0 warnings');
  });

  it('counts template links on their own', () => {
    const r = report([policyFile('a.cedar', ['grant-tool-group'])]);
    r.policy_count += 2;
    r.links = [
      { id: 'l1', template: 'grant-tool-group', line: 1 },
      { id: 'l2', template: 'grant-tool-group', line: 6 },
    ];
    expect(summaryText(r)).toBe('1 policy in 1 file and 2 template links — 0 errors, 0 warnings');
  });
});

it('plural picks the irregular form', () => {
  expect(plural(2, 'policy', 'policies')).toBe('2 policies');
  expect(plural(1, 'policy', 'policies')).toBe('1 policy');
  expect(plural(0, 'file')).toBe('0 files');
});

it('schemaText says whether a schema was used', () => {
  expect(schemaText({ schema_used: true })).toMatch(/against the workspace schema/);
  expect(schemaText({ schema_used: false })).toMatch(/^No schema/);
});
