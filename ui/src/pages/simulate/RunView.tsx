// One replay run: its summary cards, charts of the changes, the policies panel, the review,
// the paged results table and the explanation of the row opened. Keyed by run id by the
// page, so filters, selection and the explanation start fresh for another run.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { ExplainPair } from '../../bindings/ExplainPair';
import type { ReplayRun } from '../../bindings/ReplayRun';
import type { ResultFilter } from '../../bindings/ResultFilter';
import type { ResultRow } from '../../bindings/ResultRow';
import type { Review } from '../../bindings/Review';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { acknowledgedGroups, count, NO_FILTER, resultKey, summaryMetrics } from '../../lib/simulate';
import { formatTimestamp } from '../../lib/time';
import { ChangeChart, ChartLegend } from './ChangeChart';
import { ExplanationPanel } from './ExplanationPanel';
import { ResultsTable } from './ResultsTable';
import { ReviewBar } from './ReviewBar';

/** Typing in the search box refetches after this pause, not on every key. */
const SEARCH_DEBOUNCE_MS = 250;

interface Explained {
  seq: number;
  pair: ExplainPair | null;
  error: ApiError | null;
}

export function RunView({ run }: { run: ReplayRun }) {
  const backend = useBackend();
  const uid = useId();
  const [filter, setFilter] = useState<ResultFilter>(NO_FILTER);
  const [search, setSearch] = useState('');
  const [review, setReview] = useState<Review | null | undefined>(undefined);
  const [reviewError, setReviewError] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [explained, setExplained] = useState<Explained | null>(null);
  const explainSeq = useRef(0);
  const tableRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let active = true;
    backend.reviewForRun(run.id).then(
      (r) => {
        if (active) setReview(r);
      },
      (e: unknown) => {
        if (!active) return;
        setReview(null);
        setReviewError(toApiError(e));
      },
    );
    return () => {
      active = false;
    };
  }, [backend, run.id]);

  useEffect(() => {
    const text = search.trim() || null;
    const timer = setTimeout(() => setFilter((f) => (f.search === text ? f : { ...f, search: text })), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const ackedGroups = useMemo(() => acknowledgedGroups(review), [review]);

  const openRow = useCallback(
    (row: ResultRow) => {
      const ticket = ++explainSeq.current;
      setExplained({ seq: row.seq, pair: null, error: null });
      backend.explainResult(run.id, row.seq).then(
        (pair) => {
          if (ticket === explainSeq.current) setExplained({ seq: row.seq, pair, error: null });
        },
        (e: unknown) => {
          if (ticket === explainSeq.current) setExplained({ seq: row.seq, pair: null, error: toApiError(e) });
        },
      );
    },
    [backend, run.id],
  );

  const closeExplanation = () => {
    explainSeq.current++;
    const seq = explained?.seq;
    setExplained(null);
    // Back to the row it was opened from, when it is still rendered.
    tableRef.current?.querySelector<HTMLElement>(`[data-testid="result-row"][data-seq="${seq}"]`)?.focus();
  };

  const toggle = useCallback((row: ResultRow) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(row.id)) next.delete(row.id);
      else next.add(row.id);
      return next;
    });
  }, []);

  const s = run.summary;
  const r = run.report;
  const metrics = summaryMetrics(s);

  return (
    <div className="run-view" data-testid="run-view" data-run={run.id}>
      <p className="run-title" data-testid="run-title">
        <strong>Run #{run.id}</strong> · set <strong>{run.set}</strong> · <span className="mono">{run.baseline}</span> →{' '}
        <span className="mono">{run.candidate}</span>
        {(run.since || run.until) && (
          <>
            {' '}
            · {run.since ? `from ${run.since}` : ''} {run.until ? `until ${run.until}` : ''}
          </>
        )}
        <span className="muted"> · {formatTimestamp(run.started_at)}</span>
      </p>
      {run.status !== 'complete' && (
        <div className="banner banner-warning" role="status" data-testid="run-status" data-status={run.status}>
          <div className="banner-body">
            <p className="banner-title">
              {run.status === 'running' ? 'This run has not finished' : run.status === 'cancelled' ? 'This run was cancelled' : 'This run failed'}
            </p>
            <p className="banner-help">Its numbers and results cover only the requests replayed before it stopped.</p>
          </div>
        </div>
      )}

      <ul className="metrics" aria-label="Summary" data-testid="sim-summary">
        {metrics.map((m) => (
          <li key={m.key} className={`metric-card tone-${m.tone}`} title={m.hint} data-testid={`sim-metric-${m.key}`}>
            <span className="metric-card-value" data-testid="sim-metric-value">
              {count(m.value)}
            </span>
            <span className="metric-card-label">{m.label}</span>
          </li>
        ))}
      </ul>
      {s.errors.length > 0 && (
        <details className="panel skipped-lines" data-testid="sim-skipped-lines">
          <summary>{count(s.skipped)} skipped records</summary>
          <ul className="bad-lines">
            {s.errors.map((e, i) => (
              <li key={i}>
                <code>line {String(e.line)}</code> {e.message}
              </li>
            ))}
          </ul>
        </details>
      )}

      {reviewError && <ErrorBanner error={reviewError} onDismiss={() => setReviewError(null)} />}
      <ReviewBar
        run={run}
        review={review}
        selectedRows={selected}
        onClearRows={() => setSelected(new Set())}
        onReview={setReview}
        onShowRequest={(id) => setSearch(id)}
      />

      {s.changed > 0 && <ChartLegend />}
      <div className="charts">
        <ChangeChart
          title="Changes by action"
          rows={r.by_action}
          testid="chart-action"
          onPick={(key) => setSearch(key)}
        />
        <ChangeChart title="Changes by agent" rows={r.by_agent} testid="chart-agent" onPick={(key) => setSearch(key)} />
      </div>

      <PoliciesPanel run={run} />

      <section className="results" aria-labelledby={`${uid}-results`}>
        <h2 id={`${uid}-results`} className="section-title">
          Results
        </h2>
        <div className="filters" role="search" aria-label="Filter results">
          <button
            type="button"
            className="btn btn-small toggle"
            aria-pressed={filter.changed_only}
            onClick={() => setFilter((f) => ({ ...f, changed_only: !f.changed_only }))}
            data-testid="filter-changed"
          >
            Changed <span className="toggle-count">{count(s.changed)}</span>
          </button>
          <button
            type="button"
            className="btn btn-small toggle"
            aria-pressed={filter.errors_only}
            onClick={() => setFilter((f) => ({ ...f, errors_only: !f.errors_only }))}
            data-testid="filter-errors"
          >
            Errors
          </button>
          <label className="filter filter-text">
            <span className="visually-hidden">Search results</span>
            <input
              type="search"
              className="input"
              placeholder="Search request id, principal, action or resource"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              data-testid="filter-search"
            />
          </label>
        </div>
        <div className={explained ? 'results-layout has-explain' : 'results-layout'} ref={tableRef}>
          <ResultsTable
            key={resultKey(run.id, filter)}
            runId={run.id}
            filter={filter}
            selectable={!!review && review.unacknowledged > 0}
            selected={selected}
            ackedGroups={ackedGroups}
            openSeq={explained?.seq ?? null}
            onOpen={openRow}
            onToggle={toggle}
          />
          {explained && (
            <>
              {explained.error && <ErrorBanner error={explained.error} onDismiss={closeExplanation} />}
              {!explained.error && <ExplanationPanel pair={explained.pair} loading={explained.pair === null} onClose={closeExplanation} />}
            </>
          )}
        </div>
      </section>
    </div>
  );
}

