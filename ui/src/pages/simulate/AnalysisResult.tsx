// One analysis: the solver that answered, a count per relation, one row per request
// environment (expanding to its counterexamples and their replay), the findings on the
// candidate linked to their policies, and the queries the solver could not answer.
import { useId, useState } from 'react';
import type { Analysis } from '../../bindings/Analysis';
import type { AnalyzeRequest } from '../../bindings/AnalyzeRequest';
import type { EnvironmentDiff } from '../../bindings/EnvironmentDiff';
import type { LocatedFinding } from '../../bindings/LocatedFinding';
import type { Relation } from '../../bindings/Relation';
import type { SideResult } from '../../bindings/SideResult';
import { SeverityBadge } from '../../components/SeverityBadge';
import { ProblemList } from '../../components/ProblemList';
import { SolverLine } from '../../components/SolverLine';
import {
  environmentLabel,
  findingKindLabel,
  findingSeverity,
  formatMillis,
  RELATIONS,
  relationHint,
  relationTone,
} from '../../lib/analysis';
import { policyHref } from '../../lib/route';
import { count } from '../../lib/simulate';
import { plural } from '../../lib/summary';
import { Ticked } from '../insights/FindingText';
import { ConfirmedMark, CounterexampleView, WitnessView } from './CounterexampleView';

export function AnalysisResult({ analysis: a, request }: { analysis: Analysis; request: AnalyzeRequest }) {
  return (
    <div className="analysis-result" data-testid="analysis-result">
      <p className="run-title" data-testid="analysis-title">
        {request.no_diff ? (
          <>
            Findings on <span className="mono">{a.candidate}</span>
          </>
        ) : (
          <>
            <span className="mono">{a.baseline}</span> → <span className="mono">{a.candidate}</span>
          </>
        )}
        <span className="muted">
          {' '}
          · {plural(a.queries, 'solver query', 'solver queries')} in {formatMillis(a.millis)} · at most {formatMillis(a.time_limit_ms)} each
        </span>
      </p>
      <SolverLine solver={a.solver} testIdPrefix="analysis" />
      <Summary analysis={a} request={request} />
      {request.no_diff ? (
        <p className="notice" data-testid="analysis-diff-skipped">
          The diff was skipped: tick Diff to compare the candidate with a baseline.
        </p>
      ) : (
        <EnvironmentTable envs={a.environments} />
      )}
      {request.no_findings ? (
        <p className="notice" data-testid="analysis-findings-skipped">
          The findings were skipped: tick Findings to check the candidate&apos;s policies one by one.
        </p>
      ) : (
        <FindingList findings={a.findings} />
      )}
      {a.problems.length > 0 && (
        <ProblemList
          problems={a.problems}
          lead="The solver could not answer these queries; the rest of the analysis still ran."
          testIdPrefix="analysis"
        />
      )}
    </div>
  );
}

function Summary({ analysis: a, request }: { analysis: Analysis; request: AnalyzeRequest }) {
  const errors = a.findings.filter((f) => f.severity === 'error').length;
  return (
    <ul className="metrics" aria-label="Summary" data-testid="analysis-summary">
      {!request.no_diff &&
        RELATIONS.map((r) => {
          const n = a.environments.filter((e) => e.relation === r).length;
          return (
            <li key={r} className={`metric-card tone-${n > 0 ? relationTone(r) : 'neutral'}`} title={relationHint(r)} data-testid={`analysis-metric-${r}`}>
              <span className="metric-card-value">{count(n)}</span>
              <span className="metric-card-label">{r}</span>
            </li>
          );
        })}
      {!request.no_findings && (
        <li
          className={`metric-card tone-${errors > 0 ? 'error' : a.findings.length > 0 ? 'warning' : 'ok'}`}
          title={`${plural(errors, 'error')} (fail-open forbids), ${plural(a.findings.length - errors, 'warning')}`}
          data-testid="analysis-metric-findings"
        >
          <span className="metric-card-value">{count(a.findings.length)}</span>
          <span className="metric-card-label">findings</span>
        </li>
      )}
      {a.problems.length > 0 && (
        <li className="metric-card tone-warning" title="Queries the solver could not answer" data-testid="analysis-metric-problems">
          <span className="metric-card-value">{count(a.problems.length)}</span>
          <span className="metric-card-label">problems</span>
        </li>
      )}
    </ul>
  );
}

export function RelationBadge({ relation }: { relation: Relation }) {
  return (
    <span className={`relation relation-${relationTone(relation)}`} title={relationHint(relation)} data-testid="analysis-relation" data-relation={relation}>
      {relation}
    </span>
  );
}

