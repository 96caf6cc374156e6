import { useMemo } from 'react';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { LifecycleBadge, TierBadge } from '../components/AgentBadges';
import { ErrorBanner } from '../components/ErrorBanner';
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import { LIFECYCLES, TIERS } from '../lib/agents';
import { summarizeInventory } from '../lib/findings';
import { plural, schemaText } from '../lib/summary';
import { hrefFor, PAGE_TITLES, type Page } from '../lib/route';
import { useInventory } from '../lib/useInventory';
import { useValidation } from '../lib/useValidation';

const MORE: { page: Page; text: string }[] = [
  { page: 'frameworks', text: 'Coverage of OWASP Agentic Top 10, CSA MAESTRO and NIST AI RMF, with exports.' },
  { page: 'publish', text: 'Signed, reviewed, versioned policy bundles for your enforcement points.' },
];

export function DashboardPage({ workspace }: { workspace: WorkspaceInfo }) {
  const v = useValidation();
  const report = v.report;
  return (
    <section className="page" data-testid="page-dashboard" aria-labelledby="page-title-dashboard">
      <PageHeader page="dashboard" lead={`Overview of ${workspace.name}`} />
      {v.error && <ErrorBanner error={v.error} />}
      <div className="cards">
        <article className="card">
          <h2>Workspace</h2>
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
              <span className="muted">
                {workspace.has_schema ? ' — schema file present' : ' — no schema file yet'}
              </span>
            </dd>
            <dt>Folder</dt>
            <dd className="path" title={workspace.root}>
              {workspace.root}
            </dd>
          </dl>
        </article>

        <article className="card" data-testid="dashboard-policies">
          <h2>Policies</h2>
          {v.loading && <p className="muted">Validating…</p>}
          {report && (
            <>
              <p className="metric">
                <span className="metric-value" data-testid="dashboard-policy-count">
                  {report.policy_count}
                </span>
                <span className="metric-label">
                  {report.policy_count === 1 ? 'policy' : 'policies'} in {plural(report.files.length, 'file')}
                </span>
              </p>
              <p className="metric-row">
                <span
                  className={report.error_count > 0 ? 'text-error' : 'muted'}
                  data-testid="dashboard-error-count"
                >
                  {plural(report.error_count, 'error')}
                </span>
                <span
                  className={report.warning_count > 0 ? 'text-warning' : 'muted'}
                  data-testid="dashboard-warning-count"
                >
                  {plural(report.warning_count, 'warning')}
                </span>
              </p>
              <p className="muted small">{schemaText(report)}</p>
            </>
          )}
          <a className="card-link" href={hrefFor('policies')} data-testid="dashboard-policies-link">
            Review policies →
          </a>
        </article>

        <AgentsCard />

        {MORE.map(({ page, text }) => (
          <article key={page} className="card card-more">
            <h2>
              <Icon name={page} />
              {PAGE_TITLES[page]}
            </h2>
            <p>{text}</p>
            <a className="card-link" href={hrefFor(page)} data-testid={`dashboard-${page}-link`}>
              Open {PAGE_TITLES[page]} →
            </a>
          </article>
        ))}
      </div>
    </section>
  );
}

function AgentsCard() {
  const inv = useInventory();
  const summary = useMemo(() => (inv.view ? summarizeInventory(inv.view) : null), [inv.view]);
  return (
    <article className="card" data-testid="dashboard-agents">
      <h2>
        <Icon name="agents" />
        Agents
      </h2>
      {inv.error && <p className="text-error small">{inv.error.message}</p>}
      {inv.loading && !summary && <p className="muted">Loading the inventory…</p>}
      {summary && (
        <>
          <p className="metric">
            <span className="metric-value" data-testid="dashboard-agent-count">
              {summary.total}
            </span>
            <span className="metric-label">{summary.total === 1 ? 'agent' : 'agents'}</span>
          </p>
          <p className="metric-row">
            <span className={summary.errors > 0 ? 'text-error' : 'muted'} data-testid="dashboard-gap-errors">
              {plural(summary.errors, 'gap error')}
            </span>
            <span className={summary.warnings > 0 ? 'text-warning' : 'muted'} data-testid="dashboard-gap-warnings">
              {plural(summary.warnings, 'warning')}
            </span>
            {summary.fileProblems > 0 && (
              <span className="text-error" data-testid="dashboard-file-problems">
                {plural(summary.fileProblems, 'file')} not loaded
              </span>
            )}
          </p>
          {summary.total > 0 && (
            <>
              <ul className="breakdown" aria-label="Agents by risk tier" data-testid="dashboard-by-tier">
                {TIERS.map((t) => (
                  <li key={t} data-tier={t}>
                    <TierBadge tier={t} /> <span className="breakdown-count">{summary.byTier[t]}</span>
                  </li>
                ))}
              </ul>
              <ul className="breakdown" aria-label="Agents by lifecycle" data-testid="dashboard-by-lifecycle">
                {LIFECYCLES.map((l) => (
                  <li key={l} data-lifecycle={l}>
                    <LifecycleBadge lifecycle={l} /> <span className="breakdown-count">{summary.byLifecycle[l]}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p className="muted small">
            {summary.agentsWithGaps === 0
              ? 'Every agent has an accountable human and no open gaps.'
              : `${plural(summary.agentsWithGaps, 'agent')} with accountability gaps.`}
          </p>
        </>
      )}
      <a className="card-link" href={hrefFor('agents', 'gaps')} data-testid="dashboard-agents-link">
        Review accountability gaps →
      </a>
    </article>
  );
}
