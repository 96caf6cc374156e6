import { describe, expect, it } from 'vitest';
import type { Activity } from '../bindings/Activity';
import { insightFinding, insightFindings, insightsReport, taskStep, taskTimeline } from '../test/fakeBackend';
import {
  tasksOf,
  agentSeries,
  changedSteps,
  coveragePercent,
  coverageRows,
  denySeries,
  filterFindings,
  filterOptions,
  findingsByCode,
  groupByLevel,
  isFiltered,
  labelIndices,
  levelCounts,
  niceMax,
  NO_FINDING_FILTER,
  shortType,
  stack,
  stackMax,
  stepChange,
  summaryCards,
  tasksWithFindings,
  toolRows,
} from './insights';

const findings = insightFindings();
const codes = (list: { code: string }[]) => list.map((f) => f.code);

describe('filterFindings', () => {
  it('keeps everything without a filter', () => {
    expect(filterFindings(findings, NO_FINDING_FILTER)).toHaveLength(6);
    expect(isFiltered(NO_FINDING_FILTER)).toBe(false);
  });

  it('filters by agent, including findings whose subject is the agent', () => {
    const byAgent = filterFindings(findings, { ...NO_FINDING_FILTER, agent: 'billing-bot' });
    expect(codes(byAgent)).toEqual(['scope.tool', 'credential.ttl_over_ceiling']);
    // A finding with no `agent` but an agent subject still belongs to that agent.
    const subjectOnly = [insightFinding({ agent: null, subject: 'ghost-bot', subject_kind: 'agent', code: 'shadow.unregistered' })];
    expect(codes(filterFindings(subjectOnly, { ...NO_FINDING_FILTER, agent: 'ghost-bot' }))).toEqual(['shadow.unregistered']);
  });

  it('filters by team, code, a code family and level, and combines them', () => {
    expect(codes(filterFindings(findings, { ...NO_FINDING_FILTER, team: 'sre' }))).toEqual(['shadow.inactive', 'chain.environments']);
    expect(codes(filterFindings(findings, { ...NO_FINDING_FILTER, code: 'grant.unused' }))).toEqual(['grant.unused']);
    expect(codes(filterFindings(findings, { ...NO_FINDING_FILTER, code: 'shadow.*' }))).toEqual(['shadow.inactive']);
    expect(codes(filterFindings(findings, { ...NO_FINDING_FILTER, level: 'high' }))).toEqual([
      'chain.environments',
      'credential.ttl_over_ceiling',
    ]);
    const both = { ...NO_FINDING_FILTER, team: 'sre', level: 'critical' as const };
    expect(isFiltered(both)).toBe(true);
    expect(codes(filterFindings(findings, both))).toEqual(['shadow.inactive']);
    // `scope.*` must not match a code that merely starts with the same letters.
    expect(filterFindings([insightFinding({ code: 'scoped.thing' })], { ...NO_FINDING_FILTER, code: 'scope.*' })).toEqual([]);
  });

  it('searches titles, subjects, codes and items, ignoring case', () => {
    expect(codes(filterFindings(findings, { ...NO_FINDING_FILTER, search: 'TASK-00042' }))).toEqual(['chain.environments']);
    expect(codes(filterFindings(findings, { ...NO_FINDING_FILTER, search: 'gpt-large' }))).toEqual(['grant.unused']);
    expect(filterFindings(findings, { ...NO_FINDING_FILTER, search: '   ' })).toHaveLength(6);
  });
});

