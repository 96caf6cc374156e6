// Coverage for people outside the app: CSV (the alignment table or the traceability
// matrix), JSON, OSCAL, Markdown and HTML, for one framework or all. Each asks where to save
// (the native dialog), then the core writes the file(s) and says which, with its progress and
// Cancel while it works (it computes coverage again when the evidence changed; a cancelled
// export writes nothing).
import { useId, useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { CoverageReport } from '../../bindings/CoverageReport';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { CancelledNotice, OperationProgressRow } from '../../components/OperationStatus';
import { EXPORTS, exportFileName, type ExportChoice } from '../../lib/frameworks';
import { useOperation } from '../../lib/useProgressEvents';
import { Ticked } from '../insights/FindingText';

const EXPORT_OPS = ['export_coverage'] as const;

/** `computing`: the page is computing coverage; exports wait for it. */
export function ExportPanel({ report, computing = false }: { report: CoverageReport; computing?: boolean }) {
  const backend = useBackend();
  const uid = useId();
  // `''`: every framework.
  const [scope, setScope] = useState('');
  const [busy, setBusy] = useState<ExportChoice | null>(null);
  const [last, setLast] = useState<ExportChoice | null>(null);
  const [written, setWritten] = useState<{ label: string; files: string[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const exportOp = useOperation('coverage');

  const run = async (choice: ExportChoice) => {
    setError(null);
    setWritten(null);
    exportOp.dismiss();
    const fw = scope === '' ? null : scope;
    let out: string | null;
    try {
      out = await backend.pickSavePath({
        title: `Export coverage: ${choice.label}`,
        defaultName: exportFileName(choice, fw),
        filters: [{ name: choice.filterName, extensions: choice.extensions }],
      });
    } catch (e) {
      setError(toApiError(e));
      return;
    }
    if (out === null) return;
    const request = { format: choice.format, framework: fw, table: choice.table, out };
    setBusy(choice);
    setLast(choice);
    const outcome = await exportOp.run(() => backend.exportCoverage(request));
    if (outcome.kind === 'superseded') return;
    setBusy(null);
    if (outcome.kind === 'done') setWritten({ label: choice.label, files: outcome.value.files });
    else if (outcome.kind === 'failed') setError(outcome.error);
  };

  return (
    <section className="panel fw-export" aria-labelledby={`${uid}-title`} data-testid="fw-export">
      <div className="section-head">
        <h2 id={`${uid}-title`}>Export</h2>
        <label className="filter">
          <span className="filter-label">Frameworks</span>
          <select className="input" value={scope} onChange={(e) => setScope(e.target.value)} data-testid="export-scope">
            <option value="">All frameworks</option>
            {report.frameworks.map((f) => (
              <option key={f.id} value={f.id}>
                {f.short_title}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ul className="fw-export-list">
        {EXPORTS.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="btn"
              disabled={busy !== null || computing}
              onClick={() => void run(c)}
              data-testid={`export-${c.id}`}
              aria-describedby={`${uid}-${c.id}`}
            >
              {busy?.id === c.id ? 'Exporting…' : c.label}
            </button>
            <span id={`${uid}-${c.id}`} className="muted small">
              <Ticked text={c.hint} />
            </span>
          </li>
        ))}
      </ul>
      {busy && (
        <OperationProgressRow
          label={`Exporting ${busy.label}`}
          operations={EXPORT_OPS}
          fallback={`Exporting ${busy.label}…`}
          cancelling={exportOp.cancelling}
          onCancel={exportOp.cancel}
          testId="export-progress"
        />
      )}
      {exportOp.cancelled && !busy && last && (
        <CancelledNotice what="the export" again={`Export ${last.label} again`} onAgain={() => void run(last)} testId="export-cancelled" />
      )}
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {written && (
        <div className="fw-export-done" role="status" data-testid="export-result">
          <p>
            <strong>{written.label}</strong> written:
          </p>
          <ul className="id-list">
            {written.files.map((f) => (
              <li key={f}>
                <code data-testid="export-file">{f}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
