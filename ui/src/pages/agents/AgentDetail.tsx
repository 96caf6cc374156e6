// The agent side panel: its gaps, lifecycle, RACI and the edit form (or an empty form to
// create one) on the Details tab, and what the agent can do under the policies on the Access
// tab (an existing agent only).
//
// Every edit is validated by the core after a short pause (`validateAgentDraft`), and each
// problem is shown under the field it names; Save stays disabled while there are errors.
// Lifecycle and approval are never edited here — they change only through a transition.
// When the file changes on disk, an untouched form follows it; an edited one keeps the
// user's text and shows the conflict banner. A save names the revision of the agent's file
// the form was loaded from, so a file changed on disk since is refused (`edit_conflict`),
// never overwritten, until the user reloads or explicitly overwrites.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Agent } from '../../bindings/Agent';
import type { ApiError } from '../../bindings/ApiError';
import type { Diagnostic } from '../../bindings/Diagnostic';
import type { Finding } from '../../bindings/Finding';
import type { Human } from '../../bindings/Human';
import type { InventoryView } from '../../bindings/InventoryView';
import type { Lifecycle } from '../../bindings/Lifecycle';
import { toApiError, useBackend } from '../../backend';
import { LifecycleBadge, TierBadge } from '../../components/AgentBadges';
import { ConflictBanner } from '../../components/ConflictBanner';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatLocation } from '../../lib/diagnostics';
import { Icon } from '../../components/Icon';
import { SeverityBadge } from '../../components/SeverityBadge';
import { Tabs } from '../../components/Tabs';
import { TokenInput, type TokenOption } from '../../components/TokenInput';
import {
  allowedTransitions,
  changedFields,
  deriveRaci,
  ENVIRONMENTS,
  findingsByAgent,
  humanForActor,
  LIFECYCLE_ACTIONS,
  newAgentDraft,
  sameAgent,
  SEVERITIES,
  STEP_UP_ACTIONS,
  STEP_UP_LABELS,
  TIERS,
  toWire,
  type PersonRef,
} from '../../lib/agents';
import { plural } from '../../lib/summary';
import { AgentAccess } from './AgentAccess';
import { AgentTraffic } from './AgentTraffic';
import { LifecycleModal } from './LifecycleModal';

export type DetailMode = { kind: 'create' } | { kind: 'edit'; id: string };
export const DETAIL_TABS = ['details', 'access'] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];
const DETAIL_TAB_LABELS: Record<DetailTab, string> = { details: 'Details', access: 'Access' };
export interface FocusRequest {
  field: string;
  /** A new number for every request, so asking twice for one field focuses it twice. */
  seq: number;
}

export const VALIDATE_DEBOUNCE_MS = 300;
const HIGHLIGHT_MS = 2400;

/** Fields the panel shows, so a diagnostic about one of them appears beside it. */
const SHOWN_FIELDS = new Set([
  'name',
  'purpose',
  'spiffe_id',
  'oidc_issuer',
  'oidc_subject',
  'owner_team',
  'accountable',
  'sponsor',
  'escalation',
  'risk_tier',
  'environment',
  'max_ttl_seconds',
  'attestation_required',
  'step_up_actions',
  'tools',
  'datasets',
  'models',
  'delegates',
  'recertify_by',
  'tags',
  'lifecycle',
  'approved_by',
  'approved_on',
]);

export function agentFile(id: string): string {
  return `inventory/agents/${id}.toml`;
}

