import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import {
  deferred,
  FakeBackend,
  importSummary,
  replayRun,
  requestSet,
  resultRows,
  review,
  reviewFile,
} from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { PAGE_SIZE } from '../lib/simulate';
import { RESULT_ROW_HEIGHT } from './simulate/ResultsTable';
import { SimulatePage } from './SimulatePage';

// jsdom has no layout: give elements a size so the virtualized table renders its rows.
const sizes = ['clientHeight', 'clientWidth'] as const;
const saved = sizes.map((k) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, k));
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
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
  backend.results = resultRows(5000);
});

const metric = (key: string) => within(screen.getByTestId(`sim-metric-${key}`)).getByTestId('sim-metric-value').textContent;

async function startRun() {
  renderWithBackend(backend, <SimulatePage />);
  const start = await screen.findByTestId('run-start');
  fireEvent.click(start);
}

/** The page with the newest stored run already open. */
async function openStoredRun() {
  backend.runs = [replayRun({ id: 4 })];
  renderWithBackend(backend, <SimulatePage />);
  await screen.findAllByTestId('result-row');
}

describe('request sets', () => {
  it('tells the user to import requests when there is no set', async () => {
    backend.sets = [];
    renderWithBackend(backend, <SimulatePage />);
    const empty = await screen.findByTestId('simulate-empty');
    expect(empty.textContent).toMatch(/Import a file of authorization requests/);
    expect(screen.queryByTestId('run-form')).toBeNull();
    fireEvent.click(within(empty).getByTestId('simulate-empty-import'));
    expect(screen.getByTestId('import-dialog')).toBeTruthy();
  });

  it('lists the sets with their request counts, and defaults the baseline to git:HEAD', async () => {
    renderWithBackend(backend, <SimulatePage />);
    const select = await screen.findByLabelText<HTMLSelectElement>('Request set');
    expect([...select.options].map((o) => o.textContent)).toEqual(['traffic — 5,000 requests', 'prod-2026-05 — 120 requests']);
    expect(screen.getByLabelText<HTMLInputElement>('Baseline').value).toBe('git:HEAD');
    expect(screen.getByLabelText<HTMLInputElement>('Candidate').placeholder).toBe('working copy');
  });
});

