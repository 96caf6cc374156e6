// Changed decisions by action or by agent as horizontal stacked bars (plain SVG, no chart
// library): allow → deny, deny → allow, and other changes (same decision, other reasons or
// errors). The same numbers are in a visually hidden table for screen readers.
import { useId } from 'react';
import type { Breakdown } from '../../bindings/Breakdown';
import { chartRows, count } from '../../lib/simulate';
import { entityId } from './ResultsTable';

const LABEL_WIDTH = 170;
const BAR_WIDTH = 300;
const VALUE_WIDTH = 70;
const ROW = 24;
const BAR = 14;

export function ChangeChart({
  title,
  rows,
  testid,
  onPick,
}: {
  title: string;
  rows: readonly Breakdown[];
  testid: string;
  /** Clicking a key (e.g. to search the results for it). */
  onPick?: (key: string) => void;
}) {
  const titleId = useId();
  const shown = chartRows(rows, 10);
  const max = Math.max(1, ...shown.map((r) => r.changed));
  const scale = (n: number) => (n / max) * BAR_WIDTH;
  const height = Math.max(1, shown.length) * ROW;
  const hidden = rows.filter((r) => r.changed > 0).length - shown.length;

  return (
    <figure className="panel chart" aria-labelledby={titleId} data-testid={testid}>
      <figcaption id={titleId} className="chart-title">
        {title}
      </figcaption>
      {shown.length === 0 ? (
        <p className="muted small" data-testid={`${testid}-empty`}>
          No changes.
        </p>
      ) : (
        <>
          <svg
            className="chart-svg"
            viewBox={`0 0 ${LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH} ${height}`}
            width="100%"
            role="img"
            aria-labelledby={titleId}
            preserveAspectRatio="xMinYMin meet"
          >
            {shown.map((r, i) => {
              const y = i * ROW;
              const a2d = scale(r.allow_to_deny);
              const d2a = scale(r.deny_to_allow);
              const other = scale(Math.max(0, r.changed - r.allow_to_deny - r.deny_to_allow));
              const label = entityId(r.key);
              return (
                <g key={r.key} data-testid="chart-bar" data-key={r.key} data-changed={r.changed}>
                  <title>
                    {`${r.key}: ${r.changed} of ${r.requests} changed (${r.allow_to_deny} allow → deny, ${r.deny_to_allow} deny → allow)`}
                  </title>
                  <text x={LABEL_WIDTH - 8} y={y + ROW / 2} className="chart-label" textAnchor="end" dominantBaseline="middle">
                    {label.length > 24 ? `${label.slice(0, 23)}…` : label}
                  </text>
                  <rect x={LABEL_WIDTH} y={y + (ROW - BAR) / 2} width={a2d} height={BAR} className="bar bar-deny" />
                  <rect x={LABEL_WIDTH + a2d} y={y + (ROW - BAR) / 2} width={d2a} height={BAR} className="bar bar-allow" />
                  <rect x={LABEL_WIDTH + a2d + d2a} y={y + (ROW - BAR) / 2} width={other} height={BAR} className="bar bar-other" />
                  <text x={LABEL_WIDTH + a2d + d2a + other + 6} y={y + ROW / 2} className="chart-value" dominantBaseline="middle">
                    {count(r.changed)}
                  </text>
                </g>
              );
            })}
          </svg>
          {onPick && (
            <p className="chart-picks small">
              Show in the results:{' '}
              {shown.map((r, i) => (
                <span key={r.key}>
                  {i > 0 && ', '}
                  <button type="button" className="link-button" onClick={() => onPick(r.key)} data-testid="chart-pick">
                    {entityId(r.key)}
                  </button>
                </span>
              ))}
            </p>
          )}
          {hidden > 0 && <p className="muted small">and {count(hidden)} more with changes</p>}
          <table className="visually-hidden">
            <caption>{title}</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Requests</th>
                <th scope="col">Changed</th>
                <th scope="col">Allow to deny</th>
                <th scope="col">Deny to allow</th>
                <th scope="col">New errors</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.key}>
                  <th scope="row">{r.key}</th>
                  <td>{r.requests}</td>
                  <td>{r.changed}</td>
                  <td>{r.allow_to_deny}</td>
                  <td>{r.deny_to_allow}</td>
                  <td>{r.new_errors}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}

export function ChartLegend() {
  return (
    <ul className="chart-legend small" aria-label="Legend">
      <li>
        <span className="swatch swatch-deny" aria-hidden="true" /> allow → deny
      </li>
      <li>
        <span className="swatch swatch-allow" aria-hidden="true" /> deny → allow
      </li>
      <li>
        <span className="swatch swatch-other" aria-hidden="true" /> other reasons or errors
      </li>
    </ul>
  );
}
