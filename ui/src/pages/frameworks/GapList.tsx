// What keeps coverage from being whole, grouped by the core's gap code with a count each:
// every gap's message and hint, and a way to the control, item or policy it is about.
import { useId } from 'react';
import type { CoverageReport } from '../../bindings/CoverageReport';
import type { Gap } from '../../bindings/Gap';
import { findItem, groupGaps } from '../../lib/frameworks';
import { policyHref } from '../../lib/route';
import { Ticked } from '../insights/FindingText';

/** Groups this large start closed, so the short ones stay in view. */
const OPEN_UP_TO = 12;

export function GapList({
  report,
  gaps,
  scope,
  onScope,
  onSelectControl,
  onSelectItem,
}: {
  report: CoverageReport;
  /** The gaps to show (the page narrows them to one framework, or not). */
  gaps: readonly Gap[];
  /** The framework the list is narrowed to, if any (by its short title). */
  scope: string | null;
  onScope: (all: boolean) => void;
  onSelectControl: (id: string) => void;
  onSelectItem: (framework: string, key: string) => void;
}) {
  const uid = useId();
  const groups = groupGaps(gaps);
  const fwTitle = (id: string | null) => report.frameworks.find((f) => f.id === id)?.short_title ?? id ?? '';
  const inWorkspace = new Set(report.controls.map((c) => c.id));

  return (
    <section className="panel fw-gaps" aria-labelledby={`${uid}-title`} data-testid="fw-gaps" data-count={gaps.length}>
      <div className="section-head">
        <h2 id={`${uid}-title`}>
          Gaps <span className="heading-count">{gaps.length}</span>
        </h2>
        <label className="filter-check">
          <input type="checkbox" checked={scope === null} onChange={(e) => onScope(e.target.checked)} data-testid="gaps-all" /> every framework
        </label>
      </div>
      {scope !== null && <p className="muted small">About {scope}, and about controls whatever they map to.</p>}
      {groups.length === 0 ? (
        <p className="muted small" data-testid="gaps-none">
          No gaps: every applicable item is covered by controls whose evidence holds.
        </p>
      ) : (
        groups.map((g) => (
          <details key={g.code} className="fw-gap-group" open={g.gaps.length <= OPEN_UP_TO} data-testid="gap-group" data-code={g.code} data-count={g.gaps.length}>
            <summary>
              <span className="fw-gap-title">{g.title}</span>
              <span className="heading-count">{g.gaps.length}</span>
              <code className="muted">{g.code}</code>
            </summary>
            <ul className="fw-gap-list">
              {g.gaps.map((gap, i) => {
                const item = findItem(report, gap.framework, gap.item);
                return (
                  <li key={i} className="fw-gap" data-testid="gap" data-code={gap.code}>
                    <p className="fw-gap-message">
                      <Ticked text={gap.message} />
                    </p>
                    <p className="muted small">
                      <Ticked text={gap.hint} />
                    </p>
                    <p className="fw-gap-links small">
                      {gap.control && inWorkspace.has(gap.control) && (
                        <button type="button" className="link-button mono" onClick={() => onSelectControl(gap.control!)} data-testid="gap-control">
                          {gap.control}
                        </button>
                      )}
                      {item && gap.framework && (
                        <button type="button" className="link-button" onClick={() => onSelectItem(gap.framework!, item.key)} data-testid="gap-item">
                          {fwTitle(gap.framework)} {item.label}
                        </button>
                      )}
                      {gap.file &&
                        (gap.file.endsWith('.cedar') ? (
                          <a className="mono" href={policyHref(gap.file, gap.line)} data-testid="gap-policy">
                            {gap.file}
                            {gap.line ? `:${gap.line}` : ''}
                          </a>
                        ) : (
                          <code>
                            {gap.file}
                            {gap.line ? `:${gap.line}` : ''}
                          </code>
                        ))}
                    </p>
                  </li>
                );
              })}
            </ul>
          </details>
        ))
      )}
    </section>
  );
}