describe('running a replay', () => {
  it('sends the form and shows the summary numbers the backend returned', async () => {
    renderWithBackend(backend, <SimulatePage />);
    const select = await screen.findByLabelText<HTMLSelectElement>('Request set');
    fireEvent.change(select, { target: { value: 'prod-2026-05' } });
    fireEvent.change(screen.getByLabelText('Since (optional)'), { target: { value: '7d' } });
    fireEvent.click(screen.getByTestId('run-start'));
    await screen.findByTestId('run-view');
    expect(backend.calls.runReplay).toEqual([
      { set: 'prod-2026-05', baseline: 'git:HEAD', candidate: null, since: '7d', until: null },
    ]);
    expect(metric('requests')).toBe('5,000');
    expect(metric('changed')).toBe('1,972');
    expect(metric('allow_to_deny')).toBe('1,960');
    expect(metric('deny_to_allow')).toBe('7');
    expect(metric('new_errors')).toBe('3');
    expect(metric('resolved_errors')).toBe('1');
    expect(metric('drift')).toBe('12');
    expect(metric('skipped')).toBe('2');
    expect(window.location.hash).toBe('#/simulate/run-1');
    // The charts and the policies panel come from the run's report.
    const bars = within(screen.getByTestId('chart-action')).getAllByTestId('chart-bar');
    expect(bars.map((b) => b.dataset.key)).toEqual(['invoke_tool', 'request_credential']);
    expect(within(screen.getByTestId('chart-agent')).getAllByTestId('chart-bar')).toHaveLength(2);
    expect(screen.getByTestId('sim-never-fired').textContent).toContain('legacy-exporter-writes-nothing');
    expect(screen.getByTestId('sim-all-changed').textContent).toContain('permit-allowed-tools');
  });

  it('moves the progress bar with replay-progress events', async () => {
    const gate = deferred();
    backend.replayGate = gate.promise;
    await startRun();
    const bar = await screen.findByTestId<HTMLProgressElement>('run-progress-bar');
    expect(bar.hasAttribute('value')).toBe(false);
    act(() => backend.emitReplayProgress({ run_id: 1, done: 1200, total: 5000 }));
    expect(bar.value).toBe(1200);
    expect(bar.max).toBe(5000);
    expect(screen.getByTestId('run-progress-text').textContent).toBe('1,200 of 5,000 requests (24%)');
    act(() => backend.emitReplayProgress({ run_id: 1, done: 5000, total: 5000 }));
    expect(bar.value).toBe(5000);
    await act(async () => {
      gate.resolve();
      await Promise.resolve();
    });
    await screen.findByTestId('run-view');
    expect(screen.queryByTestId('run-progress')).toBeNull();
  });

  it('cancels through cancel_replay and says so without an error', async () => {
    backend.replayGate = deferred().promise;
    await startRun();
    fireEvent.click(await screen.findByTestId('run-cancel'));
    expect(backend.calls.cancelReplay).toBe(1);
    const notice = await screen.findByTestId('run-cancelled');
    expect(notice.textContent).toMatch(/Replay cancelled/);
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(screen.queryByTestId('run-progress')).toBeNull();
    expect(screen.queryByTestId('run-view')).toBeNull();
    expect(screen.getByTestId<HTMLButtonElement>('run-start').disabled).toBe(false);
  });

  it('shows a refused run with the core’s message', async () => {
    const refused: ApiError = {
      code: 'invalid_argument',
      message: 'unknown revision `git:nope`',
      help: 'use a commit, branch or tag of the workspace repository',
      diagnostics: [],
    };
    backend.replay = () => {
      throw refused;
    };
    await startRun();
    const banner = await screen.findByTestId('error-banner');
    expect(banner.dataset.code).toBe('invalid_argument');
    expect(banner.textContent).toContain('unknown revision `git:nope`');
  });

  it('reopens a previous run from the list', async () => {
    backend.runs = [replayRun({ id: 5, set: 'prod-2026-05' }), replayRun({ id: 4 })];
    renderWithBackend(backend, <SimulatePage />);
    const run = await screen.findByTestId('run-view');
    expect(run.dataset.run).toBe('5');
    fireEvent.change(screen.getByTestId('run-history'), { target: { value: '4' } });
    await waitFor(() => expect(screen.getByTestId('run-view').dataset.run).toBe('4'));
    expect(window.location.hash).toBe('#/simulate/run-4');
  });
});

