// The application shell: header, navigation and the current page, or the welcome screen
// when no workspace is open (Settings opens either way). Owns which workspace is open, the
// command palette and the toasts; a failed open is a toast carrying the core's help.
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from './bindings/ApiError';
import type { WorkspaceInfo } from './bindings/WorkspaceInfo';
import { toApiError, useBackend } from './backend';
import { watchWorkspace } from './lib/watchWorkspace';
import { CommandPalette } from './components/CommandPalette';
import { ErrorBanner } from './components/ErrorBanner';
import { Header } from './components/Header';
import { Sidebar } from './components/Sidebar';
import { ToastProvider } from './components/Toast';
import { Welcome } from './components/Welcome';
import { setDraftScope } from './lib/drafts';
import { useHashRoute, type Page } from './lib/route';
import { useToast } from './lib/toast';
import { AgentsPage } from './pages/AgentsPage';
import { AuditPage } from './pages/AuditPage';
import { DashboardPage } from './pages/DashboardPage';
import { FrameworksPage } from './pages/FrameworksPage';
import { InsightsPage } from './pages/InsightsPage';
import { PoliciesPage } from './pages/PoliciesPage';
import { PublishPage } from './pages/PublishPage';
import { SettingsPage } from './pages/SettingsPage';
import { SimulatePage } from './pages/SimulatePage';

export function App() {
  return (
    <ToastProvider>
      <Shell />
    </ToastProvider>
  );
}

function Shell() {
  const backend = useBackend();
  const toast = useToast();
  const page = useHashRoute();
  const [paletteOpen, setPaletteOpen] = useState(false);
  // `undefined` while asking the core whether a workspace is already open.
  const [workspace, setWorkspace] = useState<WorkspaceInfo | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [opening, setOpening] = useState(false);

  useEffect(() => {
    let active = true;
    backend.currentWorkspace().then(
      (info) => {
        if (active) setWorkspace(info);
      },
      (e: unknown) => {
        if (!active) return;
        setError(toApiError(e));
        setWorkspace(null);
      },
    );
    return () => {
      active = false;
    };
  }, [backend]);

  // mandate.toml names the workspace; re-read the header when it changes on disk.
  const root = workspace?.root;
  // Unsaved policy drafts belong to the workspace they were made in.
  useEffect(() => {
    if (root !== undefined) setDraftScope(root);
  }, [root]);
  useEffect(() => {
    if (root === undefined) return;
    // A failed subscription is reported by the pages; the header just stays as it is.
    return watchWorkspace(backend, (changes, live) => {
      if (!changes.some((c) => c.kind === 'config_changed')) return;
      backend.currentWorkspace().then(
        (info) => {
          if (live() && info) setWorkspace(info);
        },
        (e: unknown) => {
          if (live()) setError(toApiError(e));
        },
      );
    });
  }, [backend, root]);

  const openWorkspace = useCallback(
    async (pick: () => Promise<string | null>, open: (path: string) => Promise<WorkspaceInfo>) => {
      try {
        const path = await pick();
        if (path === null) return;
        setOpening(true);
        setWorkspace(await open(path));
      } catch (e) {
        toast.error(e);
      } finally {
        setOpening(false);
      }
    },
    [toast],
  );
  const onOpen = useCallback(
    () => void openWorkspace(() => backend.pickWorkspaceFolder(), (path) => backend.openWorkspace(path)),
    [backend, openWorkspace],
  );
  // A workspace from the recent list (Settings, the palette) opens without the dialog.
  const onOpenRecent = useCallback(
    (path: string) => void openWorkspace(() => Promise.resolve(path), (p) => backend.openRecentWorkspace(p)),
    [backend, openWorkspace],
  );

  if (workspace === undefined) {
    return (
      <div className="app-loading" aria-busy="true">
        Loading…
      </div>
    );
  }

  return (
    <div className={workspace ? 'app' : 'app app-no-workspace'}>
      <Header workspace={workspace} opening={opening} onOpen={onOpen} onCommands={() => setPaletteOpen(true)} />
      {workspace && <Sidebar current={page} />}
      <main className="main">
        {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
        {workspace ? (
          // Keyed by folder so every page starts fresh when another workspace is opened.
          <PageView key={workspace.root} page={page} workspace={workspace} onOpenRecent={onOpenRecent} />
        ) : page === 'settings' ? (
          <SettingsPage workspace={null} onOpenRecent={onOpenRecent} />
        ) : (
          <Welcome opening={opening} onOpen={onOpen} />
        )}
      </main>
      <CommandPalette
        open={paletteOpen}
        onOpenChange={setPaletteOpen}
        workspace={workspace}
        onOpenWorkspace={onOpen}
        onOpenRecent={onOpenRecent}
      />
    </div>
  );
}

function PageView({
  page,
  workspace,
  onOpenRecent,
}: {
  page: Page;
  workspace: WorkspaceInfo;
  onOpenRecent: (path: string) => void;
}) {
  switch (page) {
    case 'dashboard':
      return <DashboardPage workspace={workspace} />;
    case 'policies':
      return <PoliciesPage />;
    case 'audit':
      return <AuditPage />;
    case 'agents':
      return <AgentsPage />;
    case 'simulate':
      return <SimulatePage workspace={workspace} />;
    case 'insights':
      return <InsightsPage />;
    case 'frameworks':
      return <FrameworksPage />;
    case 'publish':
      return <PublishPage workspace={workspace} />;
    case 'settings':
      return <SettingsPage workspace={workspace} onOpenRecent={onOpenRecent} />;
  }
}
