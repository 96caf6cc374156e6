// The results of one replay run: a virtualized table paged from the core's SQLite store.
//
// Only the rows in view (plus an overscan) are in the DOM, and only the pages holding them
// are fetched, `PAGE_SIZE` rows at a time; a run of a million requests is never loaded whole.
// Fetched pages are kept (up to `MAX_CACHED_PAGES`) so scrolling back does not refetch. The
// parent keys this component by run and filter, so a new filter starts from an empty cache.
// Keyboard: the rows are one tab stop; arrows, Page Up/Down, Home and End move; Enter opens
// the explanation; Space selects a changed row for acknowledgement while a review is open.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { ResultFilter } from '../../bindings/ResultFilter';
import type { ResultRow } from '../../bindings/ResultRow';
import type { SideResult } from '../../bindings/SideResult';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { count, groupKey, hasErrors, PAGE_SIZE, pagesFor, rowAt, transition, withPage, type Pages } from '../../lib/simulate';

export const RESULT_ROW_HEIGHT = 40;

const TRANSITION_LABELS = {
  'allow→deny': 'allow → deny',
  'deny→allow': 'deny → allow',
  reasons: 'other reasons',
  same: 'same',
} as const;

/** `Acme::Agent::"faq-bot"` → `faq-bot`; anything else as it is. */
export function entityId(uid: string): string {
  const m = /::"((?:[^"\\]|\\.)*)"$/.exec(uid);
  return m ? m[1]! : uid;
}

