// Why one replayed request was decided as it was, baseline beside candidate: the decision,
// the policies that determined it (with file:line and source), policies that errored,
// permits overruled by a forbid, and the policies whose scope matched but a condition
// stopped (for a default deny, the permits that came close) with the condition that failed.
import { useEffect, useId, useRef } from 'react';
import type { ConditionResult } from '../../bindings/ConditionResult';
import type { ExplainPair } from '../../bindings/ExplainPair';
import type { Explanation } from '../../bindings/Explanation';
import type { PolicyExplanation } from '../../bindings/PolicyExplanation';
import { Icon } from '../../components/Icon';
import { plural } from '../../lib/summary';

const OUTCOME_LABELS: Record<string, string> = {
  held: 'held',
  failed: 'failed',
  error: 'error',
  skipped: 'not evaluated',
};

export function ExplanationPanel({
  pair,
  loading,
  onClose,
}: {
  pair: ExplainPair | null;
  loading: boolean;
  onClose: () => void;
}) {
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const requestId = pair?.request.id;
  useEffect(() => {
    if (requestId === undefined) return;
    heading.current?.focus();
    heading.current?.scrollIntoView?.({ block: 'nearest' });
  }, [requestId]);

  return (
    <section className="panel explain" aria-labelledby={titleId} data-testid="explain-panel" aria-busy={loading || undefined}>
      <div className="explain-head">
        <h2 id={titleId} ref={heading} tabIndex={-1}>
          {pair ? (
            <>
              Why <code>{pair.request.id}</code> {pair.changed ? 'changed' : 'did not change'}
            </>
          ) : (
            'Explanation'
          )}
        </h2>
        <button type="button" className="btn-icon" onClick={onClose} aria-label="Close the explanation" data-testid="explain-close">
          <Icon name="close" />
        </button>
      </div>
      {loading && !pair && <p className="muted">Explaining…</p>}
      {pair && (
        <>
          <dl className="explain-request">
            <dt>Principal</dt>
            <dd className="mono">{pair.request.principal}</dd>
            <dt>Action</dt>
            <dd className="mono">{pair.request.action}</dd>
            <dt>Resource</dt>
            <dd className="mono">{pair.request.resource}</dd>
            {pair.request.context && (
              <>
                <dt>Context</dt>
                <dd className="mono explain-context">{pair.request.context}</dd>
              </>
            )}
            {pair.request.time && (
              <>
                <dt>Recorded at</dt>
                <dd>{pair.request.time}</dd>
              </>
            )}
            {pair.request.recorded && (
              <>
                <dt>Production said</dt>
                <dd>{pair.request.recorded}</dd>
              </>
            )}
            {pair.request.task_id && (
              <>
                <dt>Task</dt>
                <dd className="mono">{pair.request.task_id}</dd>
              </>
            )}
          </dl>
          <div className="explain-sides">
            <Side title="Baseline" side="baseline" explanation={pair.baseline} />
            <Side title="Candidate" side="candidate" explanation={pair.candidate} />
          </div>
        </>
      )}
    </section>
  );
}

function Side({ title, side, explanation: x }: { title: string; side: string; explanation: Explanation }) {
  const allow = x.decision === 'allow';
  const unmetPermits = x.unmet.filter((p) => p.effect !== 'forbid');
  const unmetForbids = x.unmet.filter((p) => p.effect === 'forbid');
  return (
    <div className="explain-side" data-testid={`explain-${side}`} data-decision={x.decision}>
      <div className="explain-side-head">
        <h3>{title}</h3>
        <span className={allow ? 'verdict verdict-allow verdict-large' : 'verdict verdict-deny verdict-large'} data-testid="explain-decision">
          {allow ? 'Allow' : 'Deny'}
        </span>
      </div>
      {x.determining.length > 0 && (
        <>
          <h4 className="explain-subtitle">
            {allow ? 'Allowed by' : 'Denied by'} {plural(x.determining.length, allow ? 'permit' : 'forbid')}
          </h4>
          <PolicyList policies={x.determining} testid="explain-determining" />
        </>
      )}
      {x.default_deny && (
        <p className="decision-default" data-testid="explain-default-deny">
          Default deny: no permit applied{x.determining.length === 0 ? ', and no forbid either' : ''}.
        </p>
      )}
      {x.overridden.length > 0 && (
        <>
          <h4 className="explain-subtitle">{plural(x.overridden.length, 'permit')} overruled by a forbid</h4>
          <PolicyList policies={x.overridden} testid="explain-overridden" />
        </>
      )}
      {unmetPermits.length > 0 && (
        <>
          <h4 className="explain-subtitle">{plural(unmetPermits.length, 'permit')} that did not apply</h4>
          <PolicyList policies={unmetPermits} testid="explain-unmet" />
        </>
      )}
      {unmetForbids.length > 0 && (
        <>
          <h4 className="explain-subtitle">{plural(unmetForbids.length, 'forbid')} that did not fire</h4>
          <PolicyList policies={unmetForbids} testid="explain-unmet" />
        </>
      )}
      {x.errored.length > 0 && (
        <>
          <h4 className="explain-subtitle text-error">
            {plural(x.errored.length, 'policy', 'policies')} raised an error and {x.errored.length === 1 ? 'was' : 'were'} skipped
          </h4>
          <PolicyList policies={x.errored} testid="explain-errored" />
        </>
      )}
    </div>
  );
}

function PolicyList({ policies, testid }: { policies: PolicyExplanation[]; testid: string }) {
  return (
    <ul className="determining-list">
      {policies.map((p, i) => (
        <li key={`${p.id}-${i}`} className="determining" data-testid={testid} data-policy-id={p.id}>
          <div className="determining-head">
            <span className={`kind kind-${p.effect}`}>{p.effect}</span>
            <code className="determining-id">{p.id}</code>
            {p.file && (
              <span className="explain-loc mono" data-testid="explain-location">
                {p.file}
                {p.line !== null ? `:${p.line}` : ''}
              </span>
            )}
          </div>
          {p.error && <p className="text-error small">{p.error}</p>}
          {/* Focusable, so a keyboard can scroll a long policy (it scrolls past 260px). */}
          <pre className="policy-source" tabIndex={0} aria-label={`Source of ${p.id}`}>
            {p.text}
          </pre>
          {p.conditions.length > 0 && (
            <ul className="conditions">
              {p.conditions.map((c, j) => (
                <Condition key={j} c={c} />
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

function Condition({ c }: { c: ConditionResult }) {
  const where = `${c.file ? `${c.file}:` : 'line '}${c.line}:${c.column}`;
  return (
    <li className={`condition condition-${c.outcome}`} data-testid="explain-condition" data-outcome={c.outcome} data-line={c.line}>
      <span className={`outcome outcome-${c.outcome}`}>{OUTCOME_LABELS[c.outcome] ?? c.outcome}</span>
      <span className="condition-kind">{c.kind}</span>
      <code className="condition-text">{c.text}</code>
      <span className="condition-loc mono muted">{where}</span>
      {c.error && <span className="condition-error text-error">{c.error}</span>}
    </li>
  );
}
