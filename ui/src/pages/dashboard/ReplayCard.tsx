// The last replay: how many decisions changed, when, on which set, comparing what with what;
// the link opens that run on the Simulate page.
import type { DashboardReplay } from '../../bindings/DashboardReplay';
import type { CardState } from '../../lib/dashboardCard';
import { runHref, sidesText } from '../../lib/dashboard';
import { hrefFor } from '../../lib/route';
import { formatTimestamp } from '../../lib/time';
import { CardFrame } from './CardFrame';

export function ReplayCard({ card, onRetry }: { card: CardState<DashboardReplay>; onRetry: () => void }) {
  const r = card.data;
  const run = r?.run ?? null;
  const link = run
    ? { href: runHref(run.id), text: run.changed > 0 ? 'Review the changed decisions' : 'Open the run' }
    : { href: hrefFor('simulate'), text: r && !r.has_traffic ? 'Import traffic on Simulate' : 'Replay on Simulate' };
  return (
    <CardFrame hasData={r !== null} id="replay" title="Last replay" icon="simulate" loading={card.loading} error={card.error} onRetry={onRetry} link={link}>
      {r && !run && (
        <p className="muted" data-testid="dashboard-replay-empty">
          {!r.has_traffic
            ? 'No traffic imported yet — import recorded requests on Simulate, then replay a policy change against them.'
            : 'No replay yet — replay recorded traffic against your working copy on Simulate before you publish.'}
        </p>
      )}
      {run && (
        <>
          <p className="metric">
            <span className="metric-value" data-testid="dashboard-replay-changed">
              {run.changed.toLocaleString()}
            </span>
            <span className="metric-label">
              changed {run.changed === 1 ? 'decision' : 'decisions'} of {run.requests.toLocaleString()}
            </span>
          </p>
          {run.changed > 0 && (
            <p className="metric-row small">
              <span className={run.allow_to_deny > 0 ? 'text-warning' : 'muted'}>{run.allow_to_deny.toLocaleString()} allow → deny</span>
              <span className={run.deny_to_allow > 0 ? 'text-error' : 'muted'}>{run.deny_to_allow.toLocaleString()} deny → allow</span>
              {run.new_errors > 0 && <span className="text-error">{run.new_errors.toLocaleString()} new errors</span>}
            </p>
          )}
          <p className="muted small" data-testid="dashboard-replay-sides">
            Run {run.id}: <code>{sidesText(run)}</code> on <code>{run.set}</code>, {formatTimestamp(run.completed_at ?? run.started_at)} by{' '}
            {run.actor}
          </p>
        </>
      )}
    </CardFrame>
  );
}
