// Validation state shared by the Dashboard and Policies pages.
//
// Validates once on mount and again whenever the watcher reports a change on disk. Calls
// can overlap (a save during a slow validation), so each result carries a sequence number
// and only the newest one is kept — an older, slower response never overwrites a newer one.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { Change } from '../bindings/Change';
import type { ValidationReport } from '../bindings/ValidationReport';
import { toApiError, useBackend } from '../backend';
import { watchWorkspace } from './watchWorkspace';

export interface ValidationState {
  report: ValidationReport | null;
  error: ApiError | null;
  /** True until the first result (or error) arrives. */
  loading: boolean;
  /** When a change on disk last produced a new result; drives the "updated" indicator. */
  updatedAt: Date | null;
  /** The changes behind the latest update. */
  lastChanges: Change[];
  /** Increments on every update from disk, so the indicator can restart its animation. */
  updateCount: number;
  /** Set when the app could not subscribe to changes on disk (results may go stale). */
  watchError: ApiError | null;
}

const INITIAL: ValidationState = {
  report: null,
  error: null,
  loading: true,
  updatedAt: null,
  lastChanges: [],
  updateCount: 0,
  watchError: null,
};

export function useValidation(): ValidationState & { revalidate: () => void } {
  const backend = useBackend();
  const [state, setState] = useState<ValidationState>(INITIAL);
  const seq = useRef(0);

  const run = useCallback(
    async (changes: Change[] | null) => {
      const mine = ++seq.current;
      try {
        const report = await backend.validateWorkspace();
        if (mine !== seq.current) return;
        setState((s) => ({
          ...s,
          report,
          error: null,
          loading: false,
          updatedAt: changes ? new Date() : s.updatedAt,
          lastChanges: changes ?? s.lastChanges,
          updateCount: changes ? s.updateCount + 1 : s.updateCount,
        }));
      } catch (e) {
        if (mine !== seq.current) return;
        setState((s) => ({ ...s, error: toApiError(e), loading: false }));
      }
    },
    [backend],
  );

  useEffect(() => {
    void run(null);
    return watchWorkspace(
      backend,
      (changes) => void run(changes),
      (watchError) => setState((s) => ({ ...s, watchError })),
    );
  }, [backend, run]);

  const revalidate = useCallback(() => void run(null), [run]);
  return { ...state, revalidate };
}
