// Every framework with its coverage (the core's percentage and counts), and under it its
// groups and items: NIST functions → categories → subcategories, MAESTRO layers → threats,
// OWASP's flat lists. Items show their label (never the internal key) and status.
//
// A WAI-ARIA tree with one tab stop: Up/Down move, Right opens a group (or enters it), Left
// closes it (or goes to its parent), Home/End jump, Enter or Space selects.
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { CoverageReport } from '../../bindings/CoverageReport';
import type { FrameworkCoverage } from '../../bindings/FrameworkCoverage';
import type { ItemCoverage } from '../../bindings/ItemCoverage';
import { childrenByParent, itemTitle, percentText } from '../../lib/frameworks';
import { StatusBadge, UnverifiedTag } from './StatusBadge';

export const fwNode = (fw: string) => `fw:${fw}`;
export const itemNode = (fw: string, key: string) => `it:${fw}:${key}`;

type Row =
  | { id: string; kind: 'framework'; level: 1; fw: FrameworkCoverage; parent: null; expandable: true }
  | { id: string; kind: 'item'; level: number; fw: FrameworkCoverage; item: ItemCoverage; parent: string; expandable: boolean };

/** The rows a reader can see: frameworks, and the items under each open node. */
function visibleRows(report: CoverageReport, expanded: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  for (const fw of report.frameworks) {
    const id = fwNode(fw.id);
    rows.push({ id, kind: 'framework', level: 1, fw, parent: null, expandable: true });
    if (!expanded.has(id)) continue;
    const children = childrenByParent(fw);
    const walk = (parentKey: string | null, parentId: string, level: number, seen: Set<string>) => {
      for (const item of children.get(parentKey) ?? []) {
        if (seen.has(item.key)) continue;
        seen.add(item.key);
        const nodeId = itemNode(fw.id, item.key);
        const expandable = (children.get(item.key)?.length ?? 0) > 0;
        rows.push({ id: nodeId, kind: 'item', level, fw, item, parent: parentId, expandable });
        if (expandable && expanded.has(nodeId)) walk(item.key, nodeId, level + 1, seen);
      }
    };
    walk(null, id, 2, new Set());
  }
  return rows;
}

