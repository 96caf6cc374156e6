// Small pieces every Insights view shows a finding with: its level badge, its counts, its
// subject and when it was seen, and the core's text with `backticked` ids set as code.
import type { InsightFinding } from '../../bindings/InsightFinding';
import type { Level } from '../../bindings/Level';
import { count } from '../../lib/simulate';
import { formatTimestamp } from '../../lib/time';

export function LevelBadge({ level }: { level: Level }) {
  return (
    <span className={`pill tier-${level} level-badge`} data-level={level}>
      <span className="pill-dot" aria-hidden="true" />
      {level}
    </span>
  );
}

/** `211 requests · 2 allowed`; unused grants count grants, not requests. */
export function findingCounts(f: InsightFinding): string {
  if (f.code === 'grant.unused') return `${count(f.count)} unused grant${f.count === 1 ? '' : 's'}`;
  const requests = `${count(f.count)} request${f.count === 1 ? '' : 's'}`;
  return `${requests} · ${count(f.allowed)} allowed`;
}

/** `agent billing-bot`, `task task-00042`, `workspace`. */
export function subjectText(f: InsightFinding): string {
  return f.subject === '' ? f.subject_kind : `${f.subject_kind} ${f.subject}`;
}

export function seenText(f: Pick<InsightFinding, 'first_seen' | 'last_seen'>): string {
  if (!f.first_seen && !f.last_seen) return '';
  if (f.first_seen === f.last_seen || !f.last_seen) return formatTimestamp(f.first_seen ?? '');
  if (!f.first_seen) return formatTimestamp(f.last_seen);
  return `${formatTimestamp(f.first_seen)} – ${formatTimestamp(f.last_seen)}`;
}

/** Text with `backticked` parts shown as code (the core quotes ids that way). */
export function Ticked({ text }: { text: string }) {
  const parts = text.split('`');
  return (
    <>
      {parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p}</code> : <span key={i}>{p}</span>))}
    </>
  );
}