describe('results table', () => {
  it('fetches pages as rows scroll into view, never the whole result', async () => {
    await openStoredRun();
    const total = backend.results.length;
    expect(backend.calls.replayResults).toEqual([
      { runId: 4, filter: { changed_only: false, errors_only: false, search: null }, offset: 0, limit: PAGE_SIZE },
    ]);
    expect(screen.getByTestId('results-count').textContent).toBe('5,000 results');
    // Only what is in view (plus the overscan) is in the DOM.
    expect(screen.getAllByTestId('result-row').length).toBeLessThan(60);

    const scroller = screen.getByTestId('results-scroll');
    const scrollTo = (row: number) => {
      scroller.scrollTop = row * RESULT_ROW_HEIGHT;
      fireEvent.scroll(scroller);
    };
    scrollTo(1500);
    await waitFor(() => expect(screen.getAllByTestId('result-row').some((r) => r.dataset.seq === '1500')).toBe(true));
    scrollTo(3990);
    await waitFor(() => expect(screen.getAllByTestId('result-row').some((r) => r.dataset.seq === '3990')).toBe(true));
    scrollTo(0);
    await waitFor(() => expect(screen.getAllByTestId('result-row')[0]?.dataset.seq).toBe('0'));

    const calls = backend.calls.replayResults;
    expect(calls.map((c) => c.offset)).toEqual([0, 1400, 3800, 4000]);
    for (const c of calls) {
      expect(c.limit).toBe(PAGE_SIZE);
      expect(c.limit).toBeLessThan(total);
    }
    // Scrolling back to the top used the cached first page.
    expect(calls.filter((c) => c.offset === 0)).toHaveLength(1);
  });

  it('refetches from the first page with changed_only when Changed is toggled', async () => {
    await openStoredRun();
    const changed = screen.getByTestId('filter-changed');
    fireEvent.click(changed);
    expect(changed.getAttribute('aria-pressed')).toBe('true');
    await waitFor(() => expect(backend.calls.replayResults).toHaveLength(2));
    expect(backend.calls.replayResults[1]).toEqual({
      runId: 4,
      filter: { changed_only: true, errors_only: false, search: null },
      offset: 0,
      limit: PAGE_SIZE,
    });
    await waitFor(() => expect(screen.getByTestId('results-count').textContent).toMatch(/matching/));
    expect(screen.getAllByTestId('result-row').every((r) => r.dataset.changed === 'true')).toBe(true);

    fireEvent.click(screen.getByTestId('filter-errors'));
    await waitFor(() => expect(backend.calls.replayResults).toHaveLength(3));
    expect(backend.calls.replayResults[2]?.filter).toEqual({ changed_only: true, errors_only: true, search: null });
  });

  it('searches after a pause in typing', async () => {
    await openStoredRun();
    fireEvent.change(screen.getByTestId('filter-search'), { target: { value: 'req-00001' } });
    await waitFor(() => expect(backend.calls.replayResults.at(-1)?.filter.search).toBe('req-00001'));
    await waitFor(() => expect(screen.getByTestId('results-count').textContent).toBe('10 matching results'));
    expect(backend.calls.replayResults.filter((c) => c.filter.search !== null)).toHaveLength(1);
  });

  it('opens the side-by-side explanation of a clicked row, with the failed condition and its line', async () => {
    await openStoredRun();
    const row = screen.getAllByTestId('result-row')[0]!;
    fireEvent.click(row);
    const panel = await screen.findByTestId('explain-panel');
    await within(panel).findByTestId('explain-baseline');
    expect(backend.calls.explainResult).toEqual([{ runId: 4, seq: 0 }]);
    expect(row.getAttribute('aria-current')).toBe('true');

    const baseline = within(panel).getByTestId('explain-baseline');
    expect(baseline.dataset.decision).toBe('allow');
    const determining = within(baseline).getByTestId('explain-determining');
    expect(determining.dataset.policyId).toBe('permit-allowed-tools');
    expect(within(determining).getByTestId('explain-location').textContent).toBe('policies/tools.cedar:2');
    expect(within(determining).getByTestId('explain-condition').dataset.outcome).toBe('held');

    const candidate = within(panel).getByTestId('explain-candidate');
    expect(candidate.dataset.decision).toBe('deny');
    expect(within(candidate).getByTestId('explain-default-deny')).toBeTruthy();
    const unmet = within(candidate).getByTestId('explain-unmet');
    const failed = within(unmet).getByTestId('explain-condition');
    expect(failed.dataset.outcome).toBe('failed');
    expect(failed.textContent).toContain('context.env == "prod" && context has step_up_approved && context.step_up_approved');
    expect(failed.textContent).toContain('policies/grants.cedar:13:8');
  });

  it('opens the explanation with Enter on a focused row', async () => {
    await openStoredRun();
    const row = screen.getAllByTestId('result-row')[2]!;
    row.focus();
    fireEvent.keyDown(row, { key: 'Enter' });
    await screen.findByTestId('explain-panel');
    expect(backend.calls.explainResult).toEqual([{ runId: 4, seq: 2 }]);
  });
});

