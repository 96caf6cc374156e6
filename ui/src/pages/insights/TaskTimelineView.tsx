// One task reconstructed from its requests: the agents in order, the delegation hops, the
// systems and environments it touched, each step with what production decided and what the
// current policies decide (differences highlighted), and the findings about the task.
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { InsightFinding } from '../../bindings/InsightFinding';
import type { TaskStep } from '../../bindings/TaskStep';
import type { TaskTimeline } from '../../bindings/TaskTimeline';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { changedSteps, shortType, stepChange, type StepChange } from '../../lib/insights';
import { count } from '../../lib/simulate';
import { plural } from '../../lib/summary';
import { formatSeconds } from '../../lib/time';
import { LevelBadge, Ticked } from './FindingText';

/** Steps drawn before "Show all": a task of thousands of requests stays quick to open. */
const STEPS_SHOWN = 300;

const CHANGE_LABELS: Record<StepChange, string> = {
  same: '',
  decision: 'decision changed',
  reasons: 'other reasons',
  error: 'not evaluated',
  unrecorded: 'not recorded',
};

export function TaskTimelineView({
  task,
  timeline,
  error,
  onClose,
  onOpenFinding,
  pending,
}: {
  task: string;
  timeline: TaskTimeline | null;
  error: ApiError | null;
  onClose: () => void;
  onOpenFinding: (f: InsightFinding) => void;
  /** Shown while there is neither a timeline nor an error (progress, or a cancelled notice). */
  pending?: ReactNode;
}) {
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.scrollIntoView?.({ block: 'start' });
    heading.current?.focus({ preventScroll: true });
  }, [task]);

  const [all, setAll] = useState(false);
  const changed = useMemo(() => (timeline ? changedSteps(timeline.steps) : 0), [timeline]);
  const steps = timeline ? (all ? timeline.steps : timeline.steps.slice(0, STEPS_SHOWN)) : [];
  return (
    <section
      ref={panel}
      className="panel task-timeline"
      aria-labelledby={titleId}
      aria-busy={(!timeline && !error) || undefined}
      data-testid="task-timeline"
      data-task={task}
      data-steps={timeline?.steps.length ?? ''}
    >
      <div className="explain-head">
        <h2 id={titleId} ref={heading} tabIndex={-1}>
          Task <code>{task}</code>
          {timeline && (
            <span className="muted task-timeline-sub">
              {plural(timeline.steps.length, 'step')} in set {timeline.set}
              {changed > 0 && <span className="text-warning"> · {plural(changed, 'step')} decided differently today</span>}
            </span>
          )}
        </h2>
        <button type="button" className="btn-icon" onClick={onClose} aria-label="Close the task timeline" data-testid="task-timeline-close">
          <Icon name="close" />
        </button>
      </div>
      {error && <ErrorBanner error={error} />}
      {!timeline && !error && (pending ?? <p className="muted">Reading the task’s requests…</p>)}
      {timeline && (
        <>
          <dl className="task-facts">
            <div>
              <dt>Agents</dt>
              <dd className="task-chain" data-testid="task-agents">
                {timeline.agents.map((a, i) => (
                  <span key={a}>
                    {i > 0 && <span className="muted"> → </span>}
                    <code>{a}</code>
                  </span>
                ))}
              </dd>
            </div>
            <div>
              <dt>Delegation hops</dt>
              <dd data-testid="task-hops">{timeline.hops.length === 0 ? <span className="muted">none</span> : timeline.hops.join(', ')}</dd>
            </div>
            <div>
              <dt>Systems</dt>
              <dd data-testid="task-systems">{timeline.systems.length === 0 ? <span className="muted">none</span> : timeline.systems.join(', ')}</dd>
            </div>
            <div>
              <dt>Environments</dt>
              <dd data-testid="task-environments">
                {timeline.environments.length === 0 ? <span className="muted">unknown</span> : timeline.environments.join(', ')}
              </dd>
            </div>
          </dl>

          <div className="task-steps-wrap">
            <table className="table task-steps" data-testid="task-steps">
              <caption className="visually-hidden">Steps of task {task}, in order</caption>
              <colgroup>
                <col className="col-n" />
                <col className="col-time" />
                <col className="col-request" />
                <col className="col-where" />
                <col className="col-decision" />
                <col className="col-decision" />
              </colgroup>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">Time</th>
                  <th scope="col">Agent · action · resource</th>
                  <th scope="col" title="The tool's system, the environment and the sensitivity (or a dataset's classification)">
                    Where
                  </th>
                  <th scope="col">Recorded</th>
                  <th scope="col">Now</th>
                </tr>
              </thead>
              <tbody>
                {steps.map((s, i) => (
                  <StepRow key={`${s.id}-${i}`} step={s} index={i} />
                ))}
              </tbody>
            </table>
            {steps.length < timeline.steps.length && (
              <p className="small muted">
                The first {count(steps.length)} of {count(timeline.steps.length)} steps.{' '}
                <button type="button" className="link-button" onClick={() => setAll(true)} data-testid="task-steps-all">
                  Show all
                </button>
              </p>
            )}
          </div>

          {timeline.findings.length > 0 && (
            <div className="insight-detail-block">
              <h3 className="group-title">Findings about this task</h3>
              <ul className="task-findings" data-testid="task-findings">
                {timeline.findings.map((f, i) => (
                  <li key={`${f.code}-${i}`}>
                    <button type="button" className="link-button task-finding" onClick={() => onOpenFinding(f)} data-code={f.code}>
                      <LevelBadge level={f.level} /> <code>{f.code}</code> <Ticked text={f.title} />
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function StepRow({ step: s, index }: { step: TaskStep; index: number }) {
  const change = stepChange(s);
  const where = [s.system, s.environment, s.sensitivity].filter((x): x is string => !!x);
  const how = [
    s.delegation_depth === null ? null : `delegation depth ${String(s.delegation_depth)}`,
    s.on_behalf_of ? `on behalf of ${s.on_behalf_of}` : null,
  ].filter((x): x is string => x !== null);
  return (
    <tr className={`task-step step-${change}`} data-testid="timeline-step" data-id={s.id} data-change={change}>
      <td className="num muted">{count(index + 1)}</td>
      <td>
        {s.time ? formatSeconds(s.time) : <span className="muted">no time</span>}
        <div className="mono muted small">{s.id}</div>
      </td>
      <td>
        <code>{s.agent}</code> <span className="step-action">{s.action}</span>
        <div className="step-resource">
          <span className="muted small">{shortType(s.resource_type)}</span> <code>{s.resource}</code>
        </div>
      </td>
      <td>
        {where.length > 0 ? where.join(' · ') : <span className="muted">—</span>}
        {how.length > 0 && <div className="small step-how">{how.join(' · ')}</div>}
      </td>
      <td>
        <Decision decision={s.recorded} reasons={s.recorded_reasons} />
      </td>
      <td>
        {s.current_error ? (
          <span className="text-error small" title={s.current_error}>
            {s.current_error}
          </span>
        ) : (
          <Decision decision={s.current} reasons={s.current_reasons} />
        )}
        {CHANGE_LABELS[change] && change !== 'error' && (
          <span className={`change change-${change === 'decision' ? 'deny' : 'other'} step-flag`}>{CHANGE_LABELS[change]}</span>
        )}
      </td>
    </tr>
  );
}

function Decision({ decision, reasons }: { decision: string | null; reasons: string[] }) {
  if (decision === null) return <span className="muted">—</span>;
  return (
    <span className="step-decision">
      <span className={`verdict verdict-${decision === 'allow' ? 'allow' : 'deny'}`}>{decision}</span>
      {reasons.length > 0 && <span className="step-reasons mono">{reasons.join(', ')}</span>}
    </span>
  );
}
