// The Access tab of the agent panel: what this agent can do under the policies on disk,
// worked out by the core from the inventory's entities (every action the schema lets an
// agent perform × every resource of its type), and how that changed from a baseline.
//
// It runs by itself, with the defaults, the first time the tab opens for an agent; the form
// reruns it against another baseline (or none). Nothing is stored by the core: leaving the
// panel cancels a check still running. An edit on disk marks the result out of date.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { Access } from '../../bindings/Access';
import type { AccessChange } from '../../bindings/AccessChange';
import type { AccessEntry } from '../../bindings/AccessEntry';
import type { AccessRequest } from '../../bindings/AccessRequest';
import type { AccessReview } from '../../bindings/AccessReview';
import type { AgentAccessReview } from '../../bindings/AgentAccessReview';
import type { ApiError } from '../../bindings/ApiError';
import type { SolverInfo } from '../../bindings/SolverInfo';
import { ProblemList } from '../../components/ProblemList';
import { SolverLine } from '../../components/SolverLine';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { SideField } from '../../components/SideField';
import {
  accessCounts,
  accessHint,
  accessRequest,
  accessTone,
  changeCounts,
  changeDetails,
  changeHint,
  changeKind,
  changeTone,
  exampleContext,
  groupByAction,
  INITIAL_ACCESS_FORM,
  policyLocations,
  shortUid,
  sideAccess,
  splitUnless,
  type AccessForm,
  type ChangeKind,
  type PolicyLocation,
} from '../../lib/access';
import { formatMillis } from '../../lib/analysis';
import { policyHref } from '../../lib/route';
import { count } from '../../lib/simulate';
import { plural } from '../../lib/summary';
import { watchWorkspace } from '../../lib/watchWorkspace';

interface Done {
  review: AccessReview;
  request: AccessRequest;
  /** Policy id → where it is written (working copy); `null` when the files could not be read. */
  locations: Map<string, PolicyLocation> | null;
}

/**
 * The cancel sent by a panel that closed while checking. The next check waits for it, so a
 * late cancel never stops the new one (the core keeps one cancel flag for access reviews).
 */
let lastCancel: Promise<unknown> = Promise.resolve();

