import { describe, expect, it } from 'vitest';
import { environmentDiff, witness } from '../test/fakeBackend';
import {
  analyzeRequest,
  directionLabel,
  environmentLabel,
  findingKindLabel,
  findingSeverity,
  formatCedarValue,
  formatMillis,
  formProblem,
  INITIAL_ANALYSIS_FORM,
  recordEntries,
  relationCounts,
  relationTone,
  shortType,
  witnessEntities,
} from './analysis';

describe('the form', () => {
  it('sends only what was filled in, so the core applies its defaults', () => {
    expect(analyzeRequest(INITIAL_ANALYSIS_FORM)).toEqual({ baseline: 'git:HEAD', no_diff: false, no_findings: false });
    expect(analyzeRequest({ ...INITIAL_ANALYSIS_FORM, baseline: '  ', candidate: '' })).toEqual({ no_diff: false, no_findings: false });
    expect(analyzeRequest({ baseline: ' @none ', candidate: 'git:main', timeLimit: ' 5000 ', diff: true, findings: false })).toEqual({
      baseline: '@none',
      candidate: 'git:main',
      time_limit_ms: 5000,
      no_diff: false,
      no_findings: true,
    });
  });

  it('leaves the baseline out when the diff is skipped', () => {
    expect(analyzeRequest({ ...INITIAL_ANALYSIS_FORM, baseline: '@published', diff: false })).toEqual({ no_diff: true, no_findings: false });
  });

  it('refuses a form that would ask nothing, or a time limit that is not a positive whole number', () => {
    expect(formProblem(INITIAL_ANALYSIS_FORM)).toBeNull();
    expect(formProblem({ ...INITIAL_ANALYSIS_FORM, timeLimit: '60000' })).toBeNull();
    expect(formProblem({ ...INITIAL_ANALYSIS_FORM, diff: false, findings: false })).toBe('Choose Diff, Findings or both.');
    for (const bad of ['0', '-5', '1.5', '10s', '1e4', '99999999999999999999']) {
      expect(formProblem({ ...INITIAL_ANALYSIS_FORM, timeLimit: bad }), bad).toMatch(/whole number of milliseconds/);
    }
  });
});

describe('names', () => {
  it('shortens types to their last segment and names an environment as the core does', () => {
    expect(shortType('Acme::Agent')).toBe('Agent');
    expect(shortType('Jans::Sub::Workload')).toBe('Workload');
    expect(shortType('User')).toBe('User');
    expect(environmentLabel(environmentDiff())).toBe('Agent × invoke_tool × Tool');
  });

  it('says which way a counterexample goes, and passes an unknown direction through', () => {
    expect(directionLabel('candidate-allows')).toBe('Candidate allows, baseline denies');
    expect(directionLabel('candidate-denies')).toBe('Candidate denies, baseline allows');
    expect(directionLabel('sideways')).toBe('sideways');
  });

  it('labels every finding kind and maps severities onto the badge', () => {
    expect(findingKindLabel('fail-open')).toBe('Fail-open forbid');
    expect(findingKindLabel('shadowed-permit')).toBe('Shadowed permit');
    expect(findingSeverity('error')).toBe('error');
    expect(findingSeverity('warning')).toBe('warning');
    expect(findingSeverity('note')).toBe('info');
  });

  it('formats durations for the table', () => {
    expect(formatMillis(245)).toBe('245 ms');
    expect(formatMillis(3764)).toBe('3.8 s');
    expect(formatMillis(125_000)).toBe('2 min 5 s');
  });
});

