// Pure helpers of the Insights page: finding filters and groups, the series behind the
// charts, and how a task step's recorded decision compares with today's. Kept out of the
// components so they are unit-tested.
import type { Activity } from '../bindings/Activity';
import type { Bucket } from '../bindings/Bucket';
import type { FieldCoverage } from '../bindings/FieldCoverage';
import type { InsightFinding } from '../bindings/InsightFinding';
import type { InsightsReport } from '../bindings/InsightsReport';
import type { Level } from '../bindings/Level';
import type { TaskStep } from '../bindings/TaskStep';
import type { ToolUse } from '../bindings/ToolUse';

/** Worst first: the order findings are grouped and summed in. */
export const LEVELS: readonly Level[] = ['critical', 'high', 'medium', 'low'];

export const LEVEL_LABELS: Record<Level, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** What a code's first part is about (`scope.tool` → `Scope`), for grouping the code picker. */
export const FAMILY_LABELS: Record<string, string> = {
  shadow: 'Shadow agents',
  scope: 'Out of scope',
  grant: 'Unused grants',
  retry: 'Deny retries',
  chain: 'Task chains',
  credential: 'Credentials',
  logging: 'Logging',
};

export function familyOf(code: string): string {
  return code.split('.')[0] ?? code;
}

/** The client-side filter over a report's findings; `''` means any. */
export interface FindingFilter {
  agent: string;
  team: string;
  /** A code (`scope.tool`) or a whole family (`scope.*`). */
  code: string;
  level: Level | '';
  /** Text in the title, subject, code or items. */
  search: string;
}

export const NO_FINDING_FILTER: FindingFilter = { agent: '', team: '', code: '', level: '', search: '' };

export function isFiltered(f: FindingFilter): boolean {
  return f.agent !== '' || f.team !== '' || f.code !== '' || f.level !== '' || f.search.trim() !== '';
}

/** The agent a finding is about: its `agent`, else its subject when that is an agent. */
export function findingAgent(f: InsightFinding): string | null {
  return f.agent ?? (f.subject_kind === 'agent' && f.subject !== '' ? f.subject : null);
}

function codeMatches(code: string, wanted: string): boolean {
  if (wanted === '') return true;
  if (wanted.endsWith('.*')) return code.startsWith(wanted.slice(0, -1));
  return code === wanted;
}

/** The findings matching every part of `filter`, in their report order. */
export function filterFindings(findings: readonly InsightFinding[], filter: FindingFilter): InsightFinding[] {
  const text = filter.search.trim().toLowerCase();
  return findings.filter(
    (f) =>
      (filter.agent === '' || findingAgent(f) === filter.agent) &&
      (filter.team === '' || f.team === filter.team) &&
      codeMatches(f.code, filter.code) &&
      (filter.level === '' || f.level === filter.level) &&
      (text === '' ||
        [f.title, f.subject, f.code, ...f.items, ...f.tasks].some((s) => s.toLowerCase().includes(text))),
  );
}

/** Findings per level, worst first, only levels that have some; report order within a level. */
export function groupByLevel(findings: readonly InsightFinding[]): { level: Level; findings: InsightFinding[] }[] {
  return LEVELS.map((level) => ({ level, findings: findings.filter((f) => f.level === level) })).filter(
    (g) => g.findings.length > 0,
  );
}

export function levelCounts(findings: readonly InsightFinding[]): Record<Level, number> {
  const counts: Record<Level, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.level]++;
  return counts;
}

export interface Option {
  value: string;
  count: number;
}

export interface FilterOptions {
  agents: Option[];
  teams: Option[];
  /** Codes by family, families in `FAMILY_LABELS` order, codes by name. */
  families: { family: string; codes: Option[]; count: number }[];
}

function tally(values: Iterable<string>): Option[] {
  const by = new Map<string, number>();
  for (const v of values) by.set(v, (by.get(v) ?? 0) + 1);
  return [...by.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => a.value.localeCompare(b.value));
}

