// The Analysis tab of the Simulate page: prove what a policy change can do on *any* request,
// where a replay shows what it does on recorded ones. A form (baseline, candidate, time
// limit per solver query, diff and/or findings), Run and Cancel, then the result. Nothing is
// stored by the core: a cancelled analysis keeps nothing, and leaving the page cancels the
// one running. The last result of each workspace is remembered for the session, so following
// a finding to its policy and coming back does not cost another solver run; it says so,
// since policies saved meanwhile are not in it. An edit on disk marks it out of date.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Analysis } from '../../bindings/Analysis';
import type { AnalyzeRequest } from '../../bindings/AnalyzeRequest';
import type { ApiError } from '../../bindings/ApiError';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { SideField } from '../../components/SideField';
import { analyzeRequest, formProblem, INITIAL_ANALYSIS_FORM, type AnalysisForm } from '../../lib/analysis';
import { watchWorkspace } from '../../lib/watchWorkspace';
import { AnalysisResult } from './AnalysisResult';

interface Done {
  analysis: Analysis;
  request: AnalyzeRequest;
  form: AnalysisForm;
}

/** The last analysis per workspace root, for this session only. */
const remembered = new Map<string, Done>();

/** Forgets every remembered analysis (tests start clean). */
export function forgetAnalyses(): void {
  remembered.clear();
}

/** `root`: the workspace's folder, under which the result is remembered. */
export function AnalysisView({ root }: { root?: string }) {
  const backend = useBackend();
  const [restored] = useState(() => (root === undefined ? undefined : remembered.get(root)));
  const [form, setForm] = useState<AnalysisForm>(restored?.form ?? INITIAL_ANALYSIS_FORM);
  const [running, setRunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [done, setDone] = useState<Done | null>(restored ?? null);
  const [error, setError] = useState<ApiError | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [stale, setStale] = useState(false);
  const runningRef = useRef(false);
  const mounted = useRef(true);

  // Nothing keeps an analysis nobody can see: leaving the page stops the solver.
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (runningRef.current) void backend.cancelAnalysis().catch(() => undefined);
    };
  }, [backend]);

  useEffect(
    () =>
      watchWorkspace(backend, (changes) => {
        if (changes.some((c) => c.kind !== 'controls_changed')) setStale(true);
      }),
    [backend],
  );

  const problem = formProblem(form);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (runningRef.current || problem) return;
    const request = analyzeRequest(form);
    const asked = form;
    if (root !== undefined) remembered.delete(root);
    runningRef.current = true;
    setRunning(true);
    setCancelling(false);
    setDone(null);
    setError(null);
    setCancelled(false);
    setStale(false);
    try {
      const analysis = await backend.analyze(request);
      const result = { analysis, request, form: asked };
      if (root !== undefined) remembered.set(root, result);
      if (mounted.current) setDone(result);
    } catch (err) {
      const apiError = toApiError(err);
      if (!mounted.current) return;
      if (apiError.code === 'cancelled') setCancelled(true);
      else setError(apiError);
    } finally {
      runningRef.current = false;
      if (mounted.current) {
        setRunning(false);
        setCancelling(false);
      }
    }
  };

  const cancel = () => {
    setCancelling(true);
    backend.cancelAnalysis().catch((e: unknown) => {
      setCancelling(false);
      setError(toApiError(e));
    });
  };

  return (
    <div className="analysis" data-testid="analysis-view">
      <AnalysisFormPanel
        form={form}
        onChange={setForm}
        problem={problem}
        running={running}
        cancelling={cancelling}
        onRun={(e) => void run(e)}
        onCancel={cancel}
      />

      {cancelled && (
        <p className="notice" role="status" data-testid="analysis-cancelled">
          Cancelled. Nothing of the analysis was kept; run it again when you are ready.
        </p>
      )}
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {stale && done && (
        <p className="notice" role="status" data-testid="analysis-stale">
          The workspace&apos;s files changed on disk after this analysis: run it again to prove the change as it is now.
        </p>
      )}

      {done && done === restored && (
        <p className="notice" role="status" data-testid="analysis-restored">
          This is the analysis you ran before leaving this page; policies saved since then are not in it. Run it again to
          include them.
        </p>
      )}
      {done && <AnalysisResult analysis={done.analysis} request={done.request} />}
      {!done && !running && !error && !cancelled && <EmptyState />}
    </div>
  );
}

