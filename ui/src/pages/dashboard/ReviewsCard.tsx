// What waits for someone: reviews without a verdict (each opens its run on Simulate, where
// the review is) and built bundles short of a signature or approvals (Publish).
import type { DashboardReviews } from '../../bindings/DashboardReviews';
import type { CardState } from '../../lib/dashboardCard';
import { runHref, waitingCount } from '../../lib/dashboard';
import { hrefFor } from '../../lib/route';
import { plural } from '../../lib/summary';
import { formatTimestamp } from '../../lib/time';
import { CardFrame } from './CardFrame';

/** Items listed before "and N more". */
const SHOWN = 3;

export function ReviewsCard({ card, onRetry }: { card: CardState<DashboardReviews>; onRetry: () => void }) {
  const r = card.data;
  const first = r?.open[0];
  const link = !r
    ? null
    : first
      ? { href: runHref(first.run_id), text: 'Continue the open review' }
      : r.awaiting.length > 0
        ? { href: hrefFor('publish'), text: 'Collect approvals on Publish' }
        : { href: hrefFor('simulate'), text: 'Review a change on Simulate' };
  return (
    <CardFrame hasData={r !== null} id="reviews" title="Reviews and approvals" icon="publish" loading={card.loading} error={card.error} onRetry={onRetry} link={link}>
      {r && (
        <>
          <p className="metric">
            <span className="metric-value" data-testid="dashboard-waiting-count">
              {waitingCount(r)}
            </span>
            <span className="metric-label">waiting</span>
          </p>
          {waitingCount(r) === 0 && (
            <p className="muted" data-testid="dashboard-reviews-empty">
              Nothing waiting: no open review and no bundle short of approvals. Replay a change on Simulate and open a review of it
              before you publish.
            </p>
          )}
          {r.open.length > 0 && (
            <div>
              <h3 className="dash-subhead">{plural(r.open.length, 'open review')}</h3>
              <ul className="dash-list" data-testid="dashboard-open-reviews">
                {r.open.slice(0, SHOWN).map((rv) => (
                  <li key={rv.name}>
                    <a href={runHref(rv.run_id)}>{rv.name}</a>{' '}
                    <span className="muted small">
                      {rv.unacknowledged > 0 ? `${plural(rv.unacknowledged, 'group')} to acknowledge` : 'ready for a verdict'}
                      {rv.stale && ' · stale: the policies moved'} · opened {formatTimestamp(rv.opened_at)}
                    </span>
                  </li>
                ))}
                {r.open.length > SHOWN && <li className="muted small">and {r.open.length - SHOWN} more</li>}
              </ul>
            </div>
          )}
          {r.awaiting.length > 0 && (
            <div>
              <h3 className="dash-subhead">{plural(r.awaiting.length, 'bundle')} awaiting approval</h3>
              <ul className="dash-list" data-testid="dashboard-awaiting">
                {r.awaiting.slice(0, SHOWN).map((b) => (
                  <li key={b.path}>
                    <a href={hrefFor('publish')}>{b.version}</a>{' '}
                    <span className="muted small">
                      {b.signed ? '' : 'not signed · '}
                      {b.approvals} of {b.required} approvals · <code>{b.path}</code>
                    </span>
                  </li>
                ))}
                {r.awaiting.length > SHOWN && <li className="muted small">and {r.awaiting.length - SHOWN} more</li>}
              </ul>
            </div>
          )}
          {r.problems.length > 0 && (
            <ul className="dash-list small text-error" data-testid="dashboard-draft-problems">
              {r.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </CardFrame>
  );
}
