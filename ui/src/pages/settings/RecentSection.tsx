// The workspaces opened before, most recent first: open one again without the folder dialog,
// or take it off the list (a folder that moved or was deleted is marked).
import { useId, useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { SettingsView } from '../../bindings/SettingsView';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';

export function RecentSection({
  view,
  onView,
  onOpen,
}: {
  view: SettingsView;
  onView: (view: SettingsView) => void;
  onOpen: (path: string) => void;
}) {
  const backend = useBackend();
  const uid = useId();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const forget = async (path: string) => {
    setBusy(path);
    setError(null);
    try {
      onView(await backend.forgetWorkspace(path));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="panel settings-section" aria-labelledby={`${uid}-title`} data-testid="settings-recent">
      <h2 id={`${uid}-title`}>Recent workspaces</h2>
      {view.recent.length === 0 ? (
        <p className="muted" data-testid="recent-empty">
          None yet: every workspace you open with Open workspace… is listed here, to open again in one click.
        </p>
      ) : (
        <ul className="settings-recent">
          {view.recent.map((r) => (
            <li key={r.path} data-testid="recent-workspace" data-path={r.path} data-exists={r.exists}>
              <div className="settings-recent-text">
                <span className="settings-recent-name">
                  {r.name ?? r.path.split('/').filter(Boolean).pop() ?? r.path}
                  {r.open && <span className="badge badge-ok">open</span>}
                  {!r.exists && <span className="badge badge-warning">folder missing</span>}
                </span>
                <span className="path small">{r.path}</span>
              </div>
              {r.exists && !r.open && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => onOpen(r.path)}
                  aria-label={`Open ${r.name ?? r.path}`}
                  data-testid="recent-open"
                >
                  Open
                </button>
              )}
              {!r.open && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => void forget(r.path)}
                  disabled={busy !== null}
                  aria-label={`Remove ${r.path} from the list`}
                  data-testid="recent-forget"
                >
                  {busy === r.path ? 'Removing…' : 'Remove'}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
    </section>
  );
}