/** The agents, teams and codes the findings name, each with how many findings it has. */
export function filterOptions(findings: readonly InsightFinding[]): FilterOptions {
  const agents = tally(findings.map(findingAgent).filter((a): a is string => a !== null));
  const teams = tally(findings.map((f) => f.team).filter((t): t is string => t !== null));
  const codes = tally(findings.map((f) => f.code));
  const order = Object.keys(FAMILY_LABELS);
  const rank = (family: string) => (order.includes(family) ? order.indexOf(family) : order.length);
  const families = new Map<string, Option[]>();
  for (const c of codes) {
    const family = familyOf(c.value);
    families.set(family, [...(families.get(family) ?? []), c]);
  }
  return {
    agents,
    teams,
    families: [...families.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([family, list]) => ({ family, codes: list, count: list.reduce((n, c) => n + c.count, 0) })),
  };
}

/**
 * Findings grouped by code, worst level first, then the most findings first: an agent with
 * forty task chains reads as one line per kind of problem.
 */
export function findingsByCode(findings: readonly InsightFinding[]): { code: string; level: Level; findings: InsightFinding[] }[] {
  const by = new Map<string, InsightFinding[]>();
  for (const f of findings) by.set(f.code, [...(by.get(f.code) ?? []), f]);
  const worst = (list: InsightFinding[]) => Math.min(...list.map((f) => LEVELS.indexOf(f.level)));
  return [...by.entries()]
    .map(([code, list]) => ({ code, level: LEVELS[worst(list)]!, findings: list }))
    .sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || b.findings.length - a.findings.length || a.code.localeCompare(b.code));
}

/** The tasks a finding is about: those it lists (a chain finding names the tasks of its
 * agent), else its subject when that is a task. */
export function tasksOf(f: InsightFinding): string[] {
  if (f.tasks.length > 0) return [...f.tasks];
  return f.subject_kind === 'task' && f.subject !== '' ? [f.subject] : [];
}

/** Task ids that have findings, in report order (for the task picker). */
export function tasksWithFindings(findings: readonly InsightFinding[]): string[] {
  const out: string[] = [];
  for (const f of findings) for (const t of tasksOf(f)) if (!out.includes(t)) out.push(t);
  return out;
}

// ---- Summary ----

export type Tone = 'neutral' | 'deny' | 'warning' | 'critical' | 'high' | 'medium' | 'low';

export interface SummaryCard {
  key: string;
  label: string;
  value: number;
  tone: Tone;
  hint: string;
  /** Clicking the card filters the findings to this level. */
  level?: Level;
}

export function summaryCards(report: InsightsReport): SummaryCard[] {
  const counts = levelCounts(report.findings);
  const cards: SummaryCard[] = [
    { key: 'requests', label: 'Requests', value: report.requests, tone: 'neutral', hint: 'Recorded requests in the set and window' },
    {
      key: 'denies',
      label: 'Denied',
      value: report.denies,
      tone: report.denies > 0 ? 'deny' : 'neutral',
      hint: 'Recorded as denied by production',
    },
    { key: 'agents', label: 'Agents', value: report.agents, tone: 'neutral', hint: 'Distinct agents that made a request' },
    { key: 'tasks', label: 'Tasks', value: report.tasks, tone: 'neutral', hint: 'Distinct task ids' },
    {
      key: 'findings',
      label: 'Findings',
      value: report.findings.length,
      tone: report.findings.length > 0 ? 'warning' : 'neutral',
      hint: 'Everything the analysis found, at every level',
    },
  ];
  for (const level of LEVELS) {
    cards.push({
      key: level,
      label: LEVEL_LABELS[level],
      value: counts[level],
      tone: counts[level] > 0 ? level : 'neutral',
      hint: `Findings at level ${level} (click to show only those)`,
      level,
    });
  }
  return cards;
}

// ---- Charts ----

/** One series of a stacked chart: a value per bucket. */
export interface Series {
  key: string;
  values: number[];
  /** The `series-N` colour index; `null` for the grey "other" series. */
  color: number | null;
}

/**
 * Requests per bucket split by the busiest agents, plus "other agents" (the bucket's total
 * minus theirs, which also counts principals that are not agents). Empty series are dropped.
 */
export function agentSeries(activity: Activity): Series[] {
  const n = activity.buckets.length;
  const series: Series[] = activity.agents.map((a, i) => ({
    key: a.agent,
    values: Array.from({ length: n }, (_, b) => a.counts[b] ?? 0),
    color: i,
  }));
  const other = activity.buckets.map((b, i) => Math.max(0, b.requests - series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)));
  if (other.some((v) => v > 0)) series.push({ key: 'other agents', values: other, color: null });
  return series.filter((s) => s.values.some((v) => v > 0));
}

