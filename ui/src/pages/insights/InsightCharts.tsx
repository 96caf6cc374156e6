// The Insights charts, drawn as plain SVG (no chart library): requests per agent over time
// (stacked columns), denies over time, and the most used tools. Each has a visually hidden
// table with the same numbers for screen readers, and a tooltip per bar. The drawing is as
// wide as its panel (measured), so labels stay at their real size at any window width.
// Memoised: a report's charts draw thousands of SVG elements, and the page renders again on
// every progress event of a new analysis while the last report stays on screen.
import { memo, useEffect, useId, useRef, useState, type RefObject } from 'react';
import type { Activity } from '../../bindings/Activity';
import type { ToolUse } from '../../bindings/ToolUse';
import {
  agentSeries,
  bucketLabel,
  denySeries,
  labelIndices,
  niceMax,
  stack,
  stackMax,
  toolRows,
  type Series,
} from '../../lib/insights';
import { count } from '../../lib/simulate';
import { plural } from '../../lib/summary';

const H = 196;
const LEFT = 48;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 26;
const PLOT_H = H - TOP - BOTTOM;

/** The content width of the element, following resizes; `fallback` until measured (and in jsdom). */
function useMeasuredWidth<T extends HTMLElement>(fallback: number): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w && w > 0) setWidth(Math.round(w));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** Column geometry shared by the time charts: `n` slots across the plot of a `w` wide chart. */
function columns(n: number, w: number) {
  const plot = w - LEFT - RIGHT;
  const slot = plot / Math.max(1, n);
  const width = Math.max(1, Math.min(48, slot * 0.7));
  const centre = (i: number) => LEFT + i * slot + slot / 2;
  return { x: (i: number) => centre(i) - width / 2, width, centre };
}

function Axes({ max, labels, w }: { max: number; labels: { x: number; text: string }[]; w: number }) {
  const y = (v: number) => TOP + PLOT_H - (v / max) * PLOT_H;
  return (
    <g className="axes" aria-hidden="true">
      {[0, max / 2, max].map((v) => (
        <g key={v}>
          <line x1={LEFT} x2={w - RIGHT} y1={y(v)} y2={y(v)} className={v === 0 ? 'axis-line' : 'grid-line'} />
          <text x={LEFT - 6} y={y(v)} className="chart-value" textAnchor="end" dominantBaseline="middle">
            {count(v)}
          </text>
        </g>
      ))}
      {labels.map((l, i) => (
        <text key={i} x={l.x} y={H - 8} className="chart-value" textAnchor="middle">
          {l.text}
        </text>
      ))}
    </g>
  );
}

function seriesClass(s: Series): string {
  return s.color === null ? 'series series-other' : `series series-${s.color % 8}`;
}

export const ActivityChart = memo(ActivityChartView);

