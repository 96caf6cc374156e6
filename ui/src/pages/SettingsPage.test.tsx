import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import { ToastProvider } from '../components/Toast';
import { applyTheme } from '../lib/theme';
import { actingIdentity, diagnostic, FakeBackend, settingsView, solverInfo, workspace } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { SettingsPage } from './SettingsPage';

let backend: FakeBackend;
const onOpenRecent = vi.fn();

beforeEach(() => {
  backend = new FakeBackend();
  onOpenRecent.mockReset();
  applyTheme('system');
});

function renderPage(ws = workspace()) {
  return renderWithBackend(
    backend,
    <ToastProvider>
      <SettingsPage workspace={ws} onOpenRecent={onOpenRecent} />
    </ToastProvider>,
  );
}

describe('Settings: acting identity', () => {
  it('shows who the app acts as, where that comes from, and the inventory person it names', async () => {
    renderPage();
    const actor = await screen.findByTestId('acting-actor');
    expect(actor.textContent).toBe('dana@acme.example');
    expect(actor.dataset.source).toBe('git');
    expect(screen.getByTestId('settings-identity').textContent).toContain('from git config user.email');
    expect(screen.getByTestId('acting-person').textContent).toContain('Dana Whitfield');
  });

  it('saves an identity the inventory does not know, warns with the closest ids, and a suggestion fills the field', async () => {
    renderPage();
    const input = await screen.findByTestId('actor-input');
    fireEvent.change(input, { target: { value: 'dnaa' } });
    fireEvent.click(screen.getByTestId('actor-save'));
    await waitFor(() => expect(screen.getByTestId('acting-actor').textContent).toBe('dnaa'));
    expect(backend.settingsCalls.setActor).toEqual(['dnaa']);
    expect(screen.getByTestId('acting-actor').dataset.source).toBe('settings');
    expect(screen.getByTestId('actor-saved').textContent).toContain('dnaa');
    const warning = screen.getByTestId('acting-warning');
    expect(warning.textContent).toContain('not a person in inventory/people.toml');
    const suggestions = within(warning).getAllByTestId('acting-suggestion');
    expect(suggestions[0]!.textContent).toBe('dana');
    fireEvent.click(suggestions[0]!);
    expect((input as HTMLInputElement).value).toBe('dana');
    fireEvent.click(screen.getByTestId('actor-save'));
    await waitFor(() => expect(screen.getByTestId('acting-actor').textContent).toBe('dana'));
    expect(screen.queryByTestId('acting-warning')).toBeNull();
    // Back to the default (git's email).
    fireEvent.click(screen.getByTestId('actor-clear'));
    await waitFor(() => expect(screen.getByTestId('acting-actor').dataset.source).toBe('git'));
    expect(backend.settingsCalls.setActor).toEqual(['dnaa', 'dana', null]);
    expect((input as HTMLInputElement).value).toBe('');
  });

  it('shows the core refusing an identity, with its code', async () => {
    renderPage();
    fireEvent.change(await screen.findByTestId('actor-input'), { target: { value: 'dana\u0007' } });
    fireEvent.click(screen.getByTestId('actor-save'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.dataset.code).toBe('invalid_argument');
    expect(banner.textContent).toContain('inventory/people.toml');
    expect(screen.getByTestId('acting-actor').textContent).toBe('dana@acme.example');
  });
});

describe('Settings: the settings file', () => {
  it('lists what was wrong with settings.json, by line, and still shows every section', async () => {
    backend.settings = settingsView({
      problems: [diagnostic({ file: 'settings.json', line: 3, code: 'settings::invalid_value', message: 'unknown theme `purple`', help: 'the theme is one of `system`, `light` or `dark`; `system` is used' })],
    });
    renderPage();
    const problems = await screen.findByTestId('settings-problems');
    expect(problems.textContent).toContain('settings.json:3');
    expect(problems.textContent).toContain('unknown theme `purple`');
    expect(problems.textContent).toContain(backend.settings.file);
    expect(screen.getByTestId('settings-theme')).toBeTruthy();
  });
});

describe('Settings: theme', () => {
  it('applies a choice at once and saves it', async () => {
    renderPage();
    fireEvent.click(await screen.findByTestId('theme-dark'));
    await act(async () => {});
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(backend.settingsCalls.setTheme).toEqual(['dark']);
    expect(screen.getByTestId<HTMLInputElement>('theme-dark').checked).toBe(true);
    expect(screen.getByTestId('theme-shown').textContent).toContain('dark');
  });

  it('puts the theme back and says why when it cannot be saved', async () => {
    backend.themeError = { code: 'io', message: 'cannot write `settings.json`', help: 'check the folder', diagnostics: [] };
    renderPage();
    fireEvent.click(await screen.findByTestId('theme-light'));
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toContain('The theme was not saved');
    expect(toast.textContent).toContain('check the folder');
    expect(screen.getByTestId<HTMLInputElement>('theme-system').checked).toBe(true);
  });
});

describe('Settings: solver', () => {
  it('shows the solver in use and sets the app solver from a file chosen in the dialog', async () => {
    renderPage();
    expect((await screen.findByTestId('settings-solver')).textContent).toBeTruthy();
    expect((await screen.findByTestId('solver-in-use')).textContent).toContain('cvc5 1.4.2');
    backend.picked = '/opt/cvc5/bin/cvc5';
    backend.solverInUse = () => solverInfo({ path: '/opt/cvc5/bin/cvc5', source: "the app's Settings" });
    fireEvent.click(screen.getByTestId('solver-choose'));
    await waitFor(() => expect(screen.getByTestId('solver-setting').textContent).toBe('/opt/cvc5/bin/cvc5'));
    expect(backend.settingsCalls.setSolverPath).toEqual(['/opt/cvc5/bin/cvc5']);
    await waitFor(() => expect(screen.getByTestId('solver-in-use').textContent).toContain("the app's Settings"));
    expect(screen.queryByTestId('solver-overridden')).toBeNull();
    fireEvent.click(screen.getByTestId('solver-clear'));
    await waitFor(() => expect(screen.getByTestId('solver-setting').textContent).toContain('Not set'));
    expect(backend.settingsCalls.setSolverPath).toEqual(['/opt/cvc5/bin/cvc5', null]);
  });

  it('refuses a file that does not run as a solver, with the core’s help, and says when the workspace wins', async () => {
    backend.settings = settingsView({ solver: '/opt/cvc5/bin/cvc5' });
    backend.solverInUse = () => solverInfo({ source: 'mandate.toml [analysis] solver' });
    renderPage();
    expect((await screen.findByTestId('solver-overridden')).textContent).toContain('mandate.toml [analysis] solver names a solver first');
    backend.picked = '/usr/bin/python3';
    backend.solverCheck = (path) => {
      const refused: ApiError = {
        code: 'solver_unavailable',
        message: `\`${path}\` does not run as an SMT solver: \`--version\` printed no cvc5 or Z3 version`,
        help: 'choose a cvc5 (1.1 or later) or z3 executable',
        diagnostics: [],
      };
      throw refused;
    };
    fireEvent.click(screen.getByTestId('solver-choose'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.dataset.code).toBe('solver_unavailable');
    expect(banner.textContent).toContain('choose a cvc5 (1.1 or later) or z3 executable');
    expect(screen.getByTestId('solver-setting').textContent).toBe('/opt/cvc5/bin/cvc5');
  });

  it('shows why no solver can be found when the check fails', async () => {
    backend.solverInUse = () => {
      const missing: ApiError = {
        code: 'solver_unavailable',
        message: 'no SMT solver could be started: `cvc5` (PATH): not found',
        help: 'run `bash scripts/deps.sh`',
        diagnostics: [],
      };
      throw missing;
    };
    renderPage();
    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toContain('run `bash scripts/deps.sh`');
    backend.solverInUse = () => solverInfo();
    fireEvent.click(screen.getByTestId('solver-check'));
    await waitFor(() => expect(screen.getByTestId('solver-in-use').textContent).toContain('cvc5 1.4.2'));
    expect(backend.settingsCalls.checkSolver).toBe(2);
  });
});

describe('Settings: keys and recent workspaces', () => {
  it('lists this machine’s keys with their trust here, links to where trust is decided, and makes a key for the acting identity', async () => {
    backend.settings = settingsView({ actor: actingIdentity({ actor: 'rhea', source: 'settings', setting: 'rhea' }) });
    renderPage();
    const rows = await screen.findAllByTestId('settings-key');
    expect(rows.map((r) => [r.dataset.owner, r.dataset.status])).toEqual([
      ['dana@acme.example', 'first'],
      ['bob@acme.example', 'trusted'],
    ]);
    expect(screen.getByTestId('settings-keys-trust-link').getAttribute('href')).toBe('#/publish/keys');
    expect(screen.getByTestId<HTMLInputElement>('keygen-owner').value).toBe('rhea');
    fireEvent.click(screen.getByTestId('keygen-submit'));
    await waitFor(() => expect(screen.getAllByTestId('settings-key')).toHaveLength(3));
    expect(backend.calls.generateKey).toEqual(['rhea']);
  });

  it('marks a missing folder, removes it from the list, and opens another', async () => {
    backend.settings = settingsView({
      recent: [
        { path: '/home/ana/acme-governance', name: 'acme-governance', exists: true, open: true },
        { path: '/home/ana/pilot', name: 'Pilot', exists: true, open: false },
        { path: '/home/ana/old-pilot', name: null, exists: false, open: false },
      ],
    });
    renderPage();
    const items = await screen.findAllByTestId('recent-workspace');
    expect(items.map((i) => i.dataset.exists)).toEqual(['true', 'true', 'false']);
    expect(items[2]!.textContent).toContain('folder missing');
    expect(within(items[0]!).queryByTestId('recent-open')).toBeNull();
    expect(within(items[2]!).queryByTestId('recent-open')).toBeNull();
    fireEvent.click(within(items[2]!).getByTestId('recent-forget'));
    await waitFor(() => expect(screen.getAllByTestId('recent-workspace')).toHaveLength(2));
    expect(backend.settingsCalls.forgetWorkspace).toEqual(['/home/ana/old-pilot']);
    fireEvent.click(screen.getByRole('button', { name: 'Open Pilot' }));
    expect(onOpenRecent).toHaveBeenCalledWith('/home/ana/pilot');
  });

  it('works without a workspace: no key lookup, and says what to do', async () => {
    backend.settings = settingsView({ actor: actingIdentity({ person: null }), recent: [] });
    renderPage(null as never);
    expect(await screen.findByTestId('settings-keys-no-workspace')).toBeTruthy();
    expect(backend.calls.keysView).toBe(0);
    expect(screen.getByTestId('recent-empty').textContent).toContain('Open workspace…');
    expect(screen.getByTestId('settings-identity').textContent).toContain('Open a workspace to check this identity');
  });
});
