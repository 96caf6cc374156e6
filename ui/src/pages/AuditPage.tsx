// The Audit page: the append-only audit log kept by the core — who did what to which subject,
// when, with the state before and after — filtered by actor, action, subject text and time,
// a page at a time (newest first, "Load more" follows the core's cursor), each entry opening
// to its before/after, and the whole filter exported to CSV through the save dialog.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { AuditExport } from '../bindings/AuditExport';
import type { AuditFacets } from '../bindings/AuditFacets';
import type { AuditListing } from '../bindings/AuditListing';
import { toApiError, useBackend } from '../backend';
import { ErrorBanner } from '../components/ErrorBanner';
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import { EMPTY_FORM, exportFileName, isFiltered, queryOf, type AuditForm } from '../lib/audit';
import { AuditFilters } from './audit/AuditFilters';
import { AuditRow } from './audit/AuditRow';
import './audit/Audit.css';

/** How long typing pauses before the filter applies. */
export const FILTER_DELAY_MS = 250;

export function AuditPage() {
  const backend = useBackend();
  const [form, setForm] = useState<AuditForm>(EMPTY_FORM);
  const [applied, setApplied] = useState<AuditForm>(EMPTY_FORM);
  const [facets, setFacets] = useState<AuditFacets | null>(null);
  const [listing, setListing] = useState<AuditListing | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // Which request the listing (or error) shown answers: loading until it is the current one.
  const [answered, setAnswered] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [reloads, setReloads] = useState(0);
  const [exporting, setExporting] = useState(false);
  const [exported, setExported] = useState<AuditExport | null>(null);
  const [exportError, setExportError] = useState<ApiError | null>(null);
  // Only the newest search may land: a slow answer to an older filter is dropped.
  const seq = useRef(0);

  // Typing settles before the filter applies; a choice in a list applies at once.
  useEffect(() => {
    if (form === applied) return;
    const t = setTimeout(() => setApplied(form), FILTER_DELAY_MS);
    return () => clearTimeout(t);
  }, [form, applied]);

  const chooseFilters = (next: AuditForm) => {
    setForm(next);
    if (next.actor !== form.actor || next.action !== form.action || !Object.values(next).some((v) => v !== '')) setApplied(next);
  };

  useEffect(() => {
    let active = true;
    backend.auditFacets().then(
      (f) => {
        if (active) setFacets(f);
      },
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [backend, reloads]);

  const request = `${reloads}:${JSON.stringify(applied)}`;
  const loading = answered !== request;
  useEffect(() => {
    const mine = ++seq.current;
    backend.listAudit(queryOf(applied)).then(
      (page) => {
        if (mine !== seq.current) return;
        setListing(page);
        setError(null);
        setAnswered(request);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(toApiError(e));
        setAnswered(request);
      },
    );
  }, [backend, applied, request]);

  const loadMore = async () => {
    if (!listing || listing.next === null) return;
    const mine = seq.current;
    setLoadingMore(true);
    try {
      const page = await backend.listAudit(queryOf(applied, listing.next));
      if (mine !== seq.current) return;
      setListing((l) => (l ? { entries: [...l.entries, ...page.entries], total: page.total, next: page.next } : page));
    } catch (e) {
      if (mine === seq.current) setError(toApiError(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const toggle = useCallback((id: number) => {
    setExpanded((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const exportCsv = async () => {
    setExportError(null);
    setExported(null);
    try {
      const out = await backend.pickSavePath({
        title: 'Export the audit log as CSV',
        defaultName: exportFileName(applied, new Date()),
        filters: [{ name: 'CSV', extensions: ['csv'] }],
      });
      if (out === null) return;
      setExporting(true);
      setExported(await backend.exportAudit(queryOf(applied), out));
    } catch (e) {
      setExportError(toApiError(e));
    } finally {
      setExporting(false);
    }
  };

  const filtered = isFiltered(applied);
  const entries = listing?.entries ?? [];
  return (
    <section className="page page-audit" data-testid="page-audit" aria-labelledby="page-title-audit">
      <PageHeader page="audit" lead="Every change Mandate made to this workspace — who, what, when, and the state before and after. The log is append-only.">
        <button type="button" className="btn" onClick={() => setReloads((n) => n + 1)} data-testid="audit-refresh">
          <Icon name="refresh" />
          Refresh
        </button>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void exportCsv()}
          disabled={exporting || !listing || listing.total === 0}
          data-testid="audit-export"
        >
          {exporting ? 'Exporting…' : filtered ? 'Export these entries (CSV)' : 'Export all (CSV)'}
        </button>
      </PageHeader>

      <AuditFilters form={form} facets={facets} onChange={chooseFilters} />

      {exportError && <ErrorBanner error={exportError} onDismiss={() => setExportError(null)} />}
      {exported && (
        <p className="banner banner-ok audit-exported" role="status" data-testid="audit-exported">
          {exported.rows.toLocaleString()} {exported.rows === 1 ? 'entry' : 'entries'} written to <code>{exported.path}</code>
        </p>
      )}
      {error && <ErrorBanner error={error} />}

      <p className="muted small audit-count" aria-live="polite" data-testid="audit-count">
        {loading && !listing
          ? 'Loading the audit log…'
          : listing
            ? `${filtered ? 'Matching: ' : ''}${listing.total.toLocaleString()} ${listing.total === 1 ? 'entry' : 'entries'}${
                listing.total > entries.length ? ` — showing the newest ${entries.length.toLocaleString()}` : ''
              }${loading ? ' · updating…' : ''}`
            : ''}
      </p>

      {listing && listing.total === 0 && !filtered && (
        <div className="empty-state-text" data-testid="audit-empty">
          <p>No audit entries yet.</p>
          <p className="muted">
            Actions taken in Mandate — saving a policy or an agent, moving an agent through its lifecycle, importing traffic,
            reviewing, approving and publishing a bundle — are recorded here with who did them, when, and what changed. Start on
            the <a href="#/agents">Agents</a> or <a href="#/policies">Policies</a> page.
          </p>
        </div>
      )}
      {listing && listing.total === 0 && filtered && (
        <div className="empty-state-text" data-testid="audit-no-match">
          <p>No entries match these filters.</p>
          <button type="button" className="btn" onClick={() => chooseFilters(EMPTY_FORM)}>
            Clear filters
          </button>
        </div>
      )}

      {entries.length > 0 && (
        <div className="panel panel-flush">
          <table className="table audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <AuditRow key={e.id} entry={e} open={expanded.has(e.id)} onToggle={() => toggle(e.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {listing && listing.next !== null && (
        <div className="audit-more">
          <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore} data-testid="audit-more">
            {loadingMore ? 'Loading…' : `Load ${Math.min(200, listing.total - entries.length).toLocaleString()} more`}
          </button>
        </div>
      )}
    </section>
  );
}
