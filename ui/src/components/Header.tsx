import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { Icon } from './Icon';

export function Header({
  workspace,
  opening,
  onOpen,
}: {
  workspace: WorkspaceInfo | null;
  opening: boolean;
  onOpen: () => void;
}) {
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          M
        </span>
        <span className="brand-name">Mandate</span>
      </div>
      <div className="header-workspace">
        {workspace ? (
          <>
            <span className="workspace-name" data-testid="workspace-name">
              {workspace.name}
            </span>
            <span className="workspace-root" data-testid="workspace-root" title={workspace.root}>
              {workspace.root}
            </span>
          </>
        ) : (
          <span className="muted">No workspace open</span>
        )}
      </div>
      <button
        type="button"
        className="btn"
        onClick={onOpen}
        disabled={opening}
        data-testid="open-workspace"
      >
        <Icon name="folder" />
        {opening ? 'Opening…' : 'Open workspace…'}
      </button>
    </header>
  );
}