describe('review', () => {
  beforeEach(() => {
    backend.results = resultRows(30);
  });

  it('acknowledges groups by row, by group and by action, then approves', async () => {
    await openStoredRun();
    fireEvent.click(within(screen.getByTestId('review-bar')).getByTestId('review-open'));
    const unacked = await screen.findByTestId('review-unacked');
    expect(backend.calls.openReview).toEqual([4]);
    // invoke_tool allow→deny, request_credential allow→deny, and row 7's new error.
    expect(unacked.dataset.count).toBe('3');
    expect(screen.getAllByTestId('review-group')).toHaveLength(3);
    const approve = screen.getByTestId<HTMLButtonElement>('review-approve');
    expect(approve.disabled).toBe(true);

    // A changed row in the results stands for its group.
    const first = (await screen.findAllByTestId('result-row'))[0]!;
    fireEvent.click(within(first).getByTestId('result-select'));
    expect(screen.getByTestId('review-selected').textContent).toMatch(/1 changed row/);
    const ack = screen.getByTestId<HTMLButtonElement>('review-ack');
    expect(ack.disabled).toBe(true); // a comment is required
    fireEvent.change(screen.getByTestId('review-ack-comment'), { target: { value: 'tool retired on purpose' } });
    fireEvent.click(ack);
    await waitFor(() => expect(screen.getByTestId('review-unacked').dataset.count).toBe('2'));
    expect(backend.calls.ackChanges).toEqual([
      { review: 'traffic-4', target: { groups: [], ids: ['req-000000'] }, comment: 'tool retired on purpose' },
    ]);
    // Every row of that group now shows as acknowledged, without a refetch.
    const row6 = screen.getAllByTestId('result-row').find((r) => r.dataset.seq === '6')!;
    expect(within(row6).getByLabelText('acknowledged')).toBeTruthy();
    expect(within(row6).queryByTestId('result-select')).toBeNull();

    // A group chosen in the review.
    const errorGroup = screen.getAllByTestId('review-group').find((g) => g.dataset.key?.includes('errors: environment-separation'))!;
    fireEvent.click(within(errorGroup).getByTestId('review-group-select'));
    fireEvent.change(screen.getByTestId('review-ack-comment'), { target: { value: 'known flaky attribute' } });
    fireEvent.click(screen.getByTestId('review-ack'));
    await waitFor(() => expect(screen.getByTestId('review-unacked').dataset.count).toBe('1'));
    expect(backend.calls.ackChanges[1]?.target).toEqual({ groups: [errorGroup.dataset.key], ids: [] });
    expect(approve.disabled).toBe(true);

    // Every open group of an action.
    expect(screen.getByTestId<HTMLSelectElement>('review-action').value).toBe('Acme::Action::"request_credential"');
    fireEvent.click(screen.getByTestId('review-select-action'));
    fireEvent.change(screen.getByTestId('review-ack-comment'), { target: { value: 'expected' } });
    fireEvent.click(screen.getByTestId('review-ack'));
    await waitFor(() => expect(screen.getByTestId('review-unacked').dataset.count).toBe('0'));
    expect(backend.calls.ackChanges[2]?.target.groups).toEqual([
      'Acme::Action::"request_credential": allow→deny (permit-allowed-tools → none)',
    ]);

    await waitFor(() => expect(approve.disabled).toBe(false));
    fireEvent.change(screen.getByTestId('review-verdict-comment'), { target: { value: 'looks right' } });
    fireEvent.click(approve);
    const verdict = await screen.findByTestId('review-verdict');
    expect(verdict.dataset.verdict).toBe('approve');
    expect(backend.calls.recordVerdict).toEqual([{ review: 'traffic-4', verdict: 'approve', comment: 'looks right' }]);
  });

  it('shows the core refusing an approval', async () => {
    // The review file changed on disk since it was read: the core still has an open group.
    backend.reviews.set(4, review({ name: 'traffic-4', record: reviewFile({ run_id: 4 }), unacknowledged: 0 }));
    backend.recordVerdict = async (name, verdict, comment) => {
      await Promise.resolve();
      backend.calls.recordVerdict.push({ review: name, verdict, comment });
      const refused: ApiError = {
        code: 'review_refused',
        message: 'review `traffic-4` has 1 unacknowledged group(s) of changed decisions',
        help: 'acknowledge each group before approving',
        diagnostics: [],
      };
      throw refused;
    };
    await openStoredRun();
    const approve = await screen.findByTestId<HTMLButtonElement>('review-approve');
    fireEvent.click(approve);
    const banner = await within(screen.getByTestId('review-bar')).findByTestId('error-banner');
    expect(banner.dataset.code).toBe('review_refused');
    expect(banner.textContent).toContain('1 unacknowledged group');
    expect(screen.queryByTestId('review-verdict')).toBeNull();
  });

  it('does not offer approval of a stale review', async () => {
    backend.reviews.set(4, review({ name: 'traffic-4', record: reviewFile({ run_id: 4 }), stale: true, unacknowledged: 0 }));
    await openStoredRun();
    await screen.findByTestId('review-stale');
    expect(screen.getByTestId<HTMLButtonElement>('review-approve').disabled).toBe(true);
    expect(screen.getByTestId('review-bar').textContent).toMatch(/cannot be approved/);
  });

  it('records request-changes while groups are open', async () => {
    await openStoredRun();
    fireEvent.click(within(screen.getByTestId('review-bar')).getByTestId('review-open'));
    await screen.findByTestId('review-unacked');
    fireEvent.click(screen.getByTestId('review-request-changes'));
    const verdict = await screen.findByTestId('review-verdict');
    expect(verdict.dataset.verdict).toBe('request-changes');
  });
});

