import { act, fireEvent, render, screen } from '@testing-library/react';
import { useEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import { INFO_MS, MAX_TOASTS, pushToast, useToast, type Toast, type ToastApi } from '../lib/toast';
import { ToastProvider } from './Toast';

let api: ToastApi;
function Grab() {
  const toast = useToast();
  useEffect(() => {
    api = toast;
  }, [toast]);
  return null;
}

const solverMissing: ApiError = {
  code: 'solver_unavailable',
  message: 'no SMT solver could be started: `cvc5` (PATH): not found',
  help: 'run `bash scripts/deps.sh` (it installs cvc5 1.4)',
  diagnostics: [],
};

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('toasts', () => {
  it('show an error with its title, message, help and code, and stay until dismissed', () => {
    vi.useFakeTimers();
    render(
      <ToastProvider>
        <Grab />
      </ToastProvider>,
    );
    act(() => void api.error(solverMissing));
    const toast = screen.getByTestId('toast');
    expect(toast.getAttribute('role')).toBe('alert');
    expect(toast.dataset.code).toBe('solver_unavailable');
    expect(toast.textContent).toContain('No SMT solver for the analysis');
    expect(screen.getByTestId('toast-message').textContent).toBe(solverMissing.message);
    expect(screen.getByTestId('toast-help').textContent).toBe(solverMissing.help);
    expect(screen.getByTestId('toast-code').textContent).toBe('solver_unavailable');
    // The live region that announces it.
    expect(screen.getByRole('region', { name: 'Notifications' }).querySelector('[aria-live="polite"]')).not.toBeNull();
    act(() => void vi.advanceTimersByTime(INFO_MS * 3));
    expect(screen.getByTestId('toast')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss notification' }));
    expect(screen.queryByTestId('toast')).toBeNull();
  });

  it('let info toasts go by themselves, and show a cancel as info', () => {
    vi.useFakeTimers();
    render(
      <ToastProvider>
        <Grab />
      </ToastProvider>,
    );
    act(() => void api.info('12 policies in 4 files', { title: 'Validated', link: { label: 'Open Policies', href: '#/policies' } }));
    const toast = screen.getByTestId('toast');
    expect(toast.getAttribute('role')).toBe('status');
    expect(screen.getByRole('link', { name: 'Open Policies' }).getAttribute('href')).toBe('#/policies');
    act(() => void vi.advanceTimersByTime(INFO_MS - 1));
    expect(screen.queryByTestId('toast')).not.toBeNull();
    act(() => void vi.advanceTimersByTime(1));
    expect(screen.queryByTestId('toast')).toBeNull();
    act(() => void api.error({ code: 'cancelled', message: 'the import was cancelled', help: null, diagnostics: [] }));
    expect(screen.getByTestId('toast').dataset.kind).toBe('info');
    expect(screen.queryByTestId('toast-code')).toBeNull();
  });

  it('turn anything thrown into an error toast', () => {
    render(
      <ToastProvider>
        <Grab />
      </ToastProvider>,
    );
    act(() => void api.error(new Error('boom'), { title: 'Could not validate' }));
    expect(screen.getByTestId('toast').textContent).toContain('Could not validate');
    expect(screen.getByTestId('toast-code').textContent).toBe('internal');
  });

  it('keep at most MAX_TOASTS, dropping info toasts before errors', () => {
    const t = (id: number, kind: Toast['kind']): Toast => ({ id, kind, title: '', message: String(id) });
    let list: Toast[] = [];
    list = pushToast(list, t(1, 'error'));
    list = pushToast(list, t(2, 'info'));
    for (let i = 3; i <= MAX_TOASTS + 1; i++) list = pushToast(list, t(i, 'error'));
    expect(list.map((x) => x.id)).toEqual([1, 3, 4, 5]);
    list = pushToast(list, t(9, 'error'));
    expect(list.map((x) => x.id)).toEqual([3, 4, 5, 9]);
  });

  it('refuse to be used outside the provider', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<Grab />)).toThrow(/ToastProvider/);
  });
});
