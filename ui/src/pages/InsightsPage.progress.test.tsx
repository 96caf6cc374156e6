// Progress and Cancel of the Insights page: the analysis and a task's timeline.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deferred, FakeBackend, requestSet, taskTimeline } from '../test/fakeBackend';
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
  backend.sets = [requestSet()];
});

describe('the analysis', () => {
  it('shows the phase and how far it got, then cancels into a clear state and runs again', async () => {
    const gate = deferred();
    backend.insightsGate = gate.promise;
    renderWithBackend(backend, <InsightsPage />);
    const row = await screen.findByTestId('insights-loading');
    await waitFor(() => expect(backend.calls.insights).toHaveLength(1));
    expect(within(row).getByTestId('insights-loading-text').textContent).toContain('Analysing the most recent import');
    const bar = within(row).getByTestId<HTMLProgressElement>('insights-loading-bar');
    expect(bar.hasAttribute('value')).toBe(false);

    act(() => backend.emitOperationProgress({ operation: 'insights', phase: 'Reading recorded requests', done: 8192, total: 50000 }));
    expect(within(row).getByTestId('insights-loading-text').textContent).toContain('Reading recorded requests: 8,192 of 50,000 (16%)');
    expect(bar.value).toBe(8192);
    expect(bar.max).toBe(50000);
    // Another operation's progress is not this page's.
    act(() => backend.emitOperationProgress({ operation: 'coverage', phase: 'Deciding recorded requests', done: 1, total: 2 }));
    expect(within(row).getByTestId('insights-loading-text').textContent).toContain('Reading recorded requests');

    fireEvent.click(within(row).getByTestId('insights-loading-cancel'));
    expect(backend.calls.cancelInsights).toBe(1);
    const notice = await screen.findByTestId('insights-cancelled');
    expect(notice.textContent).toContain('Cancelled — the analysis stopped and nothing of it was kept.');
    expect(screen.queryByTestId('insights-loading')).toBeNull();
    expect(screen.queryByTestId('insights-report')).toBeNull();
    expect(screen.getByTestId<HTMLButtonElement>('insights-run').disabled).toBe(false);

    backend.insightsGate = null;
    fireEvent.click(within(notice).getByTestId('insights-cancelled-again'));
    await screen.findByTestId('insights-report');
    expect(backend.calls.insights).toHaveLength(2);
    expect(backend.calls.insights[1]).toEqual({ set: null, since: null, until: null });
    expect(screen.queryByTestId('insights-cancelled')).toBeNull();
  });

  it('keeps the last report when a new analysis is cancelled', async () => {
    renderWithBackend(backend, <InsightsPage />);
    await screen.findByTestId('insights-report');
    const gate = deferred();
    backend.insightsGate = gate.promise;
    fireEvent.click(screen.getByTestId('insights-run'));
    const row = await screen.findByTestId('insights-loading');
    await waitFor(() => expect(backend.calls.insights).toHaveLength(2));
    fireEvent.click(within(row).getByTestId('insights-loading-cancel'));
    const notice = await screen.findByTestId('insights-cancelled');
    expect(notice.textContent).toContain('the new analysis stopped');
    expect(screen.getByTestId('insights-report').dataset.set).toBe('traffic');
  });

  it('cancels the analysis when the page is left', async () => {
    const gate = deferred();
    backend.insightsGate = gate.promise;
    const { unmount } = renderWithBackend(backend, <InsightsPage />);
    await waitFor(() => expect(backend.calls.insights).toHaveLength(1));
    unmount();
    expect(backend.calls.cancelInsights).toBe(1);
  });
});

describe("a task's timeline", () => {
  it('shows its progress in the panel, cancels, and opens it again', async () => {
    renderWithBackend(backend, <InsightsPage />);
    await screen.findByTestId('insights-report');
    const gate = deferred();
    backend.timelineGate = gate.promise;
    fireEvent.change(screen.getByTestId('insights-task-input'), { target: { value: 'task-00042' } });
    fireEvent.click(screen.getByTestId('insights-task-open'));
    const panel = await screen.findByTestId('task-timeline');
    const row = await within(panel).findByTestId('task-timeline-progress');
    await waitFor(() => expect(backend.calls.taskTimeline).toHaveLength(1));
    act(() => backend.emitOperationProgress({ operation: 'task_timeline', phase: 'Finding the task’s requests', done: 0, total: 0 }));
    expect(within(row).getByTestId('task-timeline-progress-text').textContent).toBe('Finding the task’s requests…');

    fireEvent.click(within(row).getByTestId('task-timeline-progress-cancel'));
    expect(backend.calls.cancelInsights).toBe(1);
    const notice = await within(panel).findByTestId('task-timeline-cancelled');
    expect(notice.textContent).toContain('Cancelled — reading the task stopped');

    backend.timelineGate = null;
    fireEvent.click(within(notice).getByTestId('task-timeline-cancelled-again'));
    await waitFor(() => expect(screen.getByTestId('task-timeline').dataset.steps).toBe('3'));
    expect(backend.calls.taskTimeline).toHaveLength(2);
  });
});

describe('a long task', () => {
  it('draws the first 300 steps and the rest on request', async () => {
    const base = taskTimeline();
    const steps = Array.from({ length: 350 }, (_, i) => ({ ...base.steps[i % base.steps.length]!, id: `req-${i}` }));
    backend.timeline = (set, task) => taskTimeline({ set: set ?? 'traffic', task, steps });
    renderWithBackend(backend, <InsightsPage />);
    await screen.findByTestId('insights-report');
    fireEvent.change(screen.getByTestId('insights-task-input'), { target: { value: 'task-00042' } });
    fireEvent.click(screen.getByTestId('insights-task-open'));
    const panel = await screen.findByTestId('task-timeline');
    await waitFor(() => expect(panel.dataset.steps).toBe('350'));
    expect(within(panel).getAllByTestId('timeline-step')).toHaveLength(300);
    fireEvent.click(within(panel).getByTestId('task-steps-all'));
    expect(within(panel).getAllByTestId('timeline-step')).toHaveLength(350);
    expect(within(panel).queryByTestId('task-steps-all')).toBeNull();
  });
});
