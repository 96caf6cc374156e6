// The Dashboard's logic (pure, so it is unit-tested): where each card's link goes and the
// short texts the cards show.
import type { DashboardReviews } from '../bindings/DashboardReviews';
import type { DashboardRun } from '../bindings/DashboardRun';
import type { Diagnostic } from '../bindings/Diagnostic';
import type { ValidationReport } from '../bindings/ValidationReport';
import { hrefFor, policyHref } from './route';

/** The first error of a validation report (they come sorted by file and line), or `null`. */
export function firstError(report: Pick<ValidationReport, 'diagnostics'>): Diagnostic | null {
  return report.diagnostics.find((d) => d.severity === 'error') ?? null;
}

/** Where fixing a diagnostic starts: the policy file at its line, else the Policies page. */
export function diagnosticHref(d: Pick<Diagnostic, 'file' | 'line'>): string {
  return d.file.startsWith('policies/') && d.file.endsWith('.cedar') ? policyHref(d.file, d.line) : hrefFor('policies');
}

/** `policies/a.cedar:12`, or the file alone without a line. */
export function location(d: Pick<Diagnostic, 'file' | 'line'>): string {
  return d.line ? `${d.file}:${d.line}` : d.file;
}

/** `70%`, `12.5%`: one decimal at most. */
export function percentText(p: number): string {
  return `${Math.round(p * 10) / 10}%`;
}

/** A run on the Simulate page (its review is shown with it). */
export function runHref(runId: number): string {
  return hrefFor('simulate', `run-${runId}`);
}

/** `git:HEAD → working copy`. */
export function sidesText(run: Pick<DashboardRun, 'baseline' | 'candidate'>): string {
  return `${run.baseline} → ${run.candidate}`;
}

/** How many things wait for someone on the reviews card. */
export function waitingCount(r: Pick<DashboardReviews, 'open' | 'awaiting'>): number {
  return r.open.length + r.awaiting.length;
}