/** `agent`: the inventory id. `unsaved`: the Details form holds edits not saved yet. */
export function AgentAccess({ agent, unsaved = false }: { agent: string; unsaved?: boolean }) {
  const backend = useBackend();
  const [form, setForm] = useState<AccessForm>(INITIAL_ACCESS_FORM);
  // The first check starts as the tab mounts.
  const [running, setRunning] = useState(true);
  const [cancelling, setCancelling] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [stale, setStale] = useState(false);
  const seq = useRef(0);
  const runningRef = useRef(false);
  const mounted = useRef(true);

  /** Runs check number `mine`; only the latest one's outcome is shown. */
  const execute = useCallback(
    async (mine: number, request: AccessRequest) => {
      const current = () => mine === seq.current && mounted.current;
      try {
        await lastCancel;
        const [review, report] = await Promise.all([
          backend.agentAccess(request),
          // Only to link policy ids to their files: without it they show as plain ids.
          backend.validateWorkspace().catch(() => null),
        ]);
        if (current()) setDone({ review, request, locations: report ? policyLocations(report) : null });
      } catch (err) {
        const apiError = toApiError(err);
        if (!current()) return;
        if (apiError.code === 'cancelled') setCancelled(true);
        else setError(apiError);
      } finally {
        if (mine === seq.current) {
          runningRef.current = false;
          if (mounted.current) {
            setRunning(false);
            setCancelling(false);
          }
        }
      }
    },
    [backend],
  );

  // The first look at the tab checks with the defaults; closing the panel stops the solver.
  useEffect(() => {
    mounted.current = true;
    runningRef.current = true;
    void execute(++seq.current, accessRequest(agent, INITIAL_ACCESS_FORM));
    return () => {
      mounted.current = false;
      if (runningRef.current) lastCancel = backend.cancelAccess().catch(() => undefined);
    };
  }, [backend, agent, execute]);

  useEffect(
    () =>
      watchWorkspace(backend, (changes) => {
        if (changes.some((c) => c.kind !== 'controls_changed')) setStale(true);
      }),
    [backend],
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (runningRef.current) return;
    runningRef.current = true;
    setRunning(true);
    setCancelling(false);
    setDone(null);
    setError(null);
    setCancelled(false);
    setStale(false);
    void execute(++seq.current, accessRequest(agent, form));
  };

  const cancel = () => {
    setCancelling(true);
    backend.cancelAccess().catch((e: unknown) => {
      setCancelling(false);
      setError(toApiError(e));
    });
  };

  const review = done?.review.agents.find((a) => a.id === agent) ?? null;

  return (
    <div className="access" data-testid="agent-access" data-state={running ? 'running' : done ? 'done' : error ? 'error' : 'idle'}>
      <AccessFormPanel form={form} onChange={setForm} running={running} cancelling={cancelling} onSubmit={submit} onCancel={cancel} />

      {unsaved && (
        <p className="notice" role="status" data-testid="access-unsaved">
          The Details tab has unsaved changes: this check reads the inventory as saved on disk.
        </p>
      )}
      {cancelled && (
        <p className="notice" role="status" data-testid="access-cancelled">
          Cancelled. Nothing of the check was kept; press <strong>Check</strong> to run it again.
        </p>
      )}
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {error?.code === 'invalid_argument' && form.compare && (
        <p className="notice" role="status" data-testid="access-baseline-advice">
          If the baseline is what the core refused (a workspace outside git has no <code>git:HEAD</code>), choose another one or
          untick <strong>Compare with baseline</strong> and check again.
        </p>
      )}
      {stale && done && (
        <p className="notice" role="status" data-testid="access-stale">
          The workspace&apos;s files changed on disk after this check: press <strong>Check</strong> to see the access as it is now.
        </p>
      )}

      {done && review && <AccessResult done={done} review={review} />}
      {done && !review && (
        <p className="notice" data-testid="access-missing">
          The core returned no review for <code>{agent}</code>: it may have been removed from the inventory meanwhile.
        </p>
      )}
      {!done && !running && !error && !cancelled && (
        <p className="muted small" data-testid="access-idle">
          Press <strong>Check</strong> to work out what this agent can do.
        </p>
      )}
    </div>
  );
}

function AccessFormPanel({
  form,
  onChange,
  running,
  cancelling,
  onSubmit,
  onCancel,
}: {
  form: AccessForm;
  onChange: (form: AccessForm) => void;
  running: boolean;
  cancelling: boolean;
  onSubmit: (e: FormEvent) => void;
  onCancel: () => void;
}) {
  const uid = useId();
  return (
    <form className="access-form" onSubmit={onSubmit} aria-label="Access check" noValidate data-testid="access-form">
      <div className="access-baseline">
        <SideField
          id={`${uid}-baseline`}
          label="Baseline"
          value={form.baseline}
          onChange={(baseline) => onChange({ ...form, baseline })}
          placeholder="git:HEAD"
          disabled={running || !form.compare}
          hint={
            <>
              <code>git:REV</code>, <code>@published</code>, <code>@none</code> or a policy folder or file
            </>
          }
          testId="access-baseline"
        />
      </div>
      <label className="check access-compare">
        <input
          type="checkbox"
          checked={form.compare}
          onChange={(e) => onChange({ ...form, compare: e.target.checked })}
          disabled={running}
          data-testid="access-compare"
        />
        Compare with baseline
      </label>
      <div className="access-actions">
        <button type="submit" className="btn btn-primary" disabled={running} data-testid="access-check">
          {running ? 'Checking…' : 'Check'}
        </button>
        {running && (
          <div className="progress-row" data-testid="access-progress">
            <progress className="progress" aria-label="Access check progress" />
            <span className="small muted">Asking the solver…</span>
            <button type="button" className="btn btn-small" onClick={onCancel} disabled={cancelling} data-testid="access-cancel">
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          </div>
        )}
      </div>
    </form>
  );
}