describe('grouping and counting', () => {
  it('groups by level worst first, keeping the report order inside a level and skipping empty levels', () => {
    const shuffled = [findings[5]!, findings[3]!, findings[0]!, findings[2]!, findings[1]!];
    const groups = groupByLevel(shuffled);
    expect(groups.map((g) => [g.level, codes(g.findings)])).toEqual([
      ['critical', ['scope.tool', 'shadow.inactive']],
      ['high', ['credential.ttl_over_ceiling', 'chain.environments']],
      ['low', ['logging.missing_task_id']],
    ]);
    expect(levelCounts(shuffled)).toEqual({ critical: 2, high: 2, medium: 0, low: 1 });
  });

  it('lists the agents, teams and codes the findings name, with counts, codes by family', () => {
    const o = filterOptions(findings);
    expect(o.agents).toEqual([
      { value: 'auto-remediator', count: 2 },
      { value: 'billing-bot', count: 2 },
      { value: 'faq-bot', count: 1 },
    ]);
    expect(o.teams).toEqual([
      { value: 'billing', count: 2 },
      { value: 'sre', count: 2 },
      { value: 'support', count: 1 },
    ]);
    expect(o.families.map((f) => [f.family, f.count, f.codes.map((c) => c.value)])).toEqual([
      ['shadow', 1, ['shadow.inactive']],
      ['scope', 1, ['scope.tool']],
      ['grant', 1, ['grant.unused']],
      ['chain', 1, ['chain.environments']],
      ['credential', 1, ['credential.ttl_over_ceiling']],
      ['logging', 1, ['logging.missing_task_id']],
    ]);
  });

  it('groups findings by code, worst level first, then the most findings', () => {
    const task = (subject: string) => insightFinding({ code: 'chain.systems', level: 'medium', subject_kind: 'task', subject });
    const list = [task('t1'), findings[3]!, task('t2'), findings[0]!, task('t3'), insightFinding({ code: 'grant.unused', level: 'medium' })];
    expect(findingsByCode(list).map((g) => [g.code, g.level, g.findings.length])).toEqual([
      ['scope.tool', 'critical', 1],
      ['credential.ttl_over_ceiling', 'high', 1],
      ['chain.systems', 'medium', 3],
      ['grant.unused', 'medium', 1],
    ]);
  });

  it('lists the tasks with findings once each', () => {
    const twice = [...findings, insightFinding({ code: 'chain.systems', subject_kind: 'task', subject: 'task-00042' })];
    expect(tasksWithFindings(twice)).toEqual(['task-00042']);
  });

  it('takes the tasks a chain finding lists, in order, before its subject', () => {
    const chain = insightFinding({ code: 'chain.environments', subject_kind: 'agent', subject: 'deploy-bot', tasks: ['task-b', 'task-a'] });
    const again = insightFinding({ code: 'chain.sensitivity', subject_kind: 'agent', subject: 'deploy-bot', tasks: ['task-a', 'task-c'] });
    expect(tasksOf(chain)).toEqual(['task-b', 'task-a']);
    expect(tasksOf(insightFinding({ code: 'scope.tool', subject_kind: 'agent', subject: 'x' }))).toEqual([]);
    expect(tasksWithFindings([chain, again])).toEqual(['task-b', 'task-a', 'task-c']);
  });

  it('builds the summary cards from the report, a card per level with its count', () => {
    const cards = summaryCards(insightsReport());
    expect(cards.map((c) => [c.key, c.value, c.tone])).toEqual([
      ['requests', 5000, 'neutral'],
      ['denies', 2982, 'deny'],
      ['agents', 26, 'neutral'],
      ['tasks', 1014, 'neutral'],
      ['findings', 6, 'warning'],
      ['critical', 2, 'critical'],
      ['high', 2, 'high'],
      ['medium', 1, 'medium'],
      ['low', 1, 'low'],
    ]);
    expect(summaryCards(insightsReport({ findings: [] })).find((c) => c.key === 'critical')?.tone).toBe('neutral');
  });
});

