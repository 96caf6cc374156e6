// The Frameworks page: how the workspace's controls cover OWASP's agentic lists, CSA MAESTRO
// and NIST AI RMF (and any framework the workspace adds), from evidence — never typed in.
// The core computes everything (`coverage`): per framework its percentage and counts, per
// item its status and controls, per control its evidence and mappings, and the gaps. The
// page lays that out as a tree of frameworks and items, a controls × items heatmap of the
// framework selected, the item or control opened (a control's mappings are edited in a
// drawer), the gaps by code, and the exports. It reloads after its own writes and whenever
// the watcher reports a change on disk. Computing coverage can replay every recorded request:
// the page shows the core's progress with Cancel; a newer load cancels one still running, and
// leaving the page cancels it.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { ControlCoverage } from '../bindings/ControlCoverage';
import type { ControlStatus } from '../bindings/ControlStatus';
import type { CoverageReport } from '../bindings/CoverageReport';
import type { FrameworksView } from '../bindings/FrameworksView';
import { toApiError, useBackend } from '../backend';
import { ErrorBanner } from '../components/ErrorBanner';
import { Icon } from '../components/Icon';
import { CancelledNotice, OperationProgressRow } from '../components/OperationStatus';
import { PageHeader } from '../components/PageHeader';
import { formatLocation } from '../lib/diagnostics';
import { ancestorKeys, gapsFor, percentText } from '../lib/frameworks';
import { hrefFor } from '../lib/route';
import { formatTimestamp } from '../lib/time';
import { useOperation } from '../lib/useProgressEvents';
import { watchWorkspace } from '../lib/watchWorkspace';
import { ControlDrawer } from './frameworks/ControlDrawer';
import { CoverageMatrix } from './frameworks/CoverageMatrix';
import { ExportPanel } from './frameworks/ExportPanel';
import { CoverageBar, FrameworkTree, fwNode, itemNode } from './frameworks/FrameworkTree';
import { GapList } from './frameworks/GapList';
import { ItemPanel } from './frameworks/ItemPanel';

const COVERAGE_OPS = ['coverage'] as const;

interface ItemRef {
  framework: string;
  key: string;
}

interface OpenControl {
  id: string;
  /** The item of the matrix cell clicked, offered in the add form. */
  prefill: ItemRef | null;
}

