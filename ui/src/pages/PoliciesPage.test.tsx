import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ValidationReport } from '../bindings/ValidationReport';
import { policyHref } from '../lib/route';
import { diagnostic, FakeBackend, policyFile, report } from '../test/fakeBackend';
import { waitForEditor } from '../test/editor';
import { renderWithBackend } from '../test/render';
import { PoliciesPage } from './PoliciesPage';

function twoFileReport(): ValidationReport {
  return report(
    [
      policyFile('policies/agents.cedar', ['agents-may-read', 'agents-step-up'], { error_count: 1 }),
      policyFile('policies/credentials.cedar', ['no-standing-creds'], { warning_count: 1 }),
    ],
    [
      diagnostic({
        file: 'policies/credentials.cedar',
        line: 4,
        column: 7,
        severity: 'warning',
        code: 'cedar::validation',
        message: 'policy is impossible: `principal.tier` is never `"gold"`',
        help: 'check the attribute values in the inventory',
      }),
      diagnostic({ file: 'policies/agents.cedar', line: 12, column: 3, message: 'unexpected token `permt`' }),
    ],
  );
}

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.report = twoFileReport();
});

async function renderPage() {
  const view = renderWithBackend(backend, <PoliciesPage />);
  await screen.findByTestId('validation-summary');
  return view;
}

