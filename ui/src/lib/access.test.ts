import { describe, expect, it } from 'vitest';
import { accessChange, accessEntry, alertRouterEntries, policyFile, report } from '../test/fakeBackend';
import {
  accessCounts,
  accessRequest,
  accessTone,
  changeCounts,
  changeDetails,
  changeKind,
  changeTone,
  exampleContext,
  groupByAction,
  INITIAL_ACCESS_FORM,
  policyLocations,
  shortUid,
  sideAccess,
  splitUnless,
  uidId,
} from './access';

describe('the form', () => {
  it('asks for one agent against git:HEAD by default, and leaves a blank baseline to the core', () => {
    expect(accessRequest('alert-router', INITIAL_ACCESS_FORM)).toEqual({ agent: 'alert-router', baseline: 'git:HEAD', no_diff: false });
    expect(accessRequest('alert-router', { baseline: '  ', compare: true })).toEqual({ agent: 'alert-router', no_diff: false });
    expect(accessRequest('alert-router', { baseline: ' @published ', compare: true })).toEqual({
      agent: 'alert-router',
      baseline: '@published',
      no_diff: false,
    });
  });

  it('sends no baseline at all when not comparing', () => {
    expect(accessRequest('billing-bot', { baseline: 'git:main~3', compare: false })).toEqual({ agent: 'billing-bot', no_diff: true });
  });
});

describe('entity names', () => {
  it('shortens the type to its last segment and keeps the id whole, as the CLI prints entries', () => {
    expect(shortUid('Acme::Tool::"crm"')).toBe('Tool::"crm"');
    expect(shortUid('Acme::Tool::"crm::x"')).toBe('Tool::"crm::x"');
    expect(shortUid('Tool::"a"')).toBe('Tool::"a"');
    expect(shortUid('Org::Sub::Agent::"alert-router"')).toBe('Agent::"alert-router"');
    expect(shortUid('not an entity')).toBe('not an entity');
  });

  it('reads the id out of a reference, escapes and all', () => {
    expect(uidId('Acme::Tool::"pagerduty.incident.ack"')).toBe('pagerduty.incident.ack');
    expect(uidId('Acme::Tool::"say \\"hi\\""')).toBe('say "hi"');
    expect(uidId('Acme::Tool::"broken')).toBe('Acme::Tool::"broken');
    expect(uidId('plain')).toBe('plain');
  });
});

describe('grouping and counts', () => {
  it('groups by action in the order the core lists them, keeping its order within an action', () => {
    const entries = [
      ...alertRouterEntries(),
      accessEntry({ action: 'delegate', resource: 'Acme::Agent::"log-summariser"' }),
      accessEntry({ action: 'invoke_model', resource: 'Acme::Model::"claude-sonnet"', access: 'allowed' }),
    ];
    const groups = groupByAction(entries);
    expect(groups.map((g) => [g.action, g.entries.map((e) => shortUid(e.resource))])).toEqual([
      ['delegate', ['Agent::"monitor-muter"', 'Agent::"log-summariser"']],
      ['invoke_tool', ['Tool::"pagerduty.incident.ack"', 'Tool::"slack.message.post"']],
      ['invoke_model', ['Model::"claude-sonnet"']],
    ]);
    expect(groupByAction([])).toEqual([]);
  });

  it('counts allowed and conditional entries', () => {
    const entries = [...alertRouterEntries(), accessEntry({ access: 'allowed', resource: 'Acme::Tool::"x"' })];
    expect(accessCounts(entries)).toEqual({ allowed: 1, conditional: 3 });
    expect(accessCounts([])).toEqual({ allowed: 0, conditional: 0 });
  });
});

