// The Insights page: what agents actually did in a recorded request set, joined with the
// inventory and the current policies. A set and an optional window are analysed by the core
// in one streaming pass (seconds on a million requests); the page shows the totals, charts
// of activity and denies, the coded findings (filtered here, over the report) with the
// detail and fix of the one opened, a task's timeline, logging completeness and notes.
// With nothing imported yet it offers the same import as the Simulate page. The analysis and
// a timeline show the core's progress with Cancel; leaving the page cancels them.
import { useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { ImportSummary } from '../bindings/ImportSummary';
import type { InsightFinding } from '../bindings/InsightFinding';
import type { InsightsReport } from '../bindings/InsightsReport';
import type { Level } from '../bindings/Level';
import type { RequestSetSummary } from '../bindings/RequestSetSummary';
import type { TaskTimeline } from '../bindings/TaskTimeline';
import { toApiError, useBackend } from '../backend';
import { ErrorBanner } from '../components/ErrorBanner';
import { CancelledNotice, Elapsed, OperationProgressRow } from '../components/OperationStatus';
import { PageHeader } from '../components/PageHeader';
import {
  FAMILY_LABELS,
  filterFindings,
  filterOptions,
  isFiltered,
  LEVEL_LABELS,
  LEVELS,
  NO_FINDING_FILTER,
  summaryCards,
  tasksWithFindings,
  type FindingFilter,
} from '../lib/insights';
import { hrefFor } from '../lib/route';
import { count, requestSetLabel } from '../lib/simulate';
import { formatTimestamp } from '../lib/time';
import { useOperation } from '../lib/useProgressEvents';
import { watchWorkspace } from '../lib/watchWorkspace';
import { ActivityChart, DenyChart, ToolsChart } from './insights/InsightCharts';
import { FindingDetail } from './insights/FindingDetail';
import { FindingList } from './insights/FindingList';
import { LoggingPanel } from './insights/LoggingPanel';
import { TaskTimelineView } from './insights/TaskTimelineView';
import { ImportDialog } from './simulate/ImportDialog';
import { TimeWindowFields } from '../components/TimeWindowFields';

interface QueryForm {
  /** `''`: the set imported most recently. */
  set: string;
  since: string;
  until: string;
}

interface OpenTask {
  task: string;
  timeline: TaskTimeline | null;
  error: ApiError | null;
}

const opt = (s: string) => (s.trim() === '' ? null : s.trim());

const ANALYSIS_OPS = ['insights'] as const;
const TIMELINE_OPS = ['task_timeline'] as const;

export function InsightsPage() {
  const backend = useBackend();
  const uid = useId();
  const [sets, setSets] = useState<RequestSetSummary[] | null>(null);
  const [form, setForm] = useState<QueryForm>({ set: '', since: '', until: '' });
  const [report, setReport] = useState<InsightsReport | null>(null);
  const analysis = useOperation('insights');
  const timelineOp = useOperation('insights');
  const { run: runAnalysis } = analysis;
  const { run: runTimeline } = timelineOp;
  const loading = analysis.running;
  const [startedAt, setStartedAt] = useState(() => Date.now());
  const [error, setError] = useState<ApiError | null>(null);
  const [empty, setEmpty] = useState<ApiError | null>(null);
  const [stale, setStale] = useState(false);
  const [filter, setFilter] = useState<FindingFilter>(NO_FINDING_FILTER);
  const [openId, setOpenId] = useState<number | null>(null);
  const [task, setTask] = useState<OpenTask | null>(null);
  const [taskQuery, setTaskQuery] = useState('');
  const [importOpen, setImportOpen] = useState(false);
  const lastQuery = useRef<QueryForm>({ set: '', since: '', until: '' });
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const loadSets = useCallback(
    () =>
      backend.requestSets().then(
        (list) => {
          if (alive.current) setSets(list);
        },
        (e: unknown) => {
          if (alive.current) setError(toApiError(e));
        },
      ),
    [backend],
  );

  /**
   * Asks the core for a report, with progress and Cancel; only the answer of the newest
   * request sets state (a cancelled one leaves the last report and says so).
   */
  const request = useCallback(
    (query: QueryForm) => {
      lastQuery.current = query;
      void runAnalysis(() => backend.insights({ set: opt(query.set), since: opt(query.since), until: opt(query.until) })).then(
        (outcome) => {
          if (outcome.kind === 'done') {
            const r = outcome.value;
            setReport(r);
            setOpenId(null);
            setTask(null);
            // Name the set analysed, so "Analyse" again means this one even after a new import.
            setForm((f) => ({ ...f, set: r.set }));
          } else if (outcome.kind === 'failed') {
            // Nothing imported yet: the core names no set. A set named and missing is an error.
            if (outcome.error.code === 'not_found' && opt(query.set) === null) {
              setReport(null);
              setEmpty(outcome.error);
            } else {
              setError(outcome.error);
            }
          }
        },
      );
    },
    [backend, runAnalysis],
  );

  const analyse = (query: QueryForm) => {
    setStartedAt(Date.now());
    setError(null);
    setEmpty(null);
    setStale(false);
    request(query);
  };

  // The most recent import, as soon as the page opens.
  useEffect(() => {
    void loadSets();
    request({ set: '', since: '', until: '' });
  }, [loadSets, request]);

  // The analysis reads the inventory and the policies: say when they change under it.
  useEffect(
    () =>
      watchWorkspace(backend, (changes) => {
        if (changes.some((c) => c.kind !== 'config_changed')) setStale(true);
      }),
    [backend],
  );


  const openTask = useCallback(
    (id: string) => {
      const name = id.trim();
      if (!name) return;
      setTask({ task: name, timeline: null, error: null });
      void runTimeline(() => backend.taskTimeline(report?.set ?? opt(form.set), name)).then((outcome) => {
        if (outcome.kind === 'done') setTask({ task: name, timeline: outcome.value, error: null });
        else if (outcome.kind === 'failed') setTask({ task: name, timeline: null, error: outcome.error });
      });
    },
    [backend, runTimeline, report, form.set],
  );

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!loading) analyse(form);
  };

  const onImported = (summary: ImportSummary) => {
    void loadSets();
    const next = { set: summary.set, since: '', until: '' };
    setForm(next);
    analyse(next);
  };

  const findings = report?.findings;
  const ids = useMemo(() => new Map((findings ?? []).map((f, i) => [f, i])), [findings]);
  const idOf = useCallback((f: InsightFinding) => ids.get(f) ?? -1, [ids]);
  // Typing in the search box stays responsive: the list follows at a lower priority.
  const shownFilter = useDeferredValue(filter);
  const visible = useMemo(() => filterFindings(findings ?? [], shownFilter), [findings, shownFilter]);
  const options = useMemo(() => filterOptions(findings ?? []), [findings]);
  const taskIds = useMemo(() => tasksWithFindings(findings ?? []).slice(0, 200), [findings]);
  const opened = openId !== null ? (findings?.[openId] ?? null) : null;

  const setF = <K extends keyof FindingFilter>(key: K, value: FindingFilter[K]) => setFilter((f) => ({ ...f, [key]: value }));
  // Stable, so the memoised charts do not draw again while a new analysis reports progress.
  const pickAgent = useCallback((agent: string) => setFilter((f) => ({ ...f, agent })), []);
  const toggleLevel = (level: Level) => setFilter((f) => ({ ...f, level: f.level === level ? '' : level }));
  const openFinding = (f: InsightFinding) => {
    const id = ids.get(f) ?? findings?.findIndex((x) => x.code === f.code && x.subject === f.subject && x.agent === f.agent);
    if (id !== undefined && id >= 0) setOpenId(id);
  };

  return (
    <section className="page page-insights" data-testid="page-insights" aria-labelledby="page-title-insights">
      <PageHeader
        page="insights"
        lead="What agents actually did in recorded traffic: shadow agents, use outside their declared scope, grants never used, risky task chains, credential and logging gaps — each with where to fix it."
      >
        <button type="button" className="btn" onClick={() => setImportOpen(true)} data-testid="insights-import">
          Import requests…
        </button>
      </PageHeader>

      {(sets === null || sets.length > 0 || report) && (
        <div className="panel insights-query">
          <form className="insights-form" onSubmit={onSubmit} aria-label="Analyse traffic" noValidate data-testid="insights-form">
            <div className="field">
              <label className="field-label" htmlFor={`${uid}-set`}>
                Request set
              </label>
              <select
                id={`${uid}-set`}
                className="input"
                value={form.set}
                onChange={(e) => setForm((f) => ({ ...f, set: e.target.value }))}
                disabled={loading && sets === null}
                data-testid="insights-set"
              >
                <option value="">Most recent import</option>
                {(sets ?? []).map((s) => (
                  <option key={s.name} value={s.name}>
                    {requestSetLabel(s)}
                  </option>
                ))}
              </select>
            </div>
            <TimeWindowFields
              idPrefix={uid}
              since={form.since}
              until={form.until}
              onSince={(since) => setForm((f) => ({ ...f, since }))}
              onUntil={(until) => setForm((f) => ({ ...f, until }))}
              testIdPrefix="insights"
            />
            <div className="insights-form-submit">
              <button type="submit" className="btn btn-primary" disabled={loading} data-testid="insights-run">
                {loading ? 'Analysing…' : 'Analyse'}
              </button>
            </div>
          </form>
          <form
            className="insights-task-form"
            role="search"
            aria-label="Open a task"
            onSubmit={(e) => {
              e.preventDefault();
              openTask(taskQuery);
            }}
          >
            <div className="field">
              <label className="field-label" htmlFor={`${uid}-task`}>
                Task id
              </label>
              <div className="inline-row">
                <input
                  id={`${uid}-task`}
                  className="input mono"
                  value={taskQuery}
                  onChange={(e) => setTaskQuery(e.target.value)}
                  placeholder="task-00042"
                  list={`${uid}-tasks`}
                  spellCheck={false}
                  disabled={!report}
                  data-testid="insights-task-input"
                />
                <datalist id={`${uid}-tasks`}>
                  {taskIds.map((t) => (
                    <option key={t} value={t} />
                  ))}
                </datalist>
                <button
                  type="submit"
                  className="btn"
                  disabled={!report || loading || taskQuery.trim() === ''}
                  data-testid="insights-task-open"
                >
                  Open timeline
                </button>
              </div>
            </div>
          </form>
        </div>
      )}

      {loading && (
        <OperationProgressRow
          label="Analysing the traffic"
          operations={ANALYSIS_OPS}
          fallback={`Analysing ${form.set ? `set ${form.set}` : 'the most recent import'}…`}
          cancelling={analysis.cancelling}
          onCancel={analysis.cancel}
          testId="insights-loading"
          extra={<Elapsed since={startedAt} />}
        />
      )}
      {analysis.cancelled && !loading && (
        <CancelledNotice
          what={report ? 'the new analysis' : 'the analysis'}
          again="Analyse again"
          onAgain={() => analyse(lastQuery.current)}
          testId="insights-cancelled"
        />
      )}
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}

      {empty && !loading && (
        <div className="panel empty-panel" data-testid="insights-empty">
          <h2>No recorded traffic yet</h2>
          <p>
            Insights read the authorization requests your enforcement points recorded. Import a file of them (JSON Lines, a JSON
            array, Cedar CLI requests or Cedarling decision logs) into a request set, here or on the{' '}
            <a href={hrefFor('simulate')}>Simulate</a> page.
          </p>
          <p className="muted small">
            From a terminal: <code>mandate requests import FILE --set NAME</code>, then <code>mandate insights</code>
          </p>
          <p>
            <button type="button" className="btn btn-primary" onClick={() => setImportOpen(true)} data-testid="insights-empty-import">
              Import requests…
            </button>
          </p>
        </div>
      )}

      {report && (
        <div className={loading ? 'insights-report is-stale' : 'insights-report'} data-testid="insights-report" data-set={report.set}>
          {stale && !loading && (
            <p className="notice insights-stale" role="status" data-testid="insights-stale">
              Policies or the inventory changed since this analysis.{' '}
              <button type="button" className="link-button" onClick={() => analyse(form)}>
                Analyse again
              </button>
            </p>
          )}
          <p className="run-title" data-testid="insights-title">
            Set <strong>{report.set}</strong>
            {(report.since || report.until) && (
              <>
                {' '}
                · {report.since ? `from ${formatTimestamp(report.since)}` : ''} {report.until ? `until ${formatTimestamp(report.until)}` : ''}
              </>
            )}
            {report.first_seen && report.last_seen && (
              <span className="muted">
                {' '}
                · recorded {formatTimestamp(report.first_seen)} – {formatTimestamp(report.last_seen)}
              </span>
            )}
            {report.other_principals > 0 && (
              <span className="muted"> · {count(report.other_principals)} requests from principals that are not agents</span>
            )}
          </p>

          <ul className="metrics insights-metrics" aria-label="Summary" data-testid="insights-summary">
            {summaryCards(report).map((c) => (
              <li key={c.key} className={`metric-card tone-${c.tone}`} title={c.hint} data-testid={`insights-metric-${c.key}`}>
                {c.level ? (
                  <button
                    type="button"
                    className="metric-card-button"
                    aria-pressed={filter.level === c.level}
                    onClick={() => toggleLevel(c.level!)}
                  >
                    {/* Named by what it shows ("91 High findings"), so speech input finds it. */}
                    <span className="metric-card-value" data-testid="insights-metric-value">
                      {count(c.value)}
                    </span>
                    <span className="metric-card-label">
                      {c.label}
                      <span className="visually-hidden"> findings</span>
                    </span>
                  </button>
                ) : (
                  <>
                    <span className="metric-card-value" data-testid="insights-metric-value">
                      {count(c.value)}
                    </span>
                    <span className="metric-card-label">{c.label}</span>
                  </>
                )}
              </li>
            ))}
          </ul>

          <section className="insights-findings-section" aria-labelledby={`${uid}-findings`}>
            <div className="section-head">
              <h2 id={`${uid}-findings`} className="section-title">
                Findings
              </h2>
              <span
                className="muted small insights-count"
                aria-live="polite"
                data-testid="insights-findings-count"
                data-shown={visible.length}
                data-total={report.findings.length}
              >
                {isFiltered(filter)
                  ? `${count(visible.length)} of ${count(report.findings.length)} findings`
                  : `${count(report.findings.length)} finding${report.findings.length === 1 ? '' : 's'}`}
              </span>
            </div>
            <div className="filters" role="search" aria-label="Filter findings">
              <CountFilter label="Agent" value={filter.agent} options={options.agents} onChange={(v) => setF('agent', v)} testId="insights-filter-agent" />
              <CountFilter label="Team" value={filter.team} options={options.teams} onChange={(v) => setF('team', v)} testId="insights-filter-team" />
              <label className="filter">
                <span className="filter-label">Finding</span>
                <select className="input" value={filter.code} onChange={(e) => setF('code', e.target.value)} data-testid="insights-filter-code">
                  <option value="">Any</option>
                  {options.families.map((fam) => (
                    <optgroup key={fam.family} label={FAMILY_LABELS[fam.family] ?? fam.family}>
                      {fam.codes.length > 1 && <option value={`${fam.family}.*`}>all {fam.family}.* ({count(fam.count)})</option>}
                      {fam.codes.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.value} ({count(o.count)})
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </select>
              </label>
              <label className="filter">
                <span className="filter-label">Level</span>
                <select
                  className="input"
                  value={filter.level}
                  onChange={(e) => setF('level', e.target.value as Level | '')}
                  data-testid="insights-filter-level"
                >
                  <option value="">Any</option>
                  {LEVELS.map((l) => (
                    <option key={l} value={l}>
                      {LEVEL_LABELS[l]}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter filter-text">
                <span className="visually-hidden">Search findings</span>
                <input
                  type="search"
                  className="input"
                  placeholder="Search findings"
                  value={filter.search}
                  onChange={(e) => setF('search', e.target.value)}
                  data-testid="insights-filter-search"
                />
              </label>
              {isFiltered(filter) && (
                <button type="button" className="btn btn-small" onClick={() => setFilter(NO_FINDING_FILTER)} data-testid="insights-filter-clear">
                  Clear filters
                </button>
              )}
            </div>
            <div className={opened ? 'insights-layout has-detail' : 'insights-layout'}>
              <FindingList findings={visible} idOf={idOf} openId={openId} onOpen={setOpenId} filtered={isFiltered(filter)} />
              {opened && (
                <FindingDetail
                  key={openId}
                  finding={opened}
                  onClose={() => setOpenId(null)}
                  onOpenTask={openTask}
                  onFilterAgent={(a) => setF('agent', a)}
                />
              )}
            </div>
          </section>

          {task && (
            <TaskTimelineView
              key={task.task}
              task={task.task}
              timeline={task.timeline}
              error={task.error}
              onClose={() => {
                timelineOp.cancel();
                setTask(null);
              }}
              onOpenFinding={openFinding}
              pending={
                timelineOp.running ? (
                  <OperationProgressRow
                    label="Reading the task"
                    operations={TIMELINE_OPS}
                    fallback="Reading the task’s requests…"
                    cancelling={timelineOp.cancelling}
                    onCancel={timelineOp.cancel}
                    testId="task-timeline-progress"
                  />
                ) : timelineOp.cancelled ? (
                  <CancelledNotice
                    what="reading the task"
                    again="Open it again"
                    onAgain={() => openTask(task.task)}
                    testId="task-timeline-cancelled"
                  />
                ) : null
              }
            />
          )}

          <div className="charts insights-charts">
            <ActivityChart activity={report.activity} onPickAgent={pickAgent} />
            <DenyChart activity={report.activity} />
            <ToolsChart tools={report.top_tools} />
          </div>

          <div className="insights-bottom">
            <LoggingPanel logging={report.logging} />
            <section className="panel" aria-labelledby={`${uid}-notes`} data-testid="insights-notes">
              <h2 id={`${uid}-notes`}>Notes</h2>
              {report.notes.length === 0 ? (
                <p className="muted small">Everything in the set could be analysed.</p>
              ) : (
                <ul className="insight-notes">
                  {report.notes.map((n, i) => (
                    <li key={i}>{n}</li>
                  ))}
                </ul>
              )}
              <h3 className="group-title">Thresholds</h3>
              <dl className="facts thresholds">
                <dt>Deny-retry burst</dt>
                <dd>
                  {report.thresholds.retry_denies} denies within {report.thresholds.retry_window_seconds} s
                </dd>
                <dt>Delegation depth</dt>
                <dd>at most {report.thresholds.max_delegation_depth}</dd>
                <dt>Systems per task</dt>
                <dd>at most {report.thresholds.max_systems_per_task}</dd>
                <dt>Sensitivity climb</dt>
                <dd>at most {report.thresholds.max_sensitivity_climb} step(s)</dd>
              </dl>
              <p className="muted small">
                Set in <code>[insights]</code> of <code>mandate.toml</code>.
              </p>
            </section>
          </div>
        </div>
      )}

      {importOpen && <ImportDialog onClose={() => setImportOpen(false)} onImported={onImported} />}
    </section>
  );
}

/** A filter select whose options show how many findings each value has ("Any" first). */
function CountFilter({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: string;
  options: readonly { value: string; count: number }[];
  onChange: (value: string) => void;
  testId: string;
}) {
  return (
    <label className="filter">
      <span className="filter-label">{label}</span>
      <select className="input" value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.value} ({count(o.count)})
          </option>
        ))}
      </select>
    </label>
  );
}