describe('import dialog', () => {
  it('imports with progress, then lists the bad lines and selects the set', async () => {
    backend.sets = [];
    const gate = deferred();
    backend.importGate = gate.promise;
    backend.importResult = (path, set) =>
      importSummary({
        file: path,
        set,
        kept: 4998,
        skipped: 2,
        errors: [
          { line: 17n, message: 'missing `principal`' },
          { line: 342n, message: 'context is not a JSON object' },
        ],
      });
    renderWithBackend(backend, <SimulatePage />);
    fireEvent.click(await screen.findByTestId('simulate-import'));
    const dialog = screen.getByTestId('import-dialog');
    fireEvent.change(within(dialog).getByLabelText('File'), { target: { value: '/home/ana/prod-2026-05.jsonl' } });
    expect(within(dialog).getByLabelText<HTMLInputElement>('Request set').value).toBe('prod-2026-05');
    fireEvent.click(within(dialog).getByTestId('import-strict'));
    fireEvent.click(within(dialog).getByTestId('import-submit'));

    const bar = await within(dialog).findByTestId<HTMLProgressElement>('import-progress-bar');
    act(() => backend.emitImportProgress({ bytes_read: 512, bytes_total: 2048, records: 1200 }));
    expect(bar.value).toBe(512);
    expect(bar.max).toBe(2048);
    expect(within(dialog).getByTestId('import-progress').textContent).toContain('25% · 1200 records read');
    await act(async () => {
      gate.resolve();
      await Promise.resolve();
    });

    const result = await within(dialog).findByTestId('import-result');
    expect(backend.calls.importRequests).toEqual([{ path: '/home/ana/prod-2026-05.jsonl', set: 'prod-2026-05', strict: true }]);
    expect(within(result).getByTestId('import-kept').textContent).toBe('4,998');
    expect(result.textContent).toMatch(/4,990 full, 8 without context, 0 ids only/);
    const lines = within(result).getAllByTestId('import-bad-line');
    expect(lines.map((l) => l.textContent)).toEqual(['line 17 missing `principal`', 'line 342 context is not a JSON object']);

    fireEvent.click(within(dialog).getByTestId('import-done'));
    expect(screen.queryByTestId('import-dialog')).toBeNull();
    const select = await screen.findByLabelText<HTMLSelectElement>('Request set');
    expect(select.value).toBe('prod-2026-05');
  });

  it('cancels an import with a neutral message', async () => {
    backend.importGate = deferred().promise;
    renderWithBackend(backend, <SimulatePage />);
    fireEvent.click(await screen.findByTestId('simulate-import'));
    const dialog = screen.getByTestId('import-dialog');
    fireEvent.change(within(dialog).getByTestId('import-path'), { target: { value: '/tmp/big.jsonl' } });
    fireEvent.click(within(dialog).getByTestId('import-submit'));
    fireEvent.click(await within(dialog).findByTestId('import-cancel'));
    expect(backend.calls.cancelImport).toBe(1);
    await within(dialog).findByTestId('import-cancelled');
    expect(within(dialog).queryByTestId('error-banner')).toBeNull();
  });

  it('shows an unreadable file as an import error', async () => {
    backend.importResult = () => {
      const bad: ApiError = { code: 'import_invalid', message: 'no request in `/tmp/x.txt`', help: null, diagnostics: [] };
      throw bad;
    };
    renderWithBackend(backend, <SimulatePage />);
    fireEvent.click(await screen.findByTestId('simulate-import'));
    const dialog = screen.getByTestId('import-dialog');
    fireEvent.change(within(dialog).getByTestId('import-path'), { target: { value: '/tmp/x.txt' } });
    fireEvent.click(within(dialog).getByTestId('import-submit'));
    const banner = await within(dialog).findByTestId('error-banner');
    expect(banner.dataset.code).toBe('import_invalid');
  });
});

