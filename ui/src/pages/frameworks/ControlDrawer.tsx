// One control in a drawer: what it states, its status and the evidence behind it (policies
// link to the editor at their line), and its framework mappings, edited as a list — add one
// (framework → item by label or title → why), remove one, or replace a citation that names
// no official item with one of the core's suggestions. Save writes the whole list
// (`setControlMappings`); the page then reloads coverage.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { ControlCoverage } from '../../bindings/ControlCoverage';
import type { CoverageReport } from '../../bindings/CoverageReport';
import type { Mapping } from '../../bindings/Mapping';
import type { MappingView } from '../../bindings/MappingView';
import type { Suggestion } from '../../bindings/Suggestion';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import {
  draftsOf,
  draftTargets,
  EVIDENCE_KIND_LABELS,
  findItem,
  itemHeading,
  mappingFromSuggestion,
  mappingsToSave,
  nextDraftId,
  searchItems,
  targetKey,
  withRelevance,
  type MappingDraft,
} from '../../lib/frameworks';
import { policyHref } from '../../lib/route';
import { formatTimestamp } from '../../lib/time';
import { Ticked } from '../insights/FindingText';
import { EvidenceBadge, StatusBadge } from './StatusBadge';

export function ControlDrawer({
  report,
  control,
  inWorkspace,
  prefill,
  framework,
  onClose,
  onSaved,
  onSelectItem,
}: {
  report: CoverageReport;
  control: ControlCoverage;
  /** `false` for a library control: saving its first mapping adds it to the workspace. */
  inWorkspace: boolean;
  /** An item to offer in the add form (a matrix cell clicked where the control does not map). */
  prefill: { framework: string; key: string } | null;
  /** The framework the page shows, the add form's default. */
  framework: string | null;
  onClose: () => void;
  onSaved: () => Promise<void>;
  onSelectItem: (framework: string, key: string) => void;
}) {
  const backend = useBackend();
  const uid = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [drafts, setDrafts] = useState<MappingDraft[]>(() => draftsOf(control));
  const [basis, setBasis] = useState(control.mappings);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [escArmed, setEscArmed] = useState(false);
  // Bumped on Discard and after a save: the rows remount, their relevance editors closed.
  const [generation, setGeneration] = useState(0);

  // A reload (after a save, or an edit on disk) brings new mappings: show them, unless the
  // user is in the middle of an edit.
  if (basis !== control.mappings && !dirty) {
    setBasis(control.mappings);
    setDrafts(draftsOf(control));
  }

  useEffect(() => {
    heading.current?.focus();
  }, [control.id]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      if (dirty && !escArmed) setEscArmed(true);
      else onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dirty, escArmed, onClose]);

  const edit = (next: MappingDraft[]) => {
    setDrafts(next);
    setDirty(true);
    setNotice(null);
    setEscArmed(false);
  };

  const save = useCallback(async () => {
    if (saving) return;
    setSaving(true);
    setError(null);
    try {
      await backend.setControlMappings(control.id, mappingsToSave(drafts));
      setDirty(false);
      setGeneration((g) => g + 1);
      setNotice('Saved to controls/controls.toml; coverage recomputed.');
      await onSaved();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  }, [backend, control.id, drafts, onSaved, saving]);

  const discard = () => {
    setDrafts(draftsOf(control));
    setBasis(control.mappings);
    setDirty(false);
    setEscArmed(false);
    setError(null);
    setGeneration((g) => g + 1);
  };

  const targets = useMemo(() => draftTargets(drafts, report), [drafts, report]);
  const holds = control.evidence.filter((e) => e.state === 'holds').length;
  const titleId = `${uid}-title`;

  return (
    <aside
      className="drawer fw-control-drawer"
      aria-labelledby={titleId}
      data-testid="control-drawer"
      data-control={control.id}
      data-status={control.status}
      data-dirty={dirty}
    >
      <header className="drawer-header">
        <div className="drawer-title">
          <h2 id={titleId} ref={heading} tabIndex={-1}>
            {control.title}
          </h2>
          <div className="drawer-subtitle">
            <code data-testid="control-id">{control.id}</code>
            <StatusBadge status={control.status} />
            {!inWorkspace && <span className="tag">library control</span>}
          </div>
        </div>
        <button type="button" className="btn-icon" onClick={onClose} aria-label="Close the control" title="Close (Esc)" data-testid="control-close">
          <Icon name="close" />
        </button>
      </header>

      <div className="drawer-body">
        <p className="fw-statement" data-testid="control-statement">
          {control.statement}
        </p>

        <h3 className="group-title">
          Evidence{' '}
          <span className="muted">
            {control.evidence.length === 0 ? '— none' : `— ${holds} of ${control.evidence.length} hold${control.evidence.length === 1 ? 's' : ''}`}
          </span>
        </h3>
        {control.evidence.length === 0 ? (
          <p className="muted small" data-testid="control-no-evidence">
            {inWorkspace
              ? 'Nothing shows this control works yet: add a policy with @control("' + control.id + '"), list inventory checks or traffic insights, or attest it in controls/controls.toml.'
              : 'A library control: mapping it adds it to controls/controls.toml, where its policies and checks become its evidence.'}
          </p>
        ) : (
          <ul className="fw-evidence" data-testid="control-evidence">
            {control.evidence.map((e, i) => (
              <li key={i} className="fw-evidence-row" data-testid="evidence" data-kind={e.kind} data-state={e.state}>
                <div className="fw-evidence-head">
                  <EvidenceBadge state={e.state} />
                  <span className="muted small">{EVIDENCE_KIND_LABELS[e.kind]}</span>
                  {e.kind === 'policy' && e.file ? (
                    <a className="mono fw-evidence-subject" href={policyHref(e.file, e.line)} data-testid="evidence-policy-link" title={`Open ${e.file} at line ${e.line ?? 1}`}>
                      {e.subject}
                    </a>
                  ) : (
                    <span className="mono fw-evidence-subject">{e.subject}</span>
                  )}
                </div>
                <div className="fw-evidence-detail small">
                  <span>{e.detail}</span>
                  {e.at && <span className="muted"> · {e.at.length > 10 ? formatTimestamp(e.at) : e.at}</span>}
                  {e.file && (
                    <span className="muted">
                      {' '}
                      · {e.file}
                      {e.line ? `:${e.line}` : ''}
                    </span>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}

        <h3 className="group-title">
          Framework mappings <span className="muted">— {drafts.length}</span>
        </h3>
        {drafts.length === 0 ? (
          <p className="muted small" data-testid="control-no-mappings">
            Not mapped to any framework item yet.
          </p>
        ) : (
          <ul className="fw-mappings" data-testid="control-mappings">
            {drafts.map((d) => (
              <MappingRow
                key={`${generation}:${d.id}`}
                report={report}
                draft={d}
                onRemove={() => edit(drafts.filter((x) => x.id !== d.id))}
                onRelevance={(text) => edit(drafts.map((x) => (x.id === d.id ? withRelevance(x, text) : x)))}
                onPick={(s) => edit(drafts.map((x) => (x.id === d.id && x.kind === 'saved' ? { kind: 'added', mapping: pickSuggestion(report, x.view, s), id: x.id } : x)))}
                onSelectItem={onSelectItem}
              />
            ))}
          </ul>
        )}

        <MappingAdder
          key={prefill ? targetKey(prefill.framework, prefill.key) : 'none'}
          report={report}
          framework={prefill?.framework ?? framework}
          prefill={prefill?.key ?? null}
          taken={targets}
          onAdd={(m) => edit([...drafts, { kind: 'added', mapping: m, id: nextDraftId(drafts) }])}
        />

        {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      </div>

      <footer className="drawer-footer">
        <p className="form-status" role="status" data-testid="control-form-status">
          {escArmed ? (
            <span className="text-warning">Unsaved mappings — press Escape again to discard them.</span>
          ) : saving ? (
            'Saving…'
          ) : dirty ? (
            'Unsaved changes to the mappings'
          ) : notice ? (
            <span className="text-ok">{notice}</span>
          ) : (
            `${control.mappings.filter((m) => m.counted).length} mapping(s) count toward coverage`
          )}
        </p>
        <button type="button" className="btn" onClick={discard} disabled={!dirty || saving} data-testid="control-discard">
          Discard
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={!dirty || saving} data-testid="control-save">
          Save mappings
        </button>
      </footer>
    </aside>
  );
}

/** A picked suggestion, by the item's label in the report when it has the item. */
function pickSuggestion(report: CoverageReport, view: MappingView, s: Suggestion): Mapping {
  const item = report.frameworks.find((f) => f.id === s.framework)?.items.find((i) => i.key === s.key);
  return mappingFromSuggestion(view, s, item?.label ?? s.label);
}

/** A mapping's relevance: its sentence, and an editor for it once asked for. */
function Relevance({ label, text, onChange }: { label: string; text: string; onChange: (text: string) => void }) {
  const uid = useId();
  const [editing, setEditing] = useState(false);
  if (!editing) {
    return (
      <div className="fw-mapping-relevance">
        {text ? <p className="small">{text}</p> : <p className="small muted">No relevance given.</p>}
        <button type="button" className="link-button small" onClick={() => setEditing(true)} aria-label={`Edit relevance of the mapping to ${label}`} data-testid="mapping-edit-relevance">
          Edit relevance
        </button>
      </div>
    );
  }
  return (
    <div className="field fw-mapping-relevance">
      <label className="field-label small" htmlFor={`${uid}-why`}>
        Relevance of {label}
      </label>
      <input id={`${uid}-why`} className="input" value={text} onChange={(e) => onChange(e.target.value)} autoFocus data-testid="mapping-relevance" />
    </div>
  );
}

function MappingRow({
  report,
  draft,
  onRemove,
  onRelevance,
  onPick,
  onSelectItem,
}: {
  report: CoverageReport;
  draft: MappingDraft;
  onRemove: () => void;
  onRelevance: (text: string) => void;
  onPick: (s: Suggestion) => void;
  onSelectItem: (framework: string, key: string) => void;
}) {
  const fwTitle = (id: string) => report.frameworks.find((f) => f.id === id)?.short_title ?? (id || 'no framework');
  if (draft.kind === 'added') {
    const m = draft.mapping;
    const item = findItem(report, m.framework, m.item);
    return (
      <li className="fw-mapping fw-mapping-added" data-testid="mapping" data-framework={m.framework} data-label={m.item} data-state="added">
        <div className="fw-mapping-head">
          <span className="muted small">{fwTitle(m.framework)}</span>
          <strong>{item ? itemHeading(item) : m.item}</strong>
          <span className="tag tag-workspace">new</span>
          <RemoveButton label={m.item} onRemove={onRemove} />
        </div>
        <Relevance label={m.item} text={m.relevance} onChange={onRelevance} />
        {m.cited && (
          <p className="muted small">
            replaces the citation <code>{m.cited}</code>, kept as <code>cited</code>
          </p>
        )}
      </li>
    );
  }
  const v = draft.view;
  const r = v.resolution;
  return (
    <li
      className={r.kind === 'unresolved' ? 'fw-mapping fw-mapping-unresolved' : 'fw-mapping'}
      data-testid="mapping"
      data-framework={v.framework}
      data-label={v.label ?? ''}
      data-state={r.kind}
    >
      <div className="fw-mapping-head">
        <span className="muted small">{fwTitle(v.framework)}</span>
        {v.label !== null && v.key !== null ? (
          <button type="button" className="link-button" onClick={() => onSelectItem(v.framework, v.key!)}>
            <strong>{itemHeadingOf(report, v) ?? v.label}</strong>
          </button>
        ) : (
          <code>{v.written}</code>
        )}
        {r.kind === 'unresolved' && <span className="badge badge-warning">unresolved</span>}
        {r.kind !== 'unresolved' && !v.counted && (
          <span className="badge badge-warning" title="A group is not assessed itself: map the items under it">
            not counted
          </span>
        )}
        <RemoveButton label={v.label ?? v.written} onRemove={onRemove} />
      </div>
      <Relevance label={v.label ?? v.written} text={v.relevance} onChange={onRelevance} />
      {r.kind === 'variant' && (
        <p className="muted small">
          written <code>{v.written}</code>: {r.note}
        </p>
      )}
      {r.kind === 'unresolved' && (
        <div className="fw-unresolved" data-testid="mapping-unresolved">
          <p className="small">
            <code>{v.written}</code> names no official item: <Ticked text={r.reason} />. It does not count toward coverage.
          </p>
          {r.suggestions.length > 0 ? (
            <ul className="fw-suggestions" aria-label="Suggestions">
              {r.suggestions.map((s) => (
                <li key={`${s.framework}/${s.key}`}>
                  <button type="button" className="btn btn-small" onClick={() => onPick(s)} data-testid="mapping-suggestion" data-framework={s.framework} data-label={s.label}>
                    Use {s.label}
                    {s.title && !s.label.endsWith(s.title) ? ` ${s.title}` : ''} ({fwTitle(s.framework)})
                  </button>
                  <span className="muted small"> {s.why}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted small">No suggestion: map the control to an official item below, or remove the citation.</p>
          )}
        </div>
      )}
    </li>
  );
}

function itemHeadingOf(report: CoverageReport, v: MappingView): string | null {
  const item = v.key === null ? null : report.frameworks.find((f) => f.id === v.framework)?.items.find((i) => i.key === v.key);
  return item ? itemHeading(item) : null;
}

function RemoveButton({ label, onRemove }: { label: string; onRemove: () => void }) {
  return (
    <button type="button" className="btn-icon fw-mapping-remove" onClick={onRemove} aria-label={`Remove the mapping to ${label}`} data-testid="mapping-remove">
      <Icon name="close" />
    </button>
  );
}

/** Add a mapping: a framework, one of its items found by label or title, and why. */
function MappingAdder({
  report,
  framework,
  prefill,
  taken,
  onAdd,
}: {
  report: CoverageReport;
  framework: string | null;
  prefill: string | null;
  /** `targetKey`s already in the list. */
  taken: ReadonlySet<string>;
  onAdd: (m: Mapping) => void;
}) {
  const uid = useId();
  const [fwId, setFwId] = useState(framework ?? report.frameworks[0]?.id ?? '');
  const [query, setQuery] = useState('');
  const [key, setKey] = useState(prefill ?? '');
  const [relevance, setRelevance] = useState('');
  const fw = report.frameworks.find((f) => f.id === fwId) ?? null;
  const options = useMemo(() => (fw ? searchItems(fw, query).filter((i) => !taken.has(targetKey(fw.id, i.key))) : []), [fw, query, taken]);
  const chosen = options.find((i) => i.key === key) ?? null;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!fw || !chosen) return;
    onAdd({ framework: fw.id, item: chosen.label, relevance: relevance.trim() });
    setKey('');
    setQuery('');
    setRelevance('');
  };

  return (
    <form className="fw-adder" onSubmit={onSubmit} aria-label="Add a mapping" data-testid="mapping-adder">
      <h3 className="group-title">Add a mapping</h3>
      <div className="fw-adder-row">
        <div className="field">
          <label className="field-label" htmlFor={`${uid}-fw`}>
            Framework
          </label>
          <select
            id={`${uid}-fw`}
            className="input"
            value={fwId}
            onChange={(e) => {
              setFwId(e.target.value);
              setKey('');
            }}
            data-testid="adder-framework"
          >
            {report.frameworks.map((f) => (
              <option key={f.id} value={f.id}>
                {f.short_title}
              </option>
            ))}
          </select>
        </div>
        <div className="field fw-adder-search">
          <label className="field-label" htmlFor={`${uid}-q`}>
            Find an item
          </label>
          <input
            id={`${uid}-q`}
            type="search"
            className="input"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Label or title, e.g. ASI03, tool misuse"
            data-testid="adder-search"
          />
        </div>
      </div>
      <fieldset className="fw-adder-items" data-testid="adder-items">
        <legend className="field-label">
          Item <span className="muted">({options.length === 0 ? 'none left to map' : `${options.length} shown`})</span>
        </legend>
        <div className="fw-adder-options">
          {options.map((i) => (
            <label key={i.key} className={i.key === key ? 'fw-option selected' : 'fw-option'}>
              <input
                type="radio"
                name={`${uid}-item`}
                value={i.key}
                checked={i.key === key}
                onChange={() => setKey(i.key)}
                data-testid="adder-option"
                data-label={i.label}
              />
              <span className="fw-option-text">{itemHeading(i)}</span>
              <StatusBadge status={i.status} />
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label className="field-label" htmlFor={`${uid}-why`}>
          Relevance
        </label>
        <input
          id={`${uid}-why`}
          className="input"
          value={relevance}
          onChange={(e) => setRelevance(e.target.value)}
          placeholder="One sentence: why the control addresses the item"
          data-testid="adder-relevance"
        />
      </div>
      <button type="submit" className="btn btn-small" disabled={!chosen} data-testid="adder-add">
        Add mapping
      </button>
    </form>
  );
}
