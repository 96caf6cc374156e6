// A strip of tabs with a roving tabindex (Agents, Publish): only the selected tab is in the
// Tab order; ArrowLeft / ArrowRight select the previous / next tab, wrapping at the ends,
// and move the focus to it. Tab `t` gets the id and `data-testid` `${idPrefix}-tab-${t}`
// and controls the panel with the id `${idPrefix}-panel-${t}`, which the page renders.
import type { ReactNode } from 'react';

export interface TabsProps<T extends string> {
  /** The tabs, in order. */
  tabs: readonly T[];
  /** What each tab says. */
  labels: Record<T, ReactNode>;
  selected: T;
  onSelect: (tab: T) => void;
  /** The tablist's `aria-label`. */
  label: string;
  /** Prefix of the tabs' ids and `data-testid`s and of the panels' ids. */
  idPrefix: string;
  /** Shown after a tab's label, e.g. a count. */
  extra?: Partial<Record<T, ReactNode>>;
}

export function Tabs<T extends string>({ tabs, labels, selected, onSelect, label, idPrefix, extra }: TabsProps<T>) {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${t}`}
          aria-selected={selected === t}
          aria-controls={`${idPrefix}-panel-${t}`}
          tabIndex={selected === t ? 0 : -1}
          className="tab"
          data-testid={`${idPrefix}-tab-${t}`}
          onClick={() => onSelect(t)}
          onKeyDown={(e) => {
            const i = tabs.indexOf(t);
            const n = tabs.length;
            const next = e.key === 'ArrowRight' ? tabs[(i + 1) % n] : e.key === 'ArrowLeft' ? tabs[(i + n - 1) % n] : undefined;
            if (next) {
              e.preventDefault();
              onSelect(next);
              document.getElementById(`${idPrefix}-tab-${next}`)?.focus();
            }
          }}
        >
          {labels[t]}
          {extra?.[t]}
        </button>
      ))}
    </div>
  );
}
