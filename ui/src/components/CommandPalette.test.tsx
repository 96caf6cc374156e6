import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { FakeBackend, report, policyFile, settingsView, workspace } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { applyTheme } from '../lib/theme';
import { CommandPalette } from './CommandPalette';
import { ToastProvider } from './Toast';

// jsdom has no layout: cmdk measures its list and scrolls the selected item into view.
beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  if (!('scrollIntoView' in Element.prototype)) Object.assign(Element.prototype, { scrollIntoView: () => undefined });
});

let backend: FakeBackend;
const onOpenWorkspace = vi.fn();
const onOpenRecent = vi.fn();

beforeEach(() => {
  backend = new FakeBackend();
  onOpenWorkspace.mockReset();
  onOpenRecent.mockReset();
  applyTheme('light');
});

function Harness({ ws }: { ws: WorkspaceInfo | null }) {
  const [open, setOpen] = useState(false);
  return (
    <ToastProvider>
      <button type="button" data-testid="opener" onClick={() => setOpen(true)}>
        Commands
      </button>
      <input aria-label="Some field" data-testid="field" />
      <CommandPalette open={open} onOpenChange={setOpen} workspace={ws} onOpenWorkspace={onOpenWorkspace} onOpenRecent={onOpenRecent} />
    </ToastProvider>
  );
}

const paletteItems = () => screen.queryAllByTestId('palette-item').map((el) => el.dataset.command);

