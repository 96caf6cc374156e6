// Progress and cancel of long backend operations.
//
// `useProgressEvents` subscribes to a progress event for a component's life, so no event is
// missed between starting an operation and a late subscription.
//
// `useOperation` runs one kind of cancellable operation for a component (insights, coverage,
// a bundle build): running, cancelling and cancelled states, Cancel, and a cancel of the one
// running when the component unmounts. Its progress events are best shown by the progress
// row (components/OperationStatus.tsx) given the operations to listen to: it subscribes
// itself, so they re-render only the row. Given `operations`, the hook also keeps the newest
// event of the run as `progress` (the component then renders again on each). The core keeps one cancel flag per kind, cleared when a command of that
// kind starts, so runs of a kind are serialised across the app: a run starts only after the
// previous one of its kind settled and after any cancel sent for it was received — a late
// cancel never stops the next run, and a superseded run that has not started never starts.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { Operation } from '../bindings/Operation';
import type { OperationProgress } from '../bindings/OperationProgress';
import { toApiError, useBackend, type IBackend } from '../backend';

export function useProgressEvents<T>(
  subscribe: (cb: (value: T) => void) => Promise<() => void>,
  onEvent: (value: T) => void,
): void {
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  useEffect(() => {
    let active = true;
    let unsubscribe: (() => void) | null = null;
    subscribe((value) => {
      if (active) handler.current(value);
    }).then(
      (unsub) => {
        if (active) unsubscribe = unsub;
        else unsub();
      },
      // Without progress events the operation still completes; its bar stays indeterminate.
      () => undefined,
    );
    return () => {
      active = false;
      unsubscribe?.();
    };
  }, [subscribe]);
}

/** The cancel flags the core keeps: one per kind of operation. */
export type CancelKind = 'insights' | 'coverage' | 'build';

const CANCEL: Record<CancelKind, (backend: IBackend) => Promise<void>> = {
  insights: (b) => b.cancelInsights(),
  coverage: (b) => b.cancelCoverage(),
  build: (b) => b.cancelBuild(),
};

/** What must settle before the next run of a kind starts: the runs and the cancels sent. */
const queue: Record<CancelKind, Promise<unknown>> = {
  insights: Promise.resolve(),
  coverage: Promise.resolve(),
  build: Promise.resolve(),
};

function after(kind: CancelKind, p: Promise<unknown>): void {
  const settled = p.then(
    () => undefined,
    () => undefined,
  );
  queue[kind] = Promise.all([queue[kind], settled]);
}

/** How a run ended: its value, cancelled, failed, or replaced (its answer is dropped). */
export type Outcome<T> =
  | { kind: 'done'; value: T }
  | { kind: 'cancelled' }
  | { kind: 'failed'; error: ApiError }
  | { kind: 'superseded' };

interface Run {
  started: boolean;
  stopped: boolean;
  settled: boolean;
}

const NONE: readonly Operation[] = [];

const NOT_STARTED: ApiError = {
  code: 'cancelled',
  message: 'cancelled before it started',
  help: null,
  diagnostics: [],
};

export interface OperationState {
  running: boolean;
  /** Cancel was pressed; the core stops at its next check. */
  cancelling: boolean;
  /** The last run was cancelled (until the next run or `dismiss`). */
  cancelled: boolean;
  /** The newest progress of the run, when the hook was given operations to listen to. */
  progress: OperationProgress | null;
  /** Runs `start` (the backend call) as this component's operation; a run still going is cancelled. */
  run: <T>(start: () => Promise<T>) => Promise<Outcome<T>>;
  /** Stops the running operation (it ends `cancelled`). */
  cancel: () => void;
  /** Forgets a cancelled state. */
  dismiss: () => void;
}

/**
 * One component's cancellable operation of `kind` (with `operations`: also their newest
 * progress). Only answers of the newest run, while mounted, are reported as done, cancelled
 * or failed.
 */
export function useOperation(kind: CancelKind, operations: readonly Operation[] = NONE): OperationState {
  const backend = useBackend();
  const [running, setRunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [cancelled, setCancelled] = useState(false);
  const [progress, setProgress] = useState<OperationProgress | null>(null);
  const current = useRef<Run | null>(null);
  const mounted = useRef(true);

  const listen = operations.length > 0;
  const subscribe = useCallback(
    (cb: (p: OperationProgress) => void) => (listen ? backend.onOperationProgress(cb) : Promise.resolve(() => undefined)),
    [backend, listen],
  );
  useProgressEvents(subscribe, (p) => {
    const me = current.current;
    if (me && me.started && !me.settled && operations.includes(p.operation)) setProgress(p);
  });

  const stop = useCallback(
    (me: Run) => {
      me.stopped = true;
      if (me.started && !me.settled) after(kind, CANCEL[kind](backend).catch(() => undefined));
    },
    [backend, kind],
  );

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      // Nobody sees the answer any more: stop the work.
      if (current.current && !current.current.settled) stop(current.current);
    };
  }, [stop]);

  const run = useCallback(
    async <T,>(start: () => Promise<T>): Promise<Outcome<T>> => {
      const previous = current.current;
      if (previous && !previous.settled) stop(previous);
      const me: Run = { started: false, stopped: false, settled: false };
      current.current = me;
      setRunning(true);
      setCancelling(false);
      setCancelled(false);
      setProgress(null);
      const task = queue[kind].then(() => {
        if (me.stopped) throw NOT_STARTED;
        me.started = true;
        return start();
      });
      after(kind, task);
      const mine = () => mounted.current && current.current === me;
      try {
        const value = await task;
        return mine() ? { kind: 'done', value } : { kind: 'superseded' };
      } catch (e) {
        if (!mine()) return { kind: 'superseded' };
        const error = toApiError(e);
        if (error.code === 'cancelled') {
          setCancelled(true);
          return { kind: 'cancelled' };
        }
        return { kind: 'failed', error };
      } finally {
        me.settled = true;
        if (mine()) {
          setRunning(false);
          setCancelling(false);
          setProgress(null);
        }
      }
    },
    [kind, stop],
  );

  const cancel = useCallback(() => {
    const me = current.current;
    if (!me || me.settled || me.stopped) return;
    setCancelling(true);
    stop(me);
  }, [stop]);

  const dismiss = useCallback(() => setCancelled(false), []);

  return { running, cancelling, cancelled, progress, run, cancel, dismiss };
}
