// Grouping of accountability findings for the Gaps panel, and the inventory summary the
// Dashboard shows. Pure, so both are unit-tested.
import type { Finding } from '../bindings/Finding';
import type { InventoryView } from '../bindings/InventoryView';
import type { Lifecycle } from '../bindings/Lifecycle';
import type { RiskTier } from '../bindings/RiskTier';
import type { Severity } from '../bindings/Severity';
import { findingsByAgent, LIFECYCLES, parseSubject, SEVERITIES, TIERS } from './agents';

export interface SubjectGroup {
  subject: string;
  kind: string;
  id: string;
  findings: Finding[];
}

export interface SeverityGroup {
  severity: Severity;
  count: number;
  subjects: SubjectGroup[];
}

const collator = new Intl.Collator(undefined, { numeric: true });

/**
 * Findings by severity (errors first), then by subject (agents, then humans, teams and
 * files, each by id), each subject's findings by code. Severities with none are left out.
 */
export function groupFindings(findings: readonly Finding[]): SeverityGroup[] {
  const bySeverity = new Map<Severity, Map<string, Finding[]>>();
  for (const f of findings) {
    let subjects = bySeverity.get(f.severity);
    if (!subjects) bySeverity.set(f.severity, (subjects = new Map<string, Finding[]>()));
    const list = subjects.get(f.subject);
    if (list) list.push(f);
    else subjects.set(f.subject, [f]);
  }
  const groups: SeverityGroup[] = [];
  for (const severity of SEVERITIES) {
    const subjects = bySeverity.get(severity);
    if (!subjects) continue;
    const list: SubjectGroup[] = [...subjects].map(([subject, fs]) => ({
      subject,
      ...parseSubject(subject),
      findings: [...fs].sort((a, b) => collator.compare(a.code, b.code) || a.line - b.line),
    }));
    list.sort(
      (a, b) => kindRank(a.kind) - kindRank(b.kind) || collator.compare(a.id, b.id),
    );
    groups.push({ severity, count: list.reduce((n, s) => n + s.findings.length, 0), subjects: list });
  }
  return groups;
}

function kindRank(kind: string): number {
  const i = ['agent', 'human', 'team', 'file'].indexOf(kind);
  return i < 0 ? 4 : i;
}

export const SUBJECT_KIND_LABELS: Record<string, string> = {
  agent: 'Agent',
  human: 'Person',
  team: 'Team',
  file: 'File',
};

export interface InventorySummary {
  total: number;
  byTier: Record<RiskTier, number>;
  byLifecycle: Record<Lifecycle, number>;
  errors: number;
  warnings: number;
  /** Agents with at least one error or warning. */
  agentsWithGaps: number;
  /** Inventory files that did not load cleanly (some records may be missing). */
  fileProblems: number;
}

export function summarizeInventory(view: InventoryView): InventorySummary {
  const byTier = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<RiskTier, number>;
  const byLifecycle = Object.fromEntries(LIFECYCLES.map((l) => [l, 0])) as Record<Lifecycle, number>;
  for (const a of view.agents) {
    byTier[a.risk_tier]++;
    byLifecycle[a.lifecycle]++;
  }
  let agentsWithGaps = 0;
  for (const fs of findingsByAgent(view.findings).values()) {
    if (fs.some((f) => f.severity !== 'info')) agentsWithGaps++;
  }
  return {
    total: view.agents.length,
    byTier,
    byLifecycle,
    errors: view.findings.filter((f) => f.severity === 'error').length,
    warnings: view.findings.filter((f) => f.severity === 'warning').length,
    agentsWithGaps,
    fileProblems: new Set(view.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file)).size,
  };
}
