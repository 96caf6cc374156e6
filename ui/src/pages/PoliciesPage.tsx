// The Policies page: every policy file, its problems and its policies, revalidated live.
//
// Validation runs in the core; this page only lays the report out. It revalidates whenever
// the watcher reports a change (see `useValidation`) and flashes an "updated" indicator.
// Selecting a file opens it in the (lazy-loaded) policy editor. The header opens the test
// bench (decide one request) and the control library (add a control's policies).
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AddedPolicies } from '../bindings/AddedPolicies';
import type { Diagnostic } from '../bindings/Diagnostic';
import type { PolicyFile } from '../bindings/PolicyFile';
import type { PolicyKind } from '../bindings/PolicyKind';
import { ErrorBanner } from '../components/ErrorBanner';
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import { CountBadge, SeverityBadge } from '../components/SeverityBadge';
import { formatLocation, groupByFile } from '../lib/diagnostics';
import { hrefFor, parsePolicyTarget } from '../lib/route';
import { draftPaths, onDraftsChanged } from '../lib/drafts';
import { plural, schemaText, summaryText } from '../lib/summary';
import { useValidation } from '../lib/useValidation';
import { LibraryDialog } from './policies/LibraryDialog';
import { TestBench } from './policies/TestBench';

// CodeMirror is large: the editor is its own chunk, loaded when a file is first opened.
const PolicyEditor = lazy(() => import('../components/editor/PolicyEditor'));

const KIND_LABELS: Record<PolicyKind, string> = {
  permit: 'permit',
  forbid: 'forbid',
  permit_template: 'permit template',
  forbid_template: 'forbid template',
};