/** Splits diagnostics into those shown beside a field and the rest (shown at the top). */
export function placeDiagnostics(
  diagnostics: readonly Diagnostic[],
  create: boolean,
): { byField: Map<string, Diagnostic[]>; general: Diagnostic[] } {
  const byField = new Map<string, Diagnostic[]>();
  const general: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const d of diagnostics) {
    const key = `${d.field ?? ''}\n${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shown = d.field !== null && (SHOWN_FIELDS.has(d.field) || (create && d.field === 'id'));
    if (shown) {
      const list = byField.get(d.field!);
      if (list) list.push(d);
      else byField.set(d.field!, [d]);
    } else {
      general.push(d);
    }
  }
  return { byField, general };
}

function localDiagnostic(id: string, field: string, message: string, help: string): Diagnostic {
  return {
    file: agentFile(id),
    line: 1,
    column: 1,
    end_line: 1,
    end_column: 1,
    severity: 'error',
    code: 'ui::input',
    message,
    help,
    field,
  };
}

export function AgentDetail({
  view,
  mode,
  focus,
  acting,
  onClose,
  onSaved,
  onTransitioned,
  onStale,
  tab: shownTab = 'details',
  onTab,
}: {
  view: InventoryView;
  mode: DetailMode;
  focus: FocusRequest | null;
  acting: string | null;
  onClose: () => void;
  onSaved: (agent: Agent, created: boolean) => void | Promise<void>;
  onTransitioned: () => void | Promise<void>;
  /** A save was refused because the file changed on disk: read the inventory again. */
  onStale?: () => void | Promise<void>;
  /** The tab shown for an existing agent (the page keeps it from one agent to the next). */
  tab?: DetailTab;
  onTab?: (tab: DetailTab) => void;
}) {
  const backend = useBackend();
  const create = mode.kind === 'create';
  const uid = useId();
  const current = mode.kind === 'edit' ? (view.agents.find((a) => a.id === mode.id) ?? null) : null;
  // The revision of the agent's file as the view read it: what an overwrite names.
  const currentRevision = current ? (view.agent_revisions[current.id] ?? null) : null;

  const [base, setBase] = useState<Agent>(() => current ?? newAgentDraft());
  // The revision `base` was read at (`absent` for a new agent): what a save names.
  const [baseRevision, setBaseRevision] = useState<string | null>(() => (create ? 'absent' : currentRevision));
  const [draft, setDraft] = useState<Agent>(base);
  const [seen, setSeen] = useState<Agent | null>(current);
  const [changedOnDisk, setChangedOnDisk] = useState(false);
  // Whether a save was refused over the change on disk (the banner says so).
  const [refused, setRefused] = useState(false);
  const [draftDiags, setDraftDiags] = useState<Diagnostic[]>([]);
  const [validating, setValidating] = useState(false);
  const [validateError, setValidateError] = useState<ApiError | null>(null);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [ttlText, setTtlText] = useState<string | null>(null);
  const [escArmed, setEscArmed] = useState(false);
  const [move, setMove] = useState<Lifecycle | null>(null);
  // A new agent has no access to show yet: its panel is the form alone.
  const tabbed = !create;
  const tab: DetailTab = tabbed ? shownTab : 'details';
  // The Access tab stays mounted once shown, so going back and forth keeps its result.
  const [accessShown, setAccessShown] = useState(tab === 'access');
  if (tab === 'access' && !accessShown) setAccessShown(true);

  const dirty = !sameAgent(draft, base);

  // The agent changed on disk (or after our own save or transition): follow it.
  if (current !== seen) {
    setSeen(current);
    if (current) {
      const approval = {
        lifecycle: current.lifecycle,
        approved_by: current.approved_by,
        approved_on: current.approved_on,
      };
      if (!dirty) {
        setBase(current);
        setBaseRevision(currentRevision);
        setDraft(current);
        setTtlText(null);
      } else {
        setBase({ ...base, ...approval });
        setDraft({ ...draft, ...approval });
        // The file holds what the form is based on (e.g. after our own transition): a save
        // over it loses nothing. Otherwise their change waits for the user's choice.
        if (!sameAgent({ ...base, ...approval }, current)) setChangedOnDisk(true);
        else if (!changedOnDisk) setBaseRevision(currentRevision);
      }
    }
  }

  const timer = useRef<number | undefined>(undefined);
  const seq = useRef(0);
  const panel = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(
    () => () => {
      window.clearTimeout(timer.current);
      seq.current++;
    },
    [],
  );

  const validate = (next: Agent) => {
    window.clearTimeout(timer.current);
    const mine = ++seq.current;
    if (sameAgent(next, base)) {
      setValidating(false);
      setDraftDiags([]);
      return;
    }
    setValidating(true);
    timer.current = window.setTimeout(() => {
      backend.validateAgentDraft(toWire(next), create).then(
        (diags) => {
          if (mine !== seq.current) return;
          setDraftDiags(diags);
          setValidateError(null);
          setValidating(false);
        },
        (e: unknown) => {
          if (mine !== seq.current) return;
          setValidateError(toApiError(e));
          setValidating(false);
        },
      );
    }, VALIDATE_DEBOUNCE_MS);
  };

  const update = (patch: Partial<Agent>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    setSaveError(null);
    setNotice(null);
    setEscArmed(false);
    validate(next);
  };

  const reloadFromDisk = () => {
    if (!current) return;
    window.clearTimeout(timer.current);
    seq.current++;
    setBase(current);
    setBaseRevision(currentRevision);
    setDraft(current);
    setTtlText(null);
    setDraftDiags([]);
    setValidating(false);
    setChangedOnDisk(false);
    setRefused(false);
    setSaveError(null);
  };

  // ---------- Diagnostics ----------

  const local: Diagnostic[] =
    ttlText !== null
      ? [
          localDiagnostic(
            draft.id,
            'max_ttl_seconds',
            'the longest credential lifetime must be a whole number of seconds',
            'e.g. 900 for 15 minutes',
          ),
        ]
      : [];
  const serverDiags = saveError?.code === 'inventory_invalid' ? saveError.diagnostics : [];
  const shown = [...local, ...(dirty ? draftDiags : []), ...serverDiags];
  const { byField, general } = placeDiagnostics(shown, create);
  const errorCount = shown.filter((d) => d.severity === 'error').length;
  const canSave = dirty && errorCount === 0 && !saving && (!create || draft.id.trim() !== '');

  // ---------- Save ----------

  /**
   * Saves over the revision the form was loaded from, or, with `overwrite`, over the file as
   * the view read it now (the user chose to replace the change on disk). A refused save
   * shows the conflict banner and asks the page for the inventory as it is now.
   */
  const save = async (overwrite = false) => {
    if (!canSave) return;
    window.clearTimeout(timer.current);
    seq.current++;
    setValidating(false);
    setSaving(true);
    setSaveError(null);
    const wire = toWire(draft);
    // A file gone from the view (removed on disk) is recreated only if it is still absent.
    const expected = overwrite ? (currentRevision ?? 'absent') : baseRevision;
    try {
      const saved = await backend.saveAgent(wire, create, expected);
      if (!create) {
        setBase(saved.agent);
        setBaseRevision(saved.revision);
        setDraft(saved.agent);
        setDraftDiags([]);
        setChangedOnDisk(false);
        setRefused(false);
        setNotice('Saved');
      }
      setSaving(false);
      await onSaved(saved.agent, create);
    } catch (e) {
      const error = toApiError(e);
      setSaving(false);
      if (error.code === 'edit_conflict' && !create) {
        setChangedOnDisk(true);
        setRefused(true);
        await onStale?.();
      } else {
        setSaveError(error);
      }
    }
  };

  // ---------- Focus and keyboard ----------

  const focusField = useCallback((field: string) => {
    const root = panel.current;
    if (!root || !/^[a-z_]+$/.test(field)) return;
    const el = root.querySelector<HTMLElement>(`[data-testid="agent-field-${field}"]`);
    if (!el) {
      root.querySelector<HTMLElement>('[data-testid="agent-general-problems"]')?.focus();
      return;
    }
    const target = el.matches('input, select, textarea, button, [tabindex]')
      ? el
      : (el.querySelector<HTMLElement>('input, select, textarea, button') ?? el);
    target.focus();
    el.scrollIntoView?.({ block: 'center' });
    const wrap = el.closest<HTMLElement>('.field') ?? el;
    wrap.classList.add('field-highlight');
    el.dataset.highlighted = 'true';
    window.setTimeout(() => {
      wrap.classList.remove('field-highlight');
      delete el.dataset.highlighted;
    }, HIGHLIGHT_MS);
  }, []);

  useEffect(() => {
    if (focus) focusField(focus.field);
    else if (create) panel.current?.querySelector<HTMLElement>('[data-testid="agent-field-id"]')?.focus();
    else heading.current?.focus();
  }, [focus, focusField, create]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || move !== null) return;
      e.preventDefault();
      if (dirty && !escArmed) setEscArmed(true);
      else onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dirty, escArmed, move, onClose]);

  // ---------- Options ----------

  const humans = view.people.humans;
  const toolOptions = useMemo<TokenOption[]>(
    () => view.resources.tools.map((t) => ({ value: t.id, hint: `${t.system} · ${t.sensitivity} · ${t.environment}` })),
    [view.resources.tools],
  );
  const datasetOptions = useMemo<TokenOption[]>(
    () => view.resources.datasets.map((d) => ({ value: d.id, hint: `${d.classification} · ${d.environment}` })),
    [view.resources.datasets],
  );
  const modelOptions = useMemo<TokenOption[]>(
    () => view.resources.models.map((m) => ({ value: m.id, hint: m.provider ?? '' })),
    [view.resources.models],
  );
  const delegateOptions = useMemo<TokenOption[]>(
    () => view.agents.filter((a) => a.id !== draft.id).map((a) => ({ value: a.id, hint: `${a.name} · ${a.risk_tier}` })),
    [view.agents, draft.id],
  );
  const tagOptions = useMemo<TokenOption[]>(() => {
    const tags = new Set<string>();
    for (const a of view.agents) for (const t of a.tags ?? []) tags.add(t);
    return [...tags].sort().map((value) => ({ value }));
  }, [view.agents]);

  const findings = useMemo(
    () => (current ? (findingsByAgent(view.findings).get(current.id) ?? []) : []),
    [current, view.findings],
  );
  const sortedFindings = useMemo(
    () => [...findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity)),
    [findings],
  );
  const fileProblems = current ? view.diagnostics.filter((d) => d.file === agentFile(current.id)) : [];
  const raci = deriveRaci(draft, view.people);
  const moves = current ? allowedTransitions(view.transitions, current.lifecycle) : [];
  const actingHuman = acting ? humanForActor(view.people, acting) : null;

  // ---------- Rendering helpers ----------

  const fieldProps = (field: string) => {
    const diags = byField.get(field) ?? [];
    return {
      id: `${uid}-${field}`,
      'data-testid': `agent-field-${field}`,
      'aria-invalid': diags.length > 0 || undefined,
      'aria-describedby': diags.length > 0 ? `${uid}-${field}-problems` : undefined,
    };
  };
  const field = (name: string, label: string, control: ReactNode, hint?: string) => (
    <Field key={name} uid={uid} name={name} label={label} hint={hint} diags={byField.get(name) ?? []}>
      {control}
    </Field>
  );
  const text = (name: keyof Agent, label: string, opts: { placeholder?: string; hint?: string; mono?: boolean } = {}) =>
    field(
      name,
      label,
      <input
        {...fieldProps(name)}
        className={opts.mono ? 'input mono' : 'input'}
        value={(draft[name] as string | null | undefined) ?? ''}
        placeholder={opts.placeholder}
        spellCheck={!opts.mono}
        onChange={(e) => update({ [name]: e.target.value })}
      />,
      opts.hint,
    );
  const tokens = (name: 'tools' | 'datasets' | 'models' | 'delegates' | 'tags', label: string, options: TokenOption[], placeholder: string) =>
    field(
      name,
      label,
      <TokenInput
        id={`${uid}-${name}`}
        testId={`agent-field-${name}`}
        values={draft[name] ?? []}
        options={options}
        onChange={(values) => update({ [name]: values })}
        placeholder={placeholder}
        invalid={(byField.get(name) ?? []).length > 0}
        describedBy={(byField.get(name) ?? []).length > 0 ? `${uid}-${name}-problems` : undefined}
        unknownLabel={name === 'tags' ? 'new tag' : name === 'delegates' ? 'no such agent' : 'not in resources.toml'}
      />,
    );

  // For an existing agent the summary comes first; while creating, after the fields it sums up.
  const raciSection = (
    <section className="detail-section" aria-labelledby={`${uid}-raci`} data-testid="raci">
      <h3 id={`${uid}-raci`}>Accountability (RACI)</h3>
      <dl className="raci">
        <RaciRow letter="R" role="Responsible" hint="owner team" testId="raci-responsible">
          {raci.responsible.id === '' ? (
            <span className="raci-flag">no owner team</span>
          ) : (
            <>
              {raci.responsible.name ?? raci.responsible.id}
              {!raci.responsible.known && <span className="raci-flag"> — not in people.toml</span>}
            </>
          )}
        </RaciRow>
        <RaciRow
          letter="A"
          role="Accountable"
          hint="answers for the agent"
          testId="raci-accountable"
          status={raci.accountableStatus}
        >
          <Person person={raci.accountable} missing="nobody — every agent needs an accountable human" />
        </RaciRow>
        <RaciRow letter="C" role="Consulted" hint="sponsor" testId="raci-consulted">
          <Person person={raci.consulted} missing="no sponsor" />
        </RaciRow>
        <RaciRow letter="I" role="Informed" hint="escalation contact" testId="raci-informed">
          <Person person={raci.informed} missing="no escalation contact" />
        </RaciRow>
      </dl>
      <dl className="facts approval" data-testid="raci-approval">
        <dt>Approved by</dt>
        <dd tabIndex={-1} data-testid="agent-field-approved_by" className="focus-target">
          {raci.approvedBy ? <Person person={raci.approvedBy} missing="" /> : <span className="muted">not approved</span>}
          <FieldProblems uid={uid} name="approved_by" diags={byField.get('approved_by') ?? []} />
        </dd>
        <dt>Approved on</dt>
        <dd tabIndex={-1} data-testid="agent-field-approved_on" className="focus-target">
          {raci.approvedOn ?? <span className="muted">—</span>}
        </dd>
      </dl>
      <p className="muted small">Approval is set by the Approve transition, never edited.</p>
    </section>
  );

  const title = create ? 'New agent' : (current?.name ?? (mode.kind === 'edit' ? mode.id : ''));
  const headingId = `${uid}-title`;

  return (
    <aside
      ref={panel}
      className={tab === 'access' ? 'drawer drawer-wide' : 'drawer'}
      aria-labelledby={headingId}
      data-testid="agent-detail"
      data-mode={mode.kind}
      data-id={mode.kind === 'edit' ? mode.id : undefined}
      onKeyDown={(e) => {
        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
          e.preventDefault();
          void save();
        }
      }}
    >
      <header className="drawer-header">
        <div className="drawer-title">
          <h2 id={headingId} ref={heading} tabIndex={-1}>
            {title}
          </h2>
          {!create && current && (
            <div className="drawer-subtitle">
              <code>{current.id}</code>
              <TierBadge tier={current.risk_tier} />
              <LifecycleBadge lifecycle={current.lifecycle} />
            </div>
          )}
          {create && <p className="muted small">Created as a draft; approve and activate it afterwards.</p>}
        </div>
        <button type="button" className="btn-icon" onClick={onClose} aria-label="Close details" title="Close (Esc)">
          <Icon name="close" />
        </button>
      </header>

      {tabbed && (
        <div className="drawer-tabs">
          <Tabs
            tabs={DETAIL_TABS}
            labels={DETAIL_TAB_LABELS}
            selected={tab}
            onSelect={(t) => onTab?.(t)}
            label="Agent panel"
            idPrefix="agent-detail"
          />
        </div>
      )}

      <div
        className="drawer-body"
        hidden={tab !== 'details'}
        {...(tabbed ? { role: 'tabpanel', id: 'agent-detail-panel-details', 'aria-labelledby': 'agent-detail-tab-details' } : {})}
      >
        {mode.kind === 'edit' && !current && (
          <div className="banner banner-warning" role="status" data-testid="agent-gone">
            <div className="banner-body">
              <p className="banner-title">This agent is no longer in the inventory</p>
              <p className="banner-help">
                Its file <code>{agentFile(mode.id)}</code> was removed, renamed or no longer loads. Check “Files with
                problems” on the Gaps tab.
              </p>
            </div>
          </div>
        )}
        {changedOnDisk && mode.kind === 'edit' && (
          <ConflictBanner
            file={agentFile(mode.id)}
            refused={refused}
            busy={saving}
            onReload={reloadFromDisk}
            onOverwrite={() => void save(true)}
            theirs={<TheirFields before={base} after={current} />}
            testId="agent"
          />
        )}
        {saveError && saveError.code !== 'inventory_invalid' && <ErrorBanner error={saveError} />}
        {validateError && <ErrorBanner error={validateError} onDismiss={() => setValidateError(null)} />}
        {(general.length > 0 || (saveError?.code === 'inventory_invalid' && general.length === 0)) && (
          <div className="inline-error" role="alert" tabIndex={-1} data-testid="agent-general-problems">
            {saveError?.code === 'inventory_invalid' && (
              <p className="inline-error-title" data-testid="agent-save-error">
                {saveError.message}
              </p>
            )}
            {general.length > 0 && (
              <ul className="problem-list">
                {general.map((d, i) => (
                  <li key={i} data-testid="agent-problem" data-field={d.field ?? ''}>
                    {d.field && <code>{d.field}</code>} {d.message}
                    {d.help && <span className="muted"> — {d.help}</span>}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}

        {(sortedFindings.length > 0 || fileProblems.length > 0) && (
          <section className="detail-section" aria-labelledby={`${uid}-gaps`}>
            <h3 id={`${uid}-gaps`}>
              Accountability gaps <span className="heading-count">{sortedFindings.length + fileProblems.length}</span>
            </h3>
            <ul className="finding-list compact">
              {fileProblems.map((d, i) => (
                <li key={`d${i}`} className={`finding finding-${d.severity}`} data-testid="agent-file-problem">
                  <div className="finding-head">
                    <SeverityBadge severity={d.severity} />
                    <span className="finding-message">{d.message}</span>
                  </div>
                  <p className="finding-meta">
                    <code>{formatLocation(d)}</code>
                    {d.help && <span> — {d.help}</span>}
                  </p>
                </li>
              ))}
              {sortedFindings.map((f, i) => (
                <FindingItem key={`${f.code}-${i}`} finding={f} onFix={f.field ? () => focusField(f.field!) : undefined} />
              ))}
            </ul>
          </section>
        )}

        {!create && current && (
          <section className="detail-section" aria-labelledby={`${uid}-lifecycle`} data-testid="agent-lifecycle">
            <h3 id={`${uid}-lifecycle`}>Lifecycle</h3>
            <div className={byField.has('lifecycle') ? 'field field-invalid' : 'field'}>
              <div className="lifecycle-row">
                <span tabIndex={-1} data-testid="agent-field-lifecycle" className="focus-target">
                  <LifecycleBadge lifecycle={current.lifecycle} testId="lifecycle-current" />
                </span>
                <div className="lifecycle-actions" role="group" aria-label="Move to">
                  {moves.map((to) => (
                    <button
                      key={to}
                      type="button"
                      className={to === 'retired' || to === 'suspended' ? 'btn btn-danger-outline' : 'btn'}
                      data-testid={`lifecycle-${to}`}
                      onClick={() => setMove(to)}
                    >
                      {LIFECYCLE_ACTIONS[to]}
                    </button>
                  ))}
                  {moves.length === 0 && <span className="muted small">Final state: no further moves.</span>}
                </div>
              </div>
              <FieldProblems uid={uid} name="lifecycle" diags={byField.get('lifecycle') ?? []} />
              <p className="muted small" data-testid="acting-identity">
                Acting as <strong>{acting ?? 'unknown'}</strong>
                {actingHuman && actingHuman.id !== acting && <> ({actingHuman.name})</>}
                {acting && !actingHuman && <span className="text-warning"> — not a person in people.toml, so cannot approve</span>}
              </p>
            </div>
          </section>
        )}

        {!create && raciSection}

        {!create && current && <AgentTraffic key={current.id} agent={current.id} />}

        <form
          className="agent-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <fieldset className="form-group">
            <legend>Identity</legend>
            {create &&
              field(
                'id',
                'Id',
                <input
                  {...fieldProps('id')}
                  className="input mono"
                  value={draft.id}
                  placeholder="billing-bot"
                  spellCheck={false}
                  autoComplete="off"
                  onChange={(e) => update({ id: e.target.value })}
                />,
                'Lowercase letters, digits and -; also the file name. Cannot be changed later.',
              )}
            {text('name', 'Name', { placeholder: 'Billing refunds agent' })}
            {field(
              'purpose',
              'Purpose',
              <textarea
                {...fieldProps('purpose')}
                className="input textarea"
                rows={2}
                value={draft.purpose ?? ''}
                onChange={(e) => update({ purpose: e.target.value })}
              />,
            )}
            {text('spiffe_id', 'SPIFFE ID', { placeholder: 'spiffe://acme.example/agents/billing-bot', mono: true })}
            <div className="field-pair">
              {text('oidc_issuer', 'OIDC issuer', { placeholder: 'https://token.actions.example', mono: true })}
              {text('oidc_subject', 'OIDC subject', { mono: true })}
            </div>
            <p className="muted small">A workload identity (SPIFFE, or OIDC issuer and subject) is needed to activate the agent.</p>
          </fieldset>

          <fieldset className="form-group">
            <legend>Ownership</legend>
            {field(
              'owner_team',
              'Owner team',
              <select
                {...fieldProps('owner_team')}
                className="input"
                value={draft.owner_team}
                onChange={(e) => update({ owner_team: e.target.value })}
              >
                <option value="">Choose a team…</option>
                {view.people.teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name} ({t.id})
                  </option>
                ))}
                {draft.owner_team !== '' && !view.people.teams.some((t) => t.id === draft.owner_team) && (
                  <option value={draft.owner_team}>{draft.owner_team} — not in people.toml</option>
                )}
              </select>,
            )}
            {(['accountable', 'sponsor', 'escalation'] as const).map((name) =>
              field(
                name,
                { accountable: 'Accountable human', sponsor: 'Sponsor', escalation: 'Escalation contact' }[name],
                <PersonSelect
                  {...fieldProps(name)}
                  humans={humans}
                  value={draft[name] ?? ''}
                  onChange={(v) => update({ [name]: v })}
                />,
                {
                  accountable: 'The one person who answers for this agent.',
                  sponsor: 'Approves the agent; for high and critical agents not the accountable human.',
                  escalation: 'Who is called when the agent misbehaves.',
                }[name],
              ),
            )}
          </fieldset>

          <fieldset className="form-group">
            <legend>Risk and credentials</legend>
            <div className="field-pair">
              {field(
                'risk_tier',
                'Risk tier',
                <select
                  {...fieldProps('risk_tier')}
                  className="input"
                  value={draft.risk_tier}
                  onChange={(e) => update({ risk_tier: e.target.value as Agent['risk_tier'] })}
                >
                  {TIERS.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>,
              )}
              {field(
                'environment',
                'Environment',
                <select
                  {...fieldProps('environment')}
                  className="input"
                  value={draft.environment}
                  onChange={(e) => update({ environment: e.target.value as Agent['environment'] })}
                >
                  {ENVIRONMENTS.map((env) => (
                    <option key={env} value={env}>
                      {env}
                    </option>
                  ))}
                </select>,
              )}
            </div>
            {field(
              'max_ttl_seconds',
              'Longest credential lifetime (seconds)',
              <input
                {...fieldProps('max_ttl_seconds')}
                className="input input-number"
                type="number"
                inputMode="numeric"
                min={0}
                step={1}
                value={ttlText ?? String(draft.max_ttl_seconds)}
                onChange={(e) => {
                  const raw = e.target.value;
                  const n = Number(raw);
                  if (raw.trim() !== '' && Number.isSafeInteger(n) && n >= 0) {
                    setTtlText(null);
                    update({ max_ttl_seconds: n });
                  } else {
                    setTtlText(raw);
                    setEscArmed(false);
                  }
                }}
              />,
              ttlHint(draft.max_ttl_seconds),
            )}
            <Field uid={uid} name="attestation_required" label="" diags={byField.get('attestation_required') ?? []}>
              <label className="check">
                <input
                  {...fieldProps('attestation_required')}
                  type="checkbox"
                  checked={draft.attestation_required}
                  onChange={(e) => update({ attestation_required: e.target.checked })}
                />
                Attestation required before a credential is issued
              </label>
            </Field>
            <div className={byField.has('step_up_actions') ? 'field field-invalid' : 'field'}>
              <fieldset
                className="checks"
                data-testid="agent-field-step_up_actions"
                aria-describedby={byField.has('step_up_actions') ? `${uid}-step_up_actions-problems` : undefined}
              >
                <legend className="field-label">Step-up actions (need a human’s approval each time)</legend>
                {STEP_UP_ACTIONS.map((action) => {
                  const on = (draft.step_up_actions ?? []).includes(action);
                  return (
                    <label key={action} className="check">
                      <input
                        type="checkbox"
                        data-testid={`agent-step-up-${action}`}
                        checked={on}
                        onChange={(e) => {
                          const rest = (draft.step_up_actions ?? []).filter((a) => a !== action);
                          update({
                            step_up_actions: e.target.checked
                              ? STEP_UP_ACTIONS.filter((a) => a === action || rest.includes(a))
                              : rest,
                          });
                        }}
                      />
                      {STEP_UP_LABELS[action]} <code>{action}</code>
                    </label>
                  );
                })}
              </fieldset>
              <FieldProblems uid={uid} name="step_up_actions" diags={byField.get('step_up_actions') ?? []} />
            </div>
          </fieldset>

          <fieldset className="form-group">
            <legend>Grants</legend>
            {tokens('tools', 'Tools', toolOptions, 'Add a tool…')}
            {tokens('datasets', 'Datasets', datasetOptions, 'Add a dataset…')}
            {tokens('models', 'Models', modelOptions, 'Add a model…')}
            {tokens('delegates', 'May delegate to', delegateOptions, 'Add an agent…')}
          </fieldset>

          <fieldset className="form-group">
            <legend>Review</legend>
            {field(
              'recertify_by',
              'Recertify by',
              <input
                {...fieldProps('recertify_by')}
                className="input input-date"
                type="date"
                value={draft.recertify_by ?? ''}
                onChange={(e) => update({ recertify_by: e.target.value })}
              />,
            )}
            {tokens('tags', 'Tags', tagOptions, 'Add a tag…')}
          </fieldset>
        </form>
        {create && raciSection}
      </div>

      {tabbed && accessShown && mode.kind === 'edit' && (
        <div
          className="drawer-body"
          hidden={tab !== 'access'}
          role="tabpanel"
          id="agent-detail-panel-access"
          aria-labelledby="agent-detail-tab-access"
        >
          <AgentAccess key={mode.id} agent={mode.id} unsaved={dirty} />
        </div>
      )}

      <footer className="drawer-footer">
        <p className="form-status" role="status" data-testid="agent-form-status">
          {escArmed ? (
            <span className="text-warning">Unsaved changes — press Escape again to discard them.</span>
          ) : tab === 'access' ? (
            // The form's state, not the access: "No changes" here would read as no change in access.
            dirty && <span className="text-warning">Unsaved changes on the Details tab</span>
          ) : saving ? (
            'Saving…'
          ) : validating ? (
            'Checking…'
          ) : errorCount > 0 ? (
            <span className="text-error">{plural(errorCount, 'problem')} to fix before saving</span>
          ) : notice ? (
            <span className="text-ok">{notice}</span>
          ) : dirty ? (
            'Unsaved changes'
          ) : create ? (
            'Fill in the agent and save'
          ) : (
            <span className="muted">No changes</span>
          )}
        </p>
        <button type="button" className="btn" onClick={onClose} data-testid="agent-cancel">
          {dirty ? 'Discard' : 'Close'}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void save()}
          disabled={!canSave}
          data-testid="agent-save"
          title="Save (Ctrl+S)"
        >
          {create ? 'Create agent' : 'Save'}
        </button>
      </footer>

      {move && current && (
        <LifecycleModal
          agent={current}
          to={move}
          acting={acting}
          onCancel={() => setMove(null)}
          onDone={() => {
            setMove(null);
            setNotice(`Moved to ${move}`);
            void onTransitioned();
          }}
        />
      )}
    </aside>
  );
}

function ttlHint(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${plural(seconds / 3600, 'hour')}.`;
  if (seconds >= 60 && seconds % 60 === 0) return `${plural(seconds / 60, 'minute')}.`;
  return `${plural(seconds, 'second')}.`;
}

