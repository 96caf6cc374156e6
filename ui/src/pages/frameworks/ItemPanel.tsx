// One framework item (or group): its text — the framework's own words where its licence
// allows, else Mandate's summary, and said which — its status, the controls mapped to it
// with why, and whether it applies: marking it not applicable needs a justification.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { CoverageReport } from '../../bindings/CoverageReport';
import type { FrameworkCoverage } from '../../bindings/FrameworkCoverage';
import type { ItemCoverage } from '../../bindings/ItemCoverage';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { childrenByParent, itemHeading } from '../../lib/frameworks';
import { StatusBadge, UnverifiedTag } from './StatusBadge';

export function ItemPanel({
  report,
  fw,
  item,
  onClose,
  onSelectControl,
  onSelectItem,
  onChanged,
}: {
  report: CoverageReport;
  fw: FrameworkCoverage;
  item: ItemCoverage;
  onClose: () => void;
  onSelectControl: (id: string) => void;
  onSelectItem: (framework: string, key: string) => void;
  /** After a write: the page reloads coverage. */
  onChanged: () => Promise<void>;
}) {
  const titleId = useId();
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    // Opened from the gaps or the matrix further down: bring it into view.
    panel.current?.scrollIntoView?.({ block: 'nearest' });
  }, []);
  const mapped = report.controls.flatMap((c) =>
    c.mappings.filter((m) => m.counted && m.framework === fw.id && m.key === item.key).map((m) => ({ control: c, mapping: m })),
  );
  const children = item.assessable ? [] : (childrenByParent(fw).get(item.key) ?? []);

  return (
    <section
      ref={panel}
      className="panel fw-item-panel"
      aria-labelledby={titleId}
      data-testid="item-panel"
      data-framework={fw.id}
      data-label={item.label}
      data-status={item.status}
    >
      <div className="explain-head">
        <div className="fw-kicker">
          <span className="muted small">{fw.short_title}</span>
          <span className="muted small">· {item.kind}</span>
          {item.uncertain && <UnverifiedTag />}
        </div>
        <button type="button" className="btn-icon" onClick={onClose} aria-label="Close the item" data-testid="item-panel-close">
          <Icon name="close" />
        </button>
      </div>
      <h2 id={titleId} className="fw-item-heading">
        <span data-testid="item-panel-label">{item.label}</span>
        {item.title && !item.label.endsWith(item.title) && <span className="fw-item-heading-title">{item.title}</span>}
      </h2>
      <div className="fw-item-status">
        <StatusBadge status={item.status} />
        {!item.assessable && (
          <span className="muted small" data-testid="item-panel-tally">
            {item.implemented} of {item.applicable} applicable item{item.applicable === 1 ? '' : 's'} implemented
            {item.partial > 0 ? `, ${item.partial} partial` : ''}
          </span>
        )}
      </div>

      {item.text && (
        <div className="fw-item-text">
          <h3 className="group-title" data-testid="item-text-kind" data-official={item.text_is_official}>
            {item.text_is_official ? 'Official text' : 'Summary'}
          </h3>
          <p data-testid="item-text">{item.text}</p>
          {!item.text_is_official && <p className="muted small">Mandate’s summary; read the framework for its own words.</p>}
        </div>
      )}

      {item.assessable ? (
        <>
          <h3 className="group-title">Mapped controls</h3>
          {mapped.length === 0 ? (
            <p className="muted small" data-testid="item-no-controls">
              No control maps to this item. Open a control (a row of the matrix) and add a mapping, or mark the item not
              applicable.
            </p>
          ) : (
            <ul className="fw-mapped-list" data-testid="item-controls">
              {mapped.map(({ control, mapping }, i) => (
                <li key={`${control.id}-${i}`}>
                  <button type="button" className="link-button mono" onClick={() => onSelectControl(control.id)} data-testid="item-control" data-control={control.id}>
                    {control.id}
                  </button>{' '}
                  <StatusBadge status={control.status} /> <span>{control.title}</span>
                  {mapping.relevance && <p className="muted small fw-relevance">{mapping.relevance}</p>}
                </li>
              ))}
            </ul>
          )}
          <Applicability key={`${fw.id}/${item.key}`} fw={fw} item={item} onChanged={onChanged} />
        </>
      ) : (
        children.length > 0 && (
          <>
            <h3 className="group-title">Under it</h3>
            <ul className="fw-children" data-testid="item-children">
              {children.map((c) => (
                <li key={c.key}>
                  <button type="button" className="link-button" onClick={() => onSelectItem(fw.id, c.key)}>
                    {itemHeading(c)}
                  </button>{' '}
                  {c.assessable ? <StatusBadge status={c.status} /> : <span className="muted small">{c.implemented}/{c.applicable}</span>}
                </li>
              ))}
            </ul>
          </>
        )
      )}
    </section>
  );
}

/** Not applicable (with its justification) or applicable; marking it needs a justification. */
function Applicability({ fw, item, onChanged }: { fw: FrameworkCoverage; item: ItemCoverage; onChanged: () => Promise<void> }) {
  const backend = useBackend();
  const uid = useId();
  const [editing, setEditing] = useState(false);
  const [justification, setJustification] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const notApplicable = item.status === 'not-applicable';

  const write = async (value: string | null) => {
    setBusy(true);
    setError(null);
    try {
      await backend.setNotApplicable(fw.id, item.label, value);
      setEditing(false);
      setJustification('');
      await onChanged();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (justification.trim() !== '' && !busy) void write(justification.trim());
  };

  return (
    <div className="fw-applicability" data-testid="item-applicability">
      <h3 className="group-title">Applicability</h3>
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {notApplicable ? (
        <>
          <p data-testid="item-justification">
            <strong>Not applicable:</strong> {item.justification}
          </p>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void write(null)} data-testid="item-applicable-again">
            Make it applicable again
          </button>
        </>
      ) : (
        <>
          <label className="filter-check">
            <input
              type="checkbox"
              checked={editing}
              onChange={(e) => setEditing(e.target.checked)}
              data-testid="item-na-toggle"
            />{' '}
            Not applicable to this organisation
          </label>
          {editing && (
            <form className="fw-na-form" onSubmit={onSubmit} aria-label="Mark not applicable">
              <label className="field-label" htmlFor={`${uid}-why`}>
                Justification <span className="muted">(required)</span>
              </label>
              <textarea
                id={`${uid}-why`}
                className="input fw-textarea"
                rows={3}
                required
                value={justification}
                onChange={(e) => setJustification(e.target.value)}
                placeholder={`Why ${item.label} does not apply, e.g. “no agent runs generated code”`}
                data-testid="item-na-justification"
              />
              <p className="field-hint">It leaves the coverage denominator and is written to controls/controls.toml.</p>
              <div className="inline-row">
                <button
                  type="submit"
                  className="btn btn-primary btn-small"
                  disabled={busy || justification.trim() === ''}
                  data-testid="item-na-save"
                >
                  Mark not applicable
                </button>
                <button type="button" className="btn btn-small" onClick={() => setEditing(false)} disabled={busy}>
                  Cancel
                </button>
              </div>
            </form>
          )}
        </>
      )}
      <p className="visually-hidden" aria-live="polite">
        {busy ? 'Saving…' : ''}
      </p>
    </div>
  );
}