export function PoliciesPage() {
  const v = useValidation();
  // Another page may link to a policy at its line (`policyHref`): open it there.
  const [target] = useState(() => parsePolicyTarget(window.location.hash));
  const [selected, setSelected] = useState<string | null>(target?.file ?? null);
  const [benchOpen, setBenchOpen] = useState(false);
  const [libraryOpen, setLibraryOpen] = useState(false);
  const benchToggle = useRef<HTMLButtonElement>(null);
  const libraryButton = useRef<HTMLButtonElement>(null);
  const detail = useRef<HTMLDivElement>(null);
  const report = v.report;
  const revalidate = v.revalidate;

  // A policy named by the test bench (at its line) or added from the library opens in the
  // editor below.
  const [jump, setJump] = useState<{ line: number; seq: number } | null>(target?.line ? { line: target.line, seq: 1 } : null);
  useEffect(() => {
    // The link did its work; a reload shows the page as it is.
    if (target) window.history.replaceState(null, '', hrefFor('policies'));
  }, [target]);
  const openFile = useCallback((path: string, line?: number) => {
    setSelected(path);
    setJump((j) => (line === undefined ? null : { line, seq: (j?.seq ?? 0) + 1 }));
    detail.current?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
  }, []);
  const selectFile = useCallback((path: string | null) => {
    setSelected(path);
    setJump(null);
  }, []);

  // Unsaved edits: the open editor's, and drafts kept from files closed while dirty.
  const [editorDirty, setEditorDirty] = useState(false);
  const [drafts, setDrafts] = useState<string[]>(draftPaths);
  useEffect(() => onDraftsChanged(() => setDrafts(draftPaths())), []);

  // WebKit does not focus a clicked button, so focus goes back to the opener by name.
  const closeBench = useCallback(() => {
    setBenchOpen(false);
    benchToggle.current?.focus();
  }, []);

  const closeLibrary = useCallback(() => {
    setLibraryOpen(false);
    libraryButton.current?.focus();
  }, []);

  const onAdded = useCallback(
    (added: AddedPolicies) => {
      // The app's own writes are not reported by the watcher: revalidate to list the file.
      revalidate();
      selectFile(added.file);
    },
    [revalidate, selectFile],
  );

  // A selected file that was deleted on disk falls back to "all files".
  const selectedFile = report?.files.find((f) => f.path === selected) ?? null;
  const groups = useMemo(() => {
    if (!report) return [];
    const shown = selectedFile
      ? report.diagnostics.filter((d) => d.file === selectedFile.path)
      : report.diagnostics;
    return groupByFile(shown);
  }, [report, selectedFile]);
  const shownFiles = selectedFile ? [selectedFile] : (report?.files ?? []);
  const problemCount = groups.reduce((n, g) => n + g.diagnostics.length, 0);

  return (
    <section className="page" data-testid="page-policies" aria-labelledby="page-title-policies">
      <PageHeader
        page="policies"
        lead={
          report ? (
            <>
              <span data-testid="validation-summary">{summaryText(report)}</span>
              <span className="summary-sep" aria-hidden="true">
                ·
              </span>
              <span data-testid="schema-status">{schemaText(report)}</span>
            </>
          ) : (
            'Every Cedar policy in the workspace, validated as files change on disk.'
          )
        }
      >
        {v.updatedAt && (
          <span
            key={v.updateCount}
            className="updated-indicator"
            data-testid="updated-indicator"
            role="status"
            title={v.lastChanges.map((c) => `${c.kind}: ${c.path}`).join('\n')}
          >
            Updated {v.updatedAt.toLocaleTimeString()}
          </span>
        )}
        <button
          ref={benchToggle}
          type="button"
          className="btn"
          aria-expanded={benchOpen}
          onClick={() => setBenchOpen((o) => !o)}
          data-testid="open-test-bench"
        >
          <Icon name="test" />
          Test request
        </button>
        <button ref={libraryButton} type="button" className="btn" onClick={() => setLibraryOpen(true)} data-testid="open-library">
          <Icon name="library" />
          Add from library
        </button>
        <button type="button" className="btn" onClick={v.revalidate} data-testid="revalidate">
          <Icon name="refresh" />
          Revalidate
        </button>
      </PageHeader>

      {v.error && <ErrorBanner error={v.error} />}
      {v.watchError && <ErrorBanner error={v.watchError} />}
      {v.loading && (
        <p className="muted" aria-busy="true">
          Validating policies…
        </p>
      )}

      {benchOpen && <TestBench onOpenPolicy={openFile} onClose={closeBench} />}
      {libraryOpen && <LibraryDialog files={report?.files ?? []} onClose={closeLibrary} onAdded={onAdded} />}

      {report && (
        <div className="policies-layout">
          <nav className="file-list" aria-label="Policy files">
            <button
              type="button"
              className="file-item file-item-all"
              aria-pressed={selectedFile === null}
              onClick={() => selectFile(null)}
            >
              <span className="file-path">All files</span>
              <span className="file-meta">{plural(report.policy_count, 'policy', 'policies')}</span>
              <CountBadge count={report.error_count} severity="error" showZero />
              <CountBadge count={report.warning_count} severity="warning" showZero />
            </button>
            {report.files.length === 0 && <p className="muted small">No .cedar files yet.</p>}
            {report.files.map((f) => (
              <button
                type="button"
                key={f.path}
                className="file-item"
                aria-pressed={selectedFile?.path === f.path}
                onClick={() => selectFile(f.path)}
                data-testid="policy-file"
                data-path={f.path}
                title={f.path}
              >
                <span className="file-path">{f.path}</span>
                {((selectedFile?.path === f.path && editorDirty) || drafts.includes(f.path)) && (
                  <span className="file-unsaved" data-testid="file-unsaved" title="Unsaved changes, kept until you save or reload">
                    ●<span className="visually-hidden"> unsaved changes</span>
                  </span>
                )}
                <span className="file-meta">{plural(f.policies.length, 'policy', 'policies')}</span>
                <CountBadge count={f.error_count} severity="error" />
                <CountBadge count={f.warning_count} severity="warning" />
              </button>
            ))}
          </nav>

          <div className="policies-detail" ref={detail}>
            {selectedFile && (
              <Suspense
                fallback={
                  <p className="muted" aria-busy="true">
                    Loading editor…
                  </p>
                }
              >
                <PolicyEditor
                  key={selectedFile.path}
                  path={selectedFile.path}
                  policies={selectedFile.policies}
                  onSaved={v.revalidate}
                  jump={jump}
                  onDirtyChange={setEditorDirty}
                />
              </Suspense>
            )}
            <section aria-labelledby="problems-title" className="panel">
              <h2 id="problems-title">
                Problems <span className="heading-count">{problemCount}</span>
              </h2>
              {problemCount === 0 ? (
                <p className="empty-ok" data-testid="no-problems">
                  No problems found{selectedFile ? ` in ${selectedFile.path}` : ''}.
                </p>
              ) : (
                groups.map((g) => (
                  <div key={g.file} className="diagnostic-group">
                    {!selectedFile && <h3 className="group-title">{g.file}</h3>}
                    <ul className="diagnostic-list">
                      {g.diagnostics.map((d, i) => (
                        <DiagnosticItem key={`${formatLocation(d)}-${i}`} diagnostic={d} />
                      ))}
                    </ul>
                  </div>
                ))
              )}
            </section>

            <section aria-labelledby="policy-list-title" className="panel">
              <h2 id="policy-list-title">
                Policies{' '}
                <span className="heading-count">
                  {shownFiles.reduce((n, f) => n + f.policies.length, 0)}
                </span>
              </h2>
              {shownFiles.map((f) => (
                <PolicyTable key={f.path} file={f} showCaption={!selectedFile} />
              ))}
            </section>

            {!selectedFile && report.links.length > 0 && (
              <section aria-labelledby="links-title" className="panel">
                <h2 id="links-title">
                  Template links <span className="heading-count">{report.links.length}</span>
                </h2>
                <p className="muted small">
                  Linked in <code>policies/links.toml</code>: each is a policy made from a template with its slots filled.
                </p>
                <table className="table" data-testid="links-table">
                  <thead>
                    <tr>
                      <th scope="col">Id</th>
                      <th scope="col">Template</th>
                      <th scope="col" className="num">
                        Line
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.links.map((l) => (
                      <tr key={l.id} data-testid="link-row" data-link-id={l.id}>
                        <td>
                          <code>{l.id}</code>
                        </td>
                        <td>
                          <code>{l.template}</code>
                        </td>
                        <td className="num">{l.line}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function DiagnosticItem({ diagnostic: d }: { diagnostic: Diagnostic }) {
  return (
    <li
      className={`diagnostic diagnostic-${d.severity}`}
      data-testid="diagnostic"
      data-severity={d.severity}
      data-file={d.file}
      data-line={d.line}
    >
      <div className="diagnostic-head">
        <SeverityBadge severity={d.severity} />
        <span className="diagnostic-message" data-testid="diagnostic-message">
          {d.message}
        </span>
      </div>
      <div className="diagnostic-meta">
        <code className="diagnostic-location">{formatLocation(d)}</code>
        {d.code && <span className="diagnostic-code">{d.code}</span>}
      </div>
      {d.help && <p className="diagnostic-help">{d.help}</p>}
    </li>
  );
}

function PolicyTable({ file, showCaption }: { file: PolicyFile; showCaption: boolean }) {
  if (file.policies.length === 0) {
    return (
      <div className="policy-table-wrap">
        {showCaption && <h3 className="group-title">{file.path}</h3>}
        <p className="muted small">No policies in this file.</p>
      </div>
    );
  }
  return (
    <div className="policy-table-wrap">
      <table className="table" data-testid="policy-table" data-path={file.path}>
        <caption className={showCaption ? 'group-title' : 'visually-hidden'}>{file.path}</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Kind</th>
            <th scope="col">Control</th>
            <th scope="col" className="num">
              Line
            </th>
          </tr>
        </thead>
        <tbody>
          {file.policies.map((p) => (
            <tr key={`${p.id}-${p.line}`} data-testid="policy-row" data-policy-id={p.id}>
              <td>
                <code>{p.id}</code>
                {p.rationale && <div className="rationale">{p.rationale}</div>}
              </td>
              <td>
                <span className={`kind kind-${p.kind}`}>{KIND_LABELS[p.kind]}</span>
              </td>
              <td>{p.control ? <code>{p.control}</code> : <span className="muted">—</span>}</td>
              <td className="num">{p.line}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