describe('relations', () => {
  it('colours allowing more as an error and counts each relation, most urgent first', () => {
    expect(relationTone('more-permissive')).toBe('error');
    expect(relationTone('incomparable')).toBe('error');
    expect(relationTone('less-permissive')).toBe('warning');
    expect(relationTone('equivalent')).toBe('ok');
    expect(relationTone('unknown')).toBe('neutral');
    const envs = [
      environmentDiff(),
      environmentDiff({ relation: 'more-permissive' }),
      environmentDiff({ relation: 'equivalent' }),
      environmentDiff({ relation: 'unknown' }),
    ];
    expect(relationCounts(envs)).toEqual([
      { relation: 'more-permissive', count: 1 },
      { relation: 'unknown', count: 1 },
      { relation: 'equivalent', count: 2 },
    ]);
    expect(relationCounts([])).toEqual([]);
  });
});

describe('Cedar values', () => {
  it('writes each JSON form the way Cedar would', () => {
    expect(formatCedarValue('prod')).toBe('"prod"');
    expect(formatCedarValue('')).toBe('""');
    expect(formatCedarValue(300)).toBe('300');
    expect(formatCedarValue(-1)).toBe('-1');
    expect(formatCedarValue(true)).toBe('true');
    expect(formatCedarValue({ __entity: { type: 'Acme::Human', id: 'dana' } })).toBe('Acme::Human::"dana"');
    expect(formatCedarValue({ __entity: { type: 'Acme::Tool', id: 'say "hi"' } })).toBe('Acme::Tool::"say \\"hi\\""');
    expect(formatCedarValue({ __extn: { fn: 'ip', arg: '10.0.0.1' } })).toBe('ip("10.0.0.1")');
    expect(formatCedarValue({ __extn: { fn: 'decimal', args: ['1.5'] } })).toBe('decimal("1.5")');
    expect(formatCedarValue([{ __entity: { type: 'Acme::Tool', id: 'a' } }, 'b'])).toBe('[Acme::Tool::"a", "b"]');
    expect(formatCedarValue([])).toBe('[]');
    expect(formatCedarValue({ z: 1, a: { b: false } })).toBe('{ a: { b: false }, z: 1 }');
    expect(formatCedarValue({})).toBe('{}');
  });

  it('marks a whole number JavaScript could not hold exactly', () => {
    // i64::MAX arrives as the nearest double, 2^63.
    expect(formatCedarValue(JSON.parse('9223372036854775807'))).toBe('≈9223372036854775808');
    expect(formatCedarValue(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
  });

  it('lists a record in key order with formatted values, and nothing for a non-record', () => {
    expect(recordEntries({ step_up_approved: true, env: 'prod' })).toEqual([
      ['env', '"prod"'],
      ['step_up_approved', 'true'],
    ]);
    expect(recordEntries(null)).toEqual([]);
    expect(recordEntries([1])).toEqual([]);
  });
});

describe('witness entities', () => {
  it('puts the principal and the resource first, with attributes and parents read', () => {
    const w = witness();
    const entities = witnessEntities({ ...w, entities: [...w.entities].reverse() });
    expect(entities.map((e) => e.uid)).toEqual([
      'Acme::Agent::"billing-bot"',
      'Acme::Tool::"stripe.refund"',
      'Acme::Action::"invoke_tool"',
      'Acme::ToolGroup::"observability"',
    ]);
    expect(entities.map((e) => e.inRequest)).toEqual([true, true, false, false]);
    expect(entities[1]).toEqual({
      uid: 'Acme::Tool::"stripe.refund"',
      attrs: [
        ['environment', '"prod"'],
        ['sensitivity', '"high"'],
        ['system', '"stripe"'],
      ],
      parents: ['Acme::ToolGroup::"observability"'],
      inRequest: true,
    });
    expect(entities[0]!.attrs).toContainEqual(['allowed_tools', '[Acme::Tool::"stripe.refund"]']);
  });

  it('skips entries that are not entities', () => {
    const w = witness({ entities: [null, 'x', { uid: { type: 'T' } }, { uid: { type: 'T', id: 'a' } }] });
    expect(witnessEntities(w)).toEqual([{ uid: 'T::"a"', attrs: [], parents: [], inRequest: false }]);
  });
});
