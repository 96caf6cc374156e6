import { describe, expect, it } from 'vitest';
import { agent, diagnostic, finding, inventoryView } from '../test/fakeBackend';
import { groupFindings, summarizeInventory } from './findings';

describe('groupFindings', () => {
  it('groups by severity (errors first), then subject (agents before people), codes in order', () => {
    const groups = groupFindings([
      finding({ subject: 'human:max', severity: 'warning', code: 'accountable.departed' }),
      finding({ subject: 'agent:zeta', severity: 'error', code: 'identity.missing' }),
      finding({ subject: 'agent:alpha', severity: 'warning', code: 'recertification.overdue' }),
      finding({ subject: 'agent:zeta', severity: 'error', code: 'accountable.missing' }),
      finding({ subject: 'agent:alpha', severity: 'error', code: 'approval.self_approved' }),
      finding({ subject: 'file:policies/a.cedar', severity: 'info', code: 'policy.names_retired_agent' }),
    ]);
    expect(groups.map((g) => [g.severity, g.count])).toEqual([
      ['error', 3],
      ['warning', 2],
      ['info', 1],
    ]);
    expect(groups[0]!.subjects.map((s) => [s.subject, s.findings.map((f) => f.code)])).toEqual([
      ['agent:alpha', ['approval.self_approved']],
      ['agent:zeta', ['accountable.missing', 'identity.missing']],
    ]);
    expect(groups[1]!.subjects.map((s) => [s.kind, s.id])).toEqual([
      ['agent', 'alpha'],
      ['human', 'max'],
    ]);
  });

  it('leaves out severities with no findings and returns nothing for none', () => {
    expect(groupFindings([finding({ severity: 'warning' })]).map((g) => g.severity)).toEqual(['warning']);
    expect(groupFindings([])).toEqual([]);
  });
});

it('summarizes agents by tier and lifecycle, gaps and unloaded files', () => {
  const s = summarizeInventory(
    inventoryView({
      agents: [
        agent({ id: 'a', risk_tier: 'high', lifecycle: 'active' }),
        agent({ id: 'b', risk_tier: 'high', lifecycle: 'draft' }),
        agent({ id: 'c', risk_tier: 'low', lifecycle: 'draft' }),
      ],
      findings: [
        finding({ subject: 'agent:a' }),
        finding({ subject: 'agent:a', severity: 'warning' }),
        finding({ subject: 'agent:c', severity: 'info' }),
        finding({ subject: 'human:max', severity: 'warning' }),
      ],
      diagnostics: [
        diagnostic({ file: 'inventory/agents/x.toml' }),
        diagnostic({ file: 'inventory/agents/x.toml', line: 4 }),
        diagnostic({ file: 'inventory/people.toml', severity: 'warning' }),
      ],
    }),
  );
  expect(s.total).toBe(3);
  expect(s.byTier).toEqual({ low: 1, medium: 0, high: 2, critical: 0 });
  expect(s.byLifecycle).toEqual({ draft: 2, approved: 0, active: 1, suspended: 0, retired: 0 });
  expect([s.errors, s.warnings]).toEqual([1, 2]);
  // Info-only findings are not a gap.
  expect(s.agentsWithGaps).toBe(1);
  expect(s.fileProblems).toBe(1);
});
