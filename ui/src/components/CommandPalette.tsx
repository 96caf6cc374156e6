// The command palette (cmdk) and the app's global keyboard shortcuts (lib/shortcuts.ts).
// Ctrl+K (⌘K), `?` or the header's Commands button opens it: every page, the actions a
// governance lead reaches for (open a workspace, validate, import requests, a new replay,
// export coverage, build a bundle, the theme, Settings) and the recent workspaces, each with
// its shortcut. It is a modal dialog: labelled, focus kept on its search field, Escape or a
// click outside closes it, and focus goes back where it was (unless the command moved it).
// Actions that live on a page open that page and then its control (`whenShown`); failures
// are toasts carrying the core's help.
import { Command } from 'cmdk';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { RecentWorkspace } from '../bindings/RecentWorkspace';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { useBackend } from '../backend';
import { hrefFor, PAGE_TITLES, PAGES, type Page } from '../lib/route';
import { formatKeys, isTypingTarget, KEYS, pageKeys, ShortcutReader, whenShown, type Keys } from '../lib/shortcuts';
import { summaryText } from '../lib/summary';
import { chooseTheme, THEME_LABELS, toggledTheme, useShownTheme, useThemeChoice } from '../lib/theme';
import { useToast } from '../lib/toast';
import { Icon } from './Icon';
import './CommandPalette.css';

export interface CommandPaletteProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  workspace: WorkspaceInfo | null;
  /** Shows the folder dialog and opens the workspace chosen. */
  onOpenWorkspace: () => void;
  /** Opens a workspace from the recent list. */
  onOpenRecent: (path: string) => void;
}

interface PaletteCommand {
  id: string;
  group: 'Go to' | 'Actions' | 'Recent workspaces';
  label: string;
  keywords?: string[];
  keys?: Keys | null;
  icon?: Page | 'folder' | 'refresh';
  /** The command moves the focus itself (to the control it opens): do not give it back. */
  movesFocus?: boolean;
  run: () => void;
}

function go(page: Page, view?: string) {
  window.location.hash = hrefFor(page, view);
}

/** Opens `page`, then runs `act` on its control `selector` once the page shows it. */
function goAndThen(page: Page, selector: string, act: (el: HTMLElement) => void) {
  go(page);
  whenShown(selector, (el) => {
    el.scrollIntoView?.({ block: 'center' });
    act(el);
  });
}

export function CommandPalette({ open, onOpenChange, workspace, onOpenWorkspace, onOpenRecent }: CommandPaletteProps) {
  const openRef = useRef(open);
  useEffect(() => {
    openRef.current = open;
  }, [open]);

  // Global shortcuts, bubbling (a component that handles a key itself stops it first).
  useEffect(() => {
    const reader = new ShortcutReader();
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat) return;
      const target = e.target instanceof Element ? e.target : null;
      // Another modal dialog keeps its keys (the palette's own Ctrl+K closes it).
      const inDialog = target?.closest('[aria-modal="true"]') ?? null;
      if (inDialog && !inDialog.hasAttribute('data-palette')) return;
      const action = reader.read({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        shiftKey: e.shiftKey,
        typing: isTypingTarget(e.target),
        at: e.timeStamp,
      });
      if (!action) return;
      if (openRef.current && action.kind !== 'palette') return;
      e.preventDefault();
      switch (action.kind) {
        case 'palette':
          onOpenChange(!openRef.current);
          break;
        case 'settings':
          go('settings');
          break;
        case 'open-workspace':
          onOpenWorkspace();
          break;
        case 'page':
          if (workspace) go(action.page);
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onOpenChange, onOpenWorkspace, workspace]);

  if (!open) return null;
  return (
    <PaletteDialog
      workspace={workspace}
      onClose={() => onOpenChange(false)}
      onOpenWorkspace={onOpenWorkspace}
      onOpenRecent={onOpenRecent}
    />
  );
}

