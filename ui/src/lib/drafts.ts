// Unsaved policy buffers that outlive their editor: switching files or pages keeps the
// edits (like an editor's hot exit) instead of dropping them or blocking with a prompt.
//
// A draft remembers the disk text it was based on, so reopening it after the file changed
// on disk asks which to keep (the editor's usual outside-change prompt). Drafts belong to
// one workspace: `setDraftScope` with another root drops them.

export interface Draft {
  /** The file's text on disk when the edits were made. */
  base: string;
  /** Its revision: what a save of the draft names, so an edit made on disk since is not lost. */
  baseRevision: string;
  /** The unsaved buffer. */
  text: string;
}

let scope: string | null = null;
const drafts = new Map<string, Draft>();
const listeners = new Set<() => void>();

function changed(): void {
  for (const l of listeners) l();
}

/** Drafts are per workspace: opening another one forgets the previous one's drafts. */
export function setDraftScope(root: string): void {
  if (scope === root) return;
  scope = root;
  if (drafts.size > 0) {
    drafts.clear();
    changed();
  }
}

/** Keeps the unsaved buffer of `path` (nothing to keep when it equals the disk text). */
export function keepDraft(path: string, base: string, baseRevision: string, text: string): void {
  if (text === base) {
    discardDraft(path);
    return;
  }
  drafts.set(path, { base, baseRevision, text });
  changed();
}

/** The draft of `path`, removed from the store (the editor holds it from now on). */
export function takeDraft(path: string): Draft | null {
  const d = drafts.get(path) ?? null;
  if (d) {
    drafts.delete(path);
    changed();
  }
  return d;
}

export function discardDraft(path: string): void {
  if (drafts.delete(path)) changed();
}

/** Forgets every draft (tests start from none). */
export function clearDrafts(): void {
  if (drafts.size > 0) {
    drafts.clear();
    changed();
  }
}

/** Paths with a kept draft. */
export function draftPaths(): string[] {
  return [...drafts.keys()].sort();
}

/** Calls `cb` whenever the set of drafts changes; returns an unsubscribe. */
export function onDraftsChanged(cb: () => void): () => void {
  listeners.add(cb);
  return () => {
    listeners.delete(cb);
  };
}
