import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from './App';
import { FakeBackend, policyFile, report, workspace } from './test/fakeBackend';
import { renderWithBackend } from './test/render';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.report = report([policyFile('policies/a.cedar', ['p1', 'p2'])]);
});

describe('with no workspace open', () => {
  it('shows the welcome screen and no navigation', async () => {
    renderWithBackend(backend, <App />);
    const welcome = await screen.findByTestId('welcome');
    expect(welcome.textContent).toMatch(/AI agent/);
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    expect(screen.queryByTestId('workspace-name')).toBeNull();
  });

  it('opens the folder the user picks and shows the dashboard', async () => {
    backend.pickResult = '/home/ana/acme';
    renderWithBackend(backend, <App />);
    fireEvent.click(await screen.findByTestId('welcome-open'));
    expect((await screen.findByTestId('workspace-name')).textContent).toBe('acme');
    expect(backend.calls.open).toEqual(['/home/ana/acme']);
    expect(screen.getByTestId('workspace-root').textContent).toBe('/home/ana/acme');
    expect(await screen.findByTestId('page-dashboard')).toBeTruthy();
    expect((await screen.findByTestId('dashboard-policy-count')).textContent).toBe('2');
  });

  it('opens Settings from the header without a workspace, and a recent workspace from there', async () => {
    backend.settings = {
      ...backend.settings,
      recent: [{ path: '/home/ana/pilot', name: 'Pilot', exists: true, open: false }],
    };
    renderWithBackend(backend, <App />);
    fireEvent.click(await screen.findByTestId('header-settings'));
    expect(await screen.findByTestId('page-settings')).toBeTruthy();
    fireEvent.click(await screen.findByRole('button', { name: 'Open Pilot' }));
    expect((await screen.findByTestId('workspace-name')).textContent).toBe('Pilot');
    expect(backend.settingsCalls.openRecent).toEqual(['/home/ana/pilot']);
    // Still on Settings, now with the workspace's navigation.
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(await screen.findByTestId('page-settings')).toBeTruthy();
  });

  it('does nothing when the picker is cancelled', async () => {
    backend.pickResult = null;
    renderWithBackend(backend, <App />);
    fireEvent.click(await screen.findByTestId('welcome-open'));
    await act(async () => {});
    expect(backend.calls.open).toEqual([]);
    expect(screen.getByTestId('welcome')).toBeTruthy();
  });

  it('explains a folder that is not a workspace, by error code', async () => {
    backend.pickResult = '/home/ana/Downloads';
    backend.openError = {
      code: 'workspace_not_found',
      message: 'no mandate.toml in `/home/ana/Downloads`',
      help: null,
      diagnostics: [],
    };
    renderWithBackend(backend, <App />);
    fireEvent.click(await screen.findByTestId('welcome-open'));
    // A failed action is a toast carrying the core's message and the code's hint.
    const toast = await screen.findByTestId('toast');
    expect(toast.dataset.code).toBe('workspace_not_found');
    expect(toast.getAttribute('role')).toBe('alert');
    expect(toast.textContent).toContain('Not a Mandate workspace');
    expect(toast.textContent).toContain('no mandate.toml in `/home/ana/Downloads`');
    expect(toast.textContent).toMatch(/mandate init/);
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss notification' }));
    expect(screen.queryByTestId('toast')).toBeNull();
  });
});

describe('with a workspace open', () => {
  beforeEach(() => {
    backend.workspace = workspace({ name: 'acme-governance' });
  });

  it('shows the workspace in the header and every page in the navigation', async () => {
    renderWithBackend(backend, <App />);
    expect((await screen.findByTestId('workspace-name')).textContent).toBe('acme-governance');
    for (const page of ['dashboard', 'agents', 'policies', 'simulate', 'insights', 'frameworks', 'publish', 'audit']) {
      expect(screen.getByTestId(`nav-${page}`).getAttribute('href')).toBe(`#/${page}`);
    }
    expect(screen.getByTestId('nav-dashboard').getAttribute('aria-current')).toBe('page');
  });

  it('switches pages when the hash changes', async () => {
    renderWithBackend(backend, <App />);
    await screen.findByTestId('page-dashboard');
    act(() => {
      window.location.hash = '#/frameworks';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    const page = await screen.findByTestId('page-frameworks');
    expect(page.textContent).toMatch(/OWASP/);
    // The coverage the core computed, with its exports.
    await waitFor(() => expect(page.textContent).toMatch(/OSCAL/));
    expect(screen.getByTestId('nav-frameworks').getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('nav-dashboard').getAttribute('aria-current')).toBeNull();
  });

  it('shows the Agents page, opening on the Gaps tab from the dashboard link', async () => {
    renderWithBackend(backend, <App />);
    const link = await screen.findByTestId('dashboard-agents-link');
    act(() => {
      window.location.hash = link.getAttribute('href')!;
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    expect(await screen.findByTestId('page-agents')).toBeTruthy();
    expect(screen.getByTestId('agents-tab-gaps').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByTestId('gaps-panel')).toBeTruthy();
  });

  it('re-reads the workspace name when mandate.toml changes on disk', async () => {
    renderWithBackend(backend, <App />);
    await screen.findByTestId('workspace-name');
    backend.workspace = workspace({ name: 'acme-renamed' });
    act(() => backend.emitChange([{ kind: 'policy_changed', path: 'policies/a.cedar' }]));
    await act(async () => {});
    expect(screen.getByTestId('workspace-name').textContent).toBe('acme-governance');
    act(() => backend.emitChange([{ kind: 'config_changed', path: 'mandate.toml' }]));
    await waitFor(() => expect(screen.getByTestId('workspace-name').textContent).toBe('acme-renamed'));
  });
});
