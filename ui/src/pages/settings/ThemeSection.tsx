// The colour theme: System follows the OS (and its changes); Light and Dark are fixed. It
// applies at once and is saved in settings.json, so the next start opens in it.
import { useId } from 'react';
import type { Theme } from '../../bindings/Theme';
import { useBackend } from '../../backend';
import { chooseTheme, THEME_LABELS, THEMES, useShownTheme, useThemeChoice } from '../../lib/theme';
import { useToast } from '../../lib/toast';

const HINTS: Record<Theme, string> = {
  system: 'Follows your operating system’s light or dark setting.',
  light: 'Always light.',
  dark: 'Always dark.',
};

export function ThemeSection() {
  const backend = useBackend();
  const toast = useToast();
  const uid = useId();
  const choice = useThemeChoice();
  const shown = useShownTheme();

  const choose = (theme: Theme) => {
    chooseTheme(backend, theme).catch((e: unknown) => toast.error(e, { title: 'The theme was not saved' }));
  };

  return (
    <section className="panel settings-section" aria-labelledby={`${uid}-title`} data-testid="settings-theme">
      <h2 id={`${uid}-title`}>Theme</h2>
      <fieldset className="settings-themes">
        <legend className="visually-hidden">Colour theme</legend>
        {THEMES.map((t) => (
          <label key={t} className="settings-theme" data-checked={choice === t}>
            <input
              type="radio"
              name={`${uid}-theme`}
              value={t}
              checked={choice === t}
              onChange={() => choose(t)}
              data-testid={`theme-${t}`}
            />
            <span className="settings-theme-name">{THEME_LABELS[t]}</span>
            <span className="small muted">{HINTS[t]}</span>
          </label>
        ))}
      </fieldset>
      <p className="small muted" data-testid="theme-shown">
        Showing the {shown} theme.
      </p>
    </section>
  );
}
