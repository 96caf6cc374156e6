// The SMT solver behind symbolic analysis: the one an analysis would use now (found and run
// with `--version` by the core, as analyses find it), and the app's own choice, picked in the
// system file dialog (the window never types a program path to run) and saved only when it
// answers. The order in which solvers win is spelled out, since a workspace can override it.
import { useCallback, useEffect, useId, useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { SettingsView } from '../../bindings/SettingsView';
import type { SolverInfo } from '../../bindings/SolverInfo';
import type { WorkspaceInfo } from '../../bindings/WorkspaceInfo';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { SolverLine } from '../../components/SolverLine';

/** `SolverInfo.source` of a solver set here (the core's `solver::APP_SOURCE`). */
export const APP_SOURCE = "the app's Settings";

export function SolverSection({
  view,
  workspace,
  onView,
}: {
  view: SettingsView;
  workspace: WorkspaceInfo | null;
  onView: (view: SettingsView) => void;
}) {
  const backend = useBackend();
  const uid = useId();
  const [inUse, setInUse] = useState<SolverInfo | null>(null);
  const [checkError, setCheckError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  // `checking` is set by whoever starts a check (it starts true for the first one).
  const check = useCallback(
    (live: () => boolean = () => true) => {
      return backend.checkSolver().then(
        (info) => {
          if (!live()) return;
          setInUse(info);
          setCheckError(null);
          setChecking(false);
        },
        (e: unknown) => {
          if (!live()) return;
          setInUse(null);
          setCheckError(toApiError(e));
          setChecking(false);
        },
      );
    },
    [backend],
  );

  useEffect(() => {
    let active = true;
    void check(() => active);
    return () => {
      active = false;
    };
    // The workspace decides `[analysis] solver`: check again when another one opens.
  }, [check, workspace?.root]);

  const setPath = async (pick: boolean) => {
    setError(null);
    try {
      let path: string | null = null;
      if (pick) {
        path = await backend.pickFile('Choose the SMT solver (a cvc5 or z3 executable)');
        if (path === null) return;
      }
      setBusy(true);
      onView(await backend.setSolverPath(path));
      setChecking(true);
      await check();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const recheck = () => {
    setChecking(true);
    void check();
  };

  const overridden = view.solver !== null && inUse !== null && inUse.source !== APP_SOURCE;
  return (
    <section className="panel settings-section" aria-labelledby={`${uid}-title`} data-testid="settings-solver">
      <h2 id={`${uid}-title`}>SMT solver</h2>
      <p className="small muted">
        Symbolic analysis (Simulate → Analysis, an agent’s Access tab) asks cvc5 — or z3, which lacks the theory of sets —
        to prove how two policy sets differ.
      </p>

      <h3 className="settings-sub">In use now</h3>
      <div aria-live="polite" data-testid="solver-in-use">
        {checking && (
          <p className="muted" aria-busy="true">
            Checking the solver…
          </p>
        )}
        {!checking && inUse && <SolverLine solver={inUse} testIdPrefix="settings" />}
        {!checking && checkError && <ErrorBanner error={checkError} />}
      </div>
      <button type="button" className="btn" onClick={recheck} disabled={checking || busy} data-testid="solver-check">
        {checking ? 'Checking…' : 'Check'}
      </button>

      <h3 className="settings-sub">This app’s solver</h3>
      <p data-testid="solver-setting">
        {view.solver ? <span className="path">{view.solver}</span> : <span className="muted">Not set: the order below finds one.</span>}
      </p>
      {overridden && (
        <p className="notice small" data-testid="solver-overridden">
          Not used now: {inUse.source} names a solver first.
        </p>
      )}
      <div className="inline-row">
        <button type="button" className="btn" onClick={() => void setPath(true)} disabled={busy} data-testid="solver-choose">
          {busy ? 'Checking…' : 'Choose…'}
        </button>
        {view.solver && (
          <button type="button" className="btn" onClick={() => void setPath(false)} disabled={busy} data-testid="solver-clear">
            Clear
          </button>
        )}
      </div>
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <details className="settings-order">
        <summary>Which solver wins</summary>
        <ol className="small">
          <li>
            <code>--solver</code> on the command line (the CLI only);
          </li>
          <li>
            <code>$CVC5</code> in the environment;
          </li>
          <li>
            the workspace’s <code>[analysis] solver</code> in mandate.toml (shared with your team);
          </li>
          <li>this app’s solver, above (this machine only);</li>
          <li>
            what <code>bash scripts/deps.sh</code> installed (cvc5 1.4 in target/solver-venv);
          </li>
          <li>
            <code>cvc5</code>, then <code>z3</code>, on PATH.
          </li>
        </ol>
        <p className="small muted">
          A solver named in the first four is used, or reported when it does not run — never silently replaced by another.
        </p>
      </details>
    </section>
  );
}
