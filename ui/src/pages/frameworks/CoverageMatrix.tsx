// Controls × items of one framework as a heatmap: a row per control, a column per
// assessable item (grouped under NIST functions or MAESTRO layers). A cell is coloured by
// the control's status where the control maps to the item, empty otherwise; a column head
// by the item's status. The table scrolls sideways under a sticky control column, so NIST's
// 72 columns stay readable. Row and column heads are the keyboard's way in; a cell clicked
// opens its control, with the item ready to map when it is not mapped yet.
import { useMemo } from 'react';
import type { CoverageReport } from '../../bindings/CoverageReport';
import type { FrameworkCoverage } from '../../bindings/FrameworkCoverage';
import { assessableInTreeOrder, columnGroups, columnLabel, itemHeading, STATUS_LABELS, STATUSES } from '../../lib/frameworks';

export function CoverageMatrix({
  report,
  fw,
  selectedControl,
  selectedItem,
  onSelectControl,
  onSelectItem,
}: {
  report: CoverageReport;
  fw: FrameworkCoverage;
  selectedControl: string | null;
  selectedItem: string | null;
  onSelectControl: (control: string, item: string | null) => void;
  onSelectItem: (key: string) => void;
}) {
  const columns = useMemo(() => assessableInTreeOrder(fw), [fw]);
  const groups = useMemo(() => columnGroups(fw, columns), [fw, columns]);
  // Short ids (ASI01, GOVERN 1.1) need short column heads; MAESTRO's threat names tall ones.
  const tall = columns.some((i) => columnLabel(fw, i).length > 12);
  // Which control maps to which item of this framework: the core's `controls` per item.
  const mapped = useMemo(() => new Set(columns.flatMap((i) => i.controls.map((c) => `${c}\u0000${i.key}`))), [columns]);
  const controls = report.controls;

  return (
    <div className="fw-matrix-wrap">
      <ul className="fw-legend" aria-label="Legend">
        {STATUSES.map((s) => (
          <li key={s}>
            <span className={`fw-swatch cell-${s}`} aria-hidden="true" />
            {STATUS_LABELS[s]}
          </li>
        ))}
        <li className="muted">
          cell: the control’s status where it maps to the item · column head: the item’s status · click a column for the item, a
          row or a cell for the control
        </li>
      </ul>
      {controls.length === 0 ? (
        <p className="muted small">No controls yet: the matrix fills in as controls are mapped.</p>
      ) : (
        <div className="fw-matrix-scroll" data-testid="fw-matrix" data-framework={fw.id} data-columns={columns.length} tabIndex={-1}>
          <table className={tall ? 'fw-matrix' : 'fw-matrix fw-matrix-short-heads'}>
            <caption className="visually-hidden">
              Controls by {fw.short_title} items: each cell shows the status of a control that maps to the item
            </caption>
            <thead>
              {groups.length > 0 && (
                <tr className="fw-matrix-groups">
                  <th className="fw-matrix-corner" aria-hidden="true" />
                  {groups.map((g, i) => (
                    <th key={`${g.key}-${i}`} colSpan={g.span} scope="colgroup" title={g.title || g.label}>
                      {g.label}
                    </th>
                  ))}
                </tr>
              )}
              <tr className="fw-matrix-items">
                <th className="fw-matrix-corner" scope="col">
                  Control
                </th>
                {columns.map((i) => (
                  <th key={i.key} scope="col" className={`fw-col col-${i.status}${i.key === selectedItem ? ' selected' : ''}`}>
                    <button
                      type="button"
                      className="fw-col-button"
                      title={`${itemHeading(i)} — ${STATUS_LABELS[i.status]}`}
                      aria-label={`${i.label}: ${STATUS_LABELS[i.status]}`}
                      aria-pressed={i.key === selectedItem}
                      onClick={() => onSelectItem(i.key)}
                      data-testid="matrix-col"
                      data-label={i.label}
                      data-status={i.status}
                    >
                      <span className="fw-col-label">{columnLabel(fw, i)}</span>
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {controls.map((c) => (
                <tr key={c.id} className={c.id === selectedControl ? 'selected' : undefined} data-testid="matrix-row" data-control={c.id}>
                  <th scope="row" className="fw-row-head">
                    <button
                      type="button"
                      className="fw-row-button"
                      onClick={() => onSelectControl(c.id, null)}
                      aria-pressed={c.id === selectedControl}
                      title={`${c.title} — ${STATUS_LABELS[c.status]}`}
                      data-testid="matrix-control"
                      data-control={c.id}
                    >
                      <span className={`fw-dot cell-${c.status}`} aria-hidden="true" />
                      <span className="mono">{c.id}</span>
                      <span className="visually-hidden">: {STATUS_LABELS[c.status]}</span>
                    </button>
                  </th>
                  {columns.map((i) => {
                    const on = mapped.has(`${c.id}\u0000${i.key}`);
                    return (
                      <td key={i.key} className={i.key === selectedItem ? 'fw-cell-col-selected' : undefined}>
                        <button
                          type="button"
                          tabIndex={-1}
                          className={on ? `fw-cell cell-${c.status}` : 'fw-cell cell-empty'}
                          title={on ? `${c.id} → ${i.label}: ${STATUS_LABELS[c.status]}` : `${c.id} does not map to ${i.label}`}
                          aria-label={on ? `${c.id} maps to ${i.label}: ${STATUS_LABELS[c.status]}` : `Map ${c.id} to ${i.label}`}
                          onClick={() => onSelectControl(c.id, i.key)}
                          data-testid="matrix-cell"
                          data-control={c.id}
                          data-item={i.label}
                          data-status={on ? c.status : ''}
                        />
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