function Field({
  uid,
  name,
  label,
  hint,
  diags,
  children,
}: {
  uid: string;
  name: string;
  label: string;
  hint?: string;
  diags: Diagnostic[];
  children: ReactNode;
}) {
  return (
    <div className={diags.length > 0 ? 'field field-invalid' : 'field'} data-field={name}>
      {label && (
        <label className="field-label" htmlFor={`${uid}-${name}`}>
          {label}
        </label>
      )}
      {children}
      {hint && <p className="field-hint">{hint}</p>}
      <FieldProblems uid={uid} name={name} diags={diags} />
    </div>
  );
}

function FieldProblems({ uid, name, diags }: { uid: string; name: string; diags: Diagnostic[] }) {
  if (diags.length === 0) return null;
  return (
    <div id={`${uid}-${name}-problems`} className="field-problems">
      {diags.map((d, i) => (
        <p key={i} className="field-error" data-testid={`agent-error-${name}`}>
          {d.message}
          {d.help && <span className="field-error-help"> — {d.help}</span>}
        </p>
      ))}
    </div>
  );
}

function PersonSelect({
  humans,
  value,
  onChange,
  ...rest
}: {
  humans: Human[];
  value: string;
  onChange: (value: string) => void;
  id: string;
  'data-testid': string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  const known = humans.some((h) => h.id === value);
  return (
    <select {...rest} className="input" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">— nobody —</option>
      {humans.map((h) => (
        <option key={h.id} value={h.id}>
          {h.name} ({h.id}){h.departed ? ' — departed' : ''}
        </option>
      ))}
      {value !== '' && !known && <option value={value}>{value} — not in people.toml</option>}
    </select>
  );
}

function RaciRow({
  letter,
  role,
  hint,
  testId,
  status,
  children,
}: {
  letter: string;
  role: string;
  hint: string;
  testId: string;
  status?: string;
  children: ReactNode;
}) {
  const flagged = status !== undefined && status !== 'ok';
  return (
    <div className={flagged ? 'raci-row raci-row-flagged' : 'raci-row'} data-testid={testId} data-status={status}>
      <dt>
        <span className="raci-letter" aria-hidden="true">
          {letter}
        </span>
        <span className="raci-role">{role}</span>
        <span className="raci-hint">{hint}</span>
      </dt>
      <dd>{children}</dd>
    </div>
  );
}

function Person({ person, missing }: { person: PersonRef | null; missing: string }) {
  if (!person) return <span className="raci-flag">{missing}</span>;
  if (!person.known) {
    return (
      <span>
        <code>{person.id}</code> <span className="raci-flag">— not in people.toml</span>
      </span>
    );
  }
  return (
    <span>
      {person.name} <span className="muted">({person.id})</span>
      {person.email && (
        <>
          {' '}
          <a href={`mailto:${person.email}`} className="small">
            {person.email}
          </a>
        </>
      )}
      {person.departed && <span className="raci-flag"> — departed</span>}
    </span>
  );
}

function FindingItem({ finding: f, onFix }: { finding: Finding; onFix?: () => void }) {
  return (
    <li className={`finding finding-${f.severity}`} data-testid="agent-finding" data-code={f.code}>
      <div className="finding-head">
        <SeverityBadge severity={f.severity} />
        <span className="finding-message">{f.message}</span>
        {onFix && (
          <button type="button" className="btn btn-small" onClick={onFix}>
            Go to <code>{f.field}</code>
          </button>
        )}
      </div>
      {f.help && <p className="finding-help">{f.help}</p>}
      <p className="finding-meta">
        <code>{f.code}</code>
      </p>
    </li>
  );
}

/** The fields changed on disk since the form was loaded: what overwriting would undo. */
function TheirFields({ before, after }: { before: Agent; after: Agent | null }) {
  if (!after) return <p className="muted small">The file no longer holds this agent (removed, renamed or broken).</p>;
  const changes = changedFields(before, after);
  if (changes.length === 0) return <p className="muted small">No field changed; only the file&apos;s text did.</p>;
  return (
    <dl className="conflict-fields" aria-label="Fields changed on disk">
      <dt className="muted small">Field</dt>
      <dd className="muted small">When you opened it</dd>
      <dd className="muted small">On disk now</dd>
      {changes.map((c) => (
        <div key={c.field} className="conflict-field-row" data-testid="agent-theirs-field" data-field={c.field}>
          <dt>
            <code>{c.field}</code>
          </dt>
          <dd>{c.before === null ? <span className="muted">not set</span> : <code>{c.before}</code>}</dd>
          <dd>{c.after === null ? <span className="muted">not set</span> : <code>{c.after}</code>}</dd>
        </div>
      ))}
    </dl>
  );
}