export function FrameworkTree({
  report,
  expanded,
  selectedFramework,
  selectedItem,
  onToggle,
  onSelectFramework,
  onSelectItem,
}: {
  report: CoverageReport;
  expanded: ReadonlySet<string>;
  selectedFramework: string | null;
  /** `itemNode(framework, key)` of the item shown, if any. */
  selectedItem: string | null;
  onToggle: (id: string, open: boolean) => void;
  onSelectFramework: (framework: string) => void;
  onSelectItem: (framework: string, key: string) => void;
}) {
  const rows = useMemo(() => visibleRows(report, expanded), [report, expanded]);
  const [focused, setFocused] = useState<string | null>(null);
  const tree = useRef<HTMLDivElement>(null);
  // The tab stop: the row last moved to, else the selection, else the first framework.
  const current =
    rows.find((r) => r.id === focused)?.id ??
    rows.find((r) => r.id === selectedItem)?.id ??
    (selectedFramework ? fwNode(selectedFramework) : rows[0]?.id) ??
    null;

  const focusRow = (id: string) => {
    setFocused(id);
    // Item keys hold spaces, slashes and colons: compare, rather than build a selector.
    requestAnimationFrame(() =>
      [...(tree.current?.querySelectorAll<HTMLElement>('[data-node]') ?? [])].find((el) => el.dataset.node === id)?.focus(),
    );
  };

  const select = (row: Row) => {
    setFocused(row.id);
    if (row.kind === 'framework') onSelectFramework(row.fw.id);
    else onSelectItem(row.fw.id, row.item.key);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = rows.findIndex((r) => r.id === current);
    const row = rows[at];
    if (!row) return;
    const move = (i: number) => {
      const target = rows[Math.max(0, Math.min(rows.length - 1, i))];
      if (target) focusRow(target.id);
    };
    switch (e.key) {
      case 'ArrowDown':
        move(at + 1);
        break;
      case 'ArrowUp':
        move(at - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rows.length - 1);
        break;
      case 'ArrowRight':
        if (row.expandable && !expanded.has(row.id)) onToggle(row.id, true);
        else if (row.expandable) move(at + 1);
        break;
      case 'ArrowLeft':
        if (row.expandable && expanded.has(row.id)) onToggle(row.id, false);
        else if (row.parent) focusRow(row.parent);
        break;
      case 'Enter':
      case ' ':
        select(row);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  return (
    <div ref={tree} className="fw-tree" role="tree" aria-label="Frameworks and their items" onKeyDown={onKeyDown} data-testid="fw-tree">
      {rows.map((row) => {
        const open = row.expandable ? expanded.has(row.id) : undefined;
        const selected = row.kind === 'framework' ? selectedItem === null && row.fw.id === selectedFramework : row.id === selectedItem;
        const common = {
          role: 'treeitem',
          'aria-level': row.level,
          'aria-expanded': open,
          'aria-selected': selected,
          tabIndex: row.id === current ? 0 : -1,
          'data-node': row.id,
          onClick: () => select(row),
          onFocus: () => setFocused(row.id),
        } as const;
        const toggle = row.expandable && (
          <span
            className={open ? 'fw-twisty open' : 'fw-twisty'}
            aria-hidden="true"
            onClick={(e) => {
              e.stopPropagation();
              onToggle(row.id, !open);
            }}
          />
        );
        if (row.kind === 'framework') {
          const f = row.fw;
          return (
            <div
              key={row.id}
              {...common}
              className={selected ? 'fw-node fw-node-framework selected' : 'fw-node fw-node-framework'}
              data-testid="fw-node"
              data-framework={f.id}
              data-percent={f.percent}
            >
              {toggle}
              <span className="fw-node-main">
                <span className="fw-node-title">
                  <span className="fw-name">{f.short_title}</span>
                  <span className="fw-percent" data-testid="fw-percent">
                    {percentText(f.percent)}
                  </span>
                </span>
                <CoverageBar fw={f} />
                <span className="fw-counts" data-testid="fw-counts">
                  <Count n={f.implemented} what="implemented" testId="fw-count-implemented" />
                  <Count n={f.partial} what="partial" testId="fw-count-partial" />
                  <Count n={f.planned} what="planned" testId="fw-count-planned" />
                  <Count n={f.uncovered} what="uncovered" testId="fw-count-uncovered" />
                  <Count n={f.not_applicable} what="N/A" testId="fw-count-not-applicable" />
                </span>
              </span>
            </div>
          );
        }
        const i = row.item;
        const indent = `fw-node fw-depth-${Math.min(row.level, 4)}`;
        return (
          <div
            key={row.id}
            {...common}
            className={selected ? `${indent} selected` : indent}
            data-testid="item-node"
            data-framework={row.fw.id}
            data-label={i.label}
            data-status={i.status}
            data-assessable={i.assessable}
          >
            {toggle || <span className="fw-twisty-space" aria-hidden="true" />}
            <span className="fw-item-label">{i.label}</span>
            {!i.label.endsWith(itemTitle(i)) && <span className="fw-item-title">{itemTitle(i)}</span>}
            <span className="fw-item-end">
              {i.uncertain && <UnverifiedTag />}
              {i.assessable ? (
                <StatusBadge status={i.status} />
              ) : (
                <span className="fw-group-count" title={`${i.implemented} of ${i.applicable} applicable items implemented`}>
                  {i.implemented}/{i.applicable}
                </span>
              )}
            </span>
          </div>
        );
      })}
    </div>
  );
}

function Count({ n, what, testId }: { n: number; what: string; testId: string }) {
  return (
    <span className={n === 0 ? 'fw-count zero' : 'fw-count'} data-testid={testId} data-count={n}>
      <strong>{n}</strong> {what}
    </span>
  );
}

/** Implemented, partial and planned as shares of the applicable items. */
export function CoverageBar({ fw }: { fw: Pick<FrameworkCoverage, 'applicable' | 'implemented' | 'partial' | 'planned'> }) {
  const total = Math.max(1, fw.applicable);
  const parts = (['implemented', 'partial', 'planned'] as const).map((s) => ({ s, share: (fw[s] / total) * 100 }));
  return (
    <span className="cov-bar" aria-hidden="true">
      {parts.map((p) => (p.share > 0 ? <span key={p.s} className={`cov-bar-part cov-fill-${p.s}`} style={{ width: `${p.share}%` }} /> : null))}
    </span>
  );
}