function EnvironmentTable({ envs }: { envs: EnvironmentDiff[] }) {
  const uid = useId();
  return (
    <section className="panel" aria-labelledby={`${uid}-title`} data-testid="analysis-envs">
      <h2 id={`${uid}-title`}>
        Request environments <span className="heading-count">{envs.length}</span>
      </h2>
      {envs.length === 0 ? (
        <p className="muted small" data-testid="analysis-envs-none">
          The schema declares no request environment (no action says which principal and resource types it applies to), so
          there was nothing to compare. Add <code>appliesTo</code> to the schema&apos;s actions, then run the analysis again.
        </p>
      ) : (
        <div className="policy-table-wrap">
          <table className="table analysis-envs">
            <thead>
              <tr>
                <th scope="col">Environment (principal × action × resource)</th>
                <th scope="col">Relation</th>
                <th scope="col">Counterexamples</th>
                <th scope="col" className="num">
                  Time
                </th>
              </tr>
            </thead>
            <tbody>
              {envs.map((e, i) => (
                <EnvironmentRows key={`${e.principal_type}|${e.action}|${e.resource_type}|${i}`} env={e} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function EnvironmentRows({ env }: { env: EnvironmentDiff }) {
  const uid = useId();
  const [open, setOpen] = useState(false);
  const label = environmentLabel(env);
  const n = env.counterexamples.length;
  return (
    <>
      <tr className="analysis-env-row" data-testid="analysis-env-row" data-env={label} data-relation={env.relation}>
        <td>
          {n > 0 ? (
            <button
              type="button"
              className="env-toggle"
              aria-expanded={open}
              aria-controls={`${uid}-detail`}
              onClick={() => setOpen((o) => !o)}
              data-testid="analysis-env-toggle"
            >
              <span className="env-chevron" aria-hidden="true" />
              <span className="mono">{label}</span>
            </button>
          ) : (
            <span className="env-label mono">{label}</span>
          )}
          {env.problem && (
            <p className="env-problem small" data-testid="analysis-env-problem">
              {env.problem}
            </p>
          )}
        </td>
        <td>
          <RelationBadge relation={env.relation} />
        </td>
        <td className="muted">{n > 0 ? plural(n, 'counterexample') : '—'}</td>
        <td className="num muted">{formatMillis(env.millis)}</td>
      </tr>
      {open && (
        <tr className="env-detail-row">
          <td colSpan={4} id={`${uid}-detail`} data-testid="analysis-env-detail">
            {env.counterexamples.map((c, i) => (
              <CounterexampleView key={i} cex={c} />
            ))}
          </td>
        </tr>
      )}
    </>
  );
}

function FindingList({ findings }: { findings: LocatedFinding[] }) {
  const uid = useId();
  return (
    <section className="panel" aria-labelledby={`${uid}-title`} data-testid="analysis-findings">
      <h2 id={`${uid}-title`}>
        Findings on the candidate <span className="heading-count">{findings.length}</span>
      </h2>
      {findings.length === 0 ? (
        <p className="empty-ok" data-testid="analysis-findings-none">
          No findings: no forbid can error, and every policy can match, grants something of its own and differs from the
          others.
        </p>
      ) : (
        <ul className="finding-list">
          {findings.map((f, i) => (
            <FindingItem key={`${f.kind}|${f.policy}|${f.other ?? ''}|${i}`} finding={f} />
          ))}
        </ul>
      )}
    </section>
  );
}

function FindingItem({ finding: f }: { finding: LocatedFinding }) {
  const severity = findingSeverity(f.severity);
  return (
    <li className={`finding finding-${severity}`} data-testid="analysis-finding" data-kind={f.kind} data-policy={f.policy}>
      <div className="finding-head">
        <SeverityBadge severity={severity} />
        <span className="analysis-kind">{findingKindLabel(f.kind)}</span>
        <p className="finding-message">
          <Ticked text={f.message} />
        </p>
      </div>
      <div className="finding-meta">
        <span>
          policy <code>{f.policy}</code>
        </span>
        {f.other && (
          <span>
            other <code data-testid="analysis-finding-other">{f.other}</code>
          </span>
        )}
        <span data-testid="analysis-finding-envs">{f.environments.length > 0 ? f.environments.join(' · ') : 'every environment'}</span>
        {f.file ? (
          <a href={policyHref(f.file, f.line)} data-testid="analysis-finding-link" title={`Open ${f.policy} in the policy editor`}>
            {f.file}
            {f.line ? `:${f.line}` : ''}
          </a>
        ) : (
          <span className="muted">not in a workspace file</span>
        )}
      </div>
      {f.witness && (
        <div className="finding-witness" data-testid="analysis-finding-witness">
          <p className="finding-witness-head small">
            {f.confirmed !== undefined && <ConfirmedMark confirmed={f.confirmed} what="the forbid errors on this request" />}
            {f.outcome && <FailOpenOutcome policy={f.policy} outcome={f.outcome} />}
          </p>
          <details>
            <summary>The request that makes it error</summary>
            <WitnessView witness={f.witness} />
          </details>
        </div>
      )}
    </li>
  );
}

/** What the replay engine made of the forbid alone on the witness. */
function FailOpenOutcome({ policy, outcome }: { policy: string; outcome: SideResult }) {
  const errored = outcome.errors.includes(policy);
  return (
    <span data-testid="analysis-finding-outcome" data-errored={errored}>
      {errored ? (
        <>
          Replayed alone on the request below, <code>{policy}</code> <strong className="text-error">errored</strong>: Cedar skips
          it, so it forbids nothing there.
        </>
      ) : (
        <>
          Replayed alone on the request below, <code>{policy}</code> did not error (decision: {outcome.decision}).
        </>
      )}
    </span>
  );
}
