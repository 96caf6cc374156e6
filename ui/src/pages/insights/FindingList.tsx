// The findings of a report, grouped by level (worst first), as a virtualized list: a header
// per level, then one card per finding with its code, subject, counts, when it was seen and
// how to fix it. Only the cards in view are in the DOM, so a report with tens of thousands
// of task findings scrolls as fast as one with ten. Clicking a card (or Enter) opens it;
// Up and Down move between cards.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, type KeyboardEvent } from 'react';
import type { InsightFinding } from '../../bindings/InsightFinding';
import type { Level } from '../../bindings/Level';
import { groupByLevel, LEVEL_LABELS } from '../../lib/insights';
import { count } from '../../lib/simulate';
import { findingCounts, LevelBadge, seenText, subjectText, Ticked } from './FindingText';

export const HEADER_HEIGHT = 36;
export const CARD_HEIGHT = 92;

type Item = { kind: 'header'; level: Level; count: number } | { kind: 'finding'; finding: InsightFinding; id: number };

export function FindingList({
  findings,
  idOf,
  openId,
  onOpen,
  filtered,
}: {
  findings: readonly InsightFinding[];
  /** The finding's position in the report, its stable id on this page. */
  idOf: (f: InsightFinding) => number;
  openId: number | null;
  onOpen: (id: number) => void;
  filtered: boolean;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const items = useMemo<Item[]>(() => {
    const out: Item[] = [];
    for (const g of groupByLevel(findings)) {
      out.push({ kind: 'header', level: g.level, count: g.findings.length });
      for (const f of g.findings) out.push({ kind: 'finding', finding: f, id: idOf(f) });
    }
    return out;
  }, [findings, idOf]);

  // TanStack Virtual keeps its own state outside React; the compiler must not memoize it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (items[i]?.kind === 'header' ? HEADER_HEIGHT : CARD_HEIGHT),
    overscan: 6,
  });

  const focusCard = (index: number) => {
    virtualizer.scrollToIndex(index, { align: 'auto' });
    requestAnimationFrame(() => {
      scroller.current?.querySelector<HTMLElement>(`[data-index="${index}"] .insight-card`)?.focus();
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const at = Number((e.target as HTMLElement).closest<HTMLElement>('[data-index]')?.dataset.index ?? NaN);
    if (Number.isNaN(at)) return;
    const step = e.key === 'ArrowDown' ? 1 : -1;
    for (let i = at + step; i >= 0 && i < items.length; i += step) {
      if (items[i]?.kind === 'finding') {
        e.preventDefault();
        focusCard(i);
        return;
      }
    }
  };

  return (
    <div
      ref={scroller}
      className="insight-list"
      role="list"
      aria-label="Findings"
      data-testid="insights-findings"
      data-total={findings.length}
      onKeyDown={onKeyDown}
    >
      {findings.length === 0 ? (
        <p className="vtable-empty" data-testid="insights-findings-empty">
          {filtered ? 'No finding matches the filters.' : 'No findings: the traffic matches the inventory and the policies.'}
        </p>
      ) : (
        <div className="vtable-body" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((v) => {
            const item = items[v.index]!;
            const style = { transform: `translateY(${v.start}px)`, height: v.size };
            if (item.kind === 'header') {
              return (
                <div
                  key={`h-${item.level}`}
                  role="listitem"
                  className="insight-group"
                  data-index={v.index}
                  data-testid="insights-group"
                  data-level={item.level}
                  data-count={item.count}
                  style={style}
                >
                  <LevelBadge level={item.level} />
                  <span className="heading-count" aria-label={`${count(item.count)} ${LEVEL_LABELS[item.level].toLowerCase()} findings`}>
                    {count(item.count)}
                  </span>
                </div>
              );
            }
            const f = item.finding;
            const open = item.id === openId;
            return (
              <div key={item.id} role="listitem" className="insight-row" data-index={v.index} style={style}>
                <button
                  type="button"
                  className={open ? `insight-card level-${f.level} selected` : `insight-card level-${f.level}`}
                  aria-current={open || undefined}
                  onClick={() => onOpen(item.id)}
                  data-testid="insight-card"
                  data-code={f.code}
                  data-level={f.level}
                  data-subject-kind={f.subject_kind}
                  data-subject={f.subject}
                  data-tasks={f.tasks.join(' ')}
                >
                  <span className="insight-card-head">
                    <code className="insight-code">{f.code}</code>
                    <span className="insight-subject" title={subjectText(f)}>
                      {subjectText(f)}
                    </span>
                    {f.team && <span className="insight-team">{f.team}</span>}
                    <span className="insight-counts">{findingCounts(f)}</span>
                  </span>
                  <span className="insight-title" title={f.title}>
                    <Ticked text={f.title} />
                  </span>
                  <span className="insight-card-foot">
                    <span className="insight-hint" title={f.fix.hint}>
                      <Ticked text={f.fix.hint} />
                    </span>
                    <span className="insight-seen">{seenText(f)}</span>
                  </span>
                </button>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
