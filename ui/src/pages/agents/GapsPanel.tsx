// Accountability gaps across the inventory, errors first, then by subject; and the inventory
// files that did not load (their records are missing from every other view).
import { useMemo } from 'react';
import type { Diagnostic } from '../../bindings/Diagnostic';
import type { Finding } from '../../bindings/Finding';
import type { InventoryView } from '../../bindings/InventoryView';
import type { Severity } from '../../bindings/Severity';
import { SeverityBadge } from '../../components/SeverityBadge';
import { formatLocation, groupByFile } from '../../lib/diagnostics';
import { groupFindings, SUBJECT_KIND_LABELS } from '../../lib/findings';
import { plural } from '../../lib/summary';

const SEVERITY_TITLES: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Notes' };

export function GapsPanel({
  view,
  onOpenFinding,
}: {
  view: InventoryView;
  onOpenFinding: (finding: Finding, agentId: string) => void;
}) {
  const groups = useMemo(() => groupFindings(view.findings), [view.findings]);
  const agentNames = useMemo(() => new Map(view.agents.map((a) => [a.id, a.name])), [view.agents]);
  const files = useMemo(() => groupByFile(view.diagnostics), [view.diagnostics]);

  return (
    <div className="gaps" data-testid="gaps-panel">
      {files.length > 0 && (
        <section className="panel panel-danger" aria-labelledby="files-with-problems" data-testid="file-problems">
          <h2 id="files-with-problems">
            Files with problems <span className="heading-count">{files.length}</span>
          </h2>
          <p className="muted small">
            These inventory files did not load cleanly, so some of their records are missing from the table, the graph
            and the findings below. Fix them in your editor; Mandate reloads them when you save.
          </p>
          {files.map((g) => (
            <div key={g.file} className="diagnostic-group">
              <h3 className="group-title">{g.file}</h3>
              <ul className="diagnostic-list">
                {g.diagnostics.map((d, i) => (
                  <FileProblem key={i} d={d} />
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}

      {groups.length === 0 ? (
        <section className="panel">
          <p className="empty-ok" data-testid="no-gaps">
            No accountability gaps: every agent has an accountable human, an identity and a valid approval.
          </p>
        </section>
      ) : (
        groups.map((g) => (
          <section
            key={g.severity}
            className="panel"
            aria-labelledby={`gaps-${g.severity}`}
            data-testid="gaps-group"
            data-severity={g.severity}
          >
            <h2 id={`gaps-${g.severity}`}>
              {SEVERITY_TITLES[g.severity]} <span className="heading-count">{g.count}</span>
              <span className="muted small heading-aside">in {plural(g.subjects.length, 'subject')}</span>
            </h2>
            {g.subjects.map((s) => (
              <div key={s.subject} className="gap-subject" data-testid="gaps-subject" data-subject={s.subject}>
                <h3 className="gap-subject-title">
                  <span className="subject-kind">{SUBJECT_KIND_LABELS[s.kind] ?? s.kind}</span>
                  <code>{s.id}</code>
                  {s.kind === 'agent' && agentNames.has(s.id) && <span className="muted">{agentNames.get(s.id)}</span>}
                </h3>
                <ul className="finding-list">
                  {s.findings.map((f, i) => (
                    <FindingRow
                      key={`${f.code}-${i}`}
                      finding={f}
                      onOpen={s.kind === 'agent' && agentNames.has(s.id) ? () => onOpenFinding(f, s.id) : undefined}
                    />
                  ))}
                </ul>
              </div>
            ))}
          </section>
        ))
      )}
    </div>
  );
}

function FindingRow({ finding: f, onOpen }: { finding: Finding; onOpen?: () => void }) {
  // Spans only: this may sit inside a <button>, which takes phrasing content.
  const body = (
    <>
      <span className="finding-head">
        <SeverityBadge severity={f.severity} />
        <span className="finding-message" data-testid="finding-message">
          {f.message}
        </span>
      </span>
      {f.help && <span className="finding-help">{f.help}</span>}
      <span className="finding-meta">
        <code>{f.code}</code>
        <code>
          {f.file}:{f.line}
        </code>
        {f.field && onOpen && (
          <span>
            opens the agent at <code>{f.field}</code>
          </span>
        )}
      </span>
    </>
  );
  return (
    <li
      className={`finding finding-${f.severity}${onOpen ? ' finding-clickable' : ''}`}
      data-testid="finding"
      data-code={f.code}
      data-subject={f.subject}
      data-field={f.field ?? ''}
    >
      {onOpen ? (
        <button type="button" className="finding-button" onClick={onOpen}>
          {body}
        </button>
      ) : (
        body
      )}
    </li>
  );
}

function FileProblem({ d }: { d: Diagnostic }) {
  return (
    <li className={`diagnostic diagnostic-${d.severity}`} data-testid="file-problem" data-file={d.file} data-line={d.line}>
      <div className="diagnostic-head">
        <SeverityBadge severity={d.severity} />
        <span className="diagnostic-message">{d.message}</span>
      </div>
      <div className="diagnostic-meta">
        <code className="diagnostic-location">{formatLocation(d)}</code>
        {d.field && <span className="diagnostic-code">{d.field}</span>}
      </div>
      {d.help && <p className="diagnostic-help">{d.help}</p>}
    </li>
  );
}
