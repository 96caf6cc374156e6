// A request the solver found, rendered readably (principal, action, resource, context as
// key = value, the entities with their attributes and parents), and a counterexample of the
// diff: its direction, that request, and how the replay engine decided it on each side.
import type { Counterexample } from '../../bindings/Counterexample';
import type { SideResult } from '../../bindings/SideResult';
import type { Witness } from '../../bindings/Witness';
import { directionLabel, recordEntries, witnessEntities, type WitnessEntity } from '../../lib/analysis';

export function CounterexampleView({ cex }: { cex: Counterexample }) {
  return (
    <article className="cex" data-testid="analysis-cex" data-direction={cex.direction} data-confirmed={cex.confirmed}>
      <header className="cex-head">
        <h4 className="cex-direction" data-testid="analysis-cex-direction">
          {directionLabel(cex.direction)}
        </h4>
        <ConfirmedMark confirmed={cex.confirmed} what="the two decisions differ as the proof says" />
      </header>
      <div className="cex-body">
        <WitnessView witness={cex.request} />
        <div className="cex-replay" aria-label="Concrete replay">
          <p className="explain-subtitle">Replayed by the decision engine</p>
          <SideDecision title="Baseline" side={cex.baseline} testid="analysis-cex-baseline" />
          <SideDecision title="Candidate" side={cex.candidate} testid="analysis-cex-candidate" />
        </div>
      </div>
    </article>
  );
}

/** Whether the replay engine agreed with the proof; `what` says what was checked. */
export function ConfirmedMark({ confirmed, what }: { confirmed: boolean; what: string }) {
  return confirmed ? (
    <span className="badge badge-ok" title={`Confirmed: ${what}`} data-testid="analysis-confirmed" data-confirmed="true">
      confirmed
    </span>
  ) : (
    <span
      className="badge badge-warning"
      title={`Not confirmed: the replay engine disagrees with the solver (${what} did not hold). Report this with the policies.`}
      data-testid="analysis-confirmed"
      data-confirmed="false"
    >
      not confirmed
    </span>
  );
}

/** One side's decision on the request, with the policies that determined it. */
function SideDecision({ title, side, testid }: { title: string; side: SideResult; testid: string }) {
  const allow = side.decision === 'allow';
  return (
    <div className="cex-side" data-testid={testid} data-decision={side.decision}>
      <span className="cex-side-title">{title}</span>
      <span className={allow ? 'verdict verdict-allow' : 'verdict verdict-deny'} data-testid="analysis-decision">
        {allow ? 'Allow' : side.decision === 'deny' ? 'Deny' : side.decision}
      </span>
      <span className="cex-side-reasons small">
        {side.reasons.length > 0 ? (
          <>
            {allow ? 'permitted by ' : 'forbidden by '}
            <PolicyIds ids={side.reasons} testid="analysis-reason" />
          </>
        ) : (
          <span className="muted">{allow ? 'no determining policy' : 'default deny: no permit applied'}</span>
        )}
        {side.errors.length > 0 && (
          <span className="text-error">
            {' '}
            · errored: <PolicyIds ids={side.errors} testid="analysis-errored" />
          </span>
        )}
      </span>
    </div>
  );
}

function PolicyIds({ ids, testid }: { ids: string[]; testid: string }) {
  return (
    <>
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ', '}
          <code data-testid={testid}>{id}</code>
        </span>
      ))}
    </>
  );
}

export function WitnessView({ witness: w }: { witness: Witness }) {
  const context = recordEntries(w.context);
  const entities = witnessEntities(w);
  const main = entities.filter((e) => e.inRequest);
  const others = entities.filter((e) => !e.inRequest);
  return (
    <dl className="explain-request witness" data-testid="analysis-witness">
      <dt>Principal</dt>
      <dd className="mono" data-testid="witness-principal">
        {w.principal}
      </dd>
      <dt>Action</dt>
      <dd className="mono">{w.action}</dd>
      <dt>Resource</dt>
      <dd className="mono">{w.resource}</dd>
      <dt>Context</dt>
      <dd>
        {context.length === 0 ? (
          <span className="muted">empty</span>
        ) : (
          <ul className="kv-list" data-testid="witness-context">
            {context.map(([k, v]) => (
              <li key={k} className="mono">
                {k} = {v}
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>Entities</dt>
      <dd>
        {entities.length === 0 && <span className="muted">none</span>}
        {main.length > 0 && <EntityList entities={main} />}
        {others.length > 0 && (
          <details className="witness-more">
            <summary>
              {others.length} more {others.length === 1 ? 'entity' : 'entities'}
            </summary>
            <EntityList entities={others} />
          </details>
        )}
      </dd>
    </dl>
  );
}

function EntityList({ entities }: { entities: WitnessEntity[] }) {
  return (
    <ul className="witness-entities">
      {entities.map((e, i) => (
        <li key={`${e.uid}-${i}`} className="witness-entity" data-testid="witness-entity">
          <span className="mono witness-uid">{e.uid}</span>
          {e.parents.length > 0 && <span className="small muted"> in {e.parents.join(', ')}</span>}
          {e.attrs.length > 0 && (
            <ul className="kv-list">
              {e.attrs.map(([k, v]) => (
                <li key={k} className="mono">
                  {k} = {v}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}