describe('conditions and the example context', () => {
  it('splits a forbid condition into its policy and its condition at the first ": "', () => {
    expect(splitUnless('environment-separation: !(context.env == "prod")')).toEqual({
      policy: 'environment-separation',
      condition: '!(context.env == "prod")',
    });
    expect(splitUnless('x: context.note == "a: b"')).toEqual({ policy: 'x', condition: 'context.note == "a: b"' });
    expect(splitUnless('context.env == "prod"')).toEqual({ policy: '', condition: 'context.env == "prod"' });
  });

  it('lists the example context as key = value in key order, values as Cedar writes them', () => {
    expect(exampleContext(accessEntry({ example_context: { task_id: 'ticket-', env: 'prod', step_up_approved: true } }))).toEqual([
      ['env', '"prod"'],
      ['step_up_approved', 'true'],
      ['task_id', '"ticket-"'],
    ]);
    expect(exampleContext(accessEntry({ example_context: { delegation_depth: 0, env: '' } }))).toEqual([
      ['delegation_depth', '0'],
      ['env', '""'],
    ]);
    expect(exampleContext(accessEntry({ example_context: {} }))).toEqual([]);
    expect(exampleContext(accessEntry({ example_context: undefined }))).toBeNull();
  });
});

describe('changes', () => {
  const before = accessEntry({ unless: ['environment-separation: !(context.env == "prod")'] });
  const after = accessEntry({
    permits: ['permit-allowed-tools', 'grant-tool-group'],
    unless: ['environment-separation: !(context.env == "prod")', 'step-up-for-sensitive-tools: !(context.step_up_approved)'],
  });

  it('colours gaining access like allowing more, and reads an unknown kind as changed', () => {
    expect(changeKind(accessChange())).toBe('gained');
    expect(changeKind(accessChange({ change: 'lost', baseline: before, candidate: null }))).toBe('lost');
    expect(changeKind(accessChange({ change: 'moved' }))).toBe('changed');
    expect(changeTone('gained')).toBe('error');
    expect(changeTone('lost')).toBe('warning');
    expect(changeTone('changed')).toBe('warning');
    expect(accessTone('allowed')).toBe('ok');
    expect(accessTone('conditional')).toBe('warning');
    expect(accessTone('denied')).toBe('neutral');
  });

  it('reads a missing side as denied', () => {
    expect(sideAccess(null)).toBe('denied');
    expect(sideAccess(accessEntry({ access: 'allowed' }))).toBe('allowed');
  });

  it('counts changes per kind, zeros left out', () => {
    const changes = [
      accessChange(),
      accessChange({ resource: 'Acme::Tool::"b"' }),
      accessChange({ change: 'changed', baseline: before, candidate: after }),
    ];
    expect(changeCounts(changes)).toEqual([
      { kind: 'gained', count: 2 },
      { kind: 'changed', count: 1 },
    ]);
    expect(changeCounts([])).toEqual([]);
  });

  it('says what moved between the sides of a changed entry', () => {
    expect(changeDetails(accessChange({ change: 'changed', baseline: before, candidate: after }))).toEqual([
      'permits added: grant-tool-group',
      'unless added: step-up-for-sensitive-tools: !(context.step_up_approved)',
    ]);
    expect(changeDetails(accessChange({ change: 'changed', baseline: after, candidate: before }))).toEqual([
      'permits removed: grant-tool-group',
      'unless removed: step-up-for-sensitive-tools: !(context.step_up_approved)',
    ]);
    expect(changeDetails(accessChange())).toEqual([]);
  });
});

describe('policy locations', () => {
  it('finds each id in its file, and a template-linked policy at its template', () => {
    const r = report([
      policyFile('policies/grants.cedar', ['grant-tool-group']),
      policyFile('policies/tools.cedar', ['permit-allowed-tools', 'step-up-for-sensitive-tools', 'environment-separation']),
    ]);
    r.links = [
      { id: 'grant-incident-commander-observability', template: 'grant-tool-group', line: 6 },
      { id: 'dangling', template: 'no-such-template', line: 12 },
    ];
    const at = policyLocations(r);
    expect(at.get('environment-separation')).toEqual({ file: 'policies/tools.cedar', line: 13 });
    expect(at.get('grant-incident-commander-observability')).toEqual({
      file: 'policies/grants.cedar',
      line: 1,
      template: 'grant-tool-group',
    });
    expect(at.has('dangling')).toBe(false);
    expect(at.has('permit-listed-delegates')).toBe(false);
  });
});
