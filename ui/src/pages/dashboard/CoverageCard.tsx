// Framework coverage: each framework's implemented share of its applicable items; the link
// opens the Frameworks page with its gaps. Coverage re-evaluates the newest recorded set
// when it changed, so it can take seconds the first time.
import type { DashboardCoverage } from '../../bindings/DashboardCoverage';
import type { CardState } from '../../lib/dashboardCard';
import type { OperationState } from '../../lib/useProgressEvents';
import { CancelledNotice, OperationProgressRow } from '../../components/OperationStatus';
import { percentText } from '../../lib/dashboard';
import { hrefFor } from '../../lib/route';
import { plural } from '../../lib/summary';
import { CardFrame } from './CardFrame';

export function CoverageCard({ card, op, onRetry }: { card: CardState<DashboardCoverage>; op: OperationState; onRetry: () => void }) {
  const c = card.data;
  const link = { href: hrefFor('frameworks'), text: c && c.gaps > 0 ? `Close ${plural(c.gaps, 'coverage gap')} in Frameworks` : 'Open Frameworks' };
  return (
    <CardFrame hasData={c !== null}
      id="coverage"
      title="Framework coverage"
      icon="frameworks"
      loading={card.loading}
      error={card.error}
      onRetry={onRetry}
      computing="Computing coverage from the controls and their evidence…"
      link={link}
      busy={
        op.running ? (
          <OperationProgressRow
            label="Computing coverage"
            progress={op.progress}
            fallback="Computing coverage from the controls and their evidence…"
            cancelling={op.cancelling}
            onCancel={op.cancel}
            testId="dashboard-coverage-progress"
          />
        ) : undefined
      }
      notice={
        card.cancelled ? <CancelledNotice what="the coverage computation" again="Compute again" onAgain={onRetry} testId="dashboard-coverage-cancelled" /> : undefined
      }
    >
      {c && (
        <>
          {c.frameworks.length === 0 ? (
            <p className="muted">No framework catalogs: import one on the Frameworks page.</p>
          ) : (
            <ul className="dash-coverage" data-testid="dashboard-coverage-list">
              {c.frameworks.map((f) => (
                <li key={f.id} data-framework={f.id}>
                  <span className="dash-coverage-name" title={f.id}>
                    {f.short_title}
                  </span>
                  <span className="dash-coverage-bar" aria-hidden="true">
                    <span style={{ width: `${Math.min(100, Math.max(0, f.percent))}%` }} />
                  </span>
                  <span className="dash-coverage-value" data-testid="dashboard-coverage-percent">
                    {percentText(f.percent)}
                  </span>
                  <span className="visually-hidden">
                    {' '}
                    ({f.implemented} of {f.applicable} applicable items implemented)
                  </span>
                </li>
              ))}
            </ul>
          )}
          <p className="muted small">
            {c.traffic_set ? (
              <>
                Evidence includes traffic from <code>{c.traffic_set}</code>.
              </>
            ) : (
              'No recorded traffic counts as evidence yet.'
            )}
          </p>
        </>
      )}
    </CardFrame>
  );
}
