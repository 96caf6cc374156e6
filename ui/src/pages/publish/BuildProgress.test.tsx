// Progress and Cancel of a bundle build and of a gates check on the Publish page.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { deferred, FakeBackend, fakeKeyId, workspace } from '../../test/fakeBackend';
import { renderWithBackend } from '../../test/render';
import { PublishPage } from '../PublishPage';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  window.history.replaceState(null, '', '#/publish');
});

async function startBuild() {
  const page = renderWithBackend(backend, <PublishPage workspace={workspace()} />);
  const key = await screen.findByTestId<HTMLSelectElement>('build-key');
  await waitFor(() => expect(key.value).toBe(fakeKeyId(1)));
  fireEvent.change(screen.getByTestId('build-summary'), { target: { value: 'tighter refunds' } });
  fireEvent.click(screen.getByTestId('build-submit'));
  const row = await screen.findByTestId('build-busy');
  await waitFor(() => expect(backend.calls.bundleBuild).toHaveLength(1));
  return { page, row };
}

describe('building a bundle', () => {
  it('shows each phase with its count, cancels into a clear state and builds again', async () => {
    const gate = deferred();
    backend.buildGate = gate.promise;
    const { row } = await startBuild();
    act(() =>
      backend.emitOperationProgress({ operation: 'bundle_build', phase: 'Replaying recorded requests against @published', done: 20000, total: 50000 }),
    );
    expect(within(row).getByTestId('build-busy-text').textContent).toBe(
      'Replaying recorded requests against @published: 20,000 of 50,000 (40%)',
    );
    act(() => backend.emitOperationProgress({ operation: 'bundle_build', phase: 'Proving the change with the SMT solver', done: 0, total: 0 }));
    expect(within(row).getByTestId('build-busy-text').textContent).toBe('Proving the change with the SMT solver…');
    expect(within(row).getByTestId<HTMLProgressElement>('build-busy-bar').hasAttribute('value')).toBe(false);

    fireEvent.click(within(row).getByTestId('build-busy-cancel'));
    expect(backend.calls.cancelBuild).toBe(1);
    const notice = await screen.findByTestId('build-cancelled');
    expect(notice.textContent).toContain('Cancelled — the build stopped and nothing of it was kept.');
    expect(screen.queryByTestId('build-busy')).toBeNull();
    expect(screen.getByTestId('wizard').dataset.step).toBe('build');
    expect(screen.getByTestId<HTMLButtonElement>('step-tab-evidence').disabled).toBe(true);
    expect(screen.queryByTestId('error-banner')).toBeNull();
    // The form keeps what was typed.
    expect(screen.getByTestId<HTMLInputElement>('build-summary').value).toBe('tighter refunds');

    backend.buildGate = null;
    fireEvent.click(within(notice).getByTestId('build-cancelled-again'));
    await screen.findByTestId('step-evidence');
    expect(backend.calls.bundleBuild).toHaveLength(2);
    expect(backend.calls.bundleBuild[1]!.summary).toBe('tighter refunds');
  });

  it('cancels the build when the page is left', async () => {
    const gate = deferred();
    backend.buildGate = gate.promise;
    const { page } = await startBuild();
    page.unmount();
    expect(backend.calls.cancelBuild).toBe(1);
  });

  it('checks the gates with progress and Cancel, and checks again', async () => {
    backend.gatesGate = deferred().promise;
    await startBuild();
    await screen.findByTestId('step-evidence');
    fireEvent.click(screen.getByTestId('step-tab-gates'));
    const row = await screen.findByTestId('gates-progress');
    await waitFor(() => expect(backend.calls.bundleGates).toHaveLength(1));
    act(() =>
      backend.emitOperationProgress({ operation: 'bundle_gates', phase: 'Replaying recorded requests against @none', done: 5000, total: 5000 }),
    );
    expect(within(row).getByTestId('gates-progress-text').textContent).toBe('Replaying recorded requests against @none: 5,000 of 5,000 (100%)');
    // A build's progress is not the gates'.
    act(() => backend.emitOperationProgress({ operation: 'bundle_build', phase: 'Writing the bundle', done: 0, total: 0 }));
    expect(within(row).getByTestId('gates-progress-text').textContent).toContain('Replaying');

    fireEvent.click(within(row).getByTestId('gates-progress-cancel'));
    expect(backend.calls.cancelBuild).toBe(1);
    const notice = await screen.findByTestId('gates-cancelled');
    expect(notice.textContent).toContain('Cancelled — checking the gates stopped');
    expect(screen.queryByTestId('gates')).toBeNull();

    backend.gatesGate = null;
    fireEvent.click(within(notice).getByTestId('gates-cancelled-again'));
    await screen.findByTestId('gates');
    expect(screen.getByTestId('gates-summary').dataset.passed).toBe('false');
    expect(backend.calls.bundleGates).toHaveLength(2);
    expect(screen.queryByTestId('gates-cancelled')).toBeNull();
  });
});
