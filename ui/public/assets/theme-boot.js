/* global window, document */
// Sets the theme before the first paint, so a window with a dark choice never flashes light:
// the choice cached by src/lib/theme.ts (THEME_CACHE_KEY), else the OS's. A classic script
// from a file (the CSP allows no inline script), run while <head> is parsed; main.tsx then
// applies the choice kept in settings.json.
(function () {
  var choice = null;
  try {
    choice = window.localStorage.getItem('mandate.theme');
  } catch {
    // No storage: follow the OS.
  }
  var systemDark = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
  var dark = choice === 'dark' || (choice !== 'light' && systemDark);
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
})();
