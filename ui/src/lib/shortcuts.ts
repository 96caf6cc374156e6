// Keyboard shortcuts of the whole app: which key does what, how a shortcut is shown, and
// when a key is typing rather than a command. Pure, so the rules are tested without a DOM
// event loop; `CommandPalette` listens and acts on them.
//
//   Ctrl+K / ⌘K, or ? (not typing)   the command palette
//   Ctrl+, / ⌘,                      Settings
//   Ctrl+O / ⌘O                      Open workspace…
//   g then d a p s i f u l           a page (Dashboard, Agents, Policies, Simulate, Insights,
//                                    Frameworks, pUblish, audit Log), not while typing
//
// Modifier shortcuts work everywhere (they type nothing); single keys never fire while the
// focus is in a text field, a select or the policy editor, nor inside another modal dialog.
import type { Page } from './route';

/** The second key of `g …` for each page (Settings has Ctrl+, instead). */
export const PAGE_KEYS: Partial<Record<Page, string>> = {
  dashboard: 'd',
  agents: 'a',
  policies: 'p',
  simulate: 's',
  insights: 'i',
  frameworks: 'f',
  publish: 'u',
  audit: 'l',
};

/** How long after `g` its second key counts. */
export const SEQUENCE_MS = 1500;

export type ShortcutAction =
  | { kind: 'palette' }
  | { kind: 'settings' }
  | { kind: 'open-workspace' }
  | { kind: 'page'; page: Page };

/** What a shortcut shows: key names, joined by the platform's way. */
export type Keys = readonly string[];

export const KEYS = {
  palette: ['Mod', 'K'],
  settings: ['Mod', ','],
  openWorkspace: ['Mod', 'O'],
  help: ['?'],
} as const satisfies Record<string, Keys>;

export function pageKeys(page: Page): Keys | null {
  const key = PAGE_KEYS[page];
  return key ? ['G', key.toUpperCase()] : null;
}

export function isMac(platform: string = typeof navigator === 'undefined' ? '' : navigator.platform): boolean {
  return /mac|iphone|ipad/i.test(platform);
}

/** `['Mod', 'K']` → `Ctrl+K` (or `⌘K` on a Mac); a sequence `['G', 'D']` → `G then D`. */
export function formatKeys(keys: Keys, mac = isMac()): string {
  if (keys[0] === 'Mod') return (mac ? '⌘' : 'Ctrl+') + keys.slice(1).join('+');
  return keys.join(' then ');
}

/** Whether keys typed at `target` are text (a field, a select, the policy editor). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest('.cm-editor, [contenteditable=""], [contenteditable="true"]')) return true;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(target.type);
  }
  const role = target.getAttribute('role');
  return role === 'textbox' || role === 'combobox' || role === 'searchbox';
}

/** The part of a KeyboardEvent the rules read. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
  /** The key was pressed while typing (see `isTypingTarget`) or inside another dialog. */
  typing: boolean;
  /** When, in ms (any clock, for the `g` sequence). */
  at: number;
}

/**
 * Reads shortcuts from key presses; remembers a pending `g`. `mac` decides whether ⌘ or Ctrl
 * is the modifier.
 */
export class ShortcutReader {
  private pendingG: number | null = null;
  private readonly mac: boolean;

  constructor(mac = isMac()) {
    this.mac = mac;
  }

  read(p: KeyPress): ShortcutAction | null {
    const mod = this.mac ? p.metaKey && !p.ctrlKey : p.ctrlKey && !p.metaKey;
    if (mod && !p.altKey) {
      this.pendingG = null;
      const key = p.key.toLowerCase();
      if (key === 'k') return { kind: 'palette' };
      if (key === ',') return { kind: 'settings' };
      if (key === 'o') return { kind: 'open-workspace' };
      return null;
    }
    if (p.typing || p.ctrlKey || p.metaKey || p.altKey) {
      this.pendingG = null;
      return null;
    }
    const g = this.pendingG;
    this.pendingG = null;
    if (g !== null && p.at - g <= SEQUENCE_MS) {
      const page = (Object.keys(PAGE_KEYS) as Page[]).find((pg) => PAGE_KEYS[pg] === p.key.toLowerCase());
      if (page) return { kind: 'page', page };
    }
    if (p.key === '?') return { kind: 'palette' };
    if (p.key === 'g' || p.key === 'G') this.pendingG = p.at;
    return null;
  }
}

/**
 * Runs `act` on the element `selector` names as soon as it is in the document (at once when
 * it already is), for up to `timeoutMs`: a palette action that opens a page and then, say,
 * its import dialog. Returns a cancel.
 */
export function whenShown(selector: string, act: (el: HTMLElement) => void, timeoutMs = 5_000): () => void {
  const find = () => document.querySelector<HTMLElement>(selector);
  const now = find();
  if (now) {
    act(now);
    return () => undefined;
  }
  const observer = new MutationObserver(() => {
    const el = find();
    if (!el) return;
    stop();
    act(el);
  });
  const timer = window.setTimeout(() => stop(), timeoutMs);
  const stop = () => {
    observer.disconnect();
    window.clearTimeout(timer);
  };
  observer.observe(document.body, { childList: true, subtree: true });
  return stop;
}
