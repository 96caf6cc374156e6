import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import { deferred, FakeBackend, insightFinding, insightsReport, requestSet } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { InsightsPage } from './InsightsPage';

// jsdom has no layout: give elements a size so the virtualized finding list renders its cards.
const sizes = ['clientHeight', 'clientWidth'] as const;
const saved = sizes.map((k) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, k));
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});
afterAll(() => {
  sizes.forEach((k, i) => {
    const d = saved[i];
    if (d) Object.defineProperty(HTMLElement.prototype, k, d);
    else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[k];
  });
});

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.sets = [requestSet(), requestSet({ name: 'prod-2026-05', requests: 120 })];
});

const metric = (key: string) => within(screen.getByTestId(`insights-metric-${key}`)).getByTestId('insights-metric-value').textContent;
const cardCodes = () => screen.getAllByTestId('insight-card').map((c) => c.dataset.code);

async function openPage() {
  renderWithBackend(backend, <InsightsPage />);
  await screen.findByTestId('insights-report');
}

function apiError(code: ApiError['code'], message: string): ApiError {
  return { code, message, help: null, diagnostics: [] };
}

describe('loading a report', () => {
  it('analyses the most recent import on open and shows its totals and findings by level', async () => {
    await openPage();
    expect(backend.calls.insights).toEqual([{ set: null, since: null, until: null }]);
    expect(screen.getByTestId('insights-report').dataset.set).toBe('traffic');
    expect(metric('requests')).toBe('5,000');
    expect(metric('denies')).toBe('2,982');
    expect(metric('agents')).toBe('26');
    expect(metric('tasks')).toBe('1,014');
    expect(metric('findings')).toBe('6');
    expect(metric('critical')).toBe('2');
    expect(screen.getByTestId('insights-findings-count').textContent).toBe('6 findings');
    expect(screen.getAllByTestId('insights-group').map((g) => [g.dataset.level, g.dataset.count])).toEqual([
      ['critical', '2'],
      ['high', '2'],
      ['medium', '1'],
      ['low', '1'],
    ]);
    expect(cardCodes()).toEqual([
      'scope.tool',
      'shadow.inactive',
      'chain.environments',
      'credential.ttl_over_ceiling',
      'grant.unused',
      'logging.missing_task_id',
    ]);
    // The set analysed is now the one the form names.
    expect(screen.getByTestId<HTMLSelectElement>('insights-set').value).toBe('traffic');
  });

  it('shows that it is working while the core analyses, then the report', async () => {
    const gate = deferred();
    backend.insightsGate = gate.promise;
    renderWithBackend(backend, <InsightsPage />);
    expect(screen.getByTestId('insights-loading')).toBeTruthy();
    expect(screen.getByTestId<HTMLButtonElement>('insights-run').disabled).toBe(true);
    gate.resolve();
    await screen.findByTestId('insights-report');
    expect(screen.queryByTestId('insights-loading')).toBeNull();
  });

  it('sends the chosen set and window when analysing again', async () => {
    await openPage();
    fireEvent.change(screen.getByTestId('insights-set'), { target: { value: 'prod-2026-05' } });
    fireEvent.change(screen.getByTestId('insights-since'), { target: { value: ' 7d ' } });
    fireEvent.click(screen.getByTestId('insights-run'));
    await waitFor(() => expect(backend.calls.insights).toHaveLength(2));
    expect(backend.calls.insights[1]).toEqual({ set: 'prod-2026-05', since: '7d', until: null });
  });

  it('tells the user to import traffic when nothing was imported', async () => {
    backend.sets = [];
    backend.insightsAnswer = () => {
      throw apiError('not_found', 'there are no recorded requests yet');
    };
    renderWithBackend(backend, <InsightsPage />);
    const empty = await screen.findByTestId('insights-empty');
    expect(empty.textContent).toMatch(/No recorded traffic yet/);
    expect(empty.textContent).toMatch(/mandate requests import FILE --set NAME/);
    expect(within(empty).getByRole('link', { name: 'Simulate' }).getAttribute('href')).toBe('#/simulate');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(screen.queryByTestId('insights-form')).toBeNull();
    fireEvent.click(within(empty).getByTestId('insights-empty-import'));
    expect(screen.getByTestId('import-dialog')).toBeTruthy();
  });

  it('shows other errors in the error banner, by code', async () => {
    backend.insightsAnswer = () => {
      throw apiError('inventory_invalid', 'the inventory has 2 problem(s)');
    };
    renderWithBackend(backend, <InsightsPage />);
    const banner = await screen.findByTestId('error-banner');
    expect(banner.dataset.code).toBe('inventory_invalid');
    expect(banner.textContent).toContain('the inventory has 2 problem(s)');
    expect(screen.queryByTestId('insights-empty')).toBeNull();
  });

  it('treats a named set that is missing as an error, not as "nothing imported"', async () => {
    await openPage();
    backend.insightsAnswer = () => {
      throw apiError('not_found', 'no request set `gone`');
    };
    fireEvent.click(screen.getByTestId('insights-run'));
    expect((await screen.findByTestId('error-banner')).dataset.code).toBe('not_found');
    expect(screen.queryByTestId('insights-empty')).toBeNull();
  });
});

