import { describe, expect, it } from 'vitest';
import type { ReviewChange } from '../bindings/ReviewChange';
import { replayRun, resultRows, review, reviewFile } from '../test/fakeBackend';
import {
  chartRows,
  acknowledgedGroups,
  groupKey,
  openGroupsFor,
  pagesFor,
  percent,
  resultKey,
  reviewActions,
  rowAt,
  setNameFromPath,
  summaryMetrics,
  transition,
  withPage,
  type Pages,
} from './simulate';

describe('pagesFor', () => {
  it('lists the pages holding a range of rows', () => {
    expect(pagesFor(0, 30, 200)).toEqual([0]);
    expect(pagesFor(190, 210, 200)).toEqual([0, 1]);
    expect(pagesFor(1400, 1439, 200)).toEqual([7]);
    expect(pagesFor(0, -1, 200)).toEqual([]);
  });
});

describe('withPage', () => {
  it('keeps at most `max` pages, forgetting the farthest from the page added', () => {
    const rows = resultRows(10);
    let pages: Pages = new Map();
    for (const p of [0, 1, 2, 3]) pages = withPage(pages, p, rows, 3);
    expect([...pages.keys()].sort()).toEqual([1, 2, 3]);
    pages = withPage(pages, 0, rows, 3);
    expect([...pages.keys()].sort()).toEqual([0, 1, 2]);
  });

  it('finds a row by its index across pages', () => {
    const rows = resultRows(4);
    const pages = withPage(withPage(new Map(), 0, rows.slice(0, 2)), 1, rows.slice(2, 4));
    expect(rowAt(pages, 3, 2)?.seq).toBe(3);
    expect(rowAt(pages, 5, 2)).toBeUndefined();
  });
});

it('keys results by run and filter', () => {
  expect(resultKey(3, { changed_only: true, errors_only: false, search: null })).not.toBe(
    resultKey(3, { changed_only: true, errors_only: false, search: 'x' }),
  );
});

it('colours summary metrics only when they are not zero', () => {
  const metrics = summaryMetrics({ ...replayRun().summary, deny_to_allow: 0 });
  expect(metrics.map((m) => m.key)).toEqual([
    'requests',
    'changed',
    'allow_to_deny',
    'deny_to_allow',
    'new_errors',
    'resolved_errors',
    'drift',
    'skipped',
  ]);
  expect(metrics.find((m) => m.key === 'allow_to_deny')?.tone).toBe('deny');
  expect(metrics.find((m) => m.key === 'deny_to_allow')?.tone).toBe('neutral');
});

it('charts the keys with changes, largest first', () => {
  const rows = chartRows(replayRun().report.by_action);
  expect(rows.map((r) => r.key)).toEqual(['invoke_tool', 'request_credential']);
});

it('names transitions', () => {
  const allow = { decision: 'allow', reasons: ['p'], errors: [] };
  const deny = { decision: 'deny', reasons: [], errors: [] };
  expect(transition(allow, deny, true)).toBe('allow→deny');
  expect(transition(deny, allow, true)).toBe('deny→allow');
  expect(transition(allow, { ...allow, reasons: ['q'] }, true)).toBe('reasons');
  expect(transition(allow, allow, false)).toBe('same');
});

it('names a changed result\'s review group as the core does', () => {
  const allow = { decision: 'allow', reasons: ['permit-allowed-tools'], errors: [] };
  expect(groupKey({ action: 'invoke_tool', baseline: allow, candidate: { decision: 'deny', reasons: [], errors: [] } })).toBe(
    'invoke_tool: allow→deny (permit-allowed-tools → none)',
  );
  expect(
    groupKey({
      action: 'invoke_tool',
      baseline: allow,
      candidate: { decision: 'allow', reasons: ['a', 'b'], errors: ['environment-separation'] },
    }),
  ).toBe('invoke_tool: allow→allow (permit-allowed-tools → a, b; errors: environment-separation)');
});

it('groups review changes by action and selects the open ones', () => {
  const change = (key: string, action: string, acked: boolean): ReviewChange => ({
    key,
    action,
    transition: 'allow→deny',
    baseline_reasons: ['p'],
    candidate_reasons: [],
    count: 2,
    examples: [],
    ack: acked ? { by: 'x', at: 't', comment: 'ok' } : null,
  });
  const r = review({
    record: reviewFile({
      changes: [change('a', 'invoke_tool', false), change('b', 'invoke_tool', true), change('c', 'delegate', false)],
    }),
  });
  expect(reviewActions(r)).toEqual([
    { action: 'delegate', groups: 1, open: 1, decisions: 2 },
    { action: 'invoke_tool', groups: 2, open: 1, decisions: 4 },
  ]);
  expect(openGroupsFor(r, 'invoke_tool')).toEqual(['a']);
  expect([...acknowledgedGroups(r)]).toEqual(['b']);
  expect(acknowledgedGroups(null).size).toBe(0);
});

it('suggests a set name from a file path', () => {
  expect(setNameFromPath('/home/ana/prod-2026-05.jsonl')).toBe('prod-2026-05');
  expect(setNameFromPath('C:\\logs\\decision log.json')).toBe('decision-log');
  expect(setNameFromPath('')).toBe('');
});

it('computes progress percentages', () => {
  expect(percent(1, 3)).toBe(33);
  expect(percent(5, 0)).toBe(0);
  expect(percent(7, 5)).toBe(100);
});