function PaletteDialog({
  workspace,
  onClose,
  onOpenWorkspace,
  onOpenRecent,
}: {
  workspace: WorkspaceInfo | null;
  onClose: () => void;
  onOpenWorkspace: () => void;
  onOpenRecent: (path: string) => void;
}) {
  const backend = useBackend();
  const toast = useToast();
  const themeChoice = useThemeChoice();
  const shown = useShownTheme();
  const [recent, setRecent] = useState<RecentWorkspace[]>([]);
  const restoreFocus = useRef(true);
  // What had the focus when the palette opened: read while rendering, before the search
  // field's autofocus takes it; given back on close.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));

  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // Focus the field here too, not only by autofocus: a development remount (StrictMode)
    // runs the cleanup below once, which gives the focus back to the opener.
    input.current?.focus();
    return () => {
      if (restoreFocus.current && opener?.isConnected) opener.focus();
    };
  }, [opener]);

  useEffect(() => {
    let active = true;
    // The recent list is a convenience: without it the palette still has everything else.
    backend.appSettings().then(
      (s) => {
        if (active) setRecent(s.recent.filter((r) => r.exists && !r.open));
      },
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [backend]);

  const run = useCallback(
    (c: PaletteCommand) => {
      restoreFocus.current = !c.movesFocus;
      onClose();
      c.run();
    },
    [onClose],
  );

  const validate = async () => {
    try {
      const report = await backend.validateWorkspace();
      toast.info(summaryText(report), {
        title: report.error_count > 0 ? 'Validated: the policies have errors' : 'Validated',
        link: { label: 'Open Policies', href: hrefFor('policies') },
      });
    } catch (e) {
      toast.error(e, { title: 'Could not validate the workspace' });
    }
  };

  const setTheme = (next: typeof themeChoice) => {
    chooseTheme(backend, next).catch((e: unknown) => toast.error(e, { title: 'The theme was not saved' }));
  };

  const pages: Page[] = workspace ? [...PAGES] : ['settings'];
  const commands: PaletteCommand[] = [
    ...pages.map(
      (page): PaletteCommand => ({
        id: `go-${page}`,
        group: 'Go to',
        label: PAGE_TITLES[page],
        keywords: ['go', 'page', page, ...(page === 'settings' ? ['preferences', 'identity', 'keys', 'solver', 'cvc5', 'theme'] : [])],
        keys: page === 'settings' ? KEYS.settings : pageKeys(page),
        icon: page,
        run: () => go(page),
      }),
    ),
    {
      id: 'open-workspace',
      group: 'Actions',
      label: 'Open workspace…',
      keywords: ['folder', 'switch'],
      keys: KEYS.openWorkspace,
      icon: 'folder',
      run: onOpenWorkspace,
    },
    ...(workspace
      ? ([
          {
            id: 'validate',
            group: 'Actions',
            label: 'Validate policies',
            keywords: ['check', 'errors', 'cedar'],
            icon: 'policies',
            run: () => void validate(),
          },
          {
            id: 'import-requests',
            group: 'Actions',
            label: 'Import recorded requests…',
            keywords: ['traffic', 'logs', 'simulate'],
            icon: 'simulate',
            movesFocus: true,
            run: () => goAndThen('simulate', '[data-testid="simulate-import"], [data-testid="simulate-empty-import"]', (el) => el.click()),
          },
          {
            id: 'new-replay',
            group: 'Actions',
            label: 'New replay',
            keywords: ['simulate', 'run', 'diff'],
            icon: 'simulate',
            movesFocus: true,
            run: () => goAndThen('simulate', '[data-testid="run-set"]', (el) => el.focus()),
          },
          {
            id: 'export-coverage',
            group: 'Actions',
            label: 'Export coverage…',
            keywords: ['frameworks', 'oscal', 'csv', 'report'],
            icon: 'frameworks',
            movesFocus: true,
            run: () => goAndThen('frameworks', '[data-testid="export-scope"]', (el) => el.focus()),
          },
          {
            id: 'build-bundle',
            group: 'Actions',
            label: 'Build a bundle',
            keywords: ['publish', 'release', 'sign'],
            icon: 'publish',
            movesFocus: true,
            run: () => goAndThen('publish', '[data-testid="build-version"], [data-testid="build-no-key"]', (el) => el.focus()),
          },
        ] satisfies PaletteCommand[])
      : []),
    {
      id: 'toggle-theme',
      group: 'Actions',
      label: `Switch to the ${toggledTheme(shown)} theme`,
      keywords: ['theme', 'dark', 'light', 'colour', 'color', 'toggle'],
      icon: 'refresh',
      run: () => setTheme(toggledTheme(shown)),
    },
    ...(themeChoice !== 'system'
      ? [
          {
            id: 'system-theme',
            group: 'Actions' as const,
            label: `Follow the system theme (now ${THEME_LABELS[themeChoice].toLowerCase()})`,
            keywords: ['theme', 'auto', 'os'],
            icon: 'refresh' as const,
            run: () => setTheme('system'),
          },
        ]
      : []),
    ...recent.map(
      (r): PaletteCommand => ({
        id: `recent-${r.path}`,
        group: 'Recent workspaces',
        label: r.name ? `${r.name} — ${r.path}` : r.path,
        keywords: ['open', 'recent', 'workspace'],
        icon: 'folder',
        run: () => onOpenRecent(r.path),
      }),
    ),
  ];

  const groups = ['Go to', 'Actions', 'Recent workspaces'] as const;

  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === 'Tab') {
      // The search field is the dialog's one stop: focus stays in it.
      e.preventDefault();
    }
  };

  return (
    <div className="modal-backdrop palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="palette"
        role="dialog"
        aria-modal="true"
        aria-label="Command palette"
        data-palette=""
        data-testid="palette"
        onKeyDown={onKeyDown}
      >
        <Command label="Commands" loop>
          <div className="palette-search">
            <Icon name="search" />
            <Command.Input ref={input} autoFocus placeholder="Type a command, a page or a workspace…" data-testid="palette-input" />
            <kbd className="palette-esc">Esc</kbd>
          </div>
          <Command.List className="palette-list" data-testid="palette-list">
            <Command.Empty className="palette-empty">No command matches. Try a page name, “theme” or “workspace”.</Command.Empty>
            {groups.map((g) => {
              const items = commands.filter((c) => c.group === g);
              if (items.length === 0) return null;
              return (
                <Command.Group key={g} heading={g}>
                  {items.map((c) => (
                    <Command.Item
                      key={c.id}
                      value={c.id}
                      keywords={[c.label, ...(c.keywords ?? [])]}
                      onSelect={() => run(c)}
                      className="palette-item"
                      data-testid="palette-item"
                      data-command={c.id}
                    >
                      {c.icon && <Icon name={c.icon} />}
                      <span className="palette-label">{c.label}</span>
                      {c.keys && <kbd className="palette-keys">{formatKeys(c.keys)}</kbd>}
                    </Command.Item>
                  ))}
                </Command.Group>
              );
            })}
          </Command.List>
        </Command>
        <p className="palette-foot small muted" aria-hidden="true">
          ↑ ↓ to move · Enter to run · Esc to close · {formatKeys(KEYS.palette)} anywhere
        </p>
      </div>
    </div>
  );
}
