// The Settings page: the app's own settings, kept in settings.json in the user's config
// folder (never in a workspace): who the app acts as, this machine's signing keys, the SMT
// solver, the theme and the recent workspaces. Reachable without a workspace (from the
// header, Ctrl+, or the palette); the sections that need one say so. A settings file that
// could not be read never stops the app: its problems are listed at the top.
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { SettingsView } from '../bindings/SettingsView';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { toApiError, useBackend } from '../backend';
import { DiagnosticList, ErrorBanner } from '../components/ErrorBanner';
import { PageHeader } from '../components/PageHeader';
import { IdentitySection } from './settings/IdentitySection';
import { KeysSection } from './settings/KeysSection';
import { RecentSection } from './settings/RecentSection';
import { SolverSection } from './settings/SolverSection';
import { ThemeSection } from './settings/ThemeSection';
import './SettingsPage.css';

export function SettingsPage({
  workspace,
  onOpenRecent,
}: {
  workspace: WorkspaceInfo | null;
  onOpenRecent: (path: string) => void;
}) {
  const backend = useBackend();
  const [view, setView] = useState<SettingsView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(
    (live: () => boolean = () => true) =>
      backend.appSettings().then(
        (v) => {
          if (!live()) return;
          setView(v);
          setError(null);
        },
        (e: unknown) => {
          if (live()) setError(toApiError(e));
        },
      ),
    [backend],
  );

  useEffect(() => {
    let active = true;
    void load(() => active);
    return () => {
      active = false;
    };
  }, [load]);

  return (
    <section className="page page-settings" data-testid="page-settings" aria-labelledby="page-title-settings">
      <PageHeader
        page="settings"
        lead="This app’s own settings, kept on this machine (not in any workspace): who you act as, your signing keys, the SMT solver, the theme and your recent workspaces."
      />
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {!view && !error && (
        <p className="muted" aria-busy="true">
          Reading the settings…
        </p>
      )}
      {view && view.problems.length > 0 && (
        <div className="banner banner-warning" role="status" data-testid="settings-problems">
          <div className="banner-body">
            <p className="banner-title">The settings file had problems; Mandate used the defaults for them</p>
            <DiagnosticList diagnostics={view.problems} itemTestId="settings-problem" />
            <p className="banner-help">
              The file is <span className="path">{view.file}</span>.
            </p>
          </div>
        </div>
      )}
      {view && (
        <div className="settings-sections">
          <IdentitySection view={view} workspace={workspace} onView={setView} />
          <KeysSection workspace={workspace} acting={view.actor.actor} />
          <SolverSection view={view} workspace={workspace} onView={setView} />
          <ThemeSection />
          <RecentSection view={view} onView={setView} onOpen={onOpenRecent} />
          <p className="small muted settings-file">
            Saved in <span className="path">{view.file}</span>.
          </p>
        </div>
      )}
    </section>
  );
}