/** Each series' [bottom, top] per bucket, stacked in series order. */
export function stack(series: readonly Series[]): [number, number][][] {
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const base = new Array<number>(n).fill(0);
  return series.map((s) =>
    base.map((y0, i) => {
      const y1 = y0 + (s.values[i] ?? 0);
      base[i] = y1;
      return [y0, y1] as [number, number];
    }),
  );
}

/** The tallest stack. */
export function stackMax(series: readonly Series[]): number {
  const layers = stack(series);
  const top = layers[layers.length - 1];
  return top ? Math.max(0, ...top.map(([, y1]) => y1)) : 0;
}

/** A round axis maximum at or above `n`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(n: number): number {
  if (n <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (n <= step * power) return step * power;
  }
  return 10 * power;
}

/** Requests, denies and the deny share per bucket. */
export function denySeries(buckets: readonly Bucket[]): { start: string; requests: number; denies: number; rate: number }[] {
  return buckets.map((b) => ({
    start: b.start,
    requests: b.requests,
    denies: b.denies,
    rate: b.requests > 0 ? b.denies / b.requests : 0,
  }));
}

/** The most used tools (the report's order: busiest first), at most `limit`. */
export function toolRows(tools: readonly ToolUse[], limit = 10): ToolUse[] {
  return [...tools].sort((a, b) => b.requests - a.requests || a.tool.localeCompare(b.tool)).slice(0, limit);
}

/** A bucket's start as an axis label: the hour for `hour` buckets, the date otherwise. */
export function bucketLabel(start: string, unit: string, locale?: string): string {
  const d = new Date(start);
  if (Number.isNaN(d.getTime())) return start;
  if (unit === 'hour') {
    return d.toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  return d.toLocaleDateString(locale, { month: 'short', day: 'numeric' });
}

/** Indices of at most `max` evenly spaced axis labels, always the first and the last. */
export function labelIndices(n: number, max = 5): number[] {
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let k = 0; k < max; k++) out.add(Math.round((k * (n - 1)) / (max - 1)));
  return [...out].sort((a, b) => a - b);
}

// ---- Logging ----

/** A field's coverage in whole percent (100 when nothing was expected to carry it). */
export function coveragePercent(f: Pick<FieldCoverage, 'present' | 'expected'>): number {
  if (f.expected <= 0) return 100;
  const p = (f.present / f.expected) * 100;
  // Never round a gap away: 99.99 % is shown as 99, not 100.
  return f.present < f.expected ? Math.min(99, Math.floor(p)) : 100;
}

/** Fields missing on some request first (least covered first), then the complete ones. */
export function coverageRows(fields: readonly FieldCoverage[]): FieldCoverage[] {
  return [...fields].sort((a, b) => {
    const ra = a.expected > 0 ? a.present / a.expected : 1;
    const rb = b.expected > 0 ? b.present / b.expected : 1;
    return ra - rb || a.field.localeCompare(b.field);
  });
}

// ---- Task timeline ----

export type StepChange = 'same' | 'decision' | 'reasons' | 'error' | 'unrecorded';

/** How a step's recorded production decision compares with what the policies decide now. */
export function stepChange(step: TaskStep): StepChange {
  if (step.current_error !== null || step.current === null) return 'error';
  if (step.recorded === null) return 'unrecorded';
  if (step.recorded !== step.current) return 'decision';
  // Production often records no reasons; only compare when it did.
  if (step.recorded_reasons.length === 0) return 'same';
  const a = [...step.recorded_reasons].sort();
  const b = [...step.current_reasons].sort();
  return a.length === b.length && a.every((r, i) => r === b[i]) ? 'same' : 'reasons';
}

/** Steps whose recorded decision or reasons differ from today's. */
export function changedSteps(steps: readonly TaskStep[]): number {
  return steps.filter((s) => {
    const c = stepChange(s);
    return c === 'decision' || c === 'reasons';
  }).length;
}

/** `Acme::Tool` → `Tool`. */
export function shortType(type: string): string {
  return type.split('::').pop() ?? type;
}
