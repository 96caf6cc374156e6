// Pure helpers of the Simulate page: the page cache behind the results table, the summary
// metrics, chart rows and review selections. Kept out of the components so they are unit-tested.
import type { Breakdown } from '../bindings/Breakdown';
import type { ResultFilter } from '../bindings/ResultFilter';
import type { ResultRow } from '../bindings/ResultRow';
import type { Review } from '../bindings/Review';
import type { SideResult } from '../bindings/SideResult';
import type { SimulateSummary } from '../bindings/SimulateSummary';

/**
 * Rows fetched per `replay_results` call. Big enough that a fast scroll needs few round trips,
 * small enough that a page arrives well within a frame budget's worth of IPC.
 */
export const PAGE_SIZE = 200;

/**
 * Pages kept in memory. A run can have a million results; the cache keeps the pages nearest
 * the rows in view and forgets the rest, so memory does not grow with the run.
 */
export const MAX_CACHED_PAGES = 25;

/** The pages holding rows `first..=last` (inclusive), in order. */
export function pagesFor(first: number, last: number, pageSize = PAGE_SIZE): number[] {
  if (last < first || last < 0) return [];
  const out: number[] = [];
  for (let p = Math.floor(Math.max(0, first) / pageSize); p <= Math.floor(last / pageSize); p++) out.push(p);
  return out;
}

/** Fetched pages of one run and filter, by page number. */
export type Pages = ReadonlyMap<number, readonly ResultRow[]>;

/** The row at `index`, when its page has been fetched. */
export function rowAt(pages: Pages, index: number, pageSize = PAGE_SIZE): ResultRow | undefined {
  return pages.get(Math.floor(index / pageSize))?.[index % pageSize];
}

/**
 * `pages` with `page` added; beyond `max` pages, the ones farthest from `page` are forgotten
 * (they are fetched again if scrolled back to).
 */
