// Human summaries of a validation report (pure, so they are unit-tested).
import type { ValidationReport } from '../bindings/ValidationReport';

/** `1 policy`, `2 policies`, `0 errors`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** "12 policies in 4 files — 0 errors, 1 warning". */
export function summaryText(
  report: Pick<ValidationReport, 'policy_count' | 'files' | 'error_count' | 'warning_count'> & {
    links?: ValidationReport['links'];
  },
): string {
  // `policy_count` includes template links; they are counted on their own, as the CLI does.
  const links = report.links?.length ?? 0;
  const linked = links > 0 ? ` and ${plural(links, 'template link')}` : '';
  return (
    `${plural(report.policy_count - links, 'policy', 'policies')} in ${plural(report.files.length, 'file')}${linked}` +
    ` — ${plural(report.error_count, 'error')}, ${plural(report.warning_count, 'warning')}`
  );
}

export function schemaText(report: Pick<ValidationReport, 'schema_used'>): string {
  return report.schema_used
    ? 'Validated against the workspace schema'
    : 'No schema: only syntax and policy ids were checked';
}
