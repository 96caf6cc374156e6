// The policy editor's buffer-versus-disk state as a pure reducer: dirty tracking, format,
// save and changes on disk (reload silently when clean; when dirty, or when a save was
// refused because the file changed on disk, hold their version until the user decides).
import type { FileText } from '../bindings/FileText';

/** The file as it is on disk now, when it moved under a dirty buffer. */
export interface TheirVersion {
  text: string;
  /** Its revision: what "Overwrite with my version" names when it saves. */
  revision: string;
  /** Whether a save was refused over it (`edit_conflict`), rather than the watcher noticing. */
  refused: boolean;
}

export interface EditorBufferState {
  /** The file's text on disk as last read or saved; `null` until loaded. */
  disk: string | null;
  /** The revision of `disk` (sha256 of the file's bytes): what a save names. */
  diskRevision: string | null;
  /** The editor's current text. */
  buffer: string;
  /** The file changed on disk under a dirty buffer: nothing is written until the user decides. */
  external: TheirVersion | null;
  /** Bumped whenever `buffer` is replaced from outside the editor (load, reload). */
  generation: number;
}

export type EditorAction =
  | { type: 'loaded'; file: FileText }
  | { type: 'restored'; file: FileText; draft: { base: string; baseRevision: string; text: string } }
  | { type: 'edited'; text: string }
  | { type: 'replaced'; text: string }
  | { type: 'saved'; text: string; revision: string }
  | { type: 'disk_changed'; file: FileText }
  | { type: 'save_refused'; file: FileText }
  | { type: 'reload' };

export const INITIAL_EDITOR_STATE: EditorBufferState = {
  disk: null,
  diskRevision: null,
  buffer: '',
  external: null,
  generation: 0,
};

export function isDirty(s: EditorBufferState): boolean {
  return s.disk !== null && s.buffer !== s.disk;
}

function load(s: EditorBufferState, file: FileText): EditorBufferState {
  return { disk: file.text, diskRevision: file.revision, buffer: file.text, external: null, generation: s.generation + 1 };
}

/** The file moved on disk: follow it when clean, hold it for the user when dirty. */
function moved(s: EditorBufferState, file: FileText, refused: boolean): EditorBufferState {
  // Back at (or still at) the revision the buffer is based on: a save goes through.
  if (file.revision === s.diskRevision) return s.external === null ? s : { ...s, external: null };
  if (!isDirty(s)) return load(s, file);
  // They wrote what we have: nothing to decide.
  if (file.text === s.buffer) return { ...s, disk: file.text, diskRevision: file.revision, external: null };
  return { ...s, external: { text: file.text, revision: file.revision, refused: refused || (s.external?.refused ?? false) } };
}

export function editorReducer(s: EditorBufferState, a: EditorAction): EditorBufferState {
  switch (a.type) {
    case 'loaded':
      return load(s, a.file);
    case 'restored': {
      // A kept draft over the file as it is now: when the file changed on disk since the
      // draft was made, the user decides (as with any outside change to a dirty buffer).
      const { file, draft } = a;
      if (file.text === draft.base || file.text === draft.text) {
        return { disk: file.text, diskRevision: file.revision, buffer: draft.text, external: null, generation: s.generation + 1 };
      }
      return {
        disk: draft.base,
        diskRevision: draft.baseRevision,
        buffer: draft.text,
        external: { text: file.text, revision: file.revision, refused: false },
        generation: s.generation + 1,
      };
    }
    case 'edited':
      return a.text === s.buffer ? s : { ...s, buffer: a.text };
    case 'replaced':
      return { ...s, buffer: a.text, generation: s.generation + 1 };
    case 'saved':
      // Written over the revision named: whatever was pending from disk is superseded.
      return { ...s, disk: a.text, diskRevision: a.revision, external: null };
    case 'disk_changed':
      return moved(s, a.file, false);
    case 'save_refused':
      return moved(s, a.file, true);
    case 'reload':
      if (s.external === null) return s;
      return {
        disk: s.external.text,
        diskRevision: s.external.revision,
        buffer: s.external.text,
        external: null,
        generation: s.generation + 1,
      };
  }
}
