// The banner an editor shows when the file it edits changed on disk under unsaved edits, or
// when a save was refused for that reason (`edit_conflict`). Nothing is written until the
// user picks: reload their version (dropping the edits) or overwrite it with theirs, named
// explicitly. `theirs` is what "Show their change" reveals (a diff, the changed fields).
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface ConflictBannerProps {
  /** The workspace-relative file, e.g. `policies/tools.cedar`. */
  file: string;
  /** Whether a save was refused (rather than the watcher noticing the change first). */
  refused: boolean;
  onReload: () => void;
  onOverwrite: () => void;
  /** While a save is running, the choices wait. */
  busy?: boolean;
  theirs?: ReactNode;
  /** Prefix of the test ids: `<prefix>-conflict`, `-reload`, `-overwrite`, `-show-theirs`. */
  testId: string;
}

export function ConflictBanner({ file, refused, onReload, onOverwrite, busy = false, theirs, testId }: ConflictBannerProps) {
  const [shown, setShown] = useState(false);
  const uid = useId();
  const ref = useRef<HTMLDivElement>(null);
  // A refused save is pressed far below in a long form: bring the answer into view.
  useEffect(() => {
    if (refused) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [refused]);
  return (
    <div
      ref={ref}
      className="banner banner-warning conflict-banner"
      role="alert"
      data-testid={`${testId}-conflict`}
      data-refused={refused}
    >
      <div className="banner-body">
        <p className="banner-title">
          {refused ? 'Not saved: ' : ''}
          <code>{file}</code> changed on disk {refused ? 'since you opened it' : 'while you were editing'}
        </p>
        <p className="banner-help">
          It was changed outside Mandate (another editor, a git pull, the CLI).{' '}
          {refused ? 'Your version was not written. ' : ''}Nothing is written until you choose: reload from disk and
          discard your edits, or overwrite their change with your version.
        </p>
        {theirs !== undefined && shown && (
          <div className="conflict-theirs" id={`${uid}-theirs`} data-testid={`${testId}-theirs`}>
            {theirs}
          </div>
        )}
        <div className="conflict-actions">
          {theirs !== undefined && (
            <button
              type="button"
              className="btn"
              aria-expanded={shown}
              aria-controls={`${uid}-theirs`}
              onClick={() => setShown(!shown)}
              data-testid={`${testId}-show-theirs`}
            >
              {shown ? 'Hide their change' : 'Show their change'}
            </button>
          )}
          <button type="button" className="btn" onClick={onReload} disabled={busy} data-testid={`${testId}-reload`}>
            Reload from disk
          </button>
          <button
            type="button"
            className="btn btn-danger-outline"
            onClick={onOverwrite}
            disabled={busy}
            data-testid={`${testId}-overwrite`}
          >
            Overwrite with my version
          </button>
        </div>
      </div>
    </div>
  );
}