function ActivityChartView({
  activity,
  onPickAgent,
}: {
  activity: Activity;
  /** Clicking an agent in the legend (to filter the findings by it). */
  onPickAgent?: (agent: string) => void;
}) {
  const titleId = useId();
  const [box, w] = useMeasuredWidth<HTMLElement>(900);
  // The busiest agents are often a small share of all traffic: without the rest, the chart
  // is scaled to them. The deny chart below always shows every request.
  const [withOthers, setWithOthers] = useState(false);
  const all = agentSeries(activity);
  const hasOthers = all.some((s) => s.color === null);
  const series = withOthers ? all : all.filter((s) => s.color !== null);
  const layers = stack(series);
  const n = activity.buckets.length;
  const max = niceMax(stackMax(series));
  const col = columns(n, w);
  const y = (v: number) => TOP + PLOT_H - (v / max) * PLOT_H;
  const labels = labelIndices(n, Math.max(2, Math.floor(w / 130))).map((i) => ({
    x: col.centre(i),
    text: bucketLabel(activity.buckets[i]!.start, activity.unit),
  }));

  return (
    <figure ref={box} className="panel chart chart-wide" aria-labelledby={titleId} data-testid="chart-activity">
      <div className="chart-head">
        <figcaption id={titleId} className="chart-title">
          Requests per agent{' '}
          <span className="muted chart-unit">
            {withOthers || !hasOthers ? '' : `the ${plural(activity.agents.length, 'busiest agent')}, `}per {activity.unit}
          </span>
        </figcaption>
        {hasOthers && (
          <label className="chart-toggle">
            <input type="checkbox" checked={withOthers} onChange={(e) => setWithOthers(e.target.checked)} data-testid="activity-others" />
            Include other agents
          </label>
        )}
      </div>
      {n === 0 ? (
        <p className="muted small">No request has a time.</p>
      ) : (
        <>
          <svg className="chart-svg" viewBox={`0 0 ${w} ${H}`} width="100%" height={H} role="img" aria-labelledby={titleId}>
            <Axes max={max} labels={labels} w={w} />
            {series.map((s, si) => (
              <g key={s.key} className={seriesClass(s)} data-testid="activity-series" data-agent={s.key}>
                {s.values.map((v, i) => {
                  if (v <= 0) return null;
                  const [y0, y1] = layers[si]![i]!;
                  return (
                    <rect key={i} x={col.x(i)} y={y(y1)} width={col.width} height={Math.max(0.5, y(y0) - y(y1))}>
                      <title>{`${bucketLabel(activity.buckets[i]!.start, activity.unit)} · ${s.key}: ${count(v)} request${v === 1 ? '' : 's'}`}</title>
                    </rect>
                  );
                })}
              </g>
            ))}
          </svg>
          <ul className="chart-legend chart-legend-wrap small" aria-label="Agents">
            {series.map((s) => (
              <li key={s.key}>
                <span className={`swatch swatch-series ${seriesClass(s)}`} aria-hidden="true" />
                {onPickAgent && s.color !== null ? (
                  <button type="button" className="link-button" onClick={() => onPickAgent(s.key)} title={`Show the findings about ${s.key}`}>
                    {s.key}
                  </button>
                ) : (
                  s.key
                )}
              </li>
            ))}
          </ul>
          {activity.untimed > 0 && (
            <p className="muted small">{count(activity.untimed)} requests without a time are not shown.</p>
          )}
          <table className="visually-hidden">
            <caption>Requests per agent in the window</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Requests</th>
              </tr>
            </thead>
            <tbody>
              {series.map((s) => (
                <tr key={s.key}>
                  <th scope="row">{s.key}</th>
                  <td>{s.values.reduce((a, b) => a + b, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}

export const DenyChart = memo(DenyChartView);

function DenyChartView({ activity }: { activity: Activity }) {
  const titleId = useId();
  const [box, w] = useMeasuredWidth<HTMLElement>(480);
  const rows = denySeries(activity.buckets);
  const n = rows.length;
  const max = niceMax(Math.max(0, ...rows.map((r) => r.requests)));
  const col = columns(n, w);
  const y = (v: number) => TOP + PLOT_H - (v / max) * PLOT_H;
  const labels = labelIndices(n, Math.max(2, Math.floor(w / 80))).map((i) => ({
    x: col.centre(i),
    text: bucketLabel(rows[i]!.start, activity.unit),
  }));
  const denies = rows.reduce((a, r) => a + r.denies, 0);
  const requests = rows.reduce((a, r) => a + r.requests, 0);

  return (
    <figure ref={box} className="panel chart" aria-labelledby={titleId} data-testid="chart-denies">
      <figcaption id={titleId} className="chart-title">
        Denies over time{' '}
        <span className="muted chart-unit">
          {requests > 0 ? `${Math.round((denies / requests) * 100)}% of requests denied` : ''}
        </span>
      </figcaption>
      {n === 0 ? (
        <p className="muted small">No request has a time.</p>
      ) : (
        <>
          <svg className="chart-svg" viewBox={`0 0 ${w} ${H}`} width="100%" height={H} role="img" aria-labelledby={titleId}>
            <Axes max={max} labels={labels} w={w} />
            {rows.map((r, i) => (
              <g key={r.start} data-testid="deny-bar" data-denies={r.denies}>
                <title>{`${bucketLabel(r.start, activity.unit)}: ${count(r.denies)} of ${count(r.requests)} denied (${Math.round(r.rate * 100)}%)`}</title>
                <rect x={col.x(i)} y={y(r.requests)} width={col.width} height={y(0) - y(r.requests)} className="bar bar-requests" />
                <rect x={col.x(i)} y={y(r.denies)} width={col.width} height={y(0) - y(r.denies)} className="bar bar-deny" />
              </g>
            ))}
          </svg>
          <ul className="chart-legend small" aria-label="Legend">
            <li>
              <span className="swatch swatch-deny" aria-hidden="true" /> denied
            </li>
            <li>
              <span className="swatch swatch-requests" aria-hidden="true" /> all requests
            </li>
          </ul>
          <table className="visually-hidden">
            <caption>Denies per {activity.unit}</caption>
            <thead>
              <tr>
                <th scope="col">Start</th>
                <th scope="col">Requests</th>
                <th scope="col">Denied</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.start}>
                  <th scope="row">{r.start}</th>
                  <td>{r.requests}</td>
                  <td>{r.denies}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}

const TOOL_LABEL = 170;
const TOOL_VALUE = 56;
const TOOL_ROW = 22;

export const ToolsChart = memo(ToolsChartView);

function ToolsChartView({ tools }: { tools: readonly ToolUse[] }) {
  const titleId = useId();
  const [box, w] = useMeasuredWidth<HTMLElement>(480);
  const shown = toolRows(tools, 8);
  const max = Math.max(1, ...shown.map((t) => t.requests));
  const bar = Math.max(60, w - TOOL_LABEL - TOOL_VALUE);
  const scale = (v: number) => (v / max) * bar;
  return (
    <figure ref={box} className="panel chart" aria-labelledby={titleId} data-testid="chart-tools">
      <figcaption id={titleId} className="chart-title">
        Top tools <span className="muted chart-unit">requests, denied in red</span>
      </figcaption>
      {shown.length === 0 ? (
        <p className="muted small">No tool was used.</p>
      ) : (
        <>
          <svg
            className="chart-svg"
            viewBox={`0 0 ${w} ${shown.length * TOOL_ROW}`}
            width="100%"
            height={shown.length * TOOL_ROW}
            role="img"
            aria-labelledby={titleId}
            preserveAspectRatio="xMinYMin meet"
          >
            {shown.map((t, i) => {
              const top = i * TOOL_ROW + 4;
              const allowed = Math.max(0, t.requests - t.denies);
              return (
                <g key={t.tool} data-testid="tool-bar" data-tool={t.tool} data-requests={t.requests}>
                  <title>{`${t.tool}${t.system ? ` (${t.system})` : ''}: ${count(t.requests)} requests, ${count(t.denies)} denied, ${count(t.agents)} agents`}</title>
                  <text x={TOOL_LABEL - 8} y={top + 7} className="chart-label" textAnchor="end" dominantBaseline="middle">
                    {t.tool.length > 26 ? `${t.tool.slice(0, 25)}…` : t.tool}
                  </text>
                  <rect x={TOOL_LABEL} y={top} width={scale(allowed)} height={14} className="bar bar-tool" />
                  <rect x={TOOL_LABEL + scale(allowed)} y={top} width={scale(t.denies)} height={14} className="bar bar-deny" />
                  <text x={TOOL_LABEL + scale(t.requests) + 6} y={top + 7} className="chart-value" dominantBaseline="middle">
                    {count(t.requests)}
                  </text>
                </g>
              );
            })}
          </svg>
          <table className="visually-hidden">
            <caption>Top tools</caption>
            <thead>
              <tr>
                <th scope="col">Tool</th>
                <th scope="col">System</th>
                <th scope="col">Requests</th>
                <th scope="col">Denied</th>
                <th scope="col">Agents</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => (
                <tr key={t.tool}>
                  <th scope="row">{t.tool}</th>
                  <td>{t.system ?? ''}</td>
                  <td>{t.requests}</td>
                  <td>{t.denies}</td>
                  <td>{t.agents}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
