// The inventory as the Agents page and the Dashboard show it, kept live.
//
// Fetches once on mount, again whenever the watcher reports a change that can alter it
// (inventory files; policies and mandate.toml also feed the findings), and on `refetch()`
// after a save or transition. Like `useValidation`, only the newest response is kept.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { Change } from '../bindings/Change';
import type { ChangeKind } from '../bindings/ChangeKind';
import type { InventoryView } from '../bindings/InventoryView';
import { toApiError, useBackend } from '../backend';
import { watchWorkspace } from './watchWorkspace';

/** Changes after which the inventory view (agents or findings) may differ. */
export const INVENTORY_CHANGE_KINDS: ReadonlySet<ChangeKind> = new Set<ChangeKind>([
  'inventory_changed',
  'policy_added',
  'policy_changed',
  'policy_removed',
  'config_changed',
]);

export function affectsInventory(changes: readonly Change[]): boolean {
  return changes.some((c) => INVENTORY_CHANGE_KINDS.has(c.kind));
}

export interface InventoryState {
  view: InventoryView | null;
  error: ApiError | null;
  loading: boolean;
  /** When a change on disk last produced a new view. */
  updatedAt: Date | null;
  updateCount: number;
  watchError: ApiError | null;
}

const INITIAL: InventoryState = {
  view: null,
  error: null,
  loading: true,
  updatedAt: null,
  updateCount: 0,
  watchError: null,
};

export function useInventory(): InventoryState & { refetch: () => Promise<void> } {
  const backend = useBackend();
  const [state, setState] = useState<InventoryState>(INITIAL);
  const seq = useRef(0);
  const mounted = useRef(true);

  const run = useCallback(
    async (fromDisk: boolean) => {
      const mine = ++seq.current;
      try {
        const view = await backend.inventory();
        if (mine !== seq.current || !mounted.current) return;
        setState((s) => ({
          ...s,
          view,
          error: null,
          loading: false,
          updatedAt: fromDisk ? new Date() : s.updatedAt,
          updateCount: fromDisk ? s.updateCount + 1 : s.updateCount,
        }));
      } catch (e) {
        if (mine !== seq.current || !mounted.current) return;
        setState((s) => ({ ...s, error: toApiError(e), loading: false }));
      }
    },
    [backend],
  );

  useEffect(() => {
    mounted.current = true;
    void run(false);
    const stop = watchWorkspace(
      backend,
      (changes) => {
        if (affectsInventory(changes)) void run(true);
      },
      (watchError) => setState((s) => ({ ...s, watchError })),
    );
    return () => {
      mounted.current = false;
      stop();
    };
  }, [backend, run]);

  const refetch = useCallback(() => run(false), [run]);
  return { ...state, refetch };
}
