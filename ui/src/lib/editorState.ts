// The policy editor's buffer-versus-disk state as a pure reducer: dirty tracking, format,
// save and changes on disk (reload silently when clean, ask when dirty).

export interface EditorBufferState {
  /** The file's text on disk as last read or saved; `null` until loaded. */
  disk: string | null;
  /** The editor's current text. */
  buffer: string;
  /** Text that arrived from disk while the buffer was dirty; the user decides. */
  external: string | null;
  /** Bumped whenever `buffer` is replaced from outside the editor (load, reload, format). */
  revision: number;
}

export type EditorAction =
  | { type: 'loaded'; text: string }
  | { type: 'restored'; text: string; draft: { base: string; text: string } }
  | { type: 'edited'; text: string }
  | { type: 'replaced'; text: string }
  | { type: 'saved'; text: string }
  | { type: 'disk_changed'; text: string }
  | { type: 'reload' }
  | { type: 'keep' };

export const INITIAL_EDITOR_STATE: EditorBufferState = { disk: null, buffer: '', external: null, revision: 0 };

export function isDirty(s: EditorBufferState): boolean {
  return s.disk !== null && s.buffer !== s.disk;
}

export function editorReducer(s: EditorBufferState, a: EditorAction): EditorBufferState {
  switch (a.type) {
    case 'loaded':
      return { disk: a.text, buffer: a.text, external: null, revision: s.revision + 1 };
    case 'restored':
      // A kept draft over the file as it is now: when the file changed on disk since the
      // draft was made, the user decides (as with any outside change to a dirty buffer).
      if (a.text === a.draft.base || a.text === a.draft.text) {
        return { disk: a.text, buffer: a.draft.text, external: null, revision: s.revision + 1 };
      }
      return { disk: a.draft.base, buffer: a.draft.text, external: a.text, revision: s.revision + 1 };
    case 'edited':
      return a.text === s.buffer ? s : { ...s, buffer: a.text };
    case 'replaced':
      return { ...s, buffer: a.text, revision: s.revision + 1 };
    case 'saved':
      // Whatever was pending from disk is superseded by what the user just wrote.
      return { ...s, disk: a.text, external: null };
    case 'disk_changed':
      if (a.text === s.disk) return s;
      if (!isDirty(s)) return { disk: a.text, buffer: a.text, external: null, revision: s.revision + 1 };
      if (a.text === s.buffer) return { ...s, disk: a.text, external: null };
      return { ...s, external: a.text };
    case 'reload':
      if (s.external === null) return s;
      return { disk: s.external, buffer: s.external, external: null, revision: s.revision + 1 };
    case 'keep':
      // The buffer stays; it is now compared against the newer text on disk.
      if (s.external === null) return s;
      return { ...s, disk: s.external, external: null };
  }
}
