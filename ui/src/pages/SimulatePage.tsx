// The Simulate page, two tabs. Replay: replay a recorded request set against a baseline and
// a candidate policy set, watch its progress (with Cancel), and read the run: summary,
// charts, policies, the paged results with explanations, and its review. Earlier runs can be
// reopened; the run shown is in the address (`#/simulate/run-3`). Request files are imported
// from a dialog. Analysis (`#/simulate/analysis`): the symbolic diff and findings of a policy
// change, proved by an SMT solver for every request (`AnalysisView`).
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { ImportSummary } from '../bindings/ImportSummary';
import type { ReplayProgress } from '../bindings/ReplayProgress';
import type { ReplayRun } from '../bindings/ReplayRun';
import type { RequestSetSummary } from '../bindings/RequestSetSummary';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { toApiError, useBackend } from '../backend';
import { ErrorBanner } from '../components/ErrorBanner';
import { PageHeader } from '../components/PageHeader';
import { Tabs } from '../components/Tabs';
import { hrefFor, parseView } from '../lib/route';
import { count, percent, requestSetLabel } from '../lib/simulate';
import { useProgressEvents } from '../lib/useProgressEvents';
import { formatTimestamp } from '../lib/time';
import { ImportDialog } from './simulate/ImportDialog';
import { RunView } from './simulate/RunView';
import { AnalysisView } from './simulate/AnalysisView';
import { SideField } from '../components/SideField';
import { TimeWindowFields } from '../components/TimeWindowFields';

interface RunForm {
  set: string;
  baseline: string;
  candidate: string;
  since: string;
  until: string;
}

const INITIAL_FORM: RunForm = { set: '', baseline: 'git:HEAD', candidate: '', since: '', until: '' };

export const SIMULATE_TABS = ['replay', 'analysis'] as const;
export type SimulateTab = (typeof SIMULATE_TABS)[number];
const TAB_LABELS: Record<SimulateTab, string> = { replay: 'Replay', analysis: 'Analysis' };

/** `#/simulate/analysis` → the Analysis tab; anything else (`#/simulate/run-3`) → Replay. */
function tabFromHash(): SimulateTab {
  return parseView(window.location.hash) === 'analysis' ? 'analysis' : 'replay';
}

/** `#/simulate/run-3` → 3. */
function runIdFromHash(): number | null {
  const m = /^run-(\d+)$/.exec(parseView(window.location.hash));
  return m ? Number(m[1]) : null;
}

