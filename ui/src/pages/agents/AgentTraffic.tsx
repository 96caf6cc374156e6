// "Recent activity & findings" of the agent drawer: what the agent did in the request set
// imported most recently (requests, denies, when, how many resources), the traffic findings
// about it, and its newest requests with the decision recorded and the one made today.
// Quiet when nothing was imported yet. When the set's insights must be computed first (a
// scan of every request), it shows the core's progress with Cancel after a moment.
import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import type { AgentInsights } from '../../bindings/AgentInsights';
import type { ApiError } from '../../bindings/ApiError';
import { useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { CancelledNotice, OperationProgressRow } from '../../components/OperationStatus';
import { findingsByCode, shortType, stepChange, tasksOf } from '../../lib/insights';
import { hrefFor } from '../../lib/route';
import { count } from '../../lib/simulate';
import { plural } from '../../lib/summary';
import { formatTimestamp } from '../../lib/time';
import { useOperation } from '../../lib/useProgressEvents';
import { LevelBadge, Ticked } from '../insights/FindingText';

/** Newest requests listed; the core sends up to 20. */
const SHOWN = 8;
/** Task ids named under a code with many task findings. */
const TASKS_SHOWN = 6;
const AGENT_OPS = ['agent_insights'] as const;
/** A load quicker than this shows no progress (the set's insights were already computed). */
const QUIET_MS = 400;

export function AgentTraffic({ agent }: { agent: string }) {
  const backend = useBackend();
  const uid = useId();
  const [data, setData] = useState<AgentInsights | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const op = useOperation('insights');
  const { run } = op;
  const [slow, setSlow] = useState(false);

  const load = useCallback(() => {
    void run(() => backend.agentInsights(agent)).then((outcome) => {
      if (outcome.kind === 'done') setData(outcome.value);
      else if (outcome.kind === 'failed') setError(outcome.error);
    });
  }, [backend, agent, run]);

  useEffect(() => {
    load();
  }, [load]);

  // Progress only for a load that takes a while.
  useEffect(() => {
    if (!op.running) return;
    const timer = window.setTimeout(() => setSlow(true), QUIET_MS);
    return () => {
      window.clearTimeout(timer);
      setSlow(false);
    };
  }, [op.running]);

  if (op.running && slow) {
    return (
      <Section uid={uid} set={null}>
        <OperationProgressRow
          label="Reading the agent's traffic"
          operations={AGENT_OPS}
          fallback="Reading the agent's recorded traffic…"
          cancelling={op.cancelling}
          onCancel={op.cancel}
          testId="agent-traffic-progress"
        />
      </Section>
    );
  }
  if (op.cancelled && !op.running) {
    return (
      <Section uid={uid} set={null}>
        <CancelledNotice what="reading the agent's traffic" again="Load it again" onAgain={load} testId="agent-traffic-cancelled" />
      </Section>
    );
  }

  // Insights join the traffic with the inventory: an inventory with problems is shown (and
  // fixed) elsewhere on this page, so it only gets a quiet line here.
  if (error?.code === 'inventory_invalid') {
    return (
      <Section uid={uid} set={null}>
        <p className="muted small">Traffic insights need an inventory that loads without problems.</p>
      </Section>
    );
  }
  if (error) {
    return (
      <Section uid={uid} set={null}>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
      </Section>
    );
  }
  // Nothing imported yet (or still loading): nothing to say.
  if (!data || data.set === null) return null;

  const a = data.activity;
  const groups = findingsByCode(data.findings);
  return (
    <Section uid={uid} set={data.set}>
      {!a ? (
        <p className="muted small" data-testid="agent-traffic-none">
          No request from this agent in set <strong>{data.set}</strong>.
        </p>
      ) : (
        <dl className="facts agent-traffic-facts" data-testid="agent-traffic-activity">
          <dt>Request set</dt>
          <dd>{data.set}</dd>
          <dt>Requests</dt>
          <dd>
            {count(a.requests)} <span className="muted">· {count(a.denies)} denied</span>
          </dd>
          <dt>Resources</dt>
          <dd>{count(a.resources)} distinct</dd>
          {a.first_seen && (
            <>
              <dt>Seen</dt>
              <dd>
                {formatTimestamp(a.first_seen)}
                {a.last_seen && a.last_seen !== a.first_seen && <> – {formatTimestamp(a.last_seen)}</>}
              </dd>
            </>
          )}
        </dl>
      )}

      {groups.length > 0 && (
        <ul className="finding-list compact agent-traffic-findings" data-testid="agent-traffic-findings">
          {groups.map((g) => {
            const f = g.findings[0]!;
            const tasks = [...new Set(g.findings.flatMap(tasksOf))];
            return (
              <li
                key={g.code}
                className={`finding insight-finding level-${f.level}`}
                data-testid="agent-traffic-finding"
                data-code={g.code}
                data-count={g.findings.length}
              >
                <div className="finding-head">
                  <LevelBadge level={f.level} />
                  <span className="finding-message">
                    {g.findings.length === 1 ? (
                      <Ticked text={f.title} />
                    ) : (
                      <>
                        <code>{g.code}</code> in {plural(g.findings.length, tasks.length === g.findings.length ? 'task' : 'finding')}
                      </>
                    )}
                  </span>
                </div>
                {g.findings.length > 1 && tasks.length > 0 && (
                  <p className="finding-meta agent-traffic-tasks" title={tasks.join(', ')}>
                    {tasks.slice(0, TASKS_SHOWN).join(', ')}
                    {tasks.length > TASKS_SHOWN && ` and ${count(tasks.length - TASKS_SHOWN)} more`}
                  </p>
                )}
                <p className="finding-help">
                  <Ticked text={f.fix.hint} />
                </p>
                {g.findings.length === 1 && (
                  <p className="finding-meta">
                    <code>{g.code}</code>
                    {f.fix.field && (
                      <span>
                        field <code>{f.fix.field}</code>
                      </span>
                    )}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}

      {data.recent.length > 0 && (
        <table className="table agent-recent" data-testid="agent-traffic-recent">
          <caption className="visually-hidden">Newest requests of the agent</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Request</th>
              <th scope="col">Recorded</th>
              <th scope="col">Now</th>
            </tr>
          </thead>
          <tbody>
            {data.recent.slice(0, SHOWN).map((s, i) => {
              const change = stepChange(s);
              return (
                <tr key={`${s.id}-${i}`} className={`task-step step-${change}`} data-testid="agent-traffic-step">
                  <td className="nowrap small">{s.time ? formatTimestamp(s.time) : '—'}</td>
                  <td className="small">
                    {s.action} <span className="muted">{shortType(s.resource_type)}</span> <code>{s.resource}</code>
                  </td>
                  <td>{s.recorded ? <span className={`verdict verdict-${s.recorded === 'allow' ? 'allow' : 'deny'}`}>{s.recorded}</span> : '—'}</td>
                  <td>{s.current ? <span className={`verdict verdict-${s.current === 'allow' ? 'allow' : 'deny'}`}>{s.current}</span> : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function Section({ uid, set, children }: { uid: string; set: string | null; children: ReactNode }) {
  return (
    <section className="detail-section" aria-labelledby={`${uid}-traffic`} data-testid="agent-traffic">
      <h3 id={`${uid}-traffic`}>
        Recent activity &amp; findings
        {set && (
          <a className="heading-link" href={hrefFor('insights')}>
            Open Insights →
          </a>
        )}
      </h3>
      {children}
    </section>
  );
}
