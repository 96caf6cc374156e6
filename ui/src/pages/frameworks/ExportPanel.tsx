// Coverage for people outside the app: CSV (the alignment table or the traceability
// matrix), JSON, OSCAL, Markdown and HTML, for one framework or all. Each asks where to save
// (the native dialog), then the core writes the file(s) and says which.
import { useId, useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { CoverageReport } from '../../bindings/CoverageReport';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { EXPORTS, exportFileName, type ExportChoice } from '../../lib/frameworks';
import { Ticked } from '../insights/FindingText';

export function ExportPanel({ report }: { report: CoverageReport }) {
  const backend = useBackend();
  const uid = useId();
  // `''`: every framework.
  const [scope, setScope] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [written, setWritten] = useState<{ label: string; files: string[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const run = async (choice: ExportChoice) => {
    setError(null);
    setWritten(null);
    const fw = scope === '' ? null : scope;
    try {
      const out = await backend.pickSavePath({
        title: `Export coverage: ${choice.label}`,
        defaultName: exportFileName(choice, fw),
        filters: [{ name: choice.filterName, extensions: choice.extensions }],
      });
      if (out === null) return;
      setBusy(choice.id);
      const result = await backend.exportCoverage({ format: choice.format, framework: fw, table: choice.table, out });
      setWritten({ label: choice.label, files: result.files });
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
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
              disabled={busy !== null}
              onClick={() => void run(c)}
              data-testid={`export-${c.id}`}
              aria-describedby={`${uid}-${c.id}`}
            >
              {busy === c.id ? 'Exporting…' : c.label}
            </button>
            <span id={`${uid}-${c.id}`} className="muted small">
              <Ticked text={c.hint} />
            </span>
          </li>
        ))}
      </ul>
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