function PoliciesPanel({ run }: { run: ReplayRun }) {
  const uid = useId();
  const r = run.report;
  const top = r.by_policy.slice(0, 15);
  return (
    <section className="panel policies-panel" aria-labelledby={`${uid}-title`} data-testid="sim-policies">
      <h2 id={`${uid}-title`}>Policies</h2>
      <div className="policies-panel-grid">
        <div>
          <h3 className="group-title">Never fired in the candidate</h3>
          {r.never_fired.length === 0 ? (
            <p className="muted small">Every candidate policy decided or errored on some request.</p>
          ) : (
            <ul className="id-list" data-testid="sim-never-fired">
              {r.never_fired.map((id) => (
                <li key={id}>
                  <code>{id}</code>
                </li>
              ))}
            </ul>
          )}
          <h3 className="group-title">Every hit changed</h3>
          {r.all_changed.length === 0 ? (
            <p className="muted small">No policy had all of its decisions change.</p>
          ) : (
            <ul className="id-list" data-testid="sim-all-changed">
              {r.all_changed.map((id) => (
                <li key={id}>
                  <code>{id}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
        {top.length > 0 && (
          <table className="table policy-hits" data-testid="sim-policy-hits">
            <caption className="visually-hidden">Decisions per policy</caption>
            <thead>
              <tr>
                <th scope="col">Policy</th>
                <th scope="col" className="num">
                  Baseline
                </th>
                <th scope="col" className="num">
                  Candidate
                </th>
                <th scope="col" className="num">
                  Changed
                </th>
                <th scope="col" className="num">
                  Errors
                </th>
              </tr>
            </thead>
            <tbody>
              {top.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <code>{p.id}</code>
                  </th>
                  <td className="num">{count(p.baseline_hits)}</td>
                  <td className="num">{count(p.candidate_hits)}</td>
                  <td className="num">{count(p.changed)}</td>
                  <td className="num">{count(p.errors)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
