// The Dashboard: the first hour of a governance lead. One card per question — is the
// workspace valid, which agents lack accountability, what traffic shows, how much of each
// framework is covered, what the last replay changed, what waits for a review or approval,
// what was published last — each with real numbers from the core and a link to the page
// (and view) that fixes it. Every card loads on its own: a slow one says it is computing and
// never holds up the rest.
import type { Change } from '../bindings/Change';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import { useCard } from '../lib/dashboardCard';
import { useOperation } from '../lib/useProgressEvents';
import { useValidation } from '../lib/useValidation';
import { AgentsCard } from './dashboard/AgentsCard';
import { BundleCard } from './dashboard/BundleCard';
import { CoverageCard } from './dashboard/CoverageCard';
import { PoliciesCard } from './dashboard/PoliciesCard';
import { ReplayCard } from './dashboard/ReplayCard';
import { ReviewsCard } from './dashboard/ReviewsCard';
import { TrafficCard } from './dashboard/TrafficCard';
import './dashboard/Dashboard.css';

/** Any edit on disk can change insights and coverage (inventory, policies, controls, config). */
const anyChange = (changes: Change[]) => changes.length > 0;
const INSIGHTS_OPS = ['insights'] as const;
const COVERAGE_OPS = ['coverage'] as const;
/** Trusted keys live in mandate.toml: a bundle's verification follows it. */
const configChange = (changes: Change[]) => changes.some((c) => c.kind === 'config_changed');

export function DashboardPage({ workspace }: { workspace: WorkspaceInfo }) {
  const v = useValidation();
  // The two cards that read every recorded request run as cancellable operations, with the
  // core's progress; leaving the page cancels them.
  const trafficOp = useOperation('insights', INSIGHTS_OPS);
  const coverageOp = useOperation('coverage', COVERAGE_OPS);
  const traffic = useCard((b) => b.dashboardTraffic(), { refreshOn: anyChange, op: trafficOp });
  // Coverage reads the same insights report as the traffic card: asked for once that one is
  // in (from the session's cache), instead of both computing it at once on a busy machine.
  const coverageReady = !traffic.loading || traffic.data !== null || traffic.error !== null || traffic.cancelled;
  const coverage = useCard((b) => b.dashboardCoverage(), { refreshOn: anyChange, ready: coverageReady, op: coverageOp });
  const replay = useCard((b) => b.dashboardReplay());
  const reviews = useCard((b) => b.dashboardReviews(), { refreshOn: configChange });
  const bundle = useCard((b) => b.dashboardBundle(), { refreshOn: configChange });
  const refresh = () => {
    v.revalidate();
    for (const card of [traffic, coverage, replay, reviews, bundle]) card.reload();
  };
  return (
    <section className="page" data-testid="page-dashboard" aria-labelledby="page-title-dashboard">
      <PageHeader page="dashboard" lead={`Overview of ${workspace.name}: what needs attention, and where to fix it.`}>
        <button type="button" className="btn" onClick={refresh} data-testid="dashboard-refresh">
          <Icon name="refresh" />
          Refresh
        </button>
      </PageHeader>
      <div className="cards dash-cards">
        <PoliciesCard report={v.report} loading={v.loading} error={v.error} onRetry={v.revalidate} />
        <AgentsCard />
        <TrafficCard card={traffic} op={trafficOp} onRetry={traffic.reload} />
        <CoverageCard card={coverage} op={coverageOp} onRetry={coverage.reload} />
        <ReplayCard card={replay} onRetry={replay.reload} />
        <ReviewsCard card={reviews} onRetry={reviews.reload} />
        <BundleCard card={bundle} onRetry={bundle.reload} />
        <article className="card card-more" data-testid="dashboard-workspace" aria-labelledby="dashboard-workspace-title">
          <h2 id="dashboard-workspace-title">Workspace</h2>
          <dl className="facts">
            <dt>Name</dt>
            <dd>{workspace.name}</dd>
            <dt>Namespace</dt>
            <dd>
              <code>{workspace.namespace}</code>
            </dd>
            <dt>Schema</dt>
            <dd>
              {workspace.schema_mode}
              <span className="muted">{workspace.has_schema ? ' — schema file present' : ' — no schema file yet'}</span>
            </dd>
            <dt>Folder</dt>
            <dd className="path" title={workspace.root}>
              {workspace.root}
            </dd>
          </dl>
          <a className="card-link" href="#/audit" data-testid="dashboard-audit-link">
            Who changed what: the audit log →
          </a>
        </article>
      </div>
    </section>
  );
}
