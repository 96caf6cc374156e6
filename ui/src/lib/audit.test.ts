import { describe, expect, it } from 'vitest';
import { actionChoices, diffStates, EMPTY_FORM, exportFileName, isFiltered, prettyState, queryOf } from './audit';

describe('queryOf', () => {
  it('drops blanks, trims, and starts from the cursor given', () => {
    expect(queryOf({ ...EMPTY_FORM, actor: ' dana@acme.example ', action: 'agent.*', since: '7d' })).toEqual({
      actor: 'dana@acme.example',
      action: 'agent.*',
      subject: null,
      since: '7d',
      until: null,
      before: null,
      limit: 200,
    });
    expect(queryOf(EMPTY_FORM, 41).before).toBe(41);
    expect(isFiltered(EMPTY_FORM)).toBe(false);
    expect(isFiltered({ ...EMPTY_FORM, subject: 'bot' })).toBe(true);
  });
});

describe('actionChoices', () => {
  it('offers a family option only where a family has several actions', () => {
    const groups = actionChoices(['policy.save', 'agent.save', 'agent.lifecycle', 'workspace.init']);
    expect(groups.map((g) => g.family)).toEqual(['agent', 'policy', 'workspace']);
    expect(groups[0]?.all).toEqual({ value: 'agent.*', label: 'All agent actions' });
    expect(groups[0]?.actions.map((a) => a.value)).toEqual(['agent.lifecycle', 'agent.save']);
    expect(groups[1]?.all).toBeNull();
  });
});

describe('exportFileName', () => {
  it('names the filter and the day', () => {
    const day = new Date('2026-05-04T10:00:00Z');
    expect(exportFileName(EMPTY_FORM, day)).toBe('audit-2026-05-04.csv');
    expect(exportFileName({ ...EMPTY_FORM, action: 'agent.*', actor: 'dana@acme.example', subject: 'Billing Bot' }, day)).toBe(
      'audit-agent-dana-billing-bot-2026-05-04.csv',
    );
  });
});

describe('diffStates', () => {
  it('lists changed, added and removed fields by dotted path', () => {
    const changes = diffStates(
      '{"lifecycle":"approved","credential":{"max_ttl_seconds":900,"attested":true},"tools":["a"]}',
      '{"lifecycle":"active","credential":{"max_ttl_seconds":300,"attested":true},"tools":["a","b"],"reason":"go live"}',
    );
    expect(changes).toEqual([
      { path: 'credential.max_ttl_seconds', kind: 'changed', before: '900', after: '300' },
      { path: 'lifecycle', kind: 'changed', before: '"approved"', after: '"active"' },
      { path: 'reason', kind: 'added', before: null, after: '"go live"' },
      { path: 'tools', kind: 'changed', before: '["a"]', after: '["a","b"]' },
    ]);
  });

  it('treats an absent side as empty, and compares other values whole', () => {
    expect(diffStates(null, '{"sha256":"ab"}')).toEqual([{ path: 'sha256', kind: 'added', before: null, after: '"ab"' }]);
    expect(diffStates('{"a":1}', null)).toEqual([{ path: 'a', kind: 'removed', before: '1', after: null }]);
    expect(diffStates('"x"', '"y"')).toEqual([{ path: '', kind: 'changed', before: '"x"', after: '"y"' }]);
    expect(diffStates('not json', null)).toEqual([{ path: '', kind: 'removed', before: '"not json"', after: null }]);
    expect(diffStates(null, null)).toEqual([]);
    expect(diffStates('{"a":1}', '{"a":1}')).toEqual([]);
  });
});

describe('prettyState', () => {
  it('indents JSON and keeps other text as stored', () => {
    expect(prettyState('{"a":{"b":1}}')).toBe('{\n  "a": {\n    "b": 1\n  }\n}');
    expect(prettyState('not json')).toBe('not json');
    expect(prettyState(null)).toBe('');
  });
});