describe('PoliciesPage', () => {
  it('lists the files with their counts and the summary line', async () => {
    await renderPage();
    const files = screen.getAllByTestId('policy-file');
    expect(files.map((f) => f.getAttribute('data-path'))).toEqual([
      'policies/agents.cedar',
      'policies/credentials.cedar',
    ]);
    expect(files[0]?.textContent).toContain('2 policies');
    expect(within(files[0]!).getByLabelText('1 error')).toBeTruthy();
    expect(screen.getByTestId('validation-summary').textContent).toBe(
      '3 policies in 2 files — 1 error, 1 warning',
    );
    expect(screen.getByTestId('schema-status').textContent).toMatch(/schema/);
  });

  it('lists template links with their templates when all files are shown', async () => {
    backend.report.links = [{ id: 'grant-ic-observability', template: 'grant-tool-group', line: 3 }];
    backend.report.policy_count += 1;
    await renderPage();
    expect(screen.getByTestId('validation-summary').textContent).toBe(
      '3 policies in 2 files and 1 template link — 1 error, 1 warning',
    );
    const rows = screen.getAllByTestId('link-row');
    expect(rows.map((r) => r.dataset.linkId)).toEqual(['grant-ic-observability']);
    expect(rows[0]?.textContent).toContain('grant-tool-group');
    fireEvent.click(screen.getAllByTestId('policy-file')[0]!);
    expect(screen.queryByTestId('links-table')).toBeNull();
  });

  it('renders every diagnostic sorted by file with location, severity, message and help', async () => {
    await renderPage();
    const items = screen.getAllByTestId('diagnostic');
    expect(items.map((d) => [d.dataset.file, d.dataset.line, d.dataset.severity])).toEqual([
      ['policies/agents.cedar', '12', 'error'],
      ['policies/credentials.cedar', '4', 'warning'],
    ]);
    expect(items[1]?.textContent).toContain('policies/credentials.cedar:4:7');
    expect(within(items[1]!).getByTestId('diagnostic-message').textContent).toBe(
      'policy is impossible: `principal.tier` is never `"gold"`',
    );
    expect(items[1]?.textContent).toContain('check the attribute values in the inventory');
  });

  it('shows only the selected file’s diagnostics and policies', async () => {
    await renderPage();
    fireEvent.click(screen.getAllByTestId('policy-file')[1]!);
    const items = screen.getAllByTestId('diagnostic');
    expect(items).toHaveLength(1);
    expect(items[0]?.dataset.file).toBe('policies/credentials.cedar');
    expect(screen.getAllByTestId('policy-row').map((r) => r.dataset.policyId)).toEqual(['no-standing-creds']);
    fireEvent.click(screen.getByRole('button', { name: /All files/ }));
    expect(screen.getAllByTestId('diagnostic')).toHaveLength(2);
  });

  it('shows each policy’s kind and @control', async () => {
    backend.report = report([
      policyFile('policies/a.cedar', [], {
        policies: [
          { id: 'deny-inherit', kind: 'forbid', line: 3, control: 'MND-07', rationale: 'agents never inherit authority' },
          { id: 'tmpl', kind: 'permit_template', line: 9, control: null, rationale: null },
        ],
      }),
    ]);
    await renderPage();
    const rows = screen.getAllByTestId('policy-row');
    expect(rows[0]?.textContent).toContain('forbid');
    expect(rows[0]?.textContent).toContain('MND-07');
    expect(rows[0]?.textContent).toContain('agents never inherit authority');
    expect(rows[1]?.textContent).toContain('permit template');
    expect(screen.getByTestId('no-problems')).toBeTruthy();
  });

  it('revalidates when the workspace changes on disk and shows the new result', async () => {
    await renderPage();
    expect(backend.calls.validate).toBe(1);
    expect(screen.queryByTestId('updated-indicator')).toBeNull();

    backend.report = report([policyFile('policies/agents.cedar', ['agents-may-read', 'agents-step-up'])]);
    act(() => backend.emitChange([{ kind: 'policy_changed', path: 'policies/agents.cedar' }]));

    await waitFor(() => expect(screen.queryAllByTestId('diagnostic')).toHaveLength(0));
    expect(backend.calls.validate).toBe(2);
    expect(screen.getByTestId('validation-summary').textContent).toBe(
      '2 policies in 1 file — 0 errors, 0 warnings',
    );
    expect(screen.getByTestId('updated-indicator').textContent).toMatch(/^Updated/);
  });

  it('keeps the newest result when an older validation finishes last', async () => {
    await renderPage();
    const resolvers: ((r: ValidationReport) => void)[] = [];
    backend.validateWorkspace = () => new Promise((resolve) => resolvers.push(resolve));

    act(() => backend.emitChange([{ kind: 'policy_changed', path: 'policies/agents.cedar' }]));
    act(() => backend.emitChange([{ kind: 'policy_removed', path: 'policies/credentials.cedar' }]));
    expect(resolvers).toHaveLength(2);

    // Resolve the newer call first, then let the older one arrive late.
    await act(() => {
      resolvers[1]!(report([policyFile('policies/agents.cedar', ['newest'])]));
      return Promise.resolve();
    });
    await act(() => {
      resolvers[0]!(report([policyFile('policies/old.cedar', ['stale'])]));
      return Promise.resolve();
    });

    expect(screen.getAllByTestId('policy-file').map((f) => f.dataset.path)).toEqual(['policies/agents.cedar']);
  });

  it('falls back to all files when the selected file disappears', async () => {
    await renderPage();
    fireEvent.click(screen.getAllByTestId('policy-file')[1]!);
    backend.report = report([policyFile('policies/agents.cedar', ['x'])], [diagnostic({ file: 'policies/agents.cedar' })]);
    act(() => backend.emitChange([{ kind: 'policy_removed', path: 'policies/credentials.cedar' }]));
    await waitFor(() => expect(screen.getAllByTestId('policy-file')).toHaveLength(1));
    expect(screen.getByRole('button', { name: /All files/ }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getAllByTestId('diagnostic')).toHaveLength(1);
  });

  it('shows a validation failure with its code-specific hint', async () => {
    backend.validateError = {
      code: 'config_invalid',
      message: 'unknown field `namespce` in mandate.toml',
      help: 'did you mean `namespace`?',
      diagnostics: [],
    };
    renderWithBackend(backend, <PoliciesPage />);
    const banner = await screen.findByTestId('error-banner');
    expect(banner.dataset.code).toBe('config_invalid');
    expect(banner.textContent).toContain('unknown field `namespce` in mandate.toml');
    expect(banner.textContent).toContain('did you mean `namespace`?');
    expect(within(banner).getByTestId('error-hint').textContent).toMatch(/mandate\.toml/);
  });

  it('stops listening for changes when it unmounts', async () => {
    const view = await renderPage();
    expect(backend.listenerCount).toBe(1);
    view.unmount();
    expect(backend.listenerCount).toBe(0);
  });

  it('opens the policy another page links to, at its line', async () => {
    backend.files['policies/agents.cedar'] = 'permit(principal, action, resource);\n\n@id("agents-step-up")\nforbid(principal, action, resource);\n';
    window.location.hash = policyHref('policies/agents.cedar', 3);
    await renderPage();
    const editor = await screen.findByTestId('policy-editor');
    expect(editor.dataset.path).toBe('policies/agents.cedar');
    await waitForEditor((view) => expect(view.state.doc.lineAt(view.state.selection.main.head).number).toBe(3));
    // The link did its work: the address is the page's own again.
    expect(window.location.hash).toBe('#/policies');
  });
});
