// Shows an ApiError: a title and hint chosen by its `code`, then its message, help and
// any diagnostics (e.g. the line of mandate.toml that failed to parse).
import type { ApiError } from '../bindings/ApiError';
import type { Diagnostic } from '../bindings/Diagnostic';
import { formatLocation } from '../lib/diagnostics';
import { hintFor, titleFor } from '../lib/errorHints';
import { Icon } from './Icon';

export function ErrorBanner({ error, onDismiss }: { error: ApiError; onDismiss?: () => void }) {
  const hint = hintFor(error.code);
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner" data-code={error.code}>
      <div className="banner-body">
        <p className="banner-title">{titleFor(error.code)}</p>
        <p className="banner-message" data-testid="error-message">
          {error.message}
        </p>
        {error.help && <p className="banner-help">{error.help}</p>}
        {hint && (
          <p className="banner-hint" data-testid="error-hint">
            {hint}
          </p>
        )}
        <DiagnosticList diagnostics={error.diagnostics} />
      </div>
      {onDismiss && (
        <button type="button" className="btn-icon" onClick={onDismiss} aria-label="Dismiss error">
          <Icon name="close" />
        </button>
      )}
    </div>
  );
}

/** A banner's located problems, each `file:line:col message — help`; nothing when empty. */
export function DiagnosticList({ diagnostics, itemTestId }: { diagnostics: readonly Diagnostic[]; itemTestId?: string }) {
  if (diagnostics.length === 0) return null;
  return (
    <ul className="banner-diagnostics">
      {diagnostics.map((d, i) => (
        <li key={i} data-testid={itemTestId} data-code={d.code}>
          <code>{formatLocation(d)}</code> {d.message}
          {d.help && <span className="muted"> — {d.help}</span>}
        </li>
      ))}
    </ul>
  );
}