function AccessResult({ done, review }: { done: Done; review: AgentAccessReview }) {
  const { review: r, request, locations } = done;
  const entries = review.candidate.entries;
  const counts = accessCounts(entries);
  return (
    <div className="access-result" data-testid="access-result">
      <p className="access-summary" data-testid="access-summary">
        <strong className={counts.allowed > 0 ? 'text-ok' : undefined} data-testid="access-count-allowed">
          {count(counts.allowed)} allowed
        </strong>
        ,{' '}
        <strong className={counts.conditional > 0 ? 'text-warning' : undefined} data-testid="access-count-conditional">
          {count(counts.conditional)} conditional
        </strong>
        , of {plural(review.candidate.checked, 'action × resource pair')}
        <span className="muted">
          {' '}
          · under <span className="mono">{r.candidate}</span> · {plural(r.queries, 'solver query', 'solver queries')} in{' '}
          {formatMillis(r.millis)}
        </span>
      </p>
      <SolverOrWarning solver={r.solver} />

      {entries.length === 0 ? (
        <NoAccess agent={review.id} checked={review.candidate.checked} />
      ) : (
        <EntryTable entries={entries} locations={locations} settled={r.solver !== undefined} />
      )}

      <ChangeList changes={review.changes} request={request} baseline={r.baseline} locations={locations} />
      {r.problems.length > 0 && (
        <ProblemList
          problems={r.problems}
          lead="These conditions were not settled; their entries stay conditional."
          testIdPrefix="access"
          className="panel access-panel"
        />
      )}
    </div>
  );
}

function SolverOrWarning({ solver }: { solver: SolverInfo | undefined }) {
  if (!solver) {
    return (
      <div className="banner banner-warning" role="status" data-testid="access-no-solver">
        <div className="banner-body">
          <p className="banner-title">No SMT solver was found: the conditions are not settled</p>
          <p className="banner-help">
            Each <em>conditional</em> entry below is allowed by a permit only under some context, and may be impossible under
            every one. Install cvc5 (<code>bash scripts/deps.sh</code>) or name a solver under <code>[analysis] solver</code> in
            mandate.toml, then check again to see which hold and a context that allows each.
          </p>
        </div>
      </div>
    );
  }
  return <SolverLine solver={solver} testIdPrefix="access" />;
}

function NoAccess({ agent, checked }: { agent: string; checked: number }) {
  return (
    <div className="panel empty-panel" data-testid="access-empty">
      {checked === 0 ? (
        <>
          <h2>Nothing to check</h2>
          <p>
            The schema lets this agent&apos;s entity type perform no action on any resource in the inventory. Check the
            schema&apos;s <code>appliesTo</code> and that the inventory lists tools, datasets or models.
          </p>
        </>
      ) : (
        <>
          <h2>
            <code>{agent}</code> can do nothing
          </h2>
          <p>
            None of the {plural(checked, 'action × resource pair')} is allowed under any context. To grant access, add tools,
            datasets, models or delegates on the <strong>Details</strong> tab (under Grants) where a permit covers them, or
            write a permit on the Policies page; then check again.
          </p>
        </>
      )}
    </div>
  );
}

export function AccessBadge({ access, testid = 'access-badge' }: { access: Access; testid?: string }) {
  return (
    <span className={`access-badge access-badge-${accessTone(access)}`} title={accessHint(access)} data-testid={testid} data-access={access}>
      {access}
    </span>
  );
}

function ChangeBadge({ kind }: { kind: ChangeKind }) {
  return (
    <span className={`access-badge access-badge-${changeTone(kind)}`} title={changeHint(kind)} data-testid="access-change-kind" data-change={kind}>
      {kind}
    </span>
  );
}