export function ResultsTable({
  runId,
  filter,
  selectable,
  selected,
  ackedGroups,
  openSeq,
  onOpen,
  onToggle,
  onTotal,
}: {
  runId: number;
  filter: ResultFilter;
  /** Whether changed rows can be selected (a review is open). */
  selectable: boolean;
  selected: ReadonlySet<string>;
  /** Keys of the review groups acknowledged, also since the rows were fetched. */
  ackedGroups: ReadonlySet<string>;
  /** The row whose explanation is shown. */
  openSeq: number | null;
  onOpen: (row: ResultRow) => void;
  onToggle: (row: ResultRow) => void;
  onTotal?: (total: number) => void;
}) {
  const backend = useBackend();
  const scroller = useRef<HTMLDivElement>(null);
  const [pages, setPages] = useState<Pages>(() => new Map());
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [active, setActive] = useState(0);
  // Pages asked for and not yet answered, so a scroll does not ask twice.
  const inflight = useRef(new Set<number>());
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const rowCount = total ?? 0;
  // TanStack Virtual keeps its own state outside React; the compiler must not memoize it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => RESULT_ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  // Until the first page says how many rows match, ask for the first page only.
  const wanted = total === null ? [0] : pagesFor(first, last);
  const wantedKey = wanted.join(',');

  useEffect(() => {
    if (error) return;
    for (const page of wantedKey ? wantedKey.split(',').map(Number) : []) {
      if (pages.has(page) || inflight.current.has(page)) continue;
      inflight.current.add(page);
      backend.replayResults(runId, filter, page * PAGE_SIZE, PAGE_SIZE).then(
        (result) => {
          inflight.current.delete(page);
          if (!alive.current) return;
          setPages((prev) => withPage(prev, page, result.rows));
          setTotal(result.total);
        },
        (e: unknown) => {
          inflight.current.delete(page);
          if (alive.current) setError(toApiError(e));
        },
      );
    }
  }, [backend, runId, filter, wantedKey, pages, error]);

  useEffect(() => {
    if (total !== null) onTotal?.(total);
  }, [total, onTotal]);

  const activeIndex = Math.min(active, Math.max(0, rowCount - 1));

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rowCount - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    requestAnimationFrame(() => {
      scroller.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus();
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // The focused row, even before its focus event has re-rendered the table.
    const focused = Number((e.target as HTMLElement).closest<HTMLElement>('[data-index]')?.dataset.index ?? NaN);
    const at = Number.isNaN(focused) ? activeIndex : focused;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / RESULT_ROW_HEIGHT) - 1);
    const keys: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1,
      PageDown: at + page,
      PageUp: at - page,
      Home: 0,
      End: rowCount - 1,
    };
    const target = keys[e.key];
    if (target !== undefined && rowCount > 0) {
      e.preventDefault();
      moveTo(target);
      return;
    }
    const row = rowAt(pages, at);
    if (!row) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      onOpen(row);
    } else if (e.key === ' ') {
      e.preventDefault();
      if (selectable && row.changed && !row.acknowledged && !ackedGroups.has(groupKey(row))) onToggle(row);
      else onOpen(row);
    }
  };

  const filtered = filter.changed_only || filter.errors_only || !!filter.search;

  return (
    <div className="results-wrap">
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <div
        className="vtable results-table"
        role="table"
        aria-label="Replay results"
        aria-rowcount={rowCount + 1}
        aria-busy={total === null || undefined}
        data-testid="results-table"
        data-total={total ?? ''}
      >
        <div className="vtable-head" role="rowgroup">
          <div className="vtable-row vtable-header-row results-row" role="row" aria-rowindex={1}>
            <div role="columnheader" className="vtable-cell">
              <span className="visually-hidden">Selected</span>
            </div>
            <div role="columnheader" className="vtable-cell num">
              #
            </div>
            <div role="columnheader" className="vtable-cell">
              Request
            </div>
            <div role="columnheader" className="vtable-cell">
              Principal
            </div>
            <div role="columnheader" className="vtable-cell">
              Action
            </div>
            <div role="columnheader" className="vtable-cell">
              Resource
            </div>
            <div role="columnheader" className="vtable-cell">
              Baseline
            </div>
            <div role="columnheader" className="vtable-cell">
              Candidate
            </div>
            <div role="columnheader" className="vtable-cell">
              Change
            </div>
          </div>
        </div>
        <div ref={scroller} className="vtable-scroll" data-testid="results-scroll">
          {total === 0 ? (
            <p className="vtable-empty" data-testid="results-empty">
              {filtered ? 'No results match the filters.' : 'This run has no results.'}
            </p>
          ) : total === null && !error ? (
            <p className="vtable-empty" aria-busy="true">
              Loading results…
            </p>
          ) : (
            <div role="rowgroup" className="vtable-body" onKeyDown={onKeyDown} style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const row = rowAt(pages, item.index);
                const style = { transform: `translateY(${item.start}px)` };
                if (!row) {
                  return (
                    <div
                      key={`loading-${item.index}`}
                      role="row"
                      aria-rowindex={item.index + 2}
                      aria-busy="true"
                      className="vtable-row vtable-data-row results-row results-loading"
                      data-index={item.index}
                      data-testid="result-row-loading"
                      tabIndex={item.index === activeIndex ? 0 : -1}
                      style={style}
                    >
                      <div role="cell" className="vtable-cell muted">
                        Loading…
                      </div>
                    </div>
                  );
                }
                const acked = row.changed && (row.acknowledged || ackedGroups.has(groupKey(row)));
                const canSelect = selectable && row.changed && !acked;
                const open = row.seq === openSeq;
                const t = transition(row.baseline, row.candidate, row.changed);
                const errors = hasErrors(row);
                return (
                  <div
                    key={row.seq}
                    role="row"
                    aria-rowindex={item.index + 2}
                    aria-current={open || undefined}
                    aria-selected={canSelect ? selected.has(row.id) : undefined}
                    tabIndex={item.index === activeIndex ? 0 : -1}
                    className={open ? 'vtable-row vtable-data-row results-row selected' : 'vtable-row vtable-data-row results-row'}
                    data-testid="result-row"
                    data-seq={row.seq}
                    data-id={row.id}
                    data-changed={row.changed}
                    data-index={item.index}
                    style={style}
                    onClick={() => {
                      setActive(item.index);
                      onOpen(row);
                    }}
                    onFocus={() => setActive(item.index)}
                  >
                    <div role="cell" className="vtable-cell cell-check">
                      {canSelect && (
                        <input
                          type="checkbox"
                          checked={selected.has(row.id)}
                          aria-label={`Select ${row.id} to acknowledge its group`}
                          tabIndex={-1}
                          data-testid="result-select"
                          onClick={(e) => e.stopPropagation()}
                          onChange={() => onToggle(row)}
                        />
                      )}
                    </div>
                    <div role="cell" className="vtable-cell num muted">
                      {count(row.seq + 1)}
                    </div>
                    <div role="cell" className="vtable-cell cell-ellipsis mono" title={row.id}>
                      {row.id}
                    </div>
                    <div role="cell" className="vtable-cell cell-ellipsis" title={row.principal}>
                      {entityId(row.principal)}
                    </div>
                    <div role="cell" className="vtable-cell cell-ellipsis" title={row.action}>
                      {entityId(row.action)}
                    </div>
                    <div role="cell" className="vtable-cell cell-ellipsis" title={row.resource}>
                      {entityId(row.resource)}
                    </div>
                    <div role="cell" className="vtable-cell">
                      <SideCell side={row.baseline} />
                    </div>
                    <div role="cell" className="vtable-cell">
                      <SideCell side={row.candidate} />
                    </div>
                    <div role="cell" className="vtable-cell cell-change" data-transition={t}>
                      {t !== 'same' && <span className={`change change-${t === 'allow→deny' ? 'deny' : t === 'deny→allow' ? 'allow' : 'other'}`}>{TRANSITION_LABELS[t]}</span>}
                      {errors && (
                        <span className="change change-error" title="A policy errored on a side">
                          error
                        </span>
                      )}
                      {acked && (
                        <span className="acked" title="Acknowledged in the review" aria-label="acknowledged">
                          ✓
                        </span>
                      )}
                    </div>
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
      <p className="results-count muted small" aria-live="polite" data-testid="results-count">
        {total === null ? '' : `${count(total)} ${filtered ? 'matching ' : ''}result${total === 1 ? '' : 's'}`}
      </p>
    </div>
  );
}

function SideCell({ side }: { side: SideResult }) {
  const reasons = side.reasons.length > 0 ? side.reasons.join(', ') : 'no policy applies';
  const errors = side.errors.length > 0 ? `; errors in ${side.errors.join(', ')}` : '';
  return (
    <span className={`verdict verdict-${side.decision === 'allow' ? 'allow' : 'deny'}`} title={`${reasons}${errors}`}>
      {side.decision}
    </span>
  );
}