function EmptyState() {
  return (
    <div className="panel empty-panel" data-testid="analysis-empty">
      <h2>Prove what a policy change can do</h2>
      <p>
        A replay shows what a change does to the requests you recorded; the analysis asks an SMT solver what it can do to{' '}
        <em>any</em> request. For every request environment of the schema (principal type × action × resource type) it proves
        whether the candidate is equivalent to the baseline, allows more, allows less, or both, with a request that shows each
        difference, replayed to confirm it. Its findings name forbids that can error (and so fail open) and policies that
        never match, always match, or are shadowed by another.
      </p>
      <p>
        Choose the baseline (<code>git:HEAD</code> compares with the last commit; <code>@none</code> with no policies at
        all) and press <strong>Run analysis</strong>. It can take from seconds to minutes.
      </p>
      <p className="muted small">
        From a terminal: <code>mandate analyze --baseline git:HEAD</code>
      </p>
    </div>
  );
}

function AnalysisFormPanel({
  form,
  onChange,
  problem,
  running,
  cancelling,
  onRun,
  onCancel,
}: {
  form: AnalysisForm;
  onChange: (form: AnalysisForm) => void;
  problem: string | null;
  running: boolean;
  cancelling: boolean;
  onRun: (e: FormEvent) => void;
  onCancel: () => void;
}) {
  const uid = useId();
  const set = <K extends keyof AnalysisForm>(key: K, value: AnalysisForm[K]) => onChange({ ...form, [key]: value });
  return (
    <form className="panel run-form" onSubmit={onRun} aria-label="Analysis" noValidate data-testid="analysis-form">
      <div className="analysis-form-grid">
        <SideField
          id={`${uid}-baseline`}
          label="Baseline"
          value={form.baseline}
          onChange={(v) => set('baseline', v)}
          disabled={running || !form.diff}
          hint={
            <>
              <code>git:REV</code>, <code>@published</code>, <code>@none</code> or a policy folder or file
            </>
          }
          testId="analysis-baseline"
        />
        <SideField
          id={`${uid}-candidate`}
          label="Candidate"
          value={form.candidate}
          onChange={(v) => set('candidate', v)}
          placeholder="working copy"
          disabled={running}
          hint="Empty: the policies as they are on disk now"
          testId="analysis-candidate"
        />
        <div className="field">
          <label className="field-label" htmlFor={`${uid}-limit`}>
            Time limit per query (ms)
          </label>
          <input
            id={`${uid}-limit`}
            className="input"
            inputMode="numeric"
            value={form.timeLimit}
            onChange={(e) => set('timeLimit', e.target.value)}
            placeholder="from mandate.toml"
            disabled={running}
            aria-describedby={`${uid}-limit-hint`}
            aria-invalid={problem !== null && form.timeLimit.trim() !== '' ? true : undefined}
            data-testid="analysis-time-limit"
          />
          <p id={`${uid}-limit-hint`} className="field-hint">
            Empty: <code>[analysis] time_limit_ms</code>, else 10000
          </p>
        </div>
        <fieldset className="checks analysis-checks">
          <legend className="field-label">Prove</legend>
          <label className="check">
            <input type="checkbox" checked={form.diff} onChange={(e) => set('diff', e.target.checked)} disabled={running} data-testid="analysis-diff" />
            Diff <span className="muted small">baseline vs candidate</span>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={form.findings}
              onChange={(e) => set('findings', e.target.checked)}
              disabled={running}
              data-testid="analysis-findings-check"
            />
            Findings <span className="muted small">on the candidate</span>
          </label>
        </fieldset>
      </div>
      <div className="run-form-actions">
        <button type="submit" className="btn btn-primary" disabled={running || problem !== null} data-testid="analysis-run">
          {running ? 'Analysing…' : 'Run analysis'}
        </button>
        {problem && !running && (
          <span className="small text-error" role="alert" data-testid="analysis-form-problem">
            {problem}
          </span>
        )}
        {running && (
          <div className="progress-row" data-testid="analysis-progress">
            <progress className="progress" aria-label="Analysis progress" data-testid="analysis-progress-bar" />
            <Elapsed />
            <button type="button" className="btn btn-small" onClick={onCancel} disabled={cancelling} data-testid="analysis-cancel">
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          </div>
        )}
      </div>
    </form>
  );
}

/** The solver reports no progress: say it is working, and for how long. */
function Elapsed() {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <span className="small muted" aria-live="off" data-testid="analysis-progress-text">
      Asking the solver, environment by environment and policy by policy…{seconds > 0 ? ` ${seconds} s` : ''}
    </span>
  );
}
