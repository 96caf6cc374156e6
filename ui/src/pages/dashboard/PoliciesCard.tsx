// Validation status: policies and files, errors and warnings; with errors, the link opens the
// first one at its file and line in the Policies page.
import type { ApiError } from '../../bindings/ApiError';
import type { ValidationReport } from '../../bindings/ValidationReport';
import { diagnosticHref, firstError, location } from '../../lib/dashboard';
import { hrefFor } from '../../lib/route';
import { plural, schemaText } from '../../lib/summary';
import { CardFrame } from './CardFrame';

export function PoliciesCard({
  report,
  loading,
  error,
  onRetry,
}: {
  report: ValidationReport | null;
  loading: boolean;
  error: ApiError | null;
  onRetry: () => void;
}) {
  const first = report ? firstError(report) : null;
  const link = first
    ? { href: diagnosticHref(first), text: `Fix ${location(first)}` }
    : { href: hrefFor('policies'), text: report && report.policy_count === 0 ? 'Add policies from the library' : 'Review policies' };
  return (
    <CardFrame hasData={report !== null} id="policies" title="Validation" icon="policies" loading={loading} error={error} onRetry={onRetry} computing="Validating…" link={link}>
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
            <span className={report.error_count > 0 ? 'text-error' : 'muted'} data-testid="dashboard-error-count">
              {plural(report.error_count, 'error')}
            </span>
            <span className={report.warning_count > 0 ? 'text-warning' : 'muted'} data-testid="dashboard-warning-count">
              {plural(report.warning_count, 'warning')}
            </span>
          </p>
          {first ? (
            <p className="small dash-first-error" data-testid="dashboard-first-error">
              <code>{location(first)}</code> {first.message}
            </p>
          ) : (
            <p className="muted small">
              {report.policy_count === 0 ? 'No policies yet: add the library controls on the Policies page.' : schemaText(report)}
            </p>
          )}
        </>
      )}
    </CardFrame>
  );
}
