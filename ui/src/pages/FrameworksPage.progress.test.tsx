// Progress and Cancel of the Frameworks page: computing coverage and exporting it.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { coverageReport, deferred, FakeBackend } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { FrameworksPage } from './FrameworksPage';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
});

describe('computing coverage', () => {
  it('shows the phase and count, cancels into a clear state, and computes again', async () => {
    const gate = deferred();
    backend.coverageGate = gate.promise;
    renderWithBackend(backend, <FrameworksPage />);
    const row = screen.getByTestId('fw-loading');
    await waitFor(() => expect(backend.calls.coverage).toBe(1));
    act(() =>
      backend.emitOperationProgress({ operation: 'coverage', phase: 'Deciding recorded requests on the current policies', done: 4096, total: 5000 }),
    );
    expect(within(row).getByTestId('fw-loading-text').textContent).toBe(
      'Deciding recorded requests on the current policies: 4,096 of 5,000 (82%)',
    );
    // An export's progress is the export panel's, not the page's.
    act(() => backend.emitOperationProgress({ operation: 'export_coverage', phase: 'Writing the export', done: 0, total: 0 }));
    expect(within(row).getByTestId('fw-loading-text').textContent).toContain('Deciding recorded requests');

    fireEvent.click(within(row).getByTestId('fw-loading-cancel'));
    expect(backend.calls.cancelCoverage).toBe(1);
    expect(within(row).getByTestId<HTMLButtonElement>('fw-loading-cancel').disabled).toBe(true);
    const notice = await screen.findByTestId('fw-cancelled');
    expect(notice.textContent).toContain('Cancelled — computing coverage stopped and nothing of it was kept.');
    expect(screen.queryByTestId('fw-loading')).toBeNull();
    expect(screen.queryByTestId('fw-tree')).toBeNull();
    expect(screen.queryByTestId('error-banner')).toBeNull();

    backend.coverageGate = null;
    fireEvent.click(within(notice).getByTestId('fw-cancelled-again'));
    await screen.findByTestId('fw-tree');
    expect(backend.calls.coverage).toBe(2);
    expect(screen.queryByTestId('fw-cancelled')).toBeNull();
  });

  it('stops a computation a newer one replaces, and shows only the newer answer', async () => {
    renderWithBackend(backend, <FrameworksPage />);
    await screen.findByTestId('fw-tree');
    const gate = deferred();
    backend.coverageGate = gate.promise;
    fireEvent.click(screen.getByTestId('fw-refresh'));
    await waitFor(() => expect(backend.calls.coverage).toBe(2));
    backend.coverageGate = null;
    backend.coverageAnswer = () => {
      const r = coverageReport();
      r.frameworks[0]!.percent = 33.3;
      return r;
    };
    act(() => backend.emitChange([{ kind: 'policy_changed', path: 'policies/tools.cedar' }]));
    // The running one is cancelled first; the newer one starts once it has stopped.
    await waitFor(() => expect(backend.calls.coverage).toBe(3));
    expect(backend.calls.cancelCoverage).toBe(1);
    await waitFor(() => expect(screen.queryByTestId('fw-loading')).toBeNull());
    expect(screen.getAllByTestId('fw-percent')[0]!.textContent).toBe('33.3%');
    expect(screen.queryByTestId('fw-cancelled')).toBeNull();
  });

  it('cancels the computation when the page is left', async () => {
    const gate = deferred();
    backend.coverageGate = gate.promise;
    const { unmount } = renderWithBackend(backend, <FrameworksPage />);
    await waitFor(() => expect(backend.calls.coverage).toBe(1));
    unmount();
    expect(backend.calls.cancelCoverage).toBe(1);
  });
});

describe('exporting', () => {
  it('shows the export’s progress, cancels it (nothing written) and exports again', async () => {
    renderWithBackend(backend, <FrameworksPage />);
    await screen.findByTestId('fw-tree');
    backend.savePath = '/tmp/coverage.csv';
    const gate = deferred();
    backend.exportGate = gate.promise;
    fireEvent.click(screen.getByTestId('export-csv-alignment'));
    const row = await screen.findByTestId('export-progress');
    await waitFor(() => expect(backend.calls.exportCoverage).toHaveLength(1));
    act(() => backend.emitOperationProgress({ operation: 'export_coverage', phase: 'Reading recorded requests', done: 10, total: 40 }));
    expect(within(row).getByTestId('export-progress-text').textContent).toBe('Reading recorded requests: 10 of 40 (25%)');
    expect(screen.getByTestId<HTMLButtonElement>('export-json').disabled).toBe(true);

    fireEvent.click(within(row).getByTestId('export-progress-cancel'));
    expect(backend.calls.cancelCoverage).toBe(1);
    const notice = await screen.findByTestId('export-cancelled');
    expect(notice.textContent).toContain('Cancelled — the export stopped and nothing of it was kept.');
    expect(screen.queryByTestId('export-result')).toBeNull();
    expect(screen.queryByTestId('export-progress')).toBeNull();

    backend.exportGate = null;
    fireEvent.click(within(notice).getByTestId('export-cancelled-again'));
    const done = await screen.findByTestId('export-result');
    expect(within(done).getByTestId('export-file').textContent).toBe('/tmp/coverage.csv');
    expect(backend.calls.exportCoverage).toHaveLength(2);
    expect(screen.queryByTestId('export-cancelled')).toBeNull();
  });

  it('waits for coverage being computed before it can export', async () => {
    renderWithBackend(backend, <FrameworksPage />);
    await screen.findByTestId('fw-tree');
    const gate = deferred();
    backend.coverageGate = gate.promise;
    fireEvent.click(screen.getByTestId('fw-refresh'));
    await waitFor(() => expect(screen.getByTestId<HTMLButtonElement>('export-json').disabled).toBe(true));
    gate.resolve();
    await waitFor(() => expect(screen.getByTestId<HTMLButtonElement>('export-json').disabled).toBe(false));
  });
});