export function withPage(pages: Pages, page: number, rows: readonly ResultRow[], max = MAX_CACHED_PAGES): Pages {
  const next = new Map(pages);
  next.set(page, rows);
  if (next.size <= max) return next;
  const farthest = [...next.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
  for (const p of farthest.slice(0, next.size - max)) next.delete(p);
  return next;
}

export const NO_FILTER: ResultFilter = { changed_only: false, errors_only: false, search: null };

/** A stable key for a run and a filter: a cache or a fetch for another key is stale. */
export function resultKey(runId: number, filter: ResultFilter): string {
  return `${runId}|${filter.changed_only ? 1 : 0}|${filter.errors_only ? 1 : 0}|${filter.search ?? ''}`;
}

export type Tone = 'neutral' | 'deny' | 'allow' | 'error' | 'ok' | 'warning';

export interface Metric {
  key: keyof Omit<SimulateSummary, 'errors'>;
  label: string;
  value: number;
  tone: Tone;
  hint: string;
}

/** The summary cards, in reading order. Tones apply only when the number is not zero. */
export function summaryMetrics(s: SimulateSummary): Metric[] {
  const tone = (value: number, t: Tone): Tone => (value > 0 ? t : 'neutral');
  return [
    { key: 'requests', label: 'Requests', value: s.requests, tone: 'neutral', hint: 'Recorded requests replayed on both sides' },
    { key: 'changed', label: 'Changed', value: s.changed, tone: tone(s.changed, 'warning'), hint: 'Decision, reasons or errors differ between the sides' },
    { key: 'allow_to_deny', label: 'Allow → deny', value: s.allow_to_deny, tone: tone(s.allow_to_deny, 'deny'), hint: 'Allowed by the baseline, denied by the candidate' },
    { key: 'deny_to_allow', label: 'Deny → allow', value: s.deny_to_allow, tone: tone(s.deny_to_allow, 'allow'), hint: 'Denied by the baseline, allowed by the candidate' },
    { key: 'new_errors', label: 'New errors', value: s.new_errors, tone: tone(s.new_errors, 'error'), hint: 'A candidate policy errors where the baseline did not' },
    { key: 'resolved_errors', label: 'Resolved errors', value: s.resolved_errors, tone: tone(s.resolved_errors, 'ok'), hint: 'A baseline error the candidate no longer has' },
    { key: 'drift', label: 'Drift vs recorded', value: s.drift, tone: tone(s.drift, 'warning'), hint: 'The recorded production decision differs from the baseline' },
    { key: 'skipped', label: 'Skipped', value: s.skipped, tone: tone(s.skipped, 'warning'), hint: 'Bad records that could not be replayed' },
  ];
}

/** `1,234` in the user's locale. */
export function count(n: number | bigint): string {
  return n.toLocaleString();
}

/** The largest changes first, then by key; only keys with a change, at most `limit`. */
export function chartRows(rows: readonly Breakdown[], limit = 10): Breakdown[] {
  return rows
    .filter((r) => r.changed > 0)
    .sort((a, b) => b.changed - a.changed || a.key.localeCompare(b.key))
    .slice(0, limit);
}

export type Transition = 'allow→deny' | 'deny→allow' | 'reasons' | 'same';

/** How a result changed between the sides. */
export function transition(baseline: SideResult, candidate: SideResult, changed: boolean): Transition {
  if (!changed) return 'same';
  if (baseline.decision === 'allow' && candidate.decision === 'deny') return 'allow→deny';
  if (baseline.decision === 'deny' && candidate.decision === 'allow') return 'deny→allow';
  return 'reasons';
}

/** Whether either side of a result had a policy error. */
export function hasErrors(row: Pick<ResultRow, 'baseline' | 'candidate'>): boolean {
  return row.baseline.errors.length > 0 || row.candidate.errors.length > 0;
}

/**
 * The review group of a changed result, exactly as the core names it (`review::group_key`):
 * `action: baseline→candidate (reasons → reasons)`, with `none` for no determining policy and
 * `; errors: …` after a side's reasons when policies errored.
 */
export function groupKey(row: Pick<ResultRow, 'action' | 'baseline' | 'candidate'>): string {
  const reasons = (s: SideResult) =>
    (s.reasons.length === 0 ? 'none' : s.reasons.join(', ')) + (s.errors.length > 0 ? `; errors: ${s.errors.join(', ')}` : '');
  return `${row.action}: ${row.baseline.decision}→${row.candidate.decision} (${reasons(row.baseline)} → ${reasons(row.candidate)})`;
}

/** Keys of the review's acknowledged groups. */
export function acknowledgedGroups(review: Review | null | undefined): ReadonlySet<string> {
  return new Set(review?.record.changes.filter((c) => c.ack).map((c) => c.key) ?? []);
}

/** Actions with changes in a review, with their groups and how many are not acknowledged. */
export function reviewActions(review: Review): { action: string; groups: number; open: number; decisions: number }[] {
  const by = new Map<string, { action: string; groups: number; open: number; decisions: number }>();
  for (const c of review.record.changes) {
    const entry = by.get(c.action) ?? { action: c.action, groups: 0, open: 0, decisions: 0 };
    entry.groups++;
    entry.decisions += c.count;
    if (!c.ack) entry.open++;
    by.set(c.action, entry);
  }
  return [...by.values()].sort((a, b) => a.action.localeCompare(b.action));
}

/** Keys of the unacknowledged groups of a review with `action`. */
export function openGroupsFor(review: Review, action: string): string[] {
  return review.record.changes.filter((c) => c.action === action && !c.ack).map((c) => c.key);
}

/** A set name suggested by a file path: `…/prod-2026-05.jsonl` → `prod-2026-05`. */
export function setNameFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.[^.]*$/, '');
  return stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** A percentage for a progress bar, 0 when the total is not known yet. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.round((done / total) * 100));
}

/** A request set as pickers name it: its name and how many requests it holds. */
export function requestSetLabel(s: { name: string; requests: number }): string {
  return `${s.name} — ${count(s.requests)} request${s.requests === 1 ? '' : 's'}`;
}