describe('chart series', () => {
  const activity: Activity = insightsReport().activity;

  it('splits each bucket into the busiest agents and the rest', () => {
    const series = agentSeries(activity);
    expect(series.map((s) => [s.key, s.values, s.color])).toEqual([
      ['auto-remediator', [100, 60, 51], 0],
      ['billing-bot', [80, 90, 10], 1],
      // 900-180, 1000-150, 1100-61
      ['other agents', [720, 850, 1039], null],
    ]);
  });

  it('drops series without requests and never makes "other" negative', () => {
    const series = agentSeries({
      unit: 'hour',
      buckets: [
        { start: '2026-11-01T00:00:00Z', requests: 5, denies: 0 },
        { start: '2026-11-01T01:00:00Z', requests: 3, denies: 1 },
      ],
      agents: [
        { agent: 'a', counts: [5, 3] },
        { agent: 'idle', counts: [0, 0] },
      ],
      untimed: 0,
    });
    expect(series.map((s) => s.key)).toEqual(['a']);
  });

  it('stacks series bottom to top and reports the tallest stack', () => {
    const series = agentSeries(activity);
    const layers = stack(series);
    expect(layers[0]).toEqual([
      [0, 100],
      [0, 60],
      [0, 51],
    ]);
    expect(layers[1]).toEqual([
      [100, 180],
      [60, 150],
      [51, 61],
    ]);
    expect(layers[2]?.map(([, top]) => top)).toEqual([900, 1000, 1100]);
    expect(stackMax(series)).toBe(1100);
    expect(stackMax([])).toBe(0);
  });

  it('rounds the axis maximum up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, 1, 7, 11, 21, 240, 1100, 4999, 5001].map(niceMax)).toEqual([1, 1, 10, 20, 25, 250, 2000, 5000, 10000]);
  });

  it('computes denies and the deny share per bucket', () => {
    expect(denySeries(activity.buckets).map((b) => [b.denies, b.requests, Number(b.rate.toFixed(3))])).toEqual([
      [500, 900, 0.556],
      [600, 1000, 0.6],
      [700, 1100, 0.636],
    ]);
    expect(denySeries([{ start: 'x', requests: 0, denies: 0 }])[0]?.rate).toBe(0);
  });

  it('picks the busiest tools first', () => {
    const tools = [
      { tool: 'b', system: null, requests: 5, denies: 0, agents: 1 },
      { tool: 'a', system: null, requests: 5, denies: 1, agents: 1 },
      { tool: 'c', system: 'x', requests: 9, denies: 2, agents: 2 },
    ];
    expect(toolRows(tools, 2).map((t) => t.tool)).toEqual(['c', 'a']);
  });

  it('spaces axis labels evenly, always keeping the first and last', () => {
    expect(labelIndices(0)).toEqual([]);
    expect(labelIndices(3)).toEqual([0, 1, 2]);
    expect(labelIndices(100, 5)).toEqual([0, 25, 50, 74, 99]);
  });
});

describe('logging coverage', () => {
  it('never rounds a gap up to 100%', () => {
    expect(coveragePercent({ present: 4969, expected: 5000 })).toBe(99);
    expect(coveragePercent({ present: 9999, expected: 10000 })).toBe(99);
    expect(coveragePercent({ present: 1438, expected: 3051 })).toBe(47);
    expect(coveragePercent({ present: 5, expected: 5 })).toBe(100);
    expect(coveragePercent({ present: 0, expected: 0 })).toBe(100);
  });

  it('lists the least covered fields first', () => {
    const rows = coverageRows(insightsReport().logging.fields);
    expect(rows.map((r) => r.field)).toEqual(['context.step_up_approved', 'task_id', 'time']);
  });
});

describe('task steps', () => {
  it('compares the recorded decision with the current one', () => {
    expect(stepChange(taskStep())).toBe('same');
    expect(stepChange(taskStep({ current: 'deny', current_reasons: [] }))).toBe('decision');
    expect(stepChange(taskStep({ current_reasons: ['other-permit'] }))).toBe('reasons');
    // Reasons in another order are the same reasons.
    expect(stepChange(taskStep({ recorded_reasons: ['a', 'b'], current_reasons: ['b', 'a'] }))).toBe('same');
    // Production often records a decision without reasons: nothing to compare.
    expect(stepChange(taskStep({ recorded_reasons: [], current_reasons: ['p'] }))).toBe('same');
    expect(stepChange(taskStep({ recorded: null }))).toBe('unrecorded');
    expect(stepChange(taskStep({ current: null, current_error: 'the policies have errors' }))).toBe('error');
  });

  it('counts the steps decided differently today', () => {
    expect(changedSteps(taskTimeline().steps)).toBe(1);
  });

  it('shortens entity types', () => {
    expect(shortType('Acme::Tool')).toBe('Tool');
    expect(shortType('Tool')).toBe('Tool');
  });
});
