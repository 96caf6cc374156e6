// The review of a replay run: open one, acknowledge its groups of changed decisions with a
// comment, and record a verdict. A group is every change with the same action, decisions and
// determining policies; groups are chosen here (or all open groups of an action), or by
// selecting changed rows in the results, each of which stands for its group. Approve stays
// disabled while a group is unacknowledged, and the core refuses it too (`review_refused`).
import { useId, useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { ReplayRun } from '../../bindings/ReplayRun';
import type { Review } from '../../bindings/Review';
import type { ReviewChange } from '../../bindings/ReviewChange';
import type { VerdictKind } from '../../bindings/VerdictKind';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { count, openGroupsFor, reviewActions } from '../../lib/simulate';
import { plural } from '../../lib/summary';
import { formatTimestamp } from '../../lib/time';
import { entityId } from './ResultsTable';

export function ReviewBar({
  run,
  review,
  selectedRows,
  onClearRows,
  onReview,
  onShowRequest,
}: {
  run: ReplayRun;
  /** `undefined` while loading. */
  review: Review | null | undefined;
  /** Changed requests selected in the results; each acknowledges its group. */
  selectedRows: ReadonlySet<string>;
  onClearRows: () => void;
  onReview: (review: Review) => void;
  /** Shows one request in the results (an example of a group). */
  onShowRequest: (id: string) => void;
}) {
  const backend = useBackend();
  const uid = useId();
  const [busy, setBusy] = useState<'open' | 'ack' | VerdictKind | null>(null);
  const [groups, setGroups] = useState<ReadonlySet<string>>(() => new Set());
  const [error, setError] = useState<ApiError | null>(null);
  const [ackComment, setAckComment] = useState('');
  const [verdictComment, setVerdictComment] = useState('');
  const [action, setAction] = useState('');

  const act = async (what: NonNullable<typeof busy>, call: () => Promise<Review>, after?: () => void) => {
    if (busy) return;
    setBusy(what);
    setError(null);
    try {
      onReview(await call());
      after?.();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  if (review === undefined) {
    return (
      <section className="panel review" data-testid="review-bar" aria-busy="true">
        <p className="muted">Reading the review…</p>
      </section>
    );
  }

  if (review === null) {
    return (
      <section className="panel review review-none" data-testid="review-bar" aria-labelledby={`${uid}-title`}>
        <div className="review-row">
          <div>
            <h2 id={`${uid}-title`}>Review</h2>
            <p className="muted small">
              Open a review to acknowledge each changed decision and record a verdict. It is kept in the workspace, beside the
              policies.
            </p>
          </div>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy !== null || run.status !== 'complete'}
            onClick={() => void act('open', () => backend.openReview(run.id))}
            data-testid="review-open"
          >
            {busy === 'open' ? 'Opening…' : 'Open review'}
          </button>
        </div>
        {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      </section>
    );
  }

  const actions = reviewActions(review);
  const chosen = actions.find((a) => a.action === action) ?? actions.find((a) => a.open > 0) ?? actions[0];
  const changes = review.record.changes;
  const verdict = review.verdict;
  const nothingSelected = groups.size === 0 && selectedRows.size === 0;
  const toggleGroup = (key: string) =>
    setGroups((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const selection = [
    groups.size > 0 ? plural(groups.size, 'group') : '',
    selectedRows.size > 0 ? `${plural(selectedRows.size, 'changed row')} (their groups)` : '',
  ]
    .filter(Boolean)
    .join(' and ');

  return (
    <section className="panel review" data-testid="review-bar" aria-labelledby={`${uid}-title`} data-review={review.name}>
      <div className="review-row">
        <div>
          <h2 id={`${uid}-title`}>
            Review <code>{review.name}</code>
            {review.stale && (
              <span className="badge badge-warning" data-testid="review-stale" title="The candidate policies changed since the review was opened">
                stale
              </span>
            )}
            {verdict && (
              <span
                className={verdict.verdict === 'approve' ? 'badge badge-ok' : 'badge badge-error'}
                data-testid="review-verdict"
                data-verdict={verdict.verdict}
              >
                {verdict.verdict === 'approve' ? 'approved' : 'changes requested'}
              </span>
            )}
          </h2>
          <p className="muted small">
            Opened by {review.record.opened_by} on {formatTimestamp(review.record.opened_at)} ·{' '}
            <span className="mono">{review.path}</span>
            {verdict && (
              <>
                {' '}
                · {verdict.verdict === 'approve' ? 'approved' : 'changes requested'} by {verdict.by} on {formatTimestamp(verdict.at)}
                {verdict.comment && <>: “{verdict.comment}”</>}
              </>
            )}
          </p>
          {review.stale && (
            <p className="text-warning small" role="status">
              The candidate policies changed since this review was opened: replay again and open a new review to approve.
            </p>
          )}
        </div>
        <p className="review-count" data-testid="review-unacked" data-count={review.unacknowledged}>
          <strong>{count(review.unacknowledged)}</strong> of {plural(changes.length, 'group')} unacknowledged
          <span className="muted small"> · {plural(review.record.changed, 'changed decision')}</span>
        </p>
      </div>

      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}

      {changes.length > 0 && (
        <ul className="review-groups" aria-label="Groups of changed decisions" data-testid="review-groups">
          {changes.map((c) => (
            <Group
              key={c.key}
              change={c}
              checked={groups.has(c.key)}
              onToggle={() => toggleGroup(c.key)}
              onShowRequest={onShowRequest}
            />
          ))}
        </ul>
      )}

      <div className="review-forms">
        <fieldset className="review-ack" disabled={review.unacknowledged === 0}>
          <legend>Acknowledge</legend>
          <p className="small" data-testid="review-selected">
            {nothingSelected ? 'Choose groups above or changed rows in the results, or:' : `${selection} selected`}
            {!nothingSelected && (
              <button
                type="button"
                className="link-button review-clear"
                onClick={() => {
                  setGroups(new Set());
                  onClearRows();
                }}
              >
                clear
              </button>
            )}
          </p>
          {actions.length > 0 && chosen && (
            <div className="review-inline">
              <label className="visually-hidden" htmlFor={`${uid}-action`}>
                Action
              </label>
              <select
                id={`${uid}-action`}
                className="input"
                value={chosen.action}
                onChange={(e) => setAction(e.target.value)}
                data-testid="review-action"
              >
                {actions.map((a) => (
                  <option key={a.action} value={a.action}>
                    {entityId(a.action)} ({a.open} open of {plural(a.groups, 'group')})
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="btn btn-small"
                disabled={chosen.open === 0}
                onClick={() => setGroups((prev) => new Set([...prev, ...openGroupsFor(review, chosen.action)]))}
                data-testid="review-select-action"
              >
                Select all open with this action
              </button>
            </div>
          )}
          <div className="review-inline">
            <label className="visually-hidden" htmlFor={`${uid}-ack-comment`}>
              Acknowledgement comment
            </label>
            <input
              id={`${uid}-ack-comment`}
              className="input"
              placeholder="Why these changes are expected"
              value={ackComment}
              onChange={(e) => setAckComment(e.target.value)}
              data-testid="review-ack-comment"
            />
            <button
              type="button"
              className="btn btn-primary btn-small"
              disabled={busy !== null || nothingSelected || ackComment.trim() === ''}
              title={ackComment.trim() === '' ? 'Say why the changes are expected' : undefined}
              onClick={() =>
                void act(
                  'ack',
                  () => backend.ackChanges(review.name, { groups: [...groups], ids: [...selectedRows] }, ackComment.trim()),
                  () => {
                    setGroups(new Set());
                    onClearRows();
                    setAckComment('');
                  },
                )
              }
              data-testid="review-ack"
            >
              {busy === 'ack' ? 'Acknowledging…' : 'Acknowledge'}
            </button>
          </div>
        </fieldset>

        <fieldset className="review-verdict">
          <legend>Verdict</legend>
          <div className="review-inline">
            <label className="visually-hidden" htmlFor={`${uid}-verdict-comment`}>
              Verdict comment
            </label>
            <input
              id={`${uid}-verdict-comment`}
              className="input"
              placeholder="Comment (optional)"
              value={verdictComment}
              onChange={(e) => setVerdictComment(e.target.value)}
              data-testid="review-verdict-comment"
            />
            <button
              type="button"
              className="btn btn-primary btn-small"
              disabled={busy !== null || review.unacknowledged > 0 || review.stale}
              aria-describedby={review.unacknowledged > 0 || review.stale ? `${uid}-approve-why` : undefined}
              onClick={() => void act('approve', () => backend.recordVerdict(review.name, 'approve', verdictComment.trim()))}
              data-testid="review-approve"
            >
              {busy === 'approve' ? 'Approving…' : 'Approve'}
            </button>
            <button
              type="button"
              className="btn btn-small btn-danger-outline"
              disabled={busy !== null}
              onClick={() => void act('request-changes', () => backend.recordVerdict(review.name, 'request-changes', verdictComment.trim()))}
              data-testid="review-request-changes"
            >
              {busy === 'request-changes' ? 'Recording…' : 'Request changes'}
            </button>
          </div>
          {(review.unacknowledged > 0 || review.stale) && (
            <p id={`${uid}-approve-why`} className="muted small">
              {review.stale
                ? 'A stale review cannot be approved.'
                : 'Approve is available once every group of changed decisions is acknowledged.'}
            </p>
          )}
        </fieldset>
      </div>
    </section>
  );
}

function Group({
  change: c,
  checked,
  onToggle,
  onShowRequest,
}: {
  change: ReviewChange;
  checked: boolean;
  onToggle: () => void;
  onShowRequest: (id: string) => void;
}) {
  const tone = c.transition === 'allow→deny' ? 'deny' : c.transition === 'deny→allow' ? 'allow' : 'other';
  const reasons = (r: string[]) => (r.length === 0 ? 'no policy' : r.join(', '));
  return (
    <li className={c.ack ? 'review-group acked-group' : 'review-group'} data-testid="review-group" data-key={c.key} data-acked={!!c.ack}>
      <label className="review-group-main">
        {c.ack ? (
          <span className="acked" aria-label="acknowledged">
            ✓
          </span>
        ) : (
          <input type="checkbox" checked={checked} onChange={onToggle} data-testid="review-group-select" />
        )}
        <span className="review-group-action mono">{entityId(c.action)}</span>
        <span className={`change change-${tone}`}>{c.transition.replace('→', ' → ')}</span>
        <span className="review-group-reasons small">
          <code>{reasons(c.baseline_reasons)}</code> → <code>{reasons(c.candidate_reasons)}</code>
        </span>
        <span className="review-group-count">{plural(c.count, 'decision')}</span>
      </label>
      <p className="review-group-meta small muted">
        {c.examples.length > 0 && (
          <>
            e.g.{' '}
            {c.examples.map((id, i) => (
              <span key={id}>
                {i > 0 && ', '}
                <button type="button" className="link-button" onClick={() => onShowRequest(id)} title="Show in the results">
                  {id}
                </button>
              </span>
            ))}
          </>
        )}
        {c.ack && (
          <span className="review-group-ack" data-testid="review-group-ack">
            {' '}
            · acknowledged by {c.ack.by}: “{c.ack.comment}”
          </span>
        )}
      </p>
    </li>
  );
}
