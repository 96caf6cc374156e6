// Imports a file of recorded requests into a request set: a path (typed, or chosen with the
// native picker), the set name and strict mode; a progress bar with Cancel while the core
// reads it; then what was kept and skipped, the replay grades and every bad line.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { ImportProgress } from '../../bindings/ImportProgress';
import type { ImportSummary } from '../../bindings/ImportSummary';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { count, percent, setNameFromPath } from '../../lib/simulate';
import { plural } from '../../lib/summary';
import { useProgressEvents } from '../../lib/useProgressEvents';

export function ImportDialog({
  onClose,
  onImported,
}: {
  onClose: () => void;
  /** After a successful import (the set may be new). */
  onImported: (summary: ImportSummary) => void;
}) {
  const backend = useBackend();
  const uid = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [path, setPath] = useState('');
  const [set, setSet] = useState('');
  const [setEdited, setSetEdited] = useState(false);
  const [strict, setStrict] = useState(false);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [result, setResult] = useState<ImportSummary | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const importing = useRef(false);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    heading.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const subscribeImport = useCallback(
    (cb: (p: ImportProgress) => void) => backend.onImportProgress(cb),
    [backend],
  );
  useProgressEvents(subscribeImport, (p: ImportProgress) => {
    if (importing.current) setProgress(p);
  });

  const onPath = (value: string) => {
    setPath(value);
    if (!setEdited) setSet(setNameFromPath(value));
  };

  const browse = async () => {
    try {
      const picked = await backend.pickRequestFile();
      if (picked !== null) onPath(picked);
    } catch (e) {
      setError(toApiError(e));
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !path.trim() || !set.trim()) return;
    setBusy(true);
    setError(null);
    setResult(null);
    setCancelled(false);
    setProgress(null);
    importing.current = true;
    try {
      const summary = await backend.importRequests(path.trim(), set.trim(), strict);
      setResult(summary);
      if (!summary.failed_strict) onImported(summary);
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.code === 'cancelled') setCancelled(true);
      else setError(apiError);
    } finally {
      importing.current = false;
      setBusy(false);
    }
  };

  const cancel = () => {
    backend.cancelImport().catch((e: unknown) => setError(toApiError(e)));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (!busy) onClose();
    } else if (e.key === 'Tab') {
      const focusable = dialog.current?.querySelectorAll<HTMLElement>('button:not([disabled]), [href], input:not([disabled]), select, textarea');
      if (!focusable || focusable.length === 0) return;
      const first = focusable[0]!;
      const last = focusable[focusable.length - 1]!;
      if (e.shiftKey && (document.activeElement === first || document.activeElement === heading.current)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div
        ref={dialog}
        className="modal modal-wide import-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${uid}-title`}
        data-testid="import-dialog"
        onKeyDown={onKeyDown}
      >
        <div className="modal-head">
          <div>
            <h2 id={`${uid}-title`} ref={heading} tabIndex={-1}>
              Import recorded requests
            </h2>
            <p className="muted small">
              JSON Lines, a JSON array, a Cedar CLI request, a Cedar integration test, or Cedarling decision logs.
            </p>
          </div>
          <button type="button" className="btn-icon" onClick={onClose} disabled={busy} aria-label="Close" data-testid="import-close">
            <Icon name="close" />
          </button>
        </div>

        <form className="import-form" onSubmit={(e) => void submit(e)} noValidate>
          <div className="field">
            <label className="field-label" htmlFor={`${uid}-path`}>
              File
            </label>
            <div className="review-inline">
              <input
                id={`${uid}-path`}
                className="input mono"
                value={path}
                onChange={(e) => onPath(e.target.value)}
                placeholder="/path/to/requests.jsonl"
                disabled={busy}
                spellCheck={false}
                aria-describedby={`${uid}-path-hint`}
                data-testid="import-path"
              />
              <button type="button" className="btn" onClick={() => void browse()} disabled={busy} data-testid="import-browse">
                Browse…
              </button>
            </div>
            <p id={`${uid}-path-hint`} className="field-hint">
              A file inside the workspace, or any file chosen with Browse….
            </p>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${uid}-set`}>
              Request set
            </label>
            <input
              id={`${uid}-set`}
              className="input"
              value={set}
              onChange={(e) => {
                setSet(e.target.value);
                setSetEdited(true);
              }}
              placeholder="prod-2026-05"
              disabled={busy}
              aria-describedby={`${uid}-set-hint`}
              data-testid="import-set"
            />
            <p id={`${uid}-set-hint`} className="field-hint">
              Added to the set when it exists, created when new. Records already in it are counted as duplicates.
            </p>
          </div>
          <label className="check">
            <input type="checkbox" checked={strict} onChange={(e) => setStrict(e.target.checked)} disabled={busy} data-testid="import-strict" />
            Strict: any bad record fails the import and nothing is written
          </label>

          {busy && (
            <div className="progress-row" data-testid="import-progress">
              <progress
                className="progress"
                aria-label="Import progress"
                value={progress && progress.bytes_total > 0 ? progress.bytes_read : undefined}
                max={progress && progress.bytes_total > 0 ? progress.bytes_total : undefined}
                data-testid="import-progress-bar"
              />
              <span className="muted small" aria-live="polite">
                {progress
                  ? `${percent(progress.bytes_read, progress.bytes_total)}% · ${plural(progress.records, 'record')} read`
                  : 'Reading…'}
              </span>
              <button type="button" className="btn btn-small" onClick={cancel} data-testid="import-cancel">
                Cancel
              </button>
            </div>
          )}

          {cancelled && (
            <p className="notice" role="status" data-testid="import-cancelled">
              Import cancelled. Nothing was added to the set.
            </p>
          )}
          {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
          {result && <ImportResult summary={result} />}

          <div className="modal-actions">
            {result && !result.failed_strict ? (
              <button type="button" className="btn btn-primary" onClick={onClose} data-testid="import-done">
                Done
              </button>
            ) : (
              <>
                <button type="button" className="btn" onClick={onClose} disabled={busy}>
                  Close
                </button>
                <button type="submit" className="btn btn-primary" disabled={busy || !path.trim() || !set.trim()} data-testid="import-submit">
                  {busy ? 'Importing…' : 'Import'}
                </button>
              </>
            )}
          </div>
        </form>
      </div>
    </div>
  );
}

function ImportResult({ summary: s }: { summary: ImportSummary }) {
  return (
    <div className="import-result" role="status" data-testid="import-result">
      {s.failed_strict ? (
        <p className="text-error" data-testid="import-failed-strict">
          Nothing was imported: strict mode met {plural(s.skipped, 'bad record')}.
        </p>
      ) : (
        <p>
          Imported into <strong>{s.set}</strong> ({s.format}): <strong data-testid="import-kept">{count(s.kept)}</strong> kept,{' '}
          {count(s.duplicates)} duplicate{s.duplicates === 1 ? '' : 's'}, <span data-testid="import-skipped">{count(s.skipped)}</span> skipped
          {s.ignored > 0 && <>, {count(s.ignored)} ignored (not requests)</>}.
        </p>
      )}
      <p className="muted small">
        Replay grades: {count(s.grades.full)} full, {count(s.grades.no_context)} without context, {count(s.grades.ids_only)} ids only.
      </p>
      {s.errors.length > 0 && (
        <>
          <h3 className="decision-subtitle">
            {plural(s.errors.length, 'bad line')}
            {s.skipped > s.errors.length && <span className="muted"> (the first {count(s.errors.length)} of {count(s.skipped)})</span>}
          </h3>
          <ul className="bad-lines" data-testid="import-bad-lines">
            {s.errors.map((e, i) => (
              <li key={`${String(e.line)}-${i}`} data-testid="import-bad-line" data-line={String(e.line)}>
                <code>line {String(e.line)}</code> {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
