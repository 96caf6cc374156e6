// What a page shows while one of its long operations runs (a bar with the phase, how far it
// got and Cancel) and after the user cancelled it (a notice with "Run again"). The state
// comes from `useOperation` (lib/useProgressEvents.ts); the row listens to the core's
// `operation-progress` events itself, so only it renders again as they arrive.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Operation } from '../bindings/Operation';
import type { OperationProgress } from '../bindings/OperationProgress';
import { useBackend } from '../backend';
import { count, percent } from '../lib/simulate';
import { useProgressEvents } from '../lib/useProgressEvents';
import './OperationStatus.css';

/** The bar's caption: the phase, with `done of total` and a percentage when it counts. */
export function progressText(progress: OperationProgress | null, fallback: string): string {
  if (!progress) return fallback;
  if (progress.total <= 0) return `${progress.phase}…`;
  return `${progress.phase}: ${count(progress.done)} of ${count(progress.total)} (${percent(progress.done, progress.total)}%)`;
}

/**
 * Mounted while the operation runs. With `operations` it listens to their progress itself
 * (each run starts with none shown); otherwise it shows `progress`.
 */
export function OperationProgressRow({
  label,
  operations,
  progress: given = null,
  fallback,
  cancelling,
  onCancel,
  testId,
  extra,
}: {
  /** The accessible name of the bar, e.g. "Computing coverage". */
  label: string;
  /** Whose `operation-progress` events it shows. */
  operations?: readonly Operation[];
  /** The progress to show, when the row does not listen itself. */
  progress?: OperationProgress | null;
  /** The caption before the first progress event. */
  fallback: string;
  cancelling: boolean;
  onCancel: () => void;
  /** `X` gives `X` (the row), `X-bar`, `X-text` and `X-cancel`. */
  testId: string;
  /** Shown after the caption (e.g. the seconds elapsed). */
  extra?: ReactNode;
}) {
  const backend = useBackend();
  const [heard, setHeard] = useState<OperationProgress | null>(null);
  const listen = operations !== undefined;
  const subscribe = useCallback(
    (cb: (p: OperationProgress) => void) => (listen ? backend.onOperationProgress(cb) : Promise.resolve(() => undefined)),
    [backend, listen],
  );
  useProgressEvents(subscribe, (p) => {
    if (operations?.includes(p.operation)) setHeard(p);
  });
  const progress = listen ? heard : given;
  const counted = progress !== null && progress.total > 0;
  return (
    <div className="progress-row op-progress" aria-live="polite" data-testid={testId} data-phase={progress?.phase ?? ''}>
      <progress
        className="progress"
        aria-label={label}
        value={counted ? Math.min(progress.done, progress.total) : undefined}
        max={counted ? progress.total : undefined}
        data-testid={`${testId}-bar`}
      />
      <span className="small muted op-progress-text" data-testid={`${testId}-text`}>
        {cancelling ? 'Cancelling…' : progressText(progress, fallback)}
        {extra}
      </span>
      <button type="button" className="btn btn-small" onClick={onCancel} disabled={cancelling} data-testid={`${testId}-cancel`}>
        {cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}

/**
 * ` · 12 s` since `since` (ms), ticking each second: its own state, so the page around it does
 * not render again every second while an operation runs.
 */
export function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(since);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.floor((now - since) / 1000));
  return seconds > 0 ? <span data-testid="elapsed">{` · ${seconds} s`}</span> : null;
}

/** "Cancelled — run again": nothing of the operation was kept. */
export function CancelledNotice({
  what,
  again,
  onAgain,
  testId,
}: {
  /** What was cancelled, e.g. "The analysis". */
  what: string;
  /** The label of the button that runs it again, e.g. "Analyse again". */
  again: string;
  onAgain: () => void;
  testId: string;
}) {
  return (
    <p className="notice op-cancelled" role="status" data-testid={testId}>
      Cancelled — {what} stopped and nothing of it was kept.{' '}
      <button type="button" className="link-button" onClick={onAgain} data-testid={`${testId}-again`}>
        {again}
      </button>
    </p>
  );
}
