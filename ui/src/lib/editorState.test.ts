import { describe, expect, it } from 'vitest';
import { editorReducer, INITIAL_EDITOR_STATE, isDirty, type EditorAction, type EditorBufferState } from './editorState';

const run = (...actions: EditorAction[]): EditorBufferState => actions.reduce(editorReducer, INITIAL_EDITOR_STATE);

describe('editorReducer', () => {
  it('is dirty only while the buffer differs from disk', () => {
    expect(isDirty(run())).toBe(false);
    expect(isDirty(run({ type: 'loaded', text: 'a' }))).toBe(false);
    expect(isDirty(run({ type: 'loaded', text: 'a' }, { type: 'edited', text: 'ab' }))).toBe(true);
    expect(isDirty(run({ type: 'loaded', text: 'a' }, { type: 'edited', text: 'ab' }, { type: 'edited', text: 'a' }))).toBe(false);
    expect(isDirty(run({ type: 'loaded', text: 'a' }, { type: 'edited', text: 'ab' }, { type: 'saved', text: 'ab' }))).toBe(false);
  });

  it('reloads silently when clean', () => {
    const loaded = run({ type: 'loaded', text: 'a' });
    const s = editorReducer(loaded, { type: 'disk_changed', text: 'b' });
    expect(s).toMatchObject({ disk: 'b', buffer: 'b', external: null });
    expect(s.revision).toBe(loaded.revision + 1);
  });

  it('asks when dirty, then reloads or keeps the edits', () => {
    const s = run({ type: 'loaded', text: 'a' }, { type: 'edited', text: 'mine' }, { type: 'disk_changed', text: 'theirs' });
    expect(s).toMatchObject({ disk: 'a', buffer: 'mine', external: 'theirs' });
    const reloaded = editorReducer(s, { type: 'reload' });
    expect(reloaded).toMatchObject({ disk: 'theirs', buffer: 'theirs', external: null });
    expect(isDirty(reloaded)).toBe(false);
    expect(reloaded.revision).toBe(s.revision + 1);
    const kept = editorReducer(s, { type: 'keep' });
    expect(kept).toMatchObject({ disk: 'theirs', buffer: 'mine', external: null, revision: s.revision });
    expect(isDirty(kept)).toBe(true);
  });

  it('never asks about the app’s own save', () => {
    const s = run({ type: 'loaded', text: 'a' }, { type: 'edited', text: 'b' }, { type: 'saved', text: 'b' }, { type: 'disk_changed', text: 'b' });
    expect(s.external).toBeNull();
    expect(isDirty(s)).toBe(false);
  });

  it('restores a kept draft dirty, and asks when the file changed on disk since', () => {
    const same = run({ type: 'restored', text: 'disk', draft: { base: 'disk', text: 'mine' } });
    expect(same).toMatchObject({ disk: 'disk', buffer: 'mine', external: null });
    expect(isDirty(same)).toBe(true);
    const moved = run({ type: 'restored', text: 'theirs', draft: { base: 'disk', text: 'mine' } });
    expect(moved).toMatchObject({ disk: 'disk', buffer: 'mine', external: 'theirs' });
    expect(run({ type: 'restored', text: 'theirs', draft: { base: 'disk', text: 'mine' } }, { type: 'reload' })).toMatchObject({
      buffer: 'theirs',
      external: null,
    });
  });
});
