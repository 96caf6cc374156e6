// The colour theme: the user's choice (`system`, `light` or `dark`, kept in settings.json by
// the core) and the theme in effect, set as `data-theme` on <html>, which every dark rule of
// the stylesheet hangs off. `public/assets/theme-boot.js` sets it before the first paint from the
// choice cached in localStorage; `main.tsx` then applies the choice settings.json holds (the
// truth: the cache only saves a flash of the wrong theme). With `system`, a matchMedia
// listener follows the OS as it changes.
import { useSyncExternalStore } from 'react';
import type { Theme } from '../bindings/Theme';
import type { IBackend } from '../backend';

export type EffectiveTheme = 'light' | 'dark';

/** The localStorage key `public/assets/theme-boot.js` reads (keep the two in step). */
export const THEME_CACHE_KEY = 'mandate.theme';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];
export const THEME_LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };
const DARK_QUERY = '(prefers-color-scheme: dark)';

export function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

/** The theme shown for a choice, given whether the OS prefers dark. */
export function effectiveTheme(choice: Theme, systemDark: boolean): EffectiveTheme {
  if (choice === 'system') return systemDark ? 'dark' : 'light';
  return choice;
}

/** What "Toggle theme" switches to: the opposite of what is shown (an explicit choice). */
export function toggledTheme(shown: EffectiveTheme): Theme {
  return shown === 'dark' ? 'light' : 'dark';
}

function darkQuery(): MediaQueryList | null {
  return typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : null;
}

function readCache(): Theme | null {
  try {
    const cached = window.localStorage.getItem(THEME_CACHE_KEY);
    return isTheme(cached) ? cached : null;
  } catch {
    return null;
  }
}

let choice: Theme = readCache() ?? 'system';
let shown: EffectiveTheme = effectiveTheme(choice, darkQuery()?.matches ?? false);
const listeners = new Set<() => void>();
let stopFollowing: (() => void) | null = null;

function paint() {
  shown = effectiveTheme(choice, darkQuery()?.matches ?? false);
  document.documentElement.dataset.theme = shown;
  for (const l of listeners) l();
}

/** Applies `next` at once (and caches it for the next start's first paint). */
export function applyTheme(next: Theme): void {
  choice = next;
  try {
    window.localStorage.setItem(THEME_CACHE_KEY, next);
  } catch {
    // No storage: the next start paints the OS theme first, then settings.json's.
  }
  stopFollowing?.();
  stopFollowing = null;
  const query = next === 'system' ? darkQuery() : null;
  if (query) {
    query.addEventListener('change', paint);
    stopFollowing = () => query.removeEventListener('change', paint);
  }
  paint();
}

export function themeChoice(): Theme {
  return choice;
}

export function shownTheme(): EffectiveTheme {
  return shown;
}

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** The user's choice, re-rendering when it changes. */
export function useThemeChoice(): Theme {
  return useSyncExternalStore(subscribe, themeChoice);
}

/** The theme shown (`system` resolved), re-rendering when it or the OS setting changes. */
export function useShownTheme(): EffectiveTheme {
  return useSyncExternalStore(subscribe, shownTheme);
}

/**
 * Shows `next` at once and saves it in settings.json; when the core refuses, the previous
 * choice comes back and the error is thrown for the caller to show.
 */
export async function chooseTheme(backend: IBackend, next: Theme): Promise<void> {
  const previous = choice;
  applyTheme(next);
  try {
    await backend.setTheme(next);
  } catch (e) {
    applyTheme(previous);
    throw e;
  }
}
