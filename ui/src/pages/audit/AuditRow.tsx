// One audit entry: a row (when, who, what, which subject, the fields it changed) that opens
// to the state before and after, as a list of changed fields and as indented JSON.
import { useMemo } from 'react';
import type { AuditEntry } from '../../bindings/AuditEntry';
import { diffStates, prettyState, type FieldChange } from '../../lib/audit';
import { formatTimestamp } from '../../lib/time';

const COLUMNS = 6;

/** The first changed fields, for the row itself. */
function summary(changes: FieldChange[]): string {
  if (changes.length === 0) return '';
  const names = changes.slice(0, 2).map((c) => c.path || 'value');
  return changes.length > 2 ? `${names.join(', ')} +${changes.length - 2}` : names.join(', ');
}

export function AuditRow({ entry, open, onToggle }: { entry: AuditEntry; open: boolean; onToggle: () => void }) {
  const changes = useMemo(() => diffStates(entry.before, entry.after), [entry.before, entry.after]);
  const detailId = `audit-detail-${entry.id}`;
  const hasState = entry.before !== null || entry.after !== null;
  return (
    <>
      <tr data-testid="audit-row" data-id={entry.id} className={open ? 'audit-row-open' : undefined}>
        <td className="audit-toggle-cell">
          <button
            type="button"
            className="btn-icon audit-toggle"
            aria-expanded={open}
            aria-controls={open ? detailId : undefined}
            aria-label={`${open ? 'Hide' : 'Show'} before and after of entry ${entry.id}`}
            onClick={onToggle}
            data-testid="audit-toggle"
          >
            <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
              <path d="M4 2.5l3.5 3.5l-3.5 3.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
            </svg>
          </button>
        </td>
        <td className="nowrap">
          <time dateTime={entry.at} title={entry.at}>
            {formatTimestamp(entry.at)}
          </time>
        </td>
        <td className="audit-actor">{entry.actor}</td>
        <td>
          <code>{entry.action}</code>
        </td>
        <td className="path">{entry.subject}</td>
        <td className="muted small" data-testid="audit-summary">
          {hasState ? summary(changes) || 'no change' : '—'}
        </td>
      </tr>
      {open && (
        <tr className="audit-detail-row">
          <td colSpan={COLUMNS}>
            <div id={detailId} className="audit-detail" data-testid="audit-detail">
              <p className="muted small">
                Entry {entry.id} · <code>{entry.at}</code>
              </p>
              {!hasState && <p className="muted">This action recorded no state before or after.</p>}
              {hasState && changes.length > 0 && (
                <table className="table audit-changes" data-testid="audit-changes">
                  <caption className="visually-hidden">Fields changed by entry {entry.id}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">Before</th>
                      <th scope="col">After</th>
                    </tr>
                  </thead>
                  <tbody>
                    {changes.map((c) => (
                      <tr key={c.path} data-kind={c.kind} data-testid="audit-change">
                        <th scope="row">
                          <code>{c.path || '(whole value)'}</code>
                        </th>
                        <td className="audit-before">{c.before === null ? <span className="muted">(none)</span> : <code>{c.before}</code>}</td>
                        <td className="audit-after">{c.after === null ? <span className="muted">(none)</span> : <code>{c.after}</code>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {hasState && changes.length === 0 && <p className="muted">The state after is the same as before.</p>}
              {hasState && (
                <div className="audit-states">
                  <section aria-label="Before">
                    <h2>Before</h2>
                    {entry.before === null ? (
                      <p className="muted small">(none)</p>
                    ) : (
                      <pre className="audit-json" data-testid="audit-before" tabIndex={0}>
                        {prettyState(entry.before)}
                      </pre>
                    )}
                  </section>
                  <section aria-label="After">
                    <h2>After</h2>
                    {entry.after === null ? (
                      <p className="muted small">(none)</p>
                    ) : (
                      <pre className="audit-json" data-testid="audit-after" tabIndex={0}>
                        {prettyState(entry.after)}
                      </pre>
                    )}
                  </section>
                </div>
              )}
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
