// One Dashboard card's data: fetched on mount, again when the page's Refresh is pressed or
// the watcher reports a change that can alter it, each card on its own so a slow card never
// holds up the others. Like `useValidation`, only the newest answer is kept; the last data
// stays shown while a newer answer is computed. A card over a long operation (insights,
// coverage) runs it through `useOperation`: progress, Cancel, and a cancel when it unmounts.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { Change } from '../bindings/Change';
import { toApiError, useBackend, type IBackend } from '../backend';
import type { OperationState, Outcome } from './useProgressEvents';
import { watchWorkspace } from './watchWorkspace';

export interface CardState<T> {
  data: T | null;
  error: ApiError | null;
  /** A call is under way (the first, or a refresh). */
  loading: boolean;
  /** The last call was cancelled (the data before it, if any, is still shown). */
  cancelled: boolean;
}

export interface CardOptions {
  /** Reload when the watcher reports changes this accepts (default: never). */
  refreshOn?: (changes: Change[]) => boolean;
  /** `false` holds the first call back (a card that waits for another's shared work). */
  ready?: boolean;
  /** Runs the call as this cancellable operation (progress, Cancel). */
  op?: OperationState;
}

async function plain<T>(start: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { kind: 'done', value: await start() };
  } catch (e) {
    return { kind: 'failed', error: toApiError(e) };
  }
}

/** `reload` asks again (the page's Refresh, Try again). */
export function useCard<T>(
  load: (backend: IBackend) => Promise<T>,
  { refreshOn, ready = true, op }: CardOptions = {},
): CardState<T> & { reload: () => void } {
  const backend = useBackend();
  const [state, setState] = useState<CardState<T>>({ data: null, error: null, loading: true, cancelled: false });
  const seq = useRef(0);
  const loadRef = useRef(load);
  const refreshRef = useRef(refreshOn);
  useEffect(() => {
    loadRef.current = load;
    refreshRef.current = refreshOn;
  });
  const runOp = op?.run;

  /** Asks the core; only the newest answer, while the card is shown, lands. */
  const fetchCard = useCallback(() => {
    const mine = ++seq.current;
    const start = () => loadRef.current(backend);
    void (runOp ? runOp(start) : plain(start)).then((outcome) => {
      // A newer call (or the card going away) owns the state now.
      if (mine !== seq.current || outcome.kind === 'superseded') return;
      if (outcome.kind === 'done') setState({ data: outcome.value, error: null, loading: false, cancelled: false });
      else if (outcome.kind === 'failed') setState((s) => ({ ...s, error: outcome.error, loading: false }));
      else setState((s) => ({ ...s, loading: false, cancelled: true }));
    });
  }, [backend, runOp]);

  const reload = useCallback(() => {
    setState((s) => ({ ...s, loading: true, cancelled: false }));
    fetchCard();
  }, [fetchCard]);

  // The first call: the state starts as loading.
  useEffect(() => {
    if (ready) fetchCard();
  }, [fetchCard, ready]);

  useEffect(
    () =>
      watchWorkspace(backend, (changes) => {
        if (refreshRef.current?.(changes)) reload();
      }),
    [backend, reload],
  );

  useEffect(
    () => () => {
      seq.current++;
    },
    [],
  );

  return { ...state, reload };
}
