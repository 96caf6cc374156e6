// Logging completeness: how many requests carry each field the evidence needs (the task id,
// the time, the decision) and each context field the policies read — evidence for the
// "every decision logged with enough context to reconstruct the task" control.
import { memo, useId } from 'react';
import type { Logging } from '../../bindings/Logging';
import { coveragePercent, coverageRows } from '../../lib/insights';
import { count } from '../../lib/simulate';

/** Width of a coverage bar. */
const BAR = 120;

export const LoggingPanel = memo(LoggingPanelView);

function LoggingPanelView({ logging }: { logging: Logging }) {
  const uid = useId();
  const rows = coverageRows(logging.fields);
  return (
    <section className="panel" aria-labelledby={`${uid}-title`} data-testid="insights-logging">
      <h2 id={`${uid}-title`}>Logging completeness</h2>
      <p className="muted small logging-lead">
        Of {count(logging.requests)} requests, how many carry each field. Context fields are expected on the requests of the
        actions whose policies read them.
      </p>
      {rows.length === 0 ? (
        <p className="muted small">No field to check.</p>
      ) : (
        <table className="table logging-table">
          <caption className="visually-hidden">Requests carrying each field</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Coverage</th>
              <th scope="col" className="num">
                Present / expected
              </th>
              <th scope="col">Actions</th>
              <th scope="col">Read by</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => {
              const pct = coveragePercent(f);
              const missing = f.expected - f.present;
              return (
                <tr key={f.field} data-testid="logging-field" data-field={f.field} data-missing={missing}>
                  <th scope="row">
                    <code>{f.field}</code>
                    {f.optional && (
                      <span className="tag" title="Every policy reading it checks `context has` first: a missing value changes decisions silently">
                        optional
                      </span>
                    )}
                  </th>
                  <td>
                    <span className="coverage">
                      <svg className="coverage-bar" width={BAR} height={8} aria-hidden="true">
                        <rect className="coverage-track" x={0} y={0} width={BAR} height={8} rx={4} />
                        <rect className={missing > 0 ? 'coverage-fill coverage-gap' : 'coverage-fill'} x={0} y={0} width={(BAR * pct) / 100} height={8} rx={4} />
                      </svg>
                      <span className={missing > 0 ? 'text-warning coverage-pct' : 'coverage-pct'}>{pct}%</span>
                    </span>
                  </td>
                  <td className="num">
                    {count(f.present)} / {count(f.expected)}
                  </td>
                  <td className="small">{f.actions.length === 0 ? <span className="muted">any</span> : f.actions.join(', ')}</td>
                  <td className="small">
                    {f.read_by.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      f.read_by.map((p, i) => (
                        <span key={p}>
                          {i > 0 && ', '}
                          <code>{p}</code>
                        </span>
                      ))
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