describe('filters', () => {
  it('filters by agent, team, code family and level, says how many match, and clears', async () => {
    await openPage();
    fireEvent.change(screen.getByTestId('insights-filter-agent'), { target: { value: 'billing-bot' } });
    expect(cardCodes()).toEqual(['scope.tool', 'credential.ttl_over_ceiling']);
    expect(screen.getByTestId('insights-findings-count').textContent).toBe('2 of 6 findings');

    fireEvent.change(screen.getByTestId('insights-filter-agent'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('insights-filter-team'), { target: { value: 'sre' } });
    fireEvent.change(screen.getByTestId('insights-filter-level'), { target: { value: 'high' } });
    expect(cardCodes()).toEqual(['chain.environments']);

    fireEvent.click(screen.getByTestId('insights-filter-clear'));
    expect(cardCodes()).toHaveLength(6);
    fireEvent.change(screen.getByTestId('insights-filter-code'), { target: { value: 'grant.unused' } });
    expect(cardCodes()).toEqual(['grant.unused']);
  });

  it('offers a family option when a family has several codes', async () => {
    backend.insightsAnswer = () =>
      insightsReport({
        findings: [
          insightFinding({ code: 'scope.tool' }),
          insightFinding({ code: 'scope.dataset' }),
          insightFinding({ code: 'shadow.inactive' }),
        ],
      });
    await openPage();
    const select = screen.getByTestId<HTMLSelectElement>('insights-filter-code');
    expect([...select.options].map((o) => o.value)).toEqual(['', 'shadow.inactive', 'scope.*', 'scope.dataset', 'scope.tool']);
    fireEvent.change(select, { target: { value: 'scope.*' } });
    expect(cardCodes()).toEqual(['scope.tool', 'scope.dataset']);
  });

  it('a level card toggles the level filter', async () => {
    await openPage();
    const critical = within(screen.getByTestId('insights-metric-critical')).getByRole('button');
    fireEvent.click(critical);
    expect(critical.getAttribute('aria-pressed')).toBe('true');
    expect(cardCodes()).toEqual(['scope.tool', 'shadow.inactive']);
    fireEvent.click(critical);
    expect(cardCodes()).toHaveLength(6);
  });

  it('says when no finding matches', async () => {
    await openPage();
    fireEvent.change(screen.getByTestId('insights-filter-search'), { target: { value: 'nothing like this' } });
    expect(screen.getByTestId('insights-findings-empty').textContent).toMatch(/No finding matches/);
  });
});

describe('a finding', () => {
  it('opens its detail with counts, details, examples and the fix', async () => {
    await openPage();
    fireEvent.click(screen.getAllByTestId('insight-card').find((c) => c.dataset.code === 'scope.tool')!);
    const detail = screen.getByTestId('insight-detail');
    expect(detail.dataset.code).toBe('scope.tool');
    expect(within(detail).getByTestId('insight-detail-count').textContent).toBe('13 · 1 allowed · 12 denied');
    expect(within(detail).getByTestId('insight-detail-items').querySelectorAll('li')).toHaveLength(2);
    expect(within(detail).getByTestId('insight-detail-examples').textContent).toBe('req-000963req-003818');
    const fix = within(detail).getByTestId('insight-detail-fix');
    expect(fix.dataset.kind).toBe('policy');
    expect(fix.textContent).toContain('inventory/agents/billing-bot.toml');
    expect(fix.textContent).toContain('field tools');
    expect(fix.textContent).toContain('permit-allowed-tools');
    expect(fix.textContent).toContain('MND-AUTHZ-01');
    expect(screen.getAllByTestId('insight-card')[0]!.getAttribute('aria-current')).toBe('true');
    // Only a task finding has a timeline.
    expect(within(detail).queryByTestId('insight-open-task')).toBeNull();
    fireEvent.click(within(detail).getByTestId('insight-detail-close'));
    expect(screen.queryByTestId('insight-detail')).toBeNull();
  });

  it('counts unused grants as grants, not requests', async () => {
    await openPage();
    fireEvent.click(screen.getAllByTestId('insight-card').find((c) => c.dataset.code === 'grant.unused')!);
    expect(screen.getByTestId('insight-detail-count').textContent).toBe('3');
    expect(screen.getAllByTestId('insight-card').find((c) => c.dataset.code === 'grant.unused')!.textContent).toContain('3 unused grants');
  });

  it('opens the timeline of a task finding, with its steps and the step decided differently today', async () => {
    await openPage();
    fireEvent.click(screen.getAllByTestId('insight-card').find((c) => c.dataset.subjectKind === 'task')!);
    fireEvent.click(screen.getByTestId('insight-open-task'));
    const timeline = await screen.findByTestId('task-timeline');
    await waitFor(() => expect(timeline.dataset.steps).toBe('3'));
    expect(backend.calls.taskTimeline).toEqual([{ set: 'traffic', task: 'task-00042' }]);
    const steps = within(timeline).getAllByTestId('timeline-step');
    expect(steps.map((s) => [s.dataset.id, s.dataset.change])).toEqual([
      ['req-000099', 'same'],
      ['req-000100', 'same'],
      ['req-000101', 'decision'],
    ]);
    expect(steps[2]!.textContent).toContain('decision changed');
    expect(steps[0]!.textContent).toContain('dana');
    expect(within(timeline).getByTestId('task-agents').textContent).toBe('alert-router → auto-remediator');
    expect(within(timeline).getByTestId('task-hops').textContent).toBe('alert-router → auto-remediator');
    expect(within(timeline).getByTestId('task-environments').textContent).toBe('dev, prod');
    expect(timeline.textContent).toContain('1 step decided differently today');
    expect(within(timeline).getByTestId('task-findings').querySelectorAll('li')).toHaveLength(1);
  });

  it('opens a task by id from the search box and shows a timeline error in place', async () => {
    await openPage();
    backend.timeline = (set, task) => {
      throw apiError('not_found', `no requests with task id \`${task}\` in set \`${set}\``);
    };
    fireEvent.change(screen.getByTestId('insights-task-input'), { target: { value: ' task-404 ' } });
    fireEvent.click(screen.getByTestId('insights-task-open'));
    const timeline = await screen.findByTestId('task-timeline');
    expect(timeline.dataset.task).toBe('task-404');
    const banner = await within(timeline).findByTestId('error-banner');
    expect(banner.textContent).toContain('no requests with task id `task-404` in set `traffic`');
    fireEvent.click(screen.getByTestId('task-timeline-close'));
    expect(screen.queryByTestId('task-timeline')).toBeNull();
  });
});

describe('the rest of the report', () => {
  it('draws a series per busy agent, a deny bar per bucket, the top tools, and the logging table', async () => {
    await openPage();
    // Scaled to the busiest agents, the rest on request.
    const series = () => screen.getAllByTestId('activity-series').map((s) => s.dataset.agent);
    expect(series()).toEqual(['auto-remediator', 'billing-bot']);
    expect(screen.getByTestId('chart-activity').textContent).toContain('the 2 busiest agents, per day');
    fireEvent.click(screen.getByTestId('activity-others'));
    expect(series()).toEqual(['auto-remediator', 'billing-bot', 'other agents']);
    expect(screen.getAllByTestId('deny-bar').map((b) => b.dataset.denies)).toEqual(['500', '600', '700']);
    expect(screen.getAllByTestId('tool-bar').map((b) => b.dataset.tool)).toEqual(['stripe.invoice.read', 'github.pr.comment']);
    expect(screen.getAllByTestId('logging-field').map((f) => [f.dataset.field, f.dataset.missing])).toEqual([
      ['context.step_up_approved', '1613'],
      ['task_id', '31'],
      ['time', '0'],
    ]);
    expect(screen.getByTestId('insights-notes').textContent).toContain('5 denies within 60 s');
  });

  it('picking an agent in the chart legend filters the findings by it', async () => {
    await openPage();
    fireEvent.click(within(screen.getByTestId('chart-activity')).getByRole('button', { name: 'auto-remediator' }));
    expect(screen.getByTestId<HTMLSelectElement>('insights-filter-agent').value).toBe('auto-remediator');
    expect(cardCodes()).toEqual(['shadow.inactive', 'chain.environments']);
  });

  it('says when the policies or the inventory change after the analysis', async () => {
    await openPage();
    expect(screen.queryByTestId('insights-stale')).toBeNull();
    await waitFor(() => expect(backend.listenerCount).toBe(1));
    backend.emitChange([{ kind: 'policy_changed', path: 'policies/tools.cedar' }]);
    expect(await screen.findByTestId('insights-stale')).toBeTruthy();
    fireEvent.click(within(screen.getByTestId('insights-stale')).getByRole('button', { name: 'Analyse again' }));
    await waitFor(() => expect(backend.calls.insights).toHaveLength(2));
    await waitFor(() => expect(screen.queryByTestId('insights-stale')).toBeNull());
  });
});