/** `workspace`: the open one, under whose folder the Analysis tab remembers its last result. */
export function SimulatePage({ workspace }: { workspace?: WorkspaceInfo }) {
  const backend = useBackend();
  const uid = useId();
  const [sets, setSets] = useState<RequestSetSummary[] | null>(null);
  const [runs, setRuns] = useState<ReplayRun[]>([]);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [form, setForm] = useState<RunForm>(INITIAL_FORM);
  const [running, setRunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [progress, setProgress] = useState<ReplayProgress | null>(null);
  const [runError, setRunError] = useState<ApiError | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [current, setCurrent] = useState<ReplayRun | null>(null);
  const [importOpen, setImportOpen] = useState(false);
  const [tab, setTab] = useState<SimulateTab>(tabFromHash);
  // The Analysis tab mounts when first opened, then stays (hidden) so its result survives a
  // look at a replay.
  const [analysisOpened, setAnalysisOpened] = useState(() => tabFromHash() === 'analysis');
  const runningRef = useRef(false);

  const selectTab = (t: SimulateTab) => {
    setTab(t);
    if (t === 'analysis') setAnalysisOpened(true);
    // Remember the tab (and on Replay, the run shown) without a hashchange or history entry.
    window.history.replaceState(null, '', hrefFor('simulate', t === 'analysis' ? 'analysis' : current ? `run-${current.id}` : undefined));
  };

  // A link to #/simulate/analysis while the page is open switches the tab.
  useEffect(() => {
    const onHash = () => {
      const t = tabFromHash();
      setTab(t);
      if (t === 'analysis') setAnalysisOpened(true);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const showRun = useCallback(
    (run: ReplayRun | null) => {
      setCurrent(run);
      // Remember the run in the address without a hashchange (and without a history entry),
      // unless a replay finished while the Analysis tab is in view.
      if (tab === 'replay') window.history.replaceState(null, '', hrefFor('simulate', run ? `run-${run.id}` : undefined));
    },
    [tab],
  );

  const loadSets = useCallback(
    (live: () => boolean, select?: string) =>
      backend.requestSets().then(
        (list) => {
          if (!live()) return;
          setSets(list);
          setForm((f) => {
            if (select) return { ...f, set: select };
            if (f.set && list.some((s) => s.name === f.set)) return f;
            return { ...f, set: list[0]?.name ?? '' };
          });
        },
        (e: unknown) => {
          if (live()) setLoadError(toApiError(e));
        },
      ),
    [backend],
  );

  useEffect(() => {
    let active = true;
    const live = () => active;
    void loadSets(live);
    backend.replayRuns().then(
      (list) => {
        if (!active) return;
        setRuns(list);
        const wanted = runIdFromHash();
        const run = (wanted !== null ? list.find((r) => r.id === wanted) : undefined) ?? list.find((r) => r.status === 'complete') ?? null;
        if (run) {
          setCurrent(run);
          setForm((f) => ({ ...f, set: f.set || run.set }));
        }
      },
      (e: unknown) => {
        if (active) setLoadError(toApiError(e));
      },
    );
    return () => {
      active = false;
    };
  }, [backend, loadSets]);

  // Progress events of the replay this page started.
  const subscribeReplay = useCallback(
    (cb: (p: ReplayProgress) => void) => backend.onReplayProgress(cb),
    [backend],
  );
  useProgressEvents(subscribeReplay, (p: ReplayProgress) => {
    if (runningRef.current) setProgress(p);
  });

  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (running || !form.set) return;
    runningRef.current = true;
    setRunning(true);
    setCancelling(false);
    setProgress(null);
    setRunError(null);
    setCancelled(false);
    const opt = (s: string) => (s.trim() === '' ? null : s.trim());
    try {
      const done = await backend.runReplay({
        set: form.set,
        baseline: opt(form.baseline),
        candidate: opt(form.candidate),
        since: opt(form.since),
        until: opt(form.until),
      });
      setRuns((prev) => [done, ...prev.filter((r) => r.id !== done.id)]);
      showRun(done);
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.code === 'cancelled') setCancelled(true);
      else setRunError(apiError);
      // A cancelled or failed run may be stored with its status; list it.
      backend.replayRuns().then(setRuns, () => undefined);
    } finally {
      runningRef.current = false;
      setRunning(false);
      setCancelling(false);
    }
  };

  const cancel = () => {
    setCancelling(true);
    backend.cancelReplay().catch((e: unknown) => {
      setCancelling(false);
      setRunError(toApiError(e));
    });
  };

  const onImported = (summary: ImportSummary) => {
    void loadSets(() => true, summary.set);
  };

  const set = (key: keyof RunForm, value: string) => setForm((f) => ({ ...f, [key]: value }));
  const noSets = sets !== null && sets.length === 0;

  return (
    <section className="page page-simulate" data-testid="page-simulate" aria-labelledby="page-title-simulate">
      <PageHeader
        page="simulate"
        lead="Replay recorded authorization requests against a policy change, or prove what it can do to any request, and read which decisions change, and why, before anyone approves it."
      >
        {tab === 'replay' && (
          <button type="button" className="btn" onClick={() => setImportOpen(true)} data-testid="simulate-import">
            Import requests…
          </button>
        )}
      </PageHeader>

      <div className="tabs-row">
        <Tabs tabs={SIMULATE_TABS} labels={TAB_LABELS} selected={tab} onSelect={selectTab} label="Simulate views" idPrefix="simulate" />
      </div>

      <div role="tabpanel" id="simulate-panel-replay" aria-labelledby="simulate-tab-replay" hidden={tab !== 'replay'}>
        {loadError && <ErrorBanner error={loadError} onDismiss={() => setLoadError(null)} />}
        {sets === null && !loadError && (
          <p className="muted" aria-busy="true">
            Reading the request sets…
          </p>
        )}

        {noSets && (
          <div className="panel empty-panel" data-testid="simulate-empty">
            <h2>No recorded requests yet</h2>
            <p>
              Import a file of authorization requests recorded by your enforcement points (JSON Lines, a JSON array, Cedar CLI
              requests or Cedarling decision logs). Each file goes into a named request set that you can replay against any policy
              change.
            </p>
            <p className="muted small">
              From a terminal: <code>mandate requests import FILE --set NAME</code>
            </p>
            <p>
              <button type="button" className="btn btn-primary" onClick={() => setImportOpen(true)} data-testid="simulate-empty-import">
                Import requests…
              </button>
            </p>
          </div>
        )}

        {sets !== null && sets.length > 0 && (
          <form className="panel run-form" onSubmit={(e) => void run(e)} aria-label="Replay" noValidate data-testid="run-form">
            <div className="run-form-grid">
              <div className="field">
                <label className="field-label" htmlFor={`${uid}-set`}>
                  Request set
                </label>
                <select
                  id={`${uid}-set`}
                  className="input"
                  value={form.set}
                  onChange={(e) => set('set', e.target.value)}
                  disabled={running}
                  data-testid="run-set"
                >
                  {sets.map((s) => (
                    <option key={s.name} value={s.name}>
                      {requestSetLabel(s)}
                    </option>
                  ))}
                </select>
                <SetHint set={sets.find((s) => s.name === form.set)} />
              </div>
              <SideField
                id={`${uid}-baseline`}
                label="Baseline"
                value={form.baseline}
                onChange={(v) => set('baseline', v)}
                disabled={running}
                hint={
                  <>
                    A policy folder or file, or <code>git:REV</code> (default <code>git:HEAD</code>)
                  </>
                }
                testId="run-baseline"
              />
              <SideField
                id={`${uid}-candidate`}
                label="Candidate"
                value={form.candidate}
                onChange={(v) => set('candidate', v)}
                placeholder="working copy"
                disabled={running}
                hint="Empty: the policies as they are on disk now"
                testId="run-candidate"
              />
              <TimeWindowFields
                idPrefix={uid}
                since={form.since}
                until={form.until}
                onSince={(v) => set('since', v)}
                onUntil={(v) => set('until', v)}
                disabled={running}
                testIdPrefix="run"
              />
            </div>
            <div className="run-form-actions">
              <button type="submit" className="btn btn-primary" disabled={running || !form.set} data-testid="run-start">
                {running ? 'Replaying…' : 'Run replay'}
              </button>
              {running && (
                <div className="progress-row" data-testid="run-progress">
                  <progress
                    className="progress"
                    aria-label="Replay progress"
                    value={progress && progress.total > 0 ? progress.done : undefined}
                    max={progress && progress.total > 0 ? progress.total : undefined}
                    data-testid="run-progress-bar"
                  />
                  <span className="small muted" aria-live="polite" data-testid="run-progress-text">
                    {progress
                      ? `${count(progress.done)} of ${count(progress.total)} requests (${percent(progress.done, progress.total)}%)`
                      : 'Loading the policies…'}
                  </span>
                  <button type="button" className="btn btn-small" onClick={cancel} disabled={cancelling} data-testid="run-cancel">
                    {cancelling ? 'Cancelling…' : 'Cancel'}
                  </button>
                </div>
              )}
              {runs.length > 0 && (
                <label className="filter run-history">
                  <span className="filter-label">Previous runs</span>
                  <select
                    className="input"
                    value={current?.id ?? ''}
                    onChange={(e) => showRun(runs.find((r) => r.id === Number(e.target.value)) ?? null)}
                    disabled={running}
                    data-testid="run-history"
                  >
                    {!current && <option value="">Choose a run…</option>}
                    {runs.map((r) => (
                      <option key={r.id} value={r.id}>
                        #{r.id} · {r.set} · {r.baseline} → {r.candidate} · {formatTimestamp(r.started_at)}
                        {r.status !== 'complete' ? ` (${r.status})` : ''}
                      </option>
                    ))}
                  </select>
                </label>
              )}
            </div>
          </form>
        )}

        {cancelled && (
          <p className="notice" role="status" data-testid="run-cancelled">
            Replay cancelled. {current ? 'The run below is the one shown before.' : ''}
          </p>
        )}
        {runError && <ErrorBanner error={runError} onDismiss={() => setRunError(null)} />}

        {current && <RunView key={current.id} run={current} />}
      </div>

      {analysisOpened && (
        <div role="tabpanel" id="simulate-panel-analysis" aria-labelledby="simulate-tab-analysis" hidden={tab !== 'analysis'}>
          <AnalysisView root={workspace?.root} />
        </div>
      )}

      {importOpen && <ImportDialog onClose={() => setImportOpen(false)} onImported={onImported} />}
    </section>
  );
}

function SetHint({ set }: { set: RequestSetSummary | undefined }) {
  if (!set) return null;
  return (
    <p className="field-hint">
      {set.imports} import{set.imports === 1 ? '' : 's'}
      {set.first && set.last ? ` · recorded ${formatTimestamp(set.first)} – ${formatTimestamp(set.last)}` : ''}
    </p>
  );
}
