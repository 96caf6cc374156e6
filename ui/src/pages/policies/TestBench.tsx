// The test bench: one request (principal, action, resource, context) decided by the core
// against the saved policies and the inventory's entities, with the policies that decided it.
//
// The form is built from the schema outline: types limited to what the action applies to,
// ids suggested from the inventory, one typed input per context field. The JSON mode holds
// the same request as text; switching keeps the values (see `lib/testBench`). Both are
// reloaded when the schema or the inventory changes on disk.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ActionOutline } from '../../bindings/ActionOutline';
import type { ApiError } from '../../bindings/ApiError';
import type { AttributeOutline } from '../../bindings/AttributeOutline';
import type { InventoryView } from '../../bindings/InventoryView';
import type { SchemaOutline } from '../../bindings/SchemaOutline';
import type { TestRequest } from '../../bindings/TestRequest';
import type { TestResult } from '../../bindings/TestResult';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { refText } from '../../lib/controls';
import { plural } from '../../lib/summary';
import {
  baseName,
  fieldKind,
  findAction,
  formToJson,
  initialForm,
  jsonPlaceholder,
  jsonToForm,
  jsonToTestRequest,
  suggestionsFor,
  toTestRequest,
  withAction,
  type BenchForm,
  type EntitySuggestion,
  type FieldProblem,
} from '../../lib/testBench';
import { watchWorkspace } from '../../lib/watchWorkspace';

type Mode = 'form' | 'json';

const MODES: Mode[] = ['form', 'json'];
const MODE_LABELS: Record<Mode, string> = { form: 'Form', json: 'JSON' };

interface Decided {
  request: TestRequest;
  result: TestResult;
  /** Files of the workspace changed on disk since the decision. */
  outdated: boolean;
}

