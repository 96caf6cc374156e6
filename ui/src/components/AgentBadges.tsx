// Coloured badges for an agent's risk tier and lifecycle state (colours live in styles.css).
import type { Lifecycle } from '../bindings/Lifecycle';
import type { RiskTier } from '../bindings/RiskTier';
import { LIFECYCLE_LABELS } from '../lib/agents';

export function TierBadge({ tier }: { tier: RiskTier }) {
  return (
    <span className={`pill tier tier-${tier}`} data-tier={tier}>
      <span className="pill-dot" aria-hidden="true" />
      {tier}
    </span>
  );
}

export function LifecycleBadge({ lifecycle, testId }: { lifecycle: Lifecycle; testId?: string }) {
  return (
    <span className={`pill lifecycle lifecycle-${lifecycle}`} data-lifecycle={lifecycle} data-testid={testId}>
      {LIFECYCLE_LABELS[lifecycle]}
    </span>
  );
}
