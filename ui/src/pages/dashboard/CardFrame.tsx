// A Dashboard card's frame: its title, its body once the data is in ("Computing…" until
// then, never blocking the other cards), the backend's message and help when its call
// failed (with Try again), and the link to the page that fixes what it shows.
import { useId, type ReactNode } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import { Icon } from '../../components/Icon';
import type { Page } from '../../lib/route';

export interface CardLink {
  href: string;
  text: string;
}

/** Diagnostics shown under a card's error before "and N more". */
const SHOWN_DIAGNOSTICS = 3;

export function CardFrame({
  id,
  title,
  icon,
  loading,
  error,
  onRetry,
  computing = 'Computing…',
  link,
  hasData,
  busy,
  notice,
  children,
}: {
  id: string;
  title: string;
  icon?: Page;
  loading: boolean;
  error: ApiError | null;
  onRetry: () => void;
  /** What the card says while its first answer is computed. */
  computing?: string;
  link: CardLink | null;
  /** Whether the data is in (the body is shown); before, the card says it is computing. */
  hasData: boolean;
  /** Shown while loading instead of the computing text (a progress bar with Cancel). */
  busy?: ReactNode;
  /** Shown above the body (e.g. that the last computation was cancelled). */
  notice?: ReactNode;
  children: ReactNode;
}) {
  const uid = useId();
  const titleId = `${uid}-title`;
  return (
    <article className="card dash-card" data-testid={`dashboard-${id}`} aria-labelledby={titleId} aria-busy={loading}>
      <h2 id={titleId}>
        {icon && <Icon name={icon} />}
        {title}
        {loading && hasData && !busy && (
          <span className="dash-updating muted small" data-testid={`dashboard-${id}-updating`}>
            Updating…
          </span>
        )}
      </h2>
      {error && (
        <div className="dash-error" role="alert" data-testid={`dashboard-${id}-error`} data-code={error.code}>
          <p className="text-error">{error.message}</p>
          {error.help && <p className="muted small">{error.help}</p>}
          {error.diagnostics.length > 0 && (
            <ul className="dash-diagnostics small">
              {error.diagnostics.slice(0, SHOWN_DIAGNOSTICS).map((d, i) => (
                <li key={i}>
                  <code>{d.line ? `${d.file}:${d.line}` : d.file}</code> {d.message}
                </li>
              ))}
              {error.diagnostics.length > SHOWN_DIAGNOSTICS && <li className="muted">and {error.diagnostics.length - SHOWN_DIAGNOSTICS} more</li>}
            </ul>
          )}
          <button type="button" className="btn btn-small" onClick={onRetry} disabled={loading}>
            Try again
          </button>
        </div>
      )}
      {loading && busy}
      {loading && !busy && !hasData && !error && (
        <p className="muted dash-computing" role="status" data-testid={`dashboard-${id}-computing`}>
          {computing}
        </p>
      )}
      {notice}
      {hasData && <div className="dash-body">{children}</div>}
      {link && (
        <a className="card-link" href={link.href} data-testid={`dashboard-${id}-link`}>
          {link.text} →
        </a>
      )}
    </article>
  );
}
