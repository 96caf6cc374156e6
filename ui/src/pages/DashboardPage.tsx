import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { ErrorBanner } from '../components/ErrorBanner';
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import { plural, schemaText } from '../lib/summary';
import { hrefFor, PAGE_TITLES, type Page } from '../lib/route';
import { useValidation } from '../lib/useValidation';

const PLANNED: { page: Page; text: string }[] = [
  { page: 'agents', text: 'Your AI agents, who is accountable for each, risk tiers and accountability gaps.' },
  { page: 'simulate', text: 'Replay recorded requests against a draft policy change and read the decision diff.' },
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

        {PLANNED.map(({ page, text }) => (
          <article key={page} className="card card-planned">
            <h2>
              <Icon name={page} />
              {PAGE_TITLES[page]}
            </h2>
            <p>{text}</p>
            <a className="card-link" href={hrefFor(page)}>
              What is coming →
            </a>
          </article>
        ))}
      </div>
    </section>
  );
}
