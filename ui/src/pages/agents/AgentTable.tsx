// The agents table: sortable columns and virtualized rows, so 10,000 agents scroll smoothly.
//
// Only the rows in view (plus an overscan) are in the DOM. Rows have a fixed height, so no
// measuring is needed. Keyboard: the rows are one tab stop; arrows, Page Up/Down, Home and
// End move between rows and Enter opens one.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState, type KeyboardEvent } from 'react';
import { LifecycleBadge, TierBadge } from '../../components/AgentBadges';
import type { AgentRow, SortKey, SortState } from '../../lib/agents';

export const ROW_HEIGHT = 44;

const COLUMNS: { key: SortKey; label: string; className?: string }[] = [
  { key: 'id', label: 'Agent' },
  { key: 'team', label: 'Owner team' },
  { key: 'accountable', label: 'Accountable' },
  { key: 'tier', label: 'Tier' },
  { key: 'environment', label: 'Env' },
  { key: 'lifecycle', label: 'Lifecycle' },
  { key: 'gaps', label: 'Gaps', className: 'num' },
];

const ACCOUNTABLE_FLAGS = {
  ok: null,
  missing: 'none',
  unknown: 'not in people.toml',
  departed: 'departed',
} as const;

export function AgentTable({
  rows,
  total,
  sort,
  onSort,
  onOpen,
  selectedId,
}: {
  rows: readonly AgentRow[];
  total: number;
  sort: SortState;
  onSort: (key: SortKey) => void;
  onOpen: (id: string) => void;
  selectedId: string | null;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  // TanStack Virtual keeps its own state outside React; the compiler must not memoize it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    // The row may only exist after the scroll renders it.
    requestAnimationFrame(() => {
      scroller.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus();
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const keys: Record<string, number> = {
      ArrowDown: activeIndex + 1,
      ArrowUp: activeIndex - 1,
      PageDown: activeIndex + page,
      PageUp: activeIndex - page,
      Home: 0,
      End: rows.length - 1,
    };
    const target = keys[e.key];
    if (target !== undefined && rows.length > 0) {
      e.preventDefault();
      moveTo(target);
    } else if (e.key === 'Enter' || e.key === ' ') {
      const row = rows[activeIndex];
      if (row) {
        e.preventDefault();
        onOpen(row.agent.id);
      }
    }
  };

  return (
    <div
      className="vtable"
      role="table"
      aria-label="Agents"
      aria-rowcount={rows.length + 1}
      data-testid="agents-table"
    >
      <div className="vtable-head" role="rowgroup">
        <div className="vtable-row vtable-header-row" role="row" aria-rowindex={1}>
          {COLUMNS.map((c) => {
            const sorted = sort.key === c.key;
            return (
              <div
                key={c.key}
                role="columnheader"
                className={c.className ? `vtable-cell ${c.className}` : 'vtable-cell'}
                aria-sort={sorted ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                data-testid={`agents-sort-${c.key}`}
              >
                <button type="button" className="sort-button" onClick={() => onSort(c.key)}>
                  {c.label}
                  <span className={sorted ? 'sort-arrow sort-arrow-on' : 'sort-arrow'} aria-hidden="true">
                    {sorted && sort.dir === 'desc' ? '▼' : '▲'}
                  </span>
                </button>
              </div>
            );
          })}
        </div>
      </div>
      <div ref={scroller} className="vtable-scroll" data-testid="agents-scroll">
        {rows.length === 0 ? (
          <p className="vtable-empty" data-testid="agents-empty">
            {total === 0 ? 'No agents in the inventory yet. Add one to get started.' : 'No agents match the filters.'}
          </p>
        ) : (
          <div
            role="rowgroup"
            className="vtable-body"
            onKeyDown={onKeyDown}
            // The height makes the scrollbar represent every row, not just the rendered ones.
            style={{ height: virtualizer.getTotalSize() }}
          >
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index]!;
              const a = row.agent;
              const flag = ACCOUNTABLE_FLAGS[row.accountableStatus];
              const selected = a.id === selectedId;
              return (
                <div
                  key={a.id}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-current={selected || undefined}
                  tabIndex={item.index === activeIndex ? 0 : -1}
                  className={selected ? 'vtable-row vtable-data-row selected' : 'vtable-row vtable-data-row'}
                  data-testid="agent-row"
                  data-id={a.id}
                  data-index={item.index}
                  style={{ transform: `translateY(${item.start}px)` }}
                  onClick={() => {
                    setActive(item.index);
                    onOpen(a.id);
                  }}
                  onFocus={() => setActive(item.index)}
                >
                  <div role="cell" className="vtable-cell cell-agent">
                    <span className="cell-id">{a.id}</span>
                    <span className="cell-name" title={a.purpose ?? a.name}>
                      {a.name}
                    </span>
                  </div>
                  <div role="cell" className="vtable-cell cell-ellipsis" title={row.teamName}>
                    {row.teamName}
                  </div>
                  <div role="cell" className="vtable-cell cell-ellipsis" data-status={row.accountableStatus}>
                    {row.accountableName && <span className={flag ? 'text-error' : undefined}>{row.accountableName}</span>}
                    {flag && <span className="acc-flag">{row.accountableName ? ` (${flag})` : flag}</span>}
                  </div>
                  <div role="cell" className="vtable-cell">
                    <TierBadge tier={a.risk_tier} />
                  </div>
                  <div role="cell" className="vtable-cell">
                    <span className={`env env-${a.environment}`}>{a.environment}</span>
                  </div>
                  <div role="cell" className="vtable-cell">
                    <LifecycleBadge lifecycle={a.lifecycle} />
                  </div>
                  <div role="cell" className="vtable-cell num" data-testid="agent-gaps">
                    <GapCell errors={row.gaps.error} warnings={row.gaps.warning} infos={row.gaps.info} />
                  </div>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

function GapCell({ errors, warnings, infos }: { errors: number; warnings: number; infos: number }) {
  const total = errors + warnings + infos;
  if (total === 0) return <span className="muted" aria-label="no gaps">0</span>;
  const label = [
    errors ? `${errors} error${errors === 1 ? '' : 's'}` : '',
    warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '',
    infos ? `${infos} note${infos === 1 ? '' : 's'}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const cls = errors ? 'count count-error' : warnings ? 'count count-warning' : 'count count-zero';
  return (
    <span className={cls} title={label} aria-label={label}>
      {total}
    </span>
  );
}
