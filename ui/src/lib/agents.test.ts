import { describe, expect, it } from 'vitest';
import { agent, finding, inventoryView, TRANSITIONS } from '../test/fakeBackend';
import {
  allowedTransitions,
  buildRows,
  changedFields,
  deriveRaci,
  EMPTY_FILTER,
  filterRows,
  humanForActor,
  newAgentDraft,
  nextSort,
  parseSubject,
  sameAgent,
  sortRows,
  teamOptions,
  toWire,
} from './agents';

const view = inventoryView({
  agents: [
    agent({ id: 'billing-bot', name: 'Billing refunds', risk_tier: 'high', lifecycle: 'active', accountable: 'dana' }),
    agent({
      id: 'support-triage',
      name: 'Support triage',
      purpose: 'Routes tickets to the right queue',
      owner_team: 'support',
      risk_tier: 'medium',
      lifecycle: 'draft',
      accountable: null,
      environment: 'dev',
    }),
    agent({ id: 'agent-10', name: 'Ten', risk_tier: 'critical', lifecycle: 'suspended', accountable: 'max' }),
    agent({ id: 'agent-9', name: 'Nine', risk_tier: 'low', lifecycle: 'retired', accountable: 'ghost', owner_team: 'ops' }),
  ],
  findings: [
    finding({ subject: 'agent:support-triage', code: 'accountable.missing' }),
    finding({ subject: 'agent:support-triage', code: 'identity.missing', severity: 'warning' }),
    finding({ subject: 'agent:agent-10', code: 'accountable.departed', severity: 'warning' }),
    finding({ subject: 'human:max', code: 'accountable.departed', severity: 'warning' }),
  ],
});
const rows = buildRows(view);
const ids = (rs: { agent: { id: string } }[]) => rs.map((r) => r.agent.id);

describe('buildRows', () => {
  it('resolves team and accountable names and counts findings per agent only', () => {
    const triage = rows.find((r) => r.agent.id === 'support-triage')!;
    expect(triage.teamName).toBe('Customer Support');
    expect(triage.accountableStatus).toBe('missing');
    expect(triage.gaps).toEqual({ error: 1, warning: 1, info: 0 });
    const ten = rows.find((r) => r.agent.id === 'agent-10')!;
    expect(ten.accountableName).toBe('Max Weber');
    expect(ten.accountableStatus).toBe('departed');
    // The `human:max` finding is not counted against the agent.
    expect(ten.gaps).toEqual({ error: 0, warning: 1, info: 0 });
    const nine = rows.find((r) => r.agent.id === 'agent-9')!;
    expect(nine.accountableStatus).toBe('unknown');
    expect(nine.accountableName).toBe('ghost');
    expect(nine.teamName).toBe('ops');
  });
});

describe('sortRows', () => {
  it('sorts ids naturally, in both directions', () => {
    expect(ids(sortRows(rows, { key: 'id', dir: 'asc' }))).toEqual(['agent-9', 'agent-10', 'billing-bot', 'support-triage']);
    expect(ids(sortRows(rows, { key: 'id', dir: 'desc' }))).toEqual(['support-triage', 'billing-bot', 'agent-10', 'agent-9']);
  });

  it('orders tiers and lifecycles by rank, not alphabetically', () => {
    expect(ids(sortRows(rows, { key: 'tier', dir: 'asc' }))).toEqual(['agent-9', 'support-triage', 'billing-bot', 'agent-10']);
    expect(ids(sortRows(rows, { key: 'lifecycle', dir: 'asc' }))).toEqual([
      'support-triage',
      'billing-bot',
      'agent-10',
      'agent-9',
    ]);
  });

  it('puts the worst gaps first when descending, errors outranking warnings', () => {
    expect(ids(sortRows(rows, { key: 'gaps', dir: 'desc' })).slice(0, 2)).toEqual(['support-triage', 'agent-10']);
  });

  it('sorts a missing accountable human last ascending; ties break by id', () => {
    const sorted = ids(sortRows(rows, { key: 'accountable', dir: 'asc' }));
    expect(sorted).toEqual(['billing-bot', 'agent-9', 'agent-10', 'support-triage']);
    expect(ids(sortRows(rows, { key: 'environment', dir: 'desc' }))).toEqual([
      'agent-9',
      'agent-10',
      'billing-bot',
      'support-triage',
    ]);
  });

  it('does not mutate its input', () => {
    const before = ids(rows);
    sortRows(rows, { key: 'tier', dir: 'desc' });
    expect(ids(rows)).toEqual(before);
  });

  it('toggles the direction on the same column and starts gaps and tier worst-first', () => {
    expect(nextSort({ key: 'id', dir: 'asc' }, 'id')).toEqual({ key: 'id', dir: 'desc' });
    expect(nextSort({ key: 'id', dir: 'asc' }, 'team')).toEqual({ key: 'team', dir: 'asc' });
    expect(nextSort({ key: 'id', dir: 'asc' }, 'gaps')).toEqual({ key: 'gaps', dir: 'desc' });
  });
});

