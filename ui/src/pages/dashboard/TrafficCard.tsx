// Traffic insights over the request set imported last: requests, agents, findings by level
// and the worst finding codes; the link opens the Insights page. Reading every recorded
// request can take seconds the first time: the card says it is computing meanwhile.
import type { DashboardTraffic } from '../../bindings/DashboardTraffic';
import { LevelBadge } from '../insights/FindingText';
import type { CardState } from '../../lib/dashboardCard';
import type { OperationState } from '../../lib/useProgressEvents';
import { CancelledNotice, OperationProgressRow } from '../../components/OperationStatus';
import { hrefFor } from '../../lib/route';
import { plural } from '../../lib/summary';
import { formatTimestamp } from '../../lib/time';
import { CardFrame } from './CardFrame';

export function TrafficCard({ card, op, onRetry }: { card: CardState<DashboardTraffic>; op: OperationState; onRetry: () => void }) {
  const t = card.data;
  const empty = t !== null && t.set === null;
  const link = !t
    ? { href: hrefFor('insights'), text: 'Open Insights' }
    : empty
      ? { href: hrefFor('simulate'), text: 'Import traffic on Simulate' }
      : { href: hrefFor('insights'), text: t.findings > 0 ? `Review ${plural(t.findings, 'finding')} in Insights` : 'Open Insights' };
  return (
    <CardFrame hasData={t !== null}
      id="traffic"
      title="Traffic insights"
      icon="insights"
      loading={card.loading}
      error={card.error}
      onRetry={onRetry}
      computing="Computing insights over the newest recorded requests…"
      link={link}
      busy={
        op.running ? (
          <OperationProgressRow
            label="Computing traffic insights"
            progress={op.progress}
            fallback="Computing insights over the newest recorded requests…"
            cancelling={op.cancelling}
            onCancel={op.cancel}
            testId="dashboard-traffic-progress"
          />
        ) : undefined
      }
      notice={
        card.cancelled ? <CancelledNotice what="the traffic analysis" again="Compute again" onAgain={onRetry} testId="dashboard-traffic-cancelled" /> : undefined
      }
    >
      {t && empty && (
        <p className="muted" data-testid="dashboard-traffic-empty">
          No traffic imported yet — import recorded requests on Simulate to see what agents actually do.
        </p>
      )}
      {t && !empty && (
        <>
          <p className="metric">
            <span className="metric-value" data-testid="dashboard-traffic-findings">
              {t.findings.toLocaleString()}
            </span>
            <span className="metric-label">{t.findings === 1 ? 'finding' : 'findings'}</span>
          </p>
          <p className="muted small" data-testid="dashboard-traffic-requests">
            {t.requests.toLocaleString()} requests by {plural(t.agents, 'agent')} in set <code>{t.set}</code>
            {t.denies > 0 && <> · {t.denies.toLocaleString()} denied</>}
          </p>
          <ul className="breakdown dash-levels" aria-label="Findings by level" data-testid="dashboard-traffic-levels">
            {t.by_level.map((l) => (
              <li key={l.level} data-level={l.level}>
                <LevelBadge level={l.level} /> <span className="breakdown-count">{l.findings}</span>
              </li>
            ))}
          </ul>
          {t.top.length > 0 && (
            <ul className="dash-list small" aria-label="Worst finding codes">
              {t.top.map((c) => (
                <li key={c.code}>
                  <code>{c.code}</code> <span className="muted">× {c.findings}</span>
                </li>
              ))}
            </ul>
          )}
          {t.last_seen && <p className="muted small">Newest request {formatTimestamp(t.last_seen)}</p>}
        </>
      )}
    </CardFrame>
  );
}
