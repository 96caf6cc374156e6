// Two published bundles compared: the policy text diff (per policy, added, removed or
// changed, with its lines), and on demand the decision diff — a replay of a recorded request
// set with `@bundle:FROM` as the baseline and `@bundle:TO` as the candidate, stored like any
// run (the Simulate page opens it with every result and explanation).
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { BundleDiff } from '../../bindings/BundleDiff';
import type { BundleEntry } from '../../bindings/BundleEntry';
import type { ReplayRun } from '../../bindings/ReplayRun';
import type { RequestSetSummary } from '../../bindings/RequestSetSummary';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { diffCounts } from '../../lib/publish';
import { hrefFor } from '../../lib/route';
import { count, requestSetLabel, summaryMetrics } from '../../lib/simulate';
import { plural } from '../../lib/summary';

const DECISION_METRICS = new Set(['requests', 'changed', 'allow_to_deny', 'deny_to_allow', 'new_errors']);

const LINE_CLASSES: Record<string, string> = { '+': 'pub-diff-add', '-': 'pub-diff-del' };

export function DiffPanel({ bundles }: { bundles: readonly BundleEntry[] }) {
  const backend = useBackend();
  const uid = useId();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [diff, setDiff] = useState<BundleDiff | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [sets, setSets] = useState<RequestSetSummary[] | null>(null);
  const [set, setSet] = useState('');
  const [run, setRun] = useState<ReplayRun | null>(null);
  const [replaying, setReplaying] = useState(false);
  const [replayError, setReplayError] = useState<ApiError | null>(null);

  useEffect(() => {
    let active = true;
    backend.requestSets().then(
      (list) => {
        if (active) setSets(list);
      },
      () => {
        if (active) setSets([]);
      },
    );
    return () => {
      active = false;
    };
  }, [backend]);

  // Defaults: the newest against the one before it.
  const fromV = from || bundles[1]?.version || bundles[0]?.version || '';
  const toV = to || bundles[0]?.version || '';
  const setName = set || sets?.[0]?.name || '';

  const compare = async (e: FormEvent) => {
    e.preventDefault();
    if (!fromV || !toV) return;
    setLoading(true);
    setError(null);
    setRun(null);
    setReplayError(null);
    try {
      setDiff(await backend.bundleDiff(fromV, toV));
    } catch (err) {
      setDiff(null);
      setError(toApiError(err));
    } finally {
      setLoading(false);
    }
  };

  const replay = async () => {
    if (!diff || !setName) return;
    setReplaying(true);
    setReplayError(null);
    try {
      setRun(
        await backend.runReplay({ set: setName, baseline: `@bundle:${diff.from}`, candidate: `@bundle:${diff.to}`, since: null, until: null }),
      );
    } catch (err) {
      setReplayError(toApiError(err));
    } finally {
      setReplaying(false);
    }
  };

  if (bundles.length < 2) {
    return (
      <div className="panel empty-panel" data-testid="diff-empty">
        <h2>Two published bundles are needed</h2>
        <p>
          {bundles.length === 0 ? 'Nothing is published yet.' : `Only ${bundles[0]?.version ?? ''} is published.`} Once a second
          bundle is, compare their policies and replay recorded traffic on both to see which decisions change.
        </p>
      </div>
    );
  }

  const counts = diff
    ? {
        changed: diff.policies.filter((p) => p.change === 'changed').length,
        added: diff.policies.filter((p) => p.change === 'added').length,
        removed: diff.policies.filter((p) => p.change === 'removed').length,
      }
    : null;

  return (
    <div className="pub-diff" data-testid="diff">
      <form className="panel pub-diff-form" onSubmit={(e) => void compare(e)} aria-label="Compare bundles">
        <label className="filter">
          <span className="filter-label">From</span>
          <select className="input" value={fromV} onChange={(e) => setFrom(e.target.value)} data-testid="diff-from">
            {bundles.map((b) => (
              <option key={b.version} value={b.version}>
                {b.version}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span className="filter-label">To</span>
          <select className="input" value={toV} onChange={(e) => setTo(e.target.value)} data-testid="diff-to">
            {bundles.map((b) => (
              <option key={b.version} value={b.version}>
                {b.version}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={loading || fromV === toV} data-testid="diff-submit">
          {loading ? 'Comparing…' : 'Compare policies'}
        </button>
        {fromV === toV && <span className="muted small">Choose two different versions.</span>}
      </form>
      {error && <ErrorBanner error={error} />}

      {diff && counts && (
        <>
          <p className="pub-diff-counts" data-testid="diff-counts">
            <strong>
              {diff.from} → {diff.to}:
            </strong>{' '}
            {counts.changed} changed · {counts.added} added · {counts.removed} removed ·{' '}
            <span className="muted">{diff.unchanged} unchanged</span>
          </p>

          <section className="panel pub-decisions" aria-labelledby={`${uid}-decisions`}>
            <h2 id={`${uid}-decisions`}>Decision diff</h2>
            {sets !== null && sets.length === 0 ? (
              <p className="muted">Import recorded requests (Simulate page) to replay them on both bundles.</p>
            ) : (
              <div className="pub-decisions-form">
                <label className="filter">
                  <span className="filter-label">Request set</span>
                  <select className="input" value={setName} onChange={(e) => setSet(e.target.value)} disabled={replaying} data-testid="diff-set">
                    {sets?.map((s) => (
                      <option key={s.name} value={s.name}>
                        {requestSetLabel(s)}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" className="btn" onClick={() => void replay()} disabled={replaying || !setName} data-testid="diff-replay">
                  {replaying ? 'Replaying…' : 'Decision diff'}
                </button>
                {replaying && (
                  <button type="button" className="btn btn-small" onClick={() => void backend.cancelReplay()}>
                    Cancel
                  </button>
                )}
              </div>
            )}
            {replayError && <ErrorBanner error={replayError} />}
            {run && (
              <div data-testid="diff-run" data-run={run.id}>
                <ul className="metrics pub-metrics" aria-label="Decision diff summary">
                  {summaryMetrics(run.summary)
                    .filter((m) => DECISION_METRICS.has(m.key))
                    .map((m) => (
                      <li key={m.key} className={`metric-card tone-${m.tone}`} title={m.hint} data-testid={`diff-metric-${m.key}`}>
                        <span className="metric-card-value">{count(m.value)}</span>
                        <span className="metric-card-label">{m.label}</span>
                      </li>
                    ))}
                </ul>
                <a className="card-link" href={hrefFor('simulate', `run-${run.id}`)} data-testid="diff-run-link">
                  Open run #{run.id} in Simulate — every result with its explanation →
                </a>
              </div>
            )}
          </section>

          {diff.policies.length === 0 ? (
            <p className="notice" data-testid="diff-none">
              The two bundles have the same policies.
            </p>
          ) : (
            diff.policies.map((p) => {
              const c = diffCounts(p.lines);
              return (
                <section key={p.id} className="panel pub-diff-policy" data-testid="diff-policy" data-policy={p.id} data-change={p.change}>
                  <h2>
                    <code>{p.id}</code>
                    <span className={`badge pub-change-${p.change}`}>{p.change}</span>
                    <span className="muted small pub-diff-stat" data-testid="diff-stat">
                      <span className="pub-diff-plus">+{c.added}</span> <span className="pub-diff-minus">−{c.removed}</span>
                    </span>
                  </h2>
                  <pre className="pub-diff-lines" tabIndex={0} aria-label={`Changes to ${p.id}: ${plural(c.added, 'line')} added, ${c.removed} removed`}>
                    {p.lines.map((l, i) => (
                      <span key={i} className={`pub-diff-line ${LINE_CLASSES[l.kind] ?? 'pub-diff-ctx'}`} data-kind={l.kind}>
                        <span className="pub-diff-sign" aria-hidden="true">
                          {l.kind}
                        </span>
                        {l.text}
                      </span>
                    ))}
                  </pre>
                </section>
              );
            })
          )}
        </>
      )}
    </div>
  );
}
