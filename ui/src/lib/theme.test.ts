import { describe, expect, it } from 'vitest';
import { FakeBackend } from '../test/fakeBackend';
import { applyTheme, chooseTheme, effectiveTheme, isTheme, themeChoice, THEME_CACHE_KEY, toggledTheme } from './theme';

describe('theme', () => {
  it('resolves system by the OS and keeps an explicit choice', () => {
    expect(effectiveTheme('system', true)).toBe('dark');
    expect(effectiveTheme('system', false)).toBe('light');
    expect(effectiveTheme('light', true)).toBe('light');
    expect(effectiveTheme('dark', false)).toBe('dark');
    expect(toggledTheme('dark')).toBe('light');
    expect(isTheme('dark')).toBe(true);
    expect(isTheme('purple')).toBe(false);
  });

  it('applies a choice to <html> at once and caches it for the next first paint', () => {
    applyTheme('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(window.localStorage.getItem(THEME_CACHE_KEY)).toBe('dark');
    applyTheme('light');
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(themeChoice()).toBe('light');
  });

  it('saves through the backend and puts the previous choice back when it refuses', async () => {
    const backend = new FakeBackend();
    applyTheme('light');
    await chooseTheme(backend, 'dark');
    expect(backend.settingsCalls.setTheme).toEqual(['dark']);
    expect(document.documentElement.dataset.theme).toBe('dark');
    backend.themeError = { code: 'io', message: 'cannot write settings.json', help: null, diagnostics: [] };
    await expect(chooseTheme(backend, 'light')).rejects.toMatchObject({ code: 'io' });
    expect(themeChoice()).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