describe('tabs', () => {
  it('opens on Replay; Analysis is a tab remembered in the address, and Replay gets its run back', async () => {
    await openStoredRun();
    const replayTab = screen.getByTestId('simulate-tab-replay');
    const analysisTab = screen.getByTestId('simulate-tab-analysis');
    expect(replayTab.getAttribute('aria-selected')).toBe('true');
    // Nothing of the Analysis tab is built until it is opened.
    expect(screen.queryByTestId('analysis-view')).toBeNull();

    fireEvent.click(analysisTab);
    expect(analysisTab.getAttribute('aria-selected')).toBe('true');
    expect(window.location.hash).toBe('#/simulate/analysis');
    expect(screen.getByTestId('analysis-view')).toBeTruthy();
    expect(document.getElementById('simulate-panel-replay')!.hidden).toBe(true);
    expect(screen.queryByTestId('simulate-import')).toBeNull();

    // An analysis survives a look at the replay.
    fireEvent.click(screen.getByTestId('analysis-run'));
    await screen.findByTestId('analysis-result');
    fireEvent.click(replayTab);
    expect(window.location.hash).toBe('#/simulate/run-4');
    expect(document.getElementById('simulate-panel-analysis')!.hidden).toBe(true);
    fireEvent.click(analysisTab);
    expect(screen.getByTestId('analysis-result')).toBeTruthy();
  });

  it('opens on the Analysis tab from its address, and switches when a link points there', async () => {
    window.location.hash = '#/simulate/analysis';
    renderWithBackend(backend, <SimulatePage />);
    expect(screen.getByTestId('simulate-tab-analysis').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByTestId('analysis-empty')).toBeTruthy();
    await screen.findByTestId('run-form');
    expect(document.getElementById('simulate-panel-replay')!.hidden).toBe(true);

    fireEvent.click(screen.getByTestId('simulate-tab-replay'));
    act(() => {
      window.location.hash = '#/simulate/analysis';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    expect(screen.getByTestId('simulate-tab-analysis').getAttribute('aria-selected')).toBe('true');
  });
});
