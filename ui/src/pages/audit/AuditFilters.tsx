// The Audit page's filters: actor and action chosen from those in the log, subject text, and
// a time window (RFC 3339, a date, or a span back from now such as `7d`; the core checks it).
import { useId } from 'react';
import type { AuditFacets } from '../../bindings/AuditFacets';
import { TimeWindowFields } from '../../components/TimeWindowFields';
import { actionChoices, isFiltered, type AuditForm } from '../../lib/audit';

export function AuditFilters({
  form,
  facets,
  onChange,
}: {
  form: AuditForm;
  facets: AuditFacets | null;
  onChange: (form: AuditForm) => void;
}) {
  const uid = useId();
  const set = (patch: Partial<AuditForm>) => onChange({ ...form, ...patch });
  // A value typed elsewhere (the CLI's `agent.*`, an actor no longer in the log) stays choosable.
  const actors = facets?.actors ?? [];
  const groups = actionChoices(facets?.actions ?? []);
  const knownAction = form.action === '' || groups.some((g) => g.all?.value === form.action || g.actions.some((a) => a.value === form.action));
  return (
    <div className="filters audit-filters" role="search" aria-label="Filter the audit log">
      <div className="field">
        <label className="field-label" htmlFor={`${uid}-actor`}>
          Actor
        </label>
        <select
          id={`${uid}-actor`}
          className="input"
          value={form.actor}
          onChange={(e) => set({ actor: e.target.value })}
          data-testid="audit-filter-actor"
        >
          <option value="">Anyone</option>
          {form.actor !== '' && !actors.includes(form.actor) && <option value={form.actor}>{form.actor}</option>}
          {actors.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${uid}-action`}>
          Action
        </label>
        <select
          id={`${uid}-action`}
          className="input"
          value={form.action}
          onChange={(e) => set({ action: e.target.value })}
          data-testid="audit-filter-action"
        >
          <option value="">Any action</option>
          {!knownAction && <option value={form.action}>{form.action}</option>}
          {groups.map((g) => (
            <optgroup key={g.family} label={g.family}>
              {g.all && <option value={g.all.value}>{g.all.label}</option>}
              {g.actions.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <div className="field audit-filter-subject">
        <label className="field-label" htmlFor={`${uid}-subject`}>
          Subject contains
        </label>
        <input
          id={`${uid}-subject`}
          className="input"
          type="search"
          value={form.subject}
          placeholder="agent:billing-bot, policies/…"
          onChange={(e) => set({ subject: e.target.value })}
          data-testid="audit-filter-subject"
        />
      </div>
      <TimeWindowFields
        idPrefix={`${uid}-window`}
        since={form.since}
        until={form.until}
        onSince={(since) => set({ since })}
        onUntil={(until) => set({ until })}
        testIdPrefix="audit-filter"
      />
      {isFiltered(form) && (
        <button
          type="button"
          className="btn audit-clear"
          onClick={() => onChange({ actor: '', action: '', subject: '', since: '', until: '' })}
          data-testid="audit-clear"
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
