// Agents by risk tier and lifecycle, and the accountability gaps; the link opens the Agents
// page's Gaps view.
import { useMemo } from 'react';
import { LifecycleBadge, TierBadge } from '../../components/AgentBadges';
import { LIFECYCLES, TIERS } from '../../lib/agents';
import { summarizeInventory } from '../../lib/findings';
import { hrefFor } from '../../lib/route';
import { plural } from '../../lib/summary';
import { useInventory } from '../../lib/useInventory';
import { CardFrame } from './CardFrame';

export function AgentsCard() {
  const inv = useInventory();
  const summary = useMemo(() => (inv.view ? summarizeInventory(inv.view) : null), [inv.view]);
  // The card is about accountability: its link always opens the Gaps view.
  const link = summary
    ? { href: hrefFor('agents', 'gaps'), text: summary.agentsWithGaps > 0 ? 'Review accountability gaps' : 'Open the accountability view' }
    : null;
  return (
    <CardFrame hasData={summary !== null}
      id="agents"
      title="Agents"
      icon="agents"
      loading={inv.loading}
      error={inv.error}
      onRetry={() => void inv.refetch()}
      computing="Loading the inventory…"
      link={link}
    >
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
          <p className="muted small" data-testid="dashboard-gaps-text">
            {summary.total === 0
              ? 'No agents yet: register each AI agent with its owner, accountable human and risk tier.'
              : summary.agentsWithGaps === 0
                ? 'Every agent has an accountable human and no open gaps.'
                : `${plural(summary.agentsWithGaps, 'agent')} with accountability gaps.`}
          </p>
        </>
      )}
    </CardFrame>
  );
}
