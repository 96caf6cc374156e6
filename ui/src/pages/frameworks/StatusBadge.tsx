// The small pieces every Frameworks view shows coverage with: a status badge, an evidence
// state badge, the "unverified" tag of an item the research could not confirm.
import type { CoverageStatus } from '../../bindings/CoverageStatus';
import type { EvidenceState } from '../../bindings/EvidenceState';
import { EVIDENCE_STATE_LABELS, STATUS_LABELS } from '../../lib/frameworks';

export function StatusBadge({ status }: { status: CoverageStatus }) {
  return (
    <span className={`cov-badge cov-${status}`} data-testid="status-badge" data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}

export function EvidenceBadge({ state }: { state: EvidenceState }) {
  return (
    <span className={`cov-badge ev-${state}`} data-testid="evidence-state" data-state={state}>
      {EVIDENCE_STATE_LABELS[state]}
    </span>
  );
}

export function UnverifiedTag() {
  return (
    <span className="tag tag-unverified" title="Sources disagree, or the primary document could not be read: check it against the source">
      unverified
    </span>
  );
}