describe('filterRows', () => {
  it('matches every word of the text in id, name or purpose, case-insensitively', () => {
    expect(ids(filterRows(rows, { ...EMPTY_FILTER, text: 'QUEUE' }))).toEqual(['support-triage']);
    expect(ids(filterRows(rows, { ...EMPTY_FILTER, text: 'support routes' }))).toEqual(['support-triage']);
    expect(ids(filterRows(rows, { ...EMPTY_FILTER, text: 'support nine' }))).toEqual([]);
  });

  it('combines tier, lifecycle, team and the gaps toggle', () => {
    expect(ids(filterRows(rows, { ...EMPTY_FILTER, tier: 'critical' }))).toEqual(['agent-10']);
    expect(ids(filterRows(rows, { ...EMPTY_FILTER, lifecycle: 'draft' }))).toEqual(['support-triage']);
    expect(ids(filterRows(rows, { ...EMPTY_FILTER, team: 'billing' }))).toEqual(['billing-bot', 'agent-10']);
    expect(ids(filterRows(rows, { ...EMPTY_FILTER, gapsOnly: true }))).toEqual(['support-triage', 'agent-10']);
    expect(ids(filterRows(rows, { ...EMPTY_FILTER, gapsOnly: true, team: 'billing' }))).toEqual(['agent-10']);
  });

  it('stays fast at 10,000 agents', () => {
    const many = inventoryView({
      agents: Array.from({ length: 10_000 }, (_, i) =>
        agent({ id: `agent-${i}`, name: `Agent ${i}`, risk_tier: i % 2 ? 'high' : 'low' }),
      ),
    });
    const t0 = performance.now();
    const big = buildRows(many);
    const out = sortRows(filterRows(big, { ...EMPTY_FILTER, text: 'agent 99', tier: 'high' }), { key: 'id', dir: 'desc' });
    const expected = Array.from({ length: 10_000 }, (_, i) => i).filter((i) => i % 2 && String(i).includes('99'));
    expect(out.length).toBe(expected.length);
    expect(out[0]?.agent.id).toBe(`agent-${expected[expected.length - 1]}`);
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});

it('lists known teams, then teams only agents name', () => {
  expect(teamOptions(view).map((t) => t.id)).toEqual(['billing', 'support', 'ops']);
  expect(teamOptions(view)[2]?.name).toMatch(/unknown/);
});

describe('deriveRaci', () => {
  it('maps owner team, accountable, sponsor and escalation to R, A, C and I', () => {
    const raci = deriveRaci(agent({ sponsor: 'lee', escalation: 'dana' }), view.people);
    expect(raci.responsible).toEqual({ id: 'billing', name: 'Billing', known: true });
    expect(raci.accountable).toMatchObject({ id: 'dana', name: 'Dana Ortiz', email: 'dana@acme.example' });
    expect(raci.accountableStatus).toBe('ok');
    expect(raci.consulted?.name).toBe('Lee Park');
    expect(raci.informed?.name).toBe('Dana Ortiz');
    expect(raci.approvedBy?.id).toBe('lee');
    expect(raci.approvedOn).toBe('2026-01-10');
  });

  it('flags a missing, unknown or departed accountable human', () => {
    expect(deriveRaci(agent({ accountable: null }), view.people).accountableStatus).toBe('missing');
    expect(deriveRaci(agent({ accountable: '' }), view.people).accountableStatus).toBe('missing');
    const unknown = deriveRaci(agent({ accountable: 'ghost' }), view.people);
    expect(unknown.accountableStatus).toBe('unknown');
    expect(unknown.accountable).toMatchObject({ id: 'ghost', known: false, name: null });
    expect(deriveRaci(agent({ accountable: 'max' }), view.people).accountableStatus).toBe('departed');
  });

  it('reports an owner team missing from people.toml and no approval', () => {
    const raci = deriveRaci(agent({ owner_team: 'ops', approved_by: undefined, approved_on: undefined }), view.people);
    expect(raci.responsible).toEqual({ id: 'ops', name: null, known: false });
    expect(raci.approvedBy).toBeNull();
    expect(raci.approvedOn).toBeNull();
  });
});

it('finds the human an acting identity names, by id or email', () => {
  expect(humanForActor(view.people, 'DANA@acme.example')?.id).toBe('dana');
  expect(humanForActor(view.people, 'lee')?.id).toBe('lee');
  expect(humanForActor(view.people, 'ci-bot@acme.example')).toBeNull();
});

describe('allowedTransitions', () => {
  it('offers only the moves the core lists from the current state, in lifecycle order', () => {
    expect(allowedTransitions(TRANSITIONS, 'draft')).toEqual(['approved', 'retired']);
    expect(allowedTransitions(TRANSITIONS, 'active')).toEqual(['suspended', 'retired']);
    expect(allowedTransitions(TRANSITIONS, 'suspended')).toEqual(['active', 'retired']);
    expect(allowedTransitions(TRANSITIONS, 'retired')).toEqual([]);
  });

  it('follows the edges it is given rather than a built-in lifecycle', () => {
    expect(allowedTransitions([{ from: 'retired', to: 'draft' }], 'retired')).toEqual(['draft']);
  });
});

describe('toWire', () => {
  it('leaves out empty optional values and trims text', () => {
    const wire = toWire({
      ...newAgentDraft(),
      id: ' new-bot ',
      name: 'New ',
      owner_team: 'billing',
      purpose: '  ',
      spiffe_id: '',
      accountable: null,
      recertify_by: '',
      tools: [' stripe.refund ', '', 'stripe.refund'],
    });
    expect(wire).toEqual({
      id: 'new-bot',
      name: 'New',
      owner_team: 'billing',
      risk_tier: 'low',
      environment: 'prod',
      lifecycle: 'draft',
      max_ttl_seconds: 900,
      attestation_required: false,
      tools: ['stripe.refund'],
    });
    expect('purpose' in wire).toBe(false);
    expect('approved_by' in wire).toBe(false);
  });

  it('keeps lifecycle and approval exactly as they were', () => {
    const wire = toWire(agent());
    expect(wire.lifecycle).toBe('active');
    expect(wire.approved_by).toBe('lee');
    expect(wire.approved_on).toBe('2026-01-10');
  });
});

it('sameAgent ignores empty-versus-missing differences but sees real edits', () => {
  const a = agent({ datasets: undefined, tags: undefined });
  expect(sameAgent(a, { ...a, datasets: [], tags: [], oidc_issuer: null })).toBe(true);
  expect(sameAgent(a, { ...a, name: 'Other' })).toBe(false);
  expect(sameAgent(a, { ...a, tools: [...(a.tools ?? []), 'zendesk.ticket.update'] })).toBe(false);
});

it('parses subjects, keeping colons in the id', () => {
  expect(parseSubject('agent:billing-bot')).toEqual({ kind: 'agent', id: 'billing-bot' });
  expect(parseSubject('file:inventory/a:b.toml')).toEqual({ kind: 'file', id: 'inventory/a:b.toml' });
  expect(parseSubject('odd')).toEqual({ kind: '', id: 'odd' });
});

it('names the fields that changed between two versions of an agent, blank text as unset', () => {
  const before = agent({ name: 'Billing', purpose: 'Refunds' });
  const after = agent({ name: 'Billing (renamed)', purpose: '  ', tools: ['stripe.refund', 'stripe.invoice.read'] });
  expect(changedFields(before, after)).toEqual([
    { field: 'name', before: '"Billing"', after: '"Billing (renamed)"' },
    { field: 'purpose', before: '"Refunds"', after: null },
    { field: 'tools', before: '["stripe.refund"]', after: '["stripe.refund","stripe.invoice.read"]' },
  ]);
  expect(changedFields(before, { ...before })).toEqual([]);
});