/** A policy id, linked to where it is written when that is known. */
function PolicyId({ id, locations, testid }: { id: string; locations: Map<string, PolicyLocation> | null; testid: string }) {
  const at = locations?.get(id);
  if (!at) {
    return (
      <code className="access-policy" data-testid={testid} data-policy={id}>
        {id}
      </code>
    );
  }
  const title = at.template
    ? `Made from the template ${at.template} (${at.file}:${at.line}); open it in the policy editor`
    : `Open ${id} in the policy editor (${at.file}:${at.line})`;
  return (
    <a href={policyHref(at.file, at.line)} title={title} data-testid={testid} data-policy={id}>
      <code className="access-policy">{id}</code>
    </a>
  );
}

function EntryTable({
  entries,
  locations,
  settled,
}: {
  entries: AccessEntry[];
  locations: Map<string, PolicyLocation> | null;
  settled: boolean;
}) {
  const uid = useId();
  const groups = groupByAction(entries);
  return (
    <section className="panel access-panel" aria-labelledby={`${uid}-title`} data-testid="access-entries">
      <h2 id={`${uid}-title`}>
        What it can do <span className="heading-count">{entries.length}</span>
      </h2>
      <div className="policy-table-wrap">
        <table className="table access-table">
          <caption className="visually-hidden">
            Each resource the agent can reach, by action, with the permits that grant it and the conditions on the context
          </caption>
          <thead>
            <tr>
              <th scope="col">Resource</th>
              <th scope="col">Access</th>
              <th scope="col">Granted by</th>
              <th scope="col" className="access-conditions-col">
                Conditions on the context
              </th>
            </tr>
          </thead>
          {groups.map((g) => (
            <tbody key={g.action} data-testid="access-group" data-action={g.action}>
              <tr className="access-group-row">
                <th scope="rowgroup" colSpan={4}>
                  <code>{g.action}</code> <span className="heading-count">{g.entries.length}</span>
                </th>
              </tr>
              {g.entries.map((e) => (
                <EntryRow key={e.resource} entry={e} locations={locations} settled={settled} />
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </section>
  );
}

function EntryRow({
  entry: e,
  locations,
  settled,
}: {
  entry: AccessEntry;
  locations: Map<string, PolicyLocation> | null;
  settled: boolean;
}) {
  return (
    <tr data-testid="access-row" data-action={e.action} data-resource={e.resource} data-access={e.access}>
      <td>
        <code className="access-resource" title={e.resource} data-testid="access-resource">
          {shortUid(e.resource)}
        </code>
      </td>
      <td>
        <AccessBadge access={e.access} />
      </td>
      <td>
        <ul className="access-list">
          {e.permits.map((p) => (
            <li key={p}>
              <PolicyId id={p} locations={locations} testid="access-permit" />
            </li>
          ))}
        </ul>
      </td>
      <td>
        <Conditions entry={e} locations={locations} settled={settled} />
      </td>
    </tr>
  );
}

/**
 * `when`: the granting permits' conditions (any one suffices); `unless`: the forbids that
 * may apply, each with its condition (none may hold); `example`: a context the solver found
 * under which the entry is allowed.
 */
function Conditions({
  entry: e,
  locations,
  settled,
}: {
  entry: AccessEntry;
  locations: Map<string, PolicyLocation> | null;
  settled: boolean;
}) {
  const context = exampleContext(e);
  if (e.when.length === 0 && e.unless.length === 0 && context === null) {
    return <span className="muted">{e.access === 'allowed' ? 'any context' : '—'}</span>;
  }
  return (
    <dl className="access-conditions">
      {e.when.length > 0 && (
        <>
          <dt title="A granting permit's condition: any one suffices">when</dt>
          <dd>
            <ul className="access-list">
              {e.when.map((w, i) => (
                <li key={w} data-testid="access-when">
                  {i > 0 && <span className="muted small">or </span>}
                  <code className="access-condition">{w}</code>
                </li>
              ))}
            </ul>
          </dd>
        </>
      )}
      {e.unless.length > 0 && (
        <>
          <dt title="A forbid that applies under this condition: none may hold">unless</dt>
          <dd>
            <ul className="access-list">
              {e.unless.map((u) => {
                const { policy, condition } = splitUnless(u);
                return (
                  <li key={u} data-testid="access-unless" data-policy={policy}>
                    {policy && <PolicyId id={policy} locations={locations} testid="access-unless-policy" />}
                    <code className="access-condition" data-testid="access-unless-condition">
                      {condition}
                    </code>
                  </li>
                );
              })}
            </ul>
          </dd>
        </>
      )}
      {e.access === 'conditional' && (
        <>
          <dt title="A context the solver found under which it is allowed">example</dt>
          <dd>
            {context === null ? (
              <span className="muted small" data-testid="access-example-none">
                {settled ? 'none given' : 'not settled: no solver'}
              </span>
            ) : context.length === 0 ? (
              <span className="muted small">the empty context</span>
            ) : (
              <ul className="kv-list access-example" data-testid="access-example" aria-label="A context under which it is allowed">
                {context.map(([k, v]) => (
                  <li key={k} className="mono">
                    {k} = {v}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </>
      )}
    </dl>
  );
}

function ChangeList({
  changes,
  request,
  baseline,
  locations,
}: {
  changes: AccessChange[];
  request: AccessRequest;
  baseline: string;
  locations: Map<string, PolicyLocation> | null;
}) {
  const uid = useId();
  const counts = changeCounts(changes);
  let body: ReactNode;
  if (request.no_diff) {
    body = (
      <p className="muted small" data-testid="access-changes-skipped">
        Not compared: tick <strong>Compare with baseline</strong> and check again to see what a change moves.
      </p>
    );
  } else if (changes.length === 0) {
    body = (
      <p className="empty-ok" data-testid="access-changes-none">
        No change in access from <span className="mono">{baseline}</span>.
      </p>
    );
  } else {
    body = (
      <div className="policy-table-wrap">
        <table className="table access-changes">
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Action</th>
              <th scope="col">Resource</th>
              <th scope="col">Before → after</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((c) => (
              <ChangeRow key={`${c.action}|${c.resource}`} change={c} locations={locations} />
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  return (
    <section className="panel access-panel" aria-labelledby={`${uid}-title`} data-testid="access-changes">
      <h2 id={`${uid}-title`}>
        Changes from baseline
        {!request.no_diff && (
          <>
            {' '}
            <span className="mono access-changes-baseline">{baseline}</span>
            <span className="heading-count">{changes.length}</span>
          </>
        )}
      </h2>
      {counts.length > 0 && (
        <p className="access-change-counts small" data-testid="access-change-counts">
          {counts.map((c, i) => (
            <span key={c.kind}>
              {i > 0 && ' · '}
              {c.count} {c.kind}
            </span>
          ))}
        </p>
      )}
      {body}
    </section>
  );
}

function ChangeRow({ change: c, locations }: { change: AccessChange; locations: Map<string, PolicyLocation> | null }) {
  const kind = changeKind(c);
  const details = changeDetails(c);
  const granted = c.candidate?.permits ?? [];
  return (
    <tr data-testid="access-change-row" data-change={kind} data-action={c.action} data-resource={c.resource}>
      <td>
        <ChangeBadge kind={kind} />
      </td>
      <td>
        <code>{c.action}</code>
      </td>
      <td>
        <code title={c.resource}>{shortUid(c.resource)}</code>
      </td>
      <td>
        <span className="access-before-after">
          <AccessBadge access={sideAccess(c.baseline)} testid="access-change-before" />
          <span aria-label="becomes">→</span>
          <AccessBadge access={sideAccess(c.candidate)} testid="access-change-after" />
          {granted.length > 0 && (
            <span className="small muted">
              by{' '}
              {granted.map((p, i) => (
                <span key={p}>
                  {i > 0 && ', '}
                  <PolicyId id={p} locations={locations} testid="access-change-permit" />
                </span>
              ))}
            </span>
          )}
        </span>
        {details.length > 0 && (
          <ul className="access-list small" data-testid="access-change-details">
            {details.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
