import { afterEach, expect, it, vi } from 'vitest';
import { discardDraft, draftPaths, keepDraft, onDraftsChanged, setDraftScope, takeDraft } from './drafts';

afterEach(() => {
  for (const p of draftPaths()) discardDraft(p);
});

it('keeps a dirty buffer until it is taken back, and notifies listeners', () => {
  setDraftScope('/ws');
  const cb = vi.fn();
  const stop = onDraftsChanged(cb);
  keepDraft('policies/a.cedar', 'old', 'rev-old', 'new');
  expect(draftPaths()).toEqual(['policies/a.cedar']);
  expect(takeDraft('policies/a.cedar')).toEqual({ base: 'old', baseRevision: 'rev-old', text: 'new' });
  expect(takeDraft('policies/a.cedar')).toBeNull();
  expect(cb).toHaveBeenCalledTimes(2);
  stop();
});

it('a clean buffer is not a draft, and another workspace forgets the drafts', () => {
  setDraftScope('/ws');
  keepDraft('policies/a.cedar', 'same', 'rev-same', 'same');
  expect(draftPaths()).toEqual([]);
  keepDraft('policies/b.cedar', 'x', 'rev-x', 'y');
  setDraftScope('/ws');
  expect(draftPaths()).toEqual(['policies/b.cedar']);
  setDraftScope('/other');
  expect(draftPaths()).toEqual([]);
});