export function TestBench({
  onOpenPolicy,
  onClose,
}: {
  onOpenPolicy: (file: string, line: number) => void;
  onClose: () => void;
}) {
  const backend = useBackend();
  const uid = useId();
  const [outline, setOutline] = useState<SchemaOutline | null>(null);
  const [inventory, setInventory] = useState<InventoryView | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [form, setForm] = useState<BenchForm | null>(null);
  const [mode, setMode] = useState<Mode>('form');
  const [json, setJson] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [busy, setBusy] = useState(false);
  const [decided, setDecided] = useState<Decided | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  // The schema (generated from the inventory) and the inventory, now and after changes on disk.
  useEffect(() => {
    const load = (live: () => boolean) => {
      backend.schemaOutline().then(
        (o) => {
          if (!live()) return;
          setOutline(o);
          setLoadError(null);
          setForm((f) => f ?? initialForm(o));
        },
        (e: unknown) => {
          if (live()) setLoadError(toApiError(e));
        },
      );
      // Without the inventory the id fields just offer no suggestions.
      backend.inventory().then(
        (inv) => {
          if (live()) setInventory(inv);
        },
        () => undefined,
      );
    };
    let active = true;
    load(() => active);
    const stop = watchWorkspace(backend, (changes, live) => {
      if (changes.some((c) => c.kind === 'inventory_changed' || c.kind === 'schema_changed' || c.kind === 'config_changed')) load(live);
      setDecided((d) => (d ? { ...d, outdated: true } : d));
    });
    return () => {
      active = false;
      stop();
    };
  }, [backend]);

  const action = outline && form ? findAction(outline, form.action) : null;

  // What Decide would send now, to tell whether the shown decision is for the current request.
  const current = useMemo(() => {
    if (!outline) return null;
    if (mode === 'json') return jsonToTestRequest(json, outline);
    return form ? toTestRequest(form, outline) : null;
  }, [outline, mode, json, form]);
  const edited = decided !== null && !(current?.ok && sameRequest(current.value, decided.request));

  const update = (patch: Partial<BenchForm>) => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    setProblems([]);
  };
  const setContext = (name: string, value: string) => {
    setForm((f) => (f ? { ...f, context: { ...f.context, [name]: value } } : f));
    setProblems([]);
  };

  const switchMode = (next: Mode) => {
    if (next === mode || !outline || !form) return;
    const converted = next === 'json' ? formToJson(form, outline) : jsonToForm(json, outline, form);
    if (!converted.ok) {
      setProblems(converted.problems);
      return;
    }
    if (typeof converted.value === 'string') setJson(converted.value);
    else setForm(converted.value);
    setProblems([]);
    setMode(next);
  };

  const decide = useCallback(async () => {
    if (!outline || busy) return;
    const built = mode === 'json' ? jsonToTestRequest(json, outline) : form ? toTestRequest(form, outline) : null;
    if (!built) return;
    if (!built.ok) {
      setProblems(built.problems);
      return;
    }
    setProblems([]);
    setBusy(true);
    setError(null);
    try {
      const result = await backend.testRequest(built.value);
      setDecided({ request: built.value, result, outdated: false });
    } catch (e) {
      setDecided(null);
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  }, [backend, outline, busy, mode, json, form]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void decide();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void decide();
    }
  };

  const problemsFor = (field: string) => problems.filter((p) => p.field === field);

  return (
    <section className="panel test-bench" data-testid="test-bench" aria-labelledby={`${uid}-title`}>
      <div className="bench-head">
        <div className="bench-title">
          <h2 id={`${uid}-title`} ref={heading} tabIndex={-1}>
            Test a request
          </h2>
          <p className="muted small">
            Decided offline by Cedar against the policies as saved on disk and the inventory’s entities.
          </p>
        </div>
        <div className="segmented" role="tablist" aria-label="Request editor">
          {MODES.map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              className="segment"
              onClick={() => switchMode(m)}
              disabled={!outline}
              data-testid={`test-mode-${m}`}
            >
              {MODE_LABELS[m]}
            </button>
          ))}
        </div>
        <button
          type="submit"
          form={`${uid}-form`}
          className="btn btn-primary bench-decide"
          disabled={busy || !outline || !form}
          title="Decide (Ctrl-Enter)"
          data-testid="test-decide"
        >
          {busy ? 'Deciding…' : 'Decide'}
        </button>
        <button type="button" className="btn-icon" onClick={onClose} aria-label="Close the test bench" data-testid="test-close">
          <Icon name="close" />
        </button>
      </div>

      {loadError && <ErrorBanner error={loadError} />}
      {!outline && !loadError && (
        <p className="muted" aria-busy="true">
          Reading the schema…
        </p>
      )}

      {outline && form && (
        <div className="bench-body">
          <form id={`${uid}-form`} className="bench-form" noValidate onSubmit={onSubmit} onKeyDown={onKeyDown} aria-label="Request">
            {mode === 'form' ? (
              <>
                <div className="field">
                  <label className="field-label" htmlFor={`${uid}-action`}>
                    Action
                  </label>
                  <select
                    id={`${uid}-action`}
                    className="input"
                    value={form.action}
                    onChange={(e) => {
                      setForm(withAction(form, outline, e.target.value));
                      setProblems([]);
                    }}
                    data-testid="test-action"
                  >
                    {!action && <option value={form.action}>{form.action || 'Choose an action…'}</option>}
                    {outline.actions.map((a) => (
                      <option key={a.uid} value={a.name}>
                        {a.name}
                      </option>
                    ))}
                  </select>
                  <FieldErrors problems={problemsFor('action')} />
                </div>
                <EntityField
                  uid={uid}
                  role="principal"
                  label="Principal"
                  types={action?.principal_types ?? []}
                  type={form.principalType}
                  id={form.principalId}
                  suggestions={suggestionsFor(form.principalType, inventory)}
                  onType={(principalType) => update({ principalType })}
                  onId={(principalId) => update({ principalId })}
                  problems={problemsFor('principal')}
                />
                <EntityField
                  uid={uid}
                  role="resource"
                  label="Resource"
                  types={action?.resource_types ?? []}
                  type={form.resourceType}
                  id={form.resourceId}
                  suggestions={suggestionsFor(form.resourceType, inventory)}
                  onType={(resourceType) => update({ resourceType })}
                  onId={(resourceId) => update({ resourceId })}
                  problems={problemsFor('resource')}
                />
                <ContextFields
                  uid={uid}
                  action={action}
                  outline={outline}
                  values={form.context}
                  onChange={setContext}
                  problemsFor={problemsFor}
                />
              </>
            ) : (
              <div className="field">
                <label className="field-label" htmlFor={`${uid}-json`}>
                  Request <span className="muted">(principal, action, resource, context)</span>
                </label>
                <textarea
                  id={`${uid}-json`}
                  className="input textarea mono bench-json"
                  rows={14}
                  spellCheck={false}
                  value={json}
                  onChange={(e) => {
                    setJson(e.target.value);
                    setProblems([]);
                  }}
                  data-testid="test-json"
                  aria-invalid={problems.length > 0 || undefined}
                />
                <p className="field-hint">
                  Entities as <code>{'{"type": "Agent", "id": "…"}'}</code>; Ctrl-Enter decides.
                </p>
              </div>
            )}
            {mode === 'json' && <FieldErrors problems={problems} />}
            {mode === 'form' && <FieldErrors problems={problems.filter((p) => p.field === 'json')} />}
          </form>

          <div className="bench-result" aria-live="polite" data-testid="test-result">
            {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
            {decided ? (
              <DecisionView decided={decided} edited={edited} onOpenPolicy={onOpenPolicy} />
            ) : (
              !error && (
                <div className="bench-empty">
                  <p>Choose an action, a principal and a resource, then Decide.</p>
                  <p className="muted small">The answer shows which policies decided it, with their source.</p>
                </div>
              )
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function sameRequest(a: TestRequest, b: TestRequest): boolean {
  return a.principal === b.principal && a.action === b.action && a.resource === b.resource && a.context === b.context;
}

function FieldErrors({ problems }: { problems: FieldProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="field-problems" data-testid="test-problems">
      {problems.map((p, i) => (
        <p key={i} className="field-error">
          {p.message}
        </p>
      ))}
    </div>
  );
}

function EntityField({
  uid,
  role,
  label,
  types,
  type,
  id,
  suggestions,
  onType,
  onId,
  problems,
}: {
  uid: string;
  role: 'principal' | 'resource';
  label: string;
  types: string[];
  type: string;
  id: string;
  suggestions: EntitySuggestion[];
  onType: (type: string) => void;
  onId: (id: string) => void;
  problems: FieldProblem[];
}) {
  const listId = `${uid}-${role}-ids`;
  return (
    <fieldset className={problems.length > 0 ? 'bench-entity field-invalid' : 'bench-entity'}>
      <legend className="field-label">{label}</legend>
      <div className="bench-entity-row">
        <select
          className="input"
          aria-label={`${label} type`}
          value={type}
          onChange={(e) => onType(e.target.value)}
          data-testid={`test-${role}-type`}
        >
          {types.map((t) => (
            <option key={t} value={t}>
              {baseName(t)}
            </option>
          ))}
          {!types.includes(type) && <option value={type}>{type || '—'} — not allowed for this action</option>}
        </select>
        <input
          className="input mono"
          aria-label={`${label} id`}
          list={listId}
          value={id}
          placeholder={suggestions[0]?.id ?? 'id'}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => onId(e.target.value)}
          data-testid={`test-${role}-id`}
          aria-invalid={problems.length > 0 || undefined}
        />
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </datalist>
      </div>
      {id !== '' && suggestions.length > 0 && !suggestions.some((s) => s.id === id) && (
        <p className="field-hint text-warning" data-testid={`test-${role}-unknown`}>
          Not in the inventory: Cedar sees an entity without attributes.
        </p>
      )}
      <FieldErrors problems={problems} />
    </fieldset>
  );
}

function ContextFields({
  uid,
  action,
  outline,
  values,
  onChange,
  problemsFor,
}: {
  uid: string;
  action: ActionOutline | null;
  outline: SchemaOutline;
  values: Record<string, string>;
  onChange: (name: string, value: string) => void;
  problemsFor: (field: string) => FieldProblem[];
}) {
  const fields = action?.context ?? [];
  return (
    <fieldset className="bench-context" data-testid="test-context">
      <legend className="field-label">
        Context <span className="muted small">— empty optional fields are not sent</span>
      </legend>
      {fields.length === 0 ? (
        <p className="muted small">This action takes no context.</p>
      ) : (
        <div className="bench-context-grid">
          {fields.map((f) => (
            <ContextField
              key={f.name}
              uid={uid}
              field={f}
              outline={outline}
              value={values[f.name] ?? ''}
              onChange={(v) => onChange(f.name, v)}
              problems={problemsFor(f.name)}
            />
          ))}
        </div>
      )}
    </fieldset>
  );
}

function ContextField({
  uid,
  field: f,
  outline,
  value,
  onChange,
  problems,
}: {
  uid: string;
  field: AttributeOutline;
  outline: SchemaOutline;
  value: string;
  onChange: (value: string) => void;
  problems: FieldProblem[];
}) {
  const kind = fieldKind(f.type_name);
  const inputId = `${uid}-ctx-${f.name}`;
  const common = {
    id: inputId,
    'data-testid': 'test-context-field',
    'data-field': f.name,
    'aria-invalid': problems.length > 0 || undefined,
    'aria-required': f.required || undefined,
  };
  const label = (
    <label className="field-label bench-field-label" htmlFor={inputId}>
      <code>{f.name}</code>
      <span className="bench-type">{f.type_name}</span>
      {f.required ? (
        <span className="bench-required" title="Required">
          required
        </span>
      ) : (
        <span className="visually-hidden">optional</span>
      )}
    </label>
  );
  return (
    <div className={`field bench-field-${kind}${problems.length > 0 ? ' field-invalid' : ''}`}>
      {label}
      {kind === 'bool' ? (
        <div className="bench-bool">
          <input
            {...common}
            type="checkbox"
            checked={value === 'true'}
            ref={(el) => {
              // An optional Bool starts "not sent": the checkbox shows that as indeterminate.
              if (el) el.indeterminate = value === '' && !f.required;
            }}
            onChange={() => onChange(value === 'true' ? 'false' : 'true')}
          />
          <span className="bench-bool-value">{value === '' ? (f.required ? 'false' : 'not sent') : value}</span>
          {!f.required && value !== '' && (
            <button type="button" className="btn btn-small" onClick={() => onChange('')} aria-label={`Do not send ${f.name}`}>
              Don’t send
            </button>
          )}
        </div>
      ) : (
        <input
          {...common}
          type={kind === 'long' ? 'number' : 'text'}
          step={kind === 'long' ? 1 : undefined}
          className={kind === 'string' ? 'input' : 'input mono'}
          value={value}
          spellCheck={false}
          autoComplete="off"
          placeholder={kind === 'json' ? jsonPlaceholder(f.type_name, outline) : f.required ? '' : 'not sent'}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      <FieldErrors problems={problems} />
    </div>
  );
}

function DecisionView({
  decided,
  edited,
  onOpenPolicy,
}: {
  decided: Decided;
  edited: boolean;
  onOpenPolicy: (file: string, line: number) => void;
}) {
  const { request, result } = decided;
  const allow = result.decision === 'allow';
  const kind = allow ? 'permit' : 'forbid';
  return (
    <div className="decision-view">
      <div className="decision-head">
        <span className={allow ? 'decision decision-allow' : 'decision decision-deny'} data-testid="test-decision" data-decision={result.decision}>
          {allow ? 'Allow' : 'Deny'}
        </span>
        <p className="decision-request mono" title={`context: ${request.context}`}>
          <span>{request.principal}</span>
          <span className="muted"> · </span>
          <span>{request.action}</span>
          <span className="muted"> · </span>
          <span>{request.resource}</span>
        </p>
      </div>
      {(edited || decided.outdated) && (
        <p className="decision-stale" role="status" data-testid="test-stale">
          {edited ? 'The request was edited since this decision.' : 'Files changed on disk since this decision.'} Decide again to update it.
        </p>
      )}

      {result.errors.length > 0 && (
        <div className="banner banner-warning decision-errors" data-testid="test-errors">
          <div className="banner-body">
            <p className="banner-title">
              {plural(result.errors.length, 'policy', 'policies')} raised an error and Cedar skipped {result.errors.length === 1 ? 'it' : 'them'}
            </p>
            <ul className="banner-diagnostics">
              {result.errors.map((e, i) => (
                <li key={`${e.policy}-${i}`} data-testid="test-error" data-policy-id={e.policy}>
                  <code>{e.policy}</code> {e.message}
                </li>
              ))}
            </ul>
            <p className="banner-help">A skipped forbid does not deny: check these before trusting an allow.</p>
          </div>
        </div>
      )}

      {result.determining.length === 0 ? (
        <p className="decision-default" data-testid="test-default-deny">
          {allow ? 'Allowed, but Cedar named no determining policy.' : 'Default deny: no policy applies.'}
          {!allow && <span className="muted"> No permit matched this request, and no forbid either.</span>}
        </p>
      ) : (
        <>
          <h3 className="decision-subtitle">
            {allow ? 'Allowed by' : 'Denied by'} {plural(result.determining.length, kind)}
          </h3>
          <ul className="determining-list">
            {result.determining.map((p) => (
              <li key={`${p.file}:${p.line}:${p.id}`} className="determining" data-testid="test-determining" data-policy-id={p.id}>
                <div className="determining-head">
                  <span className={`kind kind-${kind}`}>{kind}</span>
                  <code className="determining-id">{p.id}</code>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => onOpenPolicy(p.file, p.line)}
                    title={`Open ${p.file} in the editor`}
                    data-testid="test-open-policy"
                  >
                    {refText(p)}
                  </button>
                </div>
                <pre className="policy-source" tabIndex={0} aria-label={`Source of ${p.id}`}>
                  {p.text}
                </pre>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