export function FrameworksPage() {
  const backend = useBackend();
  const [view, setView] = useState<FrameworksView | null>(null);
  const [report, setReport] = useState<CoverageReport | null>(null);
  const [library, setLibrary] = useState<ControlStatus[]>([]);
  const coverageOp = useOperation('coverage');
  const { run: runCoverage } = coverageOp;
  const loading = coverageOp.running;
  const [error, setError] = useState<ApiError | null>(null);
  const [fwId, setFwId] = useState<string | null>(null);
  const [item, setItem] = useState<ItemRef | null>(null);
  const [control, setControl] = useState<OpenControl | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [allGaps, setAllGaps] = useState(false);

  /**
   * Computes coverage (with progress and Cancel) and reads the catalogs; only the newest
   * load's answer is shown, and none before it answers. Resolves once it is shown (a save
   * waits for it).
   */
  const fetchAll = useCallback((): Promise<void> => {
    const catalogs = Promise.all([
      backend.frameworks(),
      // Only for the library controls not in the workspace yet; never fatal.
      backend.controls().catch(() => null),
    ]).then(
      (found) => ({ found, failed: null }),
      (e: unknown) => ({ found: null, failed: toApiError(e) }),
    );
    return runCoverage(() => backend.coverage()).then(async (outcome) => {
      if (outcome.kind === 'superseded' || outcome.kind === 'cancelled') return;
      if (outcome.kind === 'failed') {
        setError(outcome.error);
        setReport(null);
        return;
      }
      const { found, failed } = await catalogs;
      if (!found) {
        setError(failed);
        setReport(null);
        return;
      }
      const [v, lib] = found;
      const r = outcome.value;
      setView(v);
      setReport(r);
      setLibrary(lib?.controls.filter((c) => !c.in_workspace) ?? []);
      setError(null);
      setFwId((id) => (id !== null && r.frameworks.some((f) => f.id === id) ? id : (r.frameworks[0]?.id ?? null)));
      setExpanded((e) => (e.size === 0 && r.frameworks[0] ? new Set([fwNode(r.frameworks[0].id)]) : e));
    });
  }, [backend, runCoverage]);

  /** Computes coverage again; resolves once the answer is shown (a save waits for it). */
  const reload = fetchAll;

  useEffect(() => {
    void fetchAll();
  }, [fetchAll]);

  // Coverage reads the controls, the policies, the inventory and the config: any change counts.
  useEffect(() => watchWorkspace(backend, () => void reload()), [backend, reload]);

  const fw = report?.frameworks.find((f) => f.id === fwId) ?? null;
  // The catalog behind it: licence, sources and the research notes.
  const catalog = view?.frameworks.find((f) => f.id === fwId) ?? null;
  const openItem = item ? (report?.frameworks.find((f) => f.id === item.framework)?.items.find((i) => i.key === item.key) ?? null) : null;
  const openItemFw = item ? (report?.frameworks.find((f) => f.id === item.framework) ?? null) : null;

  const selectFramework = useCallback((id: string) => {
    setFwId(id);
    setItem(null);
  }, []);

  const selectItem = useCallback(
    (framework: string, key: string) => {
      const target = report?.frameworks.find((f) => f.id === framework);
      if (!target) return;
      setFwId(framework);
      setItem({ framework, key });
      // Open the way to it in the tree.
      setExpanded((e) => new Set([...e, fwNode(framework), ...ancestorKeys(target, key).map((k) => itemNode(framework, k))]));
    },
    [report],
  );

  const selectControl = useCallback(
    (id: string, itemKey: string | null = null) => {
      setControl({ id, prefill: itemKey !== null && fwId !== null ? { framework: fwId, key: itemKey } : null });
      if (itemKey !== null && fwId !== null) setItem({ framework: fwId, key: itemKey });
    },
    [fwId],
  );

  const closeControl = useCallback(() => setControl(null), []);

  const toggle = useCallback((id: string, open: boolean) => {
    setExpanded((e) => {
      const next = new Set(e);
      if (open) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  // The control in the drawer: the workspace's, or a library control about to be adopted.
  const drawerControl = useMemo((): { control: ControlCoverage; inWorkspace: boolean } | null => {
    if (!control || !report) return null;
    const found = report.controls.find((c) => c.id === control.id);
    if (found) return { control: found, inWorkspace: true };
    const lib = library.find((c) => c.id === control.id);
    if (!lib) return null;
    return {
      control: { id: lib.id, title: lib.title, statement: lib.statement, status: 'planned', evidence: [], mappings: [] },
      inWorkspace: false,
    };
  }, [control, report, library]);

  const gaps = useMemo(() => (report ? gapsFor(report.gaps, allGaps ? null : fwId) : []), [report, allGaps, fwId]);

  return (
    <section
      className={drawerControl ? 'page page-frameworks has-drawer' : 'page page-frameworks'}
      data-testid="page-frameworks"
      aria-labelledby="page-title-frameworks"
      aria-busy={loading}
    >
      <PageHeader
        page="frameworks"
        lead="How your controls cover the frameworks auditors ask about — OWASP’s agentic lists, CSA MAESTRO and NIST AI RMF — from the evidence policies, inventory checks and recorded traffic give."
      >
        {loading && report && (
          <span className="muted small" role="status" data-testid="fw-refreshing">
            Updating…
          </span>
        )}
        <button type="button" className="btn" onClick={() => void reload()} disabled={loading} data-testid="fw-refresh">
          <Icon name="refresh" />
          Recompute
        </button>
      </PageHeader>

      {error && (
        <>
          <ErrorBanner error={error} />
          {error.code === 'controls_invalid' && (
            <p className="notice" data-testid="fw-controls-invalid">
              Coverage is computed from <code>controls/controls.toml</code> and the framework files: it shows again once they
              parse. Run <code>mandate check</code> for every problem; the page reloads when the files change.
            </p>
          )}
        </>
      )}

      {view && view.diagnostics.length > 0 && (
        <div className="notice fw-catalog-problems" data-testid="fw-catalog-problems">
          <p>Workspace framework files with problems (frameworks/*.json):</p>
          <ul>
            {view.diagnostics.map((d, i) => (
              <li key={i}>
                <code>{formatLocation(d)}</code> {d.message}
              </li>
            ))}
          </ul>
        </div>
      )}

      {loading && (
        <OperationProgressRow
          label="Computing coverage"
          operations={COVERAGE_OPS}
          fallback="Computing coverage from policies, inventory checks and recorded traffic…"
          cancelling={coverageOp.cancelling}
          onCancel={coverageOp.cancel}
          testId="fw-loading"
        />
      )}
      {coverageOp.cancelled && !loading && (
        <CancelledNotice
          what={report ? 'recomputing coverage' : 'computing coverage'}
          again="Compute again"
          onAgain={() => void reload()}
          testId="fw-cancelled"
        />
      )}

      {report && (
        <>
          {report.controls.length === 0 && (
            <EmptyControls library={library} onMap={(id) => setControl({ id, prefill: null })} />
          )}
          <p className="muted small fw-basis" data-testid="fw-basis">
            Evidence from {report.traffic_set ? <>recorded set <code>{report.traffic_set}</code></> : 'no recorded traffic yet'}, counted
            when fresher than {report.max_evidence_age_days} days · catalog data {report.catalog_version} · computed{' '}
            {formatTimestamp(report.generated_at)}
          </p>
          <div className="fw-layout">
            <div className="panel panel-flush fw-side">
              <FrameworkTree
                report={report}
                expanded={expanded}
                selectedFramework={fwId}
                selectedItem={item ? itemNode(item.framework, item.key) : null}
                onToggle={toggle}
                onSelectFramework={selectFramework}
                onSelectItem={selectItem}
              />
            </div>
            <div className="fw-main">
              {fw && (
                <section className="panel fw-summary" data-testid="fw-summary" data-framework={fw.id} data-percent={fw.percent}>
                  <div className="fw-summary-head">
                    <div>
                      <h2>{fw.title}</h2>
                      <p className="muted small">
                        {fw.publisher} · version {fw.version} · {fw.origin === 'built_in' ? 'built in' : 'from frameworks/'}
                      </p>
                      {fw.url && (
                        <p className="muted small mono fw-url" title={fw.url}>
                          {fw.url}
                        </p>
                      )}
                    </div>
                    <div className="fw-summary-percent">
                      <span className="fw-big-percent" data-testid="fw-summary-percent">
                        {percentText(fw.percent)}
                      </span>
                      <span className="muted small">
                        {fw.implemented} of {fw.applicable} applicable implemented
                      </span>
                    </div>
                  </div>
                  <CoverageBar fw={fw} />
                  <p className="small fw-summary-counts">
                    {fw.implemented} implemented · {fw.partial} partial · {fw.planned} planned · {fw.uncovered} uncovered ·{' '}
                    {fw.not_applicable} not applicable
                  </p>
                  {catalog && (catalog.license || catalog.source || catalog.notes.length > 0) && (
                    <details className="fw-about" data-testid="fw-about">
                      <summary className="small">About this catalog</summary>
                      <dl className="facts small">
                        {catalog.license && (
                          <>
                            <dt>Licence</dt>
                            <dd>{catalog.license}</dd>
                          </>
                        )}
                        {catalog.source && (
                          <>
                            <dt>Sources</dt>
                            <dd>{catalog.source}</dd>
                          </>
                        )}
                        {view && (
                          <>
                            <dt>Data</dt>
                            <dd>Mandate catalog data {view.catalog_version}</dd>
                          </>
                        )}
                      </dl>
                      {catalog.notes.length > 0 && (
                        <ul className="small fw-notes">
                          {catalog.notes.map((n, i) => (
                            <li key={i}>{n}</li>
                          ))}
                        </ul>
                      )}
                    </details>
                  )}
                </section>
              )}
              {openItem && openItemFw && (
                <ItemPanel
                  key={`${openItemFw.id}/${openItem.key}`}
                  report={report}
                  fw={openItemFw}
                  item={openItem}
                  onClose={() => setItem(null)}
                  onSelectControl={(id) => selectControl(id)}
                  onSelectItem={selectItem}
                  onChanged={reload}
                />
              )}
              {fw && (
                <section className="panel fw-matrix-panel" aria-label={`Controls by ${fw.short_title} items`}>
                  <h2>
                    Controls × {fw.short_title} items{' '}
                    <span className="heading-count">
                      {report.controls.length} × {fw.applicable + fw.not_applicable}
                    </span>
                  </h2>
                  <CoverageMatrix
                    report={report}
                    fw={fw}
                    selectedControl={control?.id ?? null}
                    selectedItem={item?.framework === fw.id ? item.key : null}
                    onSelectControl={selectControl}
                    onSelectItem={(key) => selectItem(fw.id, key)}
                  />
                  {library.length > 0 && report.controls.length > 0 && (
                    <LibraryPicker library={library} onMap={(id) => setControl({ id, prefill: null })} />
                  )}
                </section>
              )}
            </div>
          </div>
          <GapList
            report={report}
            gaps={gaps}
            scope={allGaps ? null : (fw?.short_title ?? null)}
            onScope={setAllGaps}
            onSelectControl={(id) => selectControl(id)}
            onSelectItem={selectItem}
          />
          <ExportPanel report={report} computing={loading} />
        </>
      )}

      {drawerControl && report && (
        <ControlDrawer
          key={drawerControl.control.id}
          report={report}
          control={drawerControl.control}
          inWorkspace={drawerControl.inWorkspace}
          prefill={control?.prefill ?? null}
          framework={fwId}
          onClose={closeControl}
          onSaved={reload}
          onSelectItem={selectItem}
        />
      )}
    </section>
  );
}

function EmptyControls({ library, onMap }: { library: ControlStatus[]; onMap: (id: string) => void }) {
  return (
    <div className="panel empty-panel" data-testid="fw-empty">
      <h2>No controls yet</h2>
      <p>
        Coverage comes from your controls, kept in <code>controls/controls.toml</code>: none are listed yet, so every framework
        item is uncovered. Start from Mandate’s library: pick one of its controls below and map it to an item — saving the
        mapping adds the control to the workspace. <a href={hrefFor('policies')}>Add from library</a> on the Policies page adds
        the policies that enforce it.
      </p>
      {library.length > 0 && (
        <>
          <LibraryPicker library={library} onMap={onMap} />
        </>
      )}
    </div>
  );
}

function LibraryPicker({ library, onMap }: { library: ControlStatus[]; onMap: (id: string) => void }) {
  const [id, setId] = useState('');
  return (
    <div className="inline-row fw-library-picker">
      <label className="filter">
        <span className="filter-label">Library control not in the workspace</span>
        <select className="input" value={id} onChange={(e) => setId(e.target.value)} data-testid="fw-library-control">
          <option value="">Choose…</option>
          {library.map((c) => (
            <option key={c.id} value={c.id}>
              {c.id} — {c.title}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="btn btn-small" disabled={id === ''} onClick={() => onMap(id)} data-testid="fw-library-map">
        Map it…
      </button>
    </div>
  );
}
