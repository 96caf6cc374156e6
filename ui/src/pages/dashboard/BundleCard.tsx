// The last published bundle: version, when and by whom, and whether it still verifies; the
// link opens the Publish page's history.
import type { DashboardBundle } from '../../bindings/DashboardBundle';
import type { CardState } from '../../lib/dashboardCard';
import { hrefFor } from '../../lib/route';
import { formatTimestamp } from '../../lib/time';
import { CardFrame } from './CardFrame';

export function BundleCard({ card, onRetry }: { card: CardState<DashboardBundle>; onRetry: () => void }) {
  const b = card.data;
  const last = b?.last ?? null;
  const link = last ? { href: hrefFor('publish', 'history'), text: last.verified ? 'Open the history' : 'See why it fails to verify' } : { href: hrefFor('publish'), text: 'Build a bundle on Publish' };
  return (
    <CardFrame hasData={b !== null} id="bundle" title="Last published bundle" icon="publish" loading={card.loading} error={card.error} onRetry={onRetry} link={link}>
      {b && !last && (
        <p className="muted" data-testid="dashboard-bundle-empty">
          No bundle published yet — build one from the working copy on Publish, have it approved, and publish it for your
          enforcement points.
        </p>
      )}
      {last && (
        <>
          <p className="metric">
            <span className="metric-value" data-testid="dashboard-bundle-version">
              {last.version}
            </span>
            <span className={last.verified ? 'pill dash-ok' : 'pill dash-bad'} data-testid="dashboard-bundle-verified">
              {last.verified ? 'verified' : 'does not verify'}
            </span>
          </p>
          <p className="muted small" data-testid="dashboard-bundle-published">
            Published {formatTimestamp(last.published_at ?? last.created_at)}
            {last.published_by ? ` by ${last.published_by}` : ` (built by ${last.author}; published elsewhere)`} · {last.approvals} of{' '}
            {last.required_approvals ?? 1} approvals · {b?.published} published in all
          </p>
          {!last.verified && last.problems.length > 0 && (
            <ul className="dash-list small text-error">
              {last.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          {last.summary && <p className="small dash-quote">“{last.summary}”</p>}
        </>
      )}
    </CardFrame>
  );
}