describe('the command palette', () => {
  it('opens on Ctrl+K as a labelled modal dialog with its field focused, and Escape gives focus back', async () => {
    renderWithBackend(backend, <Harness ws={workspace()} />);
    const opener = screen.getByTestId('opener');
    opener.focus();
    fireEvent.keyDown(opener, { key: 'k', ctrlKey: true });
    const dialog = await screen.findByRole('dialog', { name: 'Command palette' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const input = screen.getByTestId('palette-input');
    expect(document.activeElement).toBe(input);
    // Every page and the actions are there, with their shortcuts.
    expect(paletteItems()).toEqual(expect.arrayContaining(['go-dashboard', 'go-audit', 'go-settings', 'validate', 'import-requests', 'toggle-theme', 'open-workspace']));
    expect(screen.getAllByTestId('palette-item').find((el) => el.dataset.command === 'go-policies')?.textContent).toContain('G then P');
    // Tab stays inside the dialog.
    fireEvent.keyDown(input, { key: 'Tab' });
    expect(document.activeElement).toBe(input);
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('filters as you type and goes to the page chosen with Enter', async () => {
    renderWithBackend(backend, <Harness ws={workspace()} />);
    fireEvent.keyDown(document.body, { key: 'k', ctrlKey: true });
    const input = await screen.findByTestId('palette-input');
    fireEvent.change(input, { target: { value: 'insights' } });
    await waitFor(() => expect(paletteItems()).toEqual(['go-insights']));
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(window.location.hash).toBe('#/insights');
    expect(screen.queryByRole('dialog')).toBeNull();
    // Nothing matches: the palette says what to try.
    fireEvent.keyDown(document.body, { key: 'k', ctrlKey: true });
    fireEvent.change(await screen.findByTestId('palette-input'), { target: { value: 'zzzqqq' } });
    expect(await screen.findByText(/No command matches/)).toBeTruthy();
  });

  it('ignores single-key shortcuts while typing, and takes them elsewhere', async () => {
    renderWithBackend(backend, <Harness ws={workspace()} />);
    const field = screen.getByTestId('field');
    field.focus();
    fireEvent.keyDown(field, { key: '?' });
    fireEvent.keyDown(field, { key: 'g' });
    fireEvent.keyDown(field, { key: 'p' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(window.location.hash).toBe('');
    // Ctrl+K types nothing: it opens the palette from a field too.
    fireEvent.keyDown(field, { key: 'k', ctrlKey: true });
    expect(await screen.findByRole('dialog', { name: 'Command palette' })).toBeTruthy();
    fireEvent.keyDown(screen.getByTestId('palette-input'), { key: 'Escape' });
    // Outside a field: g then p goes to Policies, ? opens the palette, Ctrl+, Settings.
    fireEvent.keyDown(document.body, { key: 'g' });
    fireEvent.keyDown(document.body, { key: 'p' });
    expect(window.location.hash).toBe('#/policies');
    fireEvent.keyDown(document.body, { key: ',', ctrlKey: true });
    expect(window.location.hash).toBe('#/settings');
    fireEvent.keyDown(document.body, { key: 'o', ctrlKey: true });
    expect(onOpenWorkspace).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(document.body, { key: '?' });
    expect(await screen.findByRole('dialog', { name: 'Command palette' })).toBeTruthy();
  });

  it('validates from the palette and shows the result, or the failure with its help, as a toast', async () => {
    backend.report = report([policyFile('policies/a.cedar', ['p1', 'p2'])]);
    renderWithBackend(backend, <Harness ws={workspace()} />);
    fireEvent.keyDown(document.body, { key: 'k', ctrlKey: true });
    fireEvent.change(await screen.findByTestId('palette-input'), { target: { value: 'validate' } });
    await waitFor(() => expect(paletteItems()).toEqual(['validate']));
    fireEvent.keyDown(screen.getByTestId('palette-input'), { key: 'Enter' });
    const ok = await screen.findByTestId('toast');
    expect(ok.dataset.kind).toBe('info');
    expect(ok.textContent).toContain('2 policies');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss notification' }));
    backend.validateError = { code: 'config_invalid', message: 'mandate.toml: expected `=`', help: 'fix line 3 of mandate.toml', diagnostics: [] };
    fireEvent.keyDown(document.body, { key: 'k', ctrlKey: true });
    fireEvent.change(await screen.findByTestId('palette-input'), { target: { value: 'validate' } });
    await waitFor(() => expect(paletteItems()).toEqual(['validate']));
    fireEvent.keyDown(screen.getByTestId('palette-input'), { key: 'Enter' });
    const failed = await screen.findByTestId('toast');
    expect(failed.dataset.code).toBe('config_invalid');
    expect(screen.getByTestId('toast-help').textContent).toBe('fix line 3 of mandate.toml');
  });

  it('switches the theme, and offers recent workspaces to open', async () => {
    backend.settings = settingsView({
      recent: [
        { path: '/home/ana/acme-governance', name: 'acme-governance', exists: true, open: true },
        { path: '/home/ana/pilot', name: 'Pilot', exists: true, open: false },
        { path: '/home/ana/gone', name: null, exists: false, open: false },
      ],
    });
    renderWithBackend(backend, <Harness ws={workspace()} />);
    fireEvent.keyDown(document.body, { key: 'k', ctrlKey: true });
    await screen.findByRole('dialog');
    await waitFor(() => expect(paletteItems()).toContain('recent-/home/ana/pilot'));
    // Neither the open workspace nor a missing folder is offered.
    expect(paletteItems().filter((c) => c?.startsWith('recent-'))).toEqual(['recent-/home/ana/pilot']);
    fireEvent.click(screen.getAllByTestId('palette-item').find((el) => el.dataset.command === 'toggle-theme')!);
    await act(async () => {});
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(backend.settingsCalls.setTheme).toEqual(['dark']);
    fireEvent.keyDown(document.body, { key: 'k', ctrlKey: true });
    await screen.findByRole('dialog');
    await waitFor(() => expect(paletteItems()).toContain('recent-/home/ana/pilot'));
    fireEvent.click(screen.getAllByTestId('palette-item').find((el) => el.dataset.command === 'recent-/home/ana/pilot')!);
    expect(onOpenRecent).toHaveBeenCalledWith('/home/ana/pilot');
  });

  it('offers only Settings and opening a workspace when none is open', async () => {
    renderWithBackend(backend, <Harness ws={null} />);
    fireEvent.keyDown(document.body, { key: 'k', ctrlKey: true });
    await screen.findByRole('dialog');
    expect(paletteItems()).not.toContain('go-dashboard');
    expect(paletteItems()).not.toContain('validate');
    expect(paletteItems()).toEqual(expect.arrayContaining(['go-settings', 'open-workspace', 'toggle-theme']));
    fireEvent.keyDown(screen.getByTestId('palette-input'), { key: 'Escape' });
    fireEvent.keyDown(document.body, { key: 'g' });
    fireEvent.keyDown(document.body, { key: 'd' });
    expect(window.location.hash).toBe('');
  });
});
