// public/assets/theme-boot.js, the classic script that sets the theme before the first paint (the
// real window loads it under the CSP: ui/e2e/settings.e2e.mjs). Run here as the page would.
import { afterEach, expect, it, vi } from 'vitest';
import bootScript from '../../public/assets/theme-boot.js?raw';
import { THEME_CACHE_KEY } from './theme';

function boot() {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the page's own script file, as the browser would
  const run = new Function(bootScript) as () => void;
  run();
  return document.documentElement.getAttribute('data-theme');
}

function osPrefersDark(dark: boolean) {
  vi.stubGlobal('matchMedia', (query: string) => ({ matches: dark && query.includes('dark') }) as MediaQueryList);
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

it('paints the cached choice, whatever the OS prefers', () => {
  osPrefersDark(false);
  window.localStorage.setItem(THEME_CACHE_KEY, 'dark');
  expect(boot()).toBe('dark');
  osPrefersDark(true);
  window.localStorage.setItem(THEME_CACHE_KEY, 'light');
  expect(boot()).toBe('light');
});

it('follows the OS for system or no cached choice', () => {
  osPrefersDark(true);
  expect(boot()).toBe('dark');
  window.localStorage.setItem(THEME_CACHE_KEY, 'system');
  osPrefersDark(false);
  expect(boot()).toBe('light');
});
