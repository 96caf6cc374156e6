// The Audit page: the newest entries of the append-only audit log kept by the core.
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { AuditEntry } from '../bindings/AuditEntry';
import { toApiError, useBackend } from '../backend';
import { ErrorBanner } from '../components/ErrorBanner';
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import { formatTimestamp } from '../lib/time';

export const AUDIT_LIMIT = 200;

export function AuditPage() {
  const backend = useBackend();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let active = true;
    backend.listAudit(AUDIT_LIMIT).then(
      (list) => {
        if (!active) return;
        setEntries(list);
        setError(null);
      },
      (e: unknown) => {
        if (active) setError(toApiError(e));
      },
    );
    return () => {
      active = false;
    };
  }, [backend, reloads]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);

  return (
    <section className="page" data-testid="page-audit" aria-labelledby="page-title-audit">
      <PageHeader page="audit" lead="Every change Mandate made to this workspace, newest first.">
        <button type="button" className="btn" onClick={reload}>
          <Icon name="refresh" />
          Refresh
        </button>
      </PageHeader>
      {error && <ErrorBanner error={error} />}
      {entries === null && !error && <p className="muted">Loading the audit log…</p>}
      {entries !== null && entries.length === 0 && (
        <p className="empty-state-text" data-testid="audit-empty">
          No audit entries yet. Actions you take in Mandate — opening, editing, approving,
          publishing — are recorded here with who did them and when.
        </p>
      )}
      {entries !== null && entries.length > 0 && (
        <div className="panel panel-flush">
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={String(e.id)} data-testid="audit-row">
                  <td className="nowrap">
                    <time dateTime={e.at} title={e.at}>
                      {formatTimestamp(e.at)}
                    </time>
                  </td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="path">{e.subject}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
