import { describe, expect, it } from 'vitest';
import type { FileText } from '../bindings/FileText';
import { editorReducer, INITIAL_EDITOR_STATE, isDirty, type EditorAction, type EditorBufferState } from './editorState';

const run = (...actions: EditorAction[]): EditorBufferState => actions.reduce(editorReducer, INITIAL_EDITOR_STATE);
const file = (text: string): FileText => ({ path: 'policies/a.cedar', text, revision: `rev-${text}` });
const loaded = (text: string): EditorAction => ({ type: 'loaded', file: file(text) });

describe('editorReducer', () => {
  it('is dirty only while the buffer differs from disk', () => {
    expect(isDirty(run())).toBe(false);
    expect(isDirty(run(loaded('a')))).toBe(false);
    expect(isDirty(run(loaded('a'), { type: 'edited', text: 'ab' }))).toBe(true);
    expect(isDirty(run(loaded('a'), { type: 'edited', text: 'ab' }, { type: 'edited', text: 'a' }))).toBe(false);
    expect(isDirty(run(loaded('a'), { type: 'edited', text: 'ab' }, { type: 'saved', text: 'ab', revision: 'rev-ab' }))).toBe(false);
  });

  it('keeps the revision of the disk text, which a save names', () => {
    expect(run(loaded('a')).diskRevision).toBe('rev-a');
    const saved = run(loaded('a'), { type: 'edited', text: 'b' }, { type: 'saved', text: 'b', revision: 'rev-b' });
    expect(saved).toMatchObject({ disk: 'b', diskRevision: 'rev-b' });
  });

  it('reloads silently when clean', () => {
    const s0 = run(loaded('a'));
    const s = editorReducer(s0, { type: 'disk_changed', file: file('b') });
    expect(s).toMatchObject({ disk: 'b', diskRevision: 'rev-b', buffer: 'b', external: null });
    expect(s.generation).toBe(s0.generation + 1);
  });

  it('holds their version when dirty, until the user reloads', () => {
    const s = run(loaded('a'), { type: 'edited', text: 'mine' }, { type: 'disk_changed', file: file('theirs') });
    expect(s).toMatchObject({
      disk: 'a',
      diskRevision: 'rev-a',
      buffer: 'mine',
      external: { text: 'theirs', revision: 'rev-theirs', refused: false },
    });
    const reloaded = editorReducer(s, { type: 'reload' });
    expect(reloaded).toMatchObject({ disk: 'theirs', diskRevision: 'rev-theirs', buffer: 'theirs', external: null });
    expect(isDirty(reloaded)).toBe(false);
    expect(reloaded.generation).toBe(s.generation + 1);
  });

  it('a refused save holds their version, marked refused; overwriting it clears the conflict', () => {
    const s = run(loaded('a'), { type: 'edited', text: 'mine' }, { type: 'save_refused', file: file('theirs') });
    expect(s.external).toEqual({ text: 'theirs', revision: 'rev-theirs', refused: true });
    expect(s.diskRevision).toBe('rev-a');
    // The watcher reporting the same change afterwards keeps it marked refused.
    expect(editorReducer(s, { type: 'disk_changed', file: file('theirs') }).external?.refused).toBe(true);
    const overwritten = editorReducer(s, { type: 'saved', text: 'mine', revision: 'rev-mine' });
    expect(overwritten).toMatchObject({ disk: 'mine', diskRevision: 'rev-mine', external: null });
    expect(isDirty(overwritten)).toBe(false);
  });

  it('has nothing to decide when they wrote what the buffer holds, or the file went back', () => {
    const same = run(loaded('a'), { type: 'edited', text: 'b' }, { type: 'disk_changed', file: file('b') });
    expect(same).toMatchObject({ disk: 'b', diskRevision: 'rev-b', external: null });
    expect(isDirty(same)).toBe(false);
    const back = run(
      loaded('a'),
      { type: 'edited', text: 'mine' },
      { type: 'disk_changed', file: file('theirs') },
      { type: 'disk_changed', file: file('a') },
    );
    expect(back).toMatchObject({ diskRevision: 'rev-a', buffer: 'mine', external: null });
  });

  it('never asks about the app’s own save', () => {
    const s = run(
      loaded('a'),
      { type: 'edited', text: 'b' },
      { type: 'saved', text: 'b', revision: 'rev-b' },
      { type: 'disk_changed', file: file('b') },
    );
    expect(s.external).toBeNull();
    expect(isDirty(s)).toBe(false);
  });

  it('restores a kept draft dirty over its base revision, and holds their version when the file changed since', () => {
    const draft = { base: 'disk', baseRevision: 'rev-disk', text: 'mine' };
    const same = run({ type: 'restored', file: file('disk'), draft });
    expect(same).toMatchObject({ disk: 'disk', diskRevision: 'rev-disk', buffer: 'mine', external: null });
    expect(isDirty(same)).toBe(true);
    const moved = run({ type: 'restored', file: file('theirs'), draft });
    expect(moved).toMatchObject({
      disk: 'disk',
      diskRevision: 'rev-disk',
      buffer: 'mine',
      external: { text: 'theirs', revision: 'rev-theirs', refused: false },
    });
    expect(run({ type: 'restored', file: file('theirs'), draft }, { type: 'reload' })).toMatchObject({
      buffer: 'theirs',
      diskRevision: 'rev-theirs',
      external: null,
    });
  });
});
