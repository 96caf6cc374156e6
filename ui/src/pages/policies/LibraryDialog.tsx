// Adds the built-in library's policies for a control to the workspace. Lists every control
// (the workspace's and the library's), what already enforces it, and an Add button where the
// library has policies the workspace lacks; the core writes `policies/controls/<id>.cedar`
// and refuses duplicates, and its refusal is shown here. The dialog stays open after an add
// so several controls can be added in a row.
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { AddedPolicies } from '../../bindings/AddedPolicies';
import type { ApiError } from '../../bindings/ApiError';
import type { ControlStatus } from '../../bindings/ControlStatus';
import type { ControlsView } from '../../bindings/ControlsView';
import type { PolicyFile } from '../../bindings/PolicyFile';
import { toApiError, useBackend } from '../../backend';
import { DiagnosticList, ErrorBanner } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { libraryAddState, refText } from '../../lib/controls';
import { plural } from '../../lib/summary';

export function LibraryDialog({
  files,
  onClose,
  onAdded,
}: {
  /** The workspace's policy files as last validated, to tell what is already there. */
  files: PolicyFile[];
  onClose: () => void;
  onAdded: (added: AddedPolicies) => void;
}) {
  const backend = useBackend();
  const titleId = useId();
  const [view, setView] = useState<ControlsView | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // After an add, until the list is reread: no Add button is offered on the stale list (the
  // core would refuse the duplicate), but Close and Escape work.
  const [refreshing, setRefreshing] = useState(false);
  const latestLoad = useRef(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [added, setAdded] = useState<AddedPolicies | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    // Focus the title (the list may be long); give focus back to the opener on close.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    heading.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  // Only the latest reread is shown: an earlier one finishing late never replaces it.
  const load = useCallback(
    (live: () => boolean) => {
      const n = ++latestLoad.current;
      const current = () => live() && n === latestLoad.current;
      return backend.controls().then(
        (v) => {
          if (!current()) return;
          setView(v);
          setLoadError(null);
        },
        (e: unknown) => {
          if (current()) setLoadError(toApiError(e));
        },
      );
    },
    [backend],
  );

  useEffect(() => {
    let active = true;
    void load(() => active);
    return () => {
      active = false;
    };
  }, [load]);

  const add = async (control: string) => {
    if (busy) return;
    setBusy(control);
    setError(null);
    setAdded(null);
    try {
      const result = await backend.addControlPolicies(control);
      setAdded(result);
      onAdded(result);
    } catch (e) {
      setError(toApiError(e));
      return;
    } finally {
      setBusy(null);
    }
    // The write is over: the dialog can close while the list is reread.
    setRefreshing(true);
    try {
      await load(() => dialog.current !== null);
    } finally {
      setRefreshing(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (!busy) onClose();
    } else if (e.key === 'Tab') {
      // Keep focus inside the dialog.
      const focusable = dialog.current?.querySelectorAll<HTMLElement>('button:not([disabled]), [href], input, select, textarea');
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

  const controls = view?.controls ?? [];
  const addable = controls.filter((c) => libraryAddState(c, files).can).length;

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div
        ref={dialog}
        className="modal modal-wide"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="library-dialog"
        onKeyDown={onKeyDown}
      >
        <div className="modal-head">
          <div>
            <h2 id={titleId} ref={heading} tabIndex={-1}>
              Add from the control library
            </h2>
            <p className="muted small">
              Each control’s library policies go to <code>policies/controls/&lt;id&gt;.cedar</code>, in the workspace namespace.
              {view && (addable > 0 ? ` ${plural(addable, 'control')} can be added.` : ' Every library policy is already in the workspace.')}
            </p>
          </div>
          <button type="button" className="btn-icon" onClick={onClose} disabled={busy !== null} aria-label="Close">
            <Icon name="close" />
          </button>
        </div>

        {added && (
          <p className="library-added" role="status" data-testid="library-added" data-file={added.file}>
            Added {added.ids.map((id, i) => (
              <span key={id}>
                {i > 0 && ', '}
                <code>{id}</code>
              </span>
            ))}{' '}
            to <code>{added.file}</code>; it is open in the editor.
          </p>
        )}
        {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
        {loadError && <ErrorBanner error={loadError} />}
        {view && view.diagnostics.length > 0 && (
          <div className="banner banner-warning" role="status">
            <div className="banner-body">
              <p className="banner-title">controls/controls.toml has problems</p>
              <DiagnosticList diagnostics={view.diagnostics} />
            </div>
          </div>
        )}
        {!view && !loadError && (
          <p className="muted" aria-busy="true">
            Loading controls…
          </p>
        )}

        {view && (
          <ul className="library-list" aria-label="Controls">
            {controls.map((c) => (
              <LibraryRow key={c.id} control={c} files={files} busy={busy} locked={busy !== null || refreshing} onAdd={(id) => void add(id)} />
            ))}
          </ul>
        )}

        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy !== null} data-testid="library-close">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

function LibraryRow({
  control: c,
  files,
  busy,
  locked,
  onAdd,
}: {
  control: ControlStatus;
  files: PolicyFile[];
  /** The control being added. */
  busy: string | null;
  /** No add may start: one is running, or the list is being reread after one. */
  locked: boolean;
  onAdd: (id: string) => void;
}) {
  const state = libraryAddState(c, files);
  const reasonId = useId();
  return (
    <li className="library-control" data-testid="library-control" data-control={c.id}>
      <div className="library-control-main">
        <div className="library-control-head">
          <code>{c.id}</code>
          <span className="library-control-title">{c.title}</span>
          <span className={c.in_workspace ? 'tag tag-workspace' : 'tag'} title={c.in_workspace ? 'Listed in controls/controls.toml' : 'Only in Mandate’s built-in library'}>
            {c.in_workspace ? 'in controls.toml' : 'library only'}
          </span>
        </div>
        <p className="library-control-statement">{c.statement}</p>
        <p className="library-control-meta">
          {c.enforced_by.length > 0 ? (
            <>
              <span className="text-ok">Enforced by</span>{' '}
              {c.enforced_by.map((r, i) => (
                <span key={`${r.file}:${r.line}`} data-testid="library-enforced-by">
                  {i > 0 && ', '}
                  <code>{r.id}</code> <span className="muted">{refText(r)}</span>
                </span>
              ))}
            </>
          ) : (
            <span className="text-warning">Not enforced by any workspace policy</span>
          )}
        </p>
        {c.library_policies.length > 0 && (
          <p className="library-control-meta muted">
            Library {c.library_policies.length === 1 ? 'policy' : 'policies'}: {c.library_policies.join(', ')}
          </p>
        )}
      </div>
      <div className="library-control-action">
        <button
          type="button"
          className={state.can ? 'btn btn-primary btn-small' : 'btn btn-small'}
          disabled={!state.can || locked}
          onClick={() => onAdd(c.id)}
          aria-describedby={state.can ? undefined : reasonId}
          data-testid="library-add"
        >
          {busy === c.id ? 'Adding…' : 'Add'}
        </button>
        {!state.can && (
          <span id={reasonId} className="library-add-reason" data-testid="library-add-reason">
            {state.reason}
          </span>
        )}
      </div>
    </li>
  );
}
