// One finding in full: what was seen, about whom, how often and when, the details and
// example requests behind it, and where to fix it (the file and field, the policies
// involved, the control it is evidence for). A task finding opens the task's timeline.
import { useEffect, useId, useRef } from 'react';
import type { InsightFinding } from '../../bindings/InsightFinding';
import { Icon } from '../../components/Icon';
import { count } from '../../lib/simulate';
import { formatTimestamp } from '../../lib/time';
import { LevelBadge, subjectText, Ticked } from './FindingText';

const FIX_KINDS: Record<string, string> = {
  inventory: 'Fix in the inventory',
  policy: 'Fix in the policies',
  control: 'Fix in the controls',
  traffic: 'Fix where requests are recorded',
};

export function FindingDetail({
  finding: f,
  onClose,
  onOpenTask,
  onFilterAgent,
}: {
  finding: InsightFinding;
  onClose: () => void;
  onOpenTask: (task: string) => void;
  onFilterAgent: (agent: string) => void;
}) {
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // Opened from the list beside it or from a task's findings further down: bring it into view.
    heading.current?.focus({ preventScroll: true });
    heading.current?.scrollIntoView?.({ block: 'nearest' });
  }, [f]);

  const grants = f.code === 'grant.unused';
  return (
    <section className="panel insight-detail" aria-labelledby={titleId} data-testid="insight-detail" data-code={f.code}>
      <div className="explain-head">
        <div className="insight-detail-kicker">
          <LevelBadge level={f.level} />
          <code data-testid="insight-detail-code">{f.code}</code>
        </div>
        <button type="button" className="btn-icon" onClick={onClose} aria-label="Close the finding" data-testid="insight-detail-close">
          <Icon name="close" />
        </button>
      </div>
      <h2 id={titleId} ref={heading} tabIndex={-1} className="insight-detail-title">
        <Ticked text={f.title} />
      </h2>

      <dl className="explain-request insight-facts">
        <dt>Subject</dt>
        <dd>
          <span className="mono">{subjectText(f)}</span>
          {f.subject_kind === 'task' && f.tasks.length === 0 && (
            <button type="button" className="btn btn-small insight-task-open" onClick={() => onOpenTask(f.subject)} data-testid="insight-open-task" data-task={f.subject}>
              Open the task timeline
            </button>
          )}
        </dd>
        {f.agent && (
          <>
            <dt>Agent</dt>
            <dd>
              <span className="mono">{f.agent}</span>{' '}
              <button type="button" className="link-button" onClick={() => onFilterAgent(f.agent!)}>
                all its findings
              </button>
            </dd>
          </>
        )}
        {f.team && (
          <>
            <dt>Team</dt>
            <dd>{f.team}</dd>
          </>
        )}
        <dt>{grants ? 'Unused grants' : 'Requests'}</dt>
        <dd data-testid="insight-detail-count">
          {count(f.count)}
          {!grants && (
            <span className="muted">
              {' '}
              · {count(f.allowed)} allowed · {count(Math.max(0, f.count - f.allowed))} denied
            </span>
          )}
        </dd>
        {f.first_seen && (
          <>
            <dt>First seen</dt>
            <dd>{formatTimestamp(f.first_seen)}</dd>
          </>
        )}
        {f.last_seen && (
          <>
            <dt>Last seen</dt>
            <dd>{formatTimestamp(f.last_seen)}</dd>
          </>
        )}
      </dl>

      {f.items.length > 0 && (
        <div className="insight-detail-block">
          <h3 className="group-title">Details</h3>
          <ul className="insight-items" data-testid="insight-detail-items">
            {f.items.map((item, i) => (
              <li key={i}>
                <Ticked text={item} />
              </li>
            ))}
          </ul>
        </div>
      )}

      {f.tasks.length > 0 && (
        <div className="insight-detail-block">
          <h3 className="group-title">Tasks</h3>
          <ul className="insight-task-list" data-testid="insight-detail-tasks">
            {f.tasks.map((t) => (
              <li key={t}>
                <button type="button" className="link-button mono" onClick={() => onOpenTask(t)} data-testid="insight-open-task" data-task={t}>
                  {t}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      {f.examples.length > 0 && (
        <div className="insight-detail-block">
          <h3 className="group-title">Example requests</h3>
          <ul className="id-list" data-testid="insight-detail-examples">
            {f.examples.map((id) => (
              <li key={id}>
                <code>{id}</code>
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="insight-fix" data-testid="insight-detail-fix" data-kind={f.fix.kind}>
        <h3 className="insight-fix-title">{FIX_KINDS[f.fix.kind] ?? 'How to fix'}</h3>
        <p className="insight-fix-hint">
          <Ticked text={f.fix.hint} />
        </p>
        <dl className="explain-request">
          {f.fix.file && (
            <>
              <dt>File</dt>
              <dd>
                <code>{f.fix.file}</code>
                {f.fix.field && (
                  <>
                    {' '}
                    · field <code>{f.fix.field}</code>
                  </>
                )}
              </dd>
            </>
          )}
          {f.fix.policies.length > 0 && (
            <>
              <dt>Policies</dt>
              <dd>
                <ul className="id-list">
                  {f.fix.policies.map((p) => (
                    <li key={p}>
                      <code>{p}</code>
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          {f.fix.control && (
            <>
              <dt>Control</dt>
              <dd>
                <code>{f.fix.control}</code>
              </dd>
            </>
          )}
        </dl>
      </div>
    </section>
  );
}
