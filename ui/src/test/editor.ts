import { EditorView } from '@codemirror/view';
import { screen, waitFor } from '@testing-library/react';
import { expect } from 'vitest';

/**
 * Waits until the policy editor's CodeMirror view exists and `check` passes on it, and returns the view.
 * The view is created in an effect after the editor section renders, and is looked up afresh on every
 * attempt, so a test never races its creation (on a loaded CI machine the section can render first).
 */
export async function waitForEditor(check: (view: EditorView) => void = () => {}): Promise<EditorView> {
  return waitFor(() => {
    const content = screen.getByTestId('policy-editor').querySelector<HTMLElement>('.cm-content');
    expect(content).not.toBeNull();
    const view = EditorView.findFromDOM(content!);
    expect(view).not.toBeNull();
    check(view!);
    return view!;
    // The first test of a file also loads the editor's lazy chunk: seconds on a busy machine.
  }, { timeout: 5000 });
}
