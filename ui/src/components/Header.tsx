import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { hrefFor } from '../lib/route';
import { formatKeys, KEYS } from '../lib/shortcuts';
import { Icon } from './Icon';

export function Header({
  workspace,
  opening,
  onOpen,
  onCommands,
}: {
  workspace: WorkspaceInfo | null;
  opening: boolean;
  onOpen: () => void;
  /** Opens the command palette. */
  onCommands: () => void;
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
        className="btn header-commands"
        onClick={onCommands}
        aria-keyshortcuts="Control+K Meta+K"
        data-testid="open-palette"
      >
        <Icon name="search" />
        Commands
        <kbd className="header-kbd">{formatKeys(KEYS.palette)}</kbd>
      </button>
      {!workspace && (
        <a href={hrefFor('settings')} className="btn" data-testid="header-settings">
          <Icon name="settings" />
          Settings
        </a>
      )}
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
