import type { EditorView } from '@codemirror/view';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../../bindings/ApiError';
import { diagnostic, fakeRevision, FakeBackend, policyFile, report } from '../../test/fakeBackend';
import { waitForEditor } from '../../test/editor';
import { renderWithBackend } from '../../test/render';
import { PoliciesPage } from '../../pages/PoliciesPage';

const PATH = 'policies/tools.cedar';
const TEXT = '@id("a")\npermit (principal, action, resource);\n';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.report = report([policyFile(PATH, ['a'])]);
  backend.files[PATH] = TEXT;
});

async function openEditor(): Promise<EditorView> {
  renderWithBackend(backend, <PoliciesPage />);
  fireEvent.click(await screen.findByRole('button', { name: new RegExp(PATH) }));
  return waitForEditor((view) => expect(view.state.doc.toString()).toBe(TEXT));
}

function type(view: EditorView, text: string) {
  act(() => {
    view.dispatch({ changes: { from: view.state.doc.length, insert: text } });
  });
}

describe('PolicyEditor', () => {
  it('opens the selected file and keeps the policy list and outline', async () => {
    await openEditor();
    expect(screen.queryByTestId('editor-dirty')).toBeNull();
    expect(screen.getAllByTestId('editor-policy').map((b) => b.dataset.policyId)).toEqual(['a']);
    expect(screen.getAllByTestId('policy-file')).toHaveLength(1);
  });

  it('saves through the backend, clears dirty and revalidates', async () => {
    const view = await openEditor();
    type(view, '// more\n');
    expect(screen.getByTestId('editor-dirty')).toBeTruthy();
    const validations = backend.calls.validate;
    fireEvent.click(screen.getByTestId('editor-save'));
    await waitFor(() => expect(screen.queryByTestId('editor-dirty')).toBeNull());
    // The save names the revision the buffer was loaded from.
    expect(backend.calls.saveFile).toEqual([{ path: PATH, text: `${TEXT}// more\n`, revision: fakeRevision(TEXT) }]);
    await waitFor(() => expect(backend.calls.validate).toBeGreaterThan(validations));
    expect(screen.queryByTestId('editor-conflict')).toBeNull();
  });

  it('reloads a clean buffer silently and asks when dirty', async () => {
    const view = await openEditor();
    backend.files[PATH] = 'forbid (principal, action, resource);\n';
    act(() => backend.emitChange([{ kind: 'policy_changed', path: PATH }]));
    await waitFor(() => expect(view.state.doc.toString()).toBe('forbid (principal, action, resource);\n'));
    expect(screen.queryByTestId('editor-conflict')).toBeNull();

    type(view, '// mine\n');
    backend.files[PATH] = 'theirs\n';
    act(() => backend.emitChange([{ kind: 'policy_changed', path: PATH }]));
    await screen.findByTestId('editor-conflict');
    expect(view.state.doc.toString()).toContain('// mine');
    fireEvent.click(screen.getByTestId('editor-reload'));
    await waitFor(() => expect(view.state.doc.toString()).toBe('theirs\n'));
    expect(screen.queryByTestId('editor-conflict')).toBeNull();
    expect(screen.queryByTestId('editor-dirty')).toBeNull();
  });

  it('a save refused because the file changed on disk shows the conflict banner and writes nothing', async () => {
    const view = await openEditor();
    type(view, '// mine\n');
    // Edited outside the app; the watcher has not reported it yet.
    const theirs = `${TEXT}// theirs\n`;
    backend.files[PATH] = theirs;
    fireEvent.click(screen.getByTestId('editor-save'));
    const banner = await screen.findByTestId('editor-conflict');
    expect(banner.dataset.refused).toBe('true');
    expect(banner.textContent).toContain(PATH);
    expect(banner.textContent).toMatch(/not saved/i);
    // Not a generic error: the banner is the whole answer.
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(backend.files[PATH]).toBe(theirs);
    expect(view.state.doc.toString()).toBe(`${TEXT}// mine\n`);
    expect(screen.getByTestId('editor-dirty')).toBeTruthy();

    // Their change, line by line.
    fireEvent.click(screen.getByTestId('editor-show-theirs'));
    const added = [...screen.getByTestId('editor-theirs').querySelectorAll('[data-kind="+"]')].map((l) => l.textContent);
    expect(added).toEqual(['+// theirs']);

    // Overwriting is explicit, and names their revision.
    fireEvent.click(screen.getByTestId('editor-overwrite'));
    await waitFor(() => expect(screen.queryByTestId('editor-conflict')).toBeNull());
    expect(backend.files[PATH]).toBe(`${TEXT}// mine\n`);
    expect(backend.calls.saveFile.map((c) => c.revision)).toEqual([fakeRevision(TEXT), fakeRevision(theirs)]);
    await waitFor(() => expect(screen.queryByTestId('editor-dirty')).toBeNull());
  });

  it('reload from disk after a refused save takes their version and writes nothing', async () => {
    const view = await openEditor();
    type(view, '// mine\n');
    backend.files[PATH] = 'theirs\n';
    fireEvent.click(screen.getByTestId('editor-save'));
    await screen.findByTestId('editor-conflict');
    fireEvent.click(screen.getByTestId('editor-reload'));
    await waitFor(() => expect(view.state.doc.toString()).toBe('theirs\n'));
    expect(screen.queryByTestId('editor-conflict')).toBeNull();
    expect(screen.queryByTestId('editor-dirty')).toBeNull();
    expect(backend.files[PATH]).toBe('theirs\n');
    expect(backend.calls.saveFile).toHaveLength(1);
  });

  it('after the watcher’s early notice, Save is still refused rather than written', async () => {
    const view = await openEditor();
    type(view, '// mine\n');
    backend.files[PATH] = 'theirs\n';
    act(() => backend.emitChange([{ kind: 'policy_changed', path: PATH }]));
    const early = await screen.findByTestId('editor-conflict');
    expect(early.dataset.refused).toBe('false');
    fireEvent.click(screen.getByTestId('editor-save'));
    await waitFor(() => expect(screen.getByTestId('editor-conflict').dataset.refused).toBe('true'));
    expect(backend.files[PATH]).toBe('theirs\n');
  });

  it('shows buffer problems and moves the cursor to one when clicked', async () => {
    backend.bufferDiagnostics = (_path, text) =>
      text.includes('permt') ? [diagnostic({ file: PATH, line: 3, column: 1, end_line: 3, end_column: 6, message: 'unexpected token `permt`' })] : [];
    const view = await openEditor();
    type(view, 'permt');
    const problem = await screen.findByTestId('editor-problem', {}, { timeout: 3000 });
    expect(problem.dataset.line).toBe('3');
    expect(problem.dataset.severity).toBe('error');
    expect(backend.calls.validateBuffer.at(-1)).toEqual({ path: PATH, text: `${TEXT}permt` });
    fireEvent.click(problem);
    expect(view.state.selection.main.head).toBe(TEXT.length);
  });

  it('formats the buffer (keeping it dirty) and shows a policy_invalid error', async () => {
    backend.format = (t) => t.replace('permit (', 'permit(');
    const view = await openEditor();
    fireEvent.click(screen.getByTestId('editor-format'));
    await waitFor(() => expect(view.state.doc.toString()).toContain('permit(principal'));
    // The dirty mark is a React render after the view's update: wait for it.
    expect(await screen.findByTestId('editor-dirty')).toBeTruthy();

    const invalid: ApiError = { code: 'policy_invalid', message: 'cannot format: unexpected token', help: null, diagnostics: [] };
    backend.format = () => {
      throw invalid;
    };
    fireEvent.click(screen.getByTestId('editor-format'));
    expect(await screen.findByText(/cannot format: unexpected token/)).toBeTruthy();
  });

  it('names each policy’s control with its title and statement, and flags an unknown one', async () => {
    backend.report = report([
      policyFile(PATH, [], {
        policies: [
          { id: 'a', kind: 'forbid', line: 1, control: 'MND-LIFECYCLE-01', rationale: 'approval must hold' },
          { id: 'b', kind: 'permit', line: 4, control: 'MND-TYPO-01', rationale: null },
          { id: 'c', kind: 'permit', line: 8, control: null, rationale: null },
        ],
      }),
    ]);
    backend.controlsView = {
      controls: [
        {
          id: 'MND-LIFECYCLE-01',
          title: 'Only approved, active agents act',
          statement: 'Suspended, retired and never-approved agents are denied every action.',
          rationale: '',
          checks: [],
          in_workspace: true,
          library_policies: ['deny-inactive-agents'],
          enforced_by: [],
        },
      ],
      diagnostics: [],
    };
    await openEditor();
    await waitFor(() => expect(screen.getAllByTestId('policy-control').every((c) => c.dataset.known !== undefined)).toBe(true));
    const notes = screen.getAllByTestId('policy-control');
    expect(notes.map((n) => [n.dataset.control, n.dataset.known])).toEqual([
      ['MND-LIFECYCLE-01', 'true'],
      ['MND-TYPO-01', 'false'],
    ]);
    expect(notes[0]?.textContent).toContain('Only approved, active agents act');
    expect(notes[0]?.textContent).toContain('Suspended, retired and never-approved agents are denied every action.');
    expect(notes[0]?.querySelector('[data-testid="policy-control-unknown"]')).toBeNull();
    expect(notes[1]?.textContent).toMatch(/unknown control/);

    // A control added to controls.toml on disk is picked up.
    backend.controlsView = {
      ...backend.controlsView,
      controls: [
        ...backend.controlsView.controls,
        { ...backend.controlsView.controls[0]!, id: 'MND-TYPO-01', title: 'Our own control', statement: 'Ours.' },
      ],
    };
    act(() => backend.emitChange([{ kind: 'controls_changed', path: 'controls/controls.toml' }]));
    await waitFor(() => expect(screen.getAllByTestId('policy-control')[1]?.dataset.known).toBe('true'));
    expect(screen.getAllByTestId('policy-control')[1]?.textContent).toContain('Our own control');
  });

  it('keeps unsaved edits when another file is opened, marks the file, and restores them', async () => {
    const OTHER = 'policies/other.cedar';
    backend.report = report([policyFile(PATH, ['a']), policyFile(OTHER, ['b'])]);
    backend.files[OTHER] = '@id("b")\nforbid (principal, action, resource);\n';
    const view = await openEditor();
    type(view, '// unsaved\n');
    await waitFor(() => expect(screen.getAllByTestId('file-unsaved')).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: new RegExp(OTHER) }));
    await waitFor(() => expect(screen.getByTestId('policy-editor').dataset.path).toBe(OTHER));
    // The first file still shows its unsaved edits in the list, and nothing was written.
    const marked = screen.getAllByTestId('file-unsaved').map((m) => m.closest('button')?.dataset.path);
    expect(marked).toEqual([PATH]);
    expect(backend.calls.saveFile).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: new RegExp(PATH) }));
    const editor = await screen.findByTestId('policy-editor');
    await waitFor(() => expect(editor.dataset.path).toBe(PATH));
    await waitForEditor((back) => expect(back.state.doc.toString()).toBe(`${TEXT}// unsaved\n`));
    expect(await screen.findByTestId('editor-dirty')).toBeTruthy();
    expect(screen.queryByTestId('editor-conflict')).toBeNull();
  });

  it('a draft over a file that changed on disk meanwhile asks which to keep', async () => {
    const OTHER = 'policies/other.cedar';
    backend.report = report([policyFile(PATH, ['a']), policyFile(OTHER, ['b'])]);
    backend.files[OTHER] = '@id("b")\nforbid (principal, action, resource);\n';
    const view = await openEditor();
    type(view, '// unsaved\n');
    fireEvent.click(screen.getByRole('button', { name: new RegExp(OTHER) }));
    await waitFor(() => expect(screen.getByTestId('policy-editor').dataset.path).toBe(OTHER));
    backend.files[PATH] = '@id("a")\nforbid (principal, action, resource);\n';
    fireEvent.click(screen.getByRole('button', { name: new RegExp(PATH) }));
    expect(await screen.findByTestId('editor-conflict')).toBeTruthy();
    fireEvent.click(screen.getByTestId('editor-reload'));
    await waitForEditor((back) => expect(back.state.doc.toString()).toBe(backend.files[PATH]));
    expect(screen.queryByTestId('editor-dirty')).toBeNull();
  });
});
