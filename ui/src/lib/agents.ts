// Pure logic of the Agents page: table rows, sorting, filtering, RACI, lifecycle moves and
// the wire form of an edited agent. No React here, so every rule is unit-tested.
import type { Agent } from '../bindings/Agent';
import type { Environment } from '../bindings/Environment';
import type { Finding } from '../bindings/Finding';
import type { Human } from '../bindings/Human';
import type { InventoryView } from '../bindings/InventoryView';
import type { Lifecycle } from '../bindings/Lifecycle';
import type { LifecycleEdge } from '../bindings/LifecycleEdge';
import type { People } from '../bindings/People';
import type { RiskTier } from '../bindings/RiskTier';
import type { Severity } from '../bindings/Severity';

// Records over the generated unions: a variant added on the Rust side fails the typecheck.
const TIER_RANK: Record<RiskTier, number> = { low: 0, medium: 1, high: 2, critical: 3 };
const ENV_RANK: Record<Environment, number> = { dev: 0, test: 1, prod: 2 };
const LIFECYCLE_RANK: Record<Lifecycle, number> = { draft: 0, approved: 1, active: 2, suspended: 3, retired: 4 };

export const TIERS = Object.keys(TIER_RANK) as RiskTier[];
export const ENVIRONMENTS = Object.keys(ENV_RANK) as Environment[];
export const LIFECYCLES = Object.keys(LIFECYCLE_RANK) as Lifecycle[];

export const STEP_UP_ACTIONS = [
  'invoke_tool',
  'read_data',
  'write_data',
  'invoke_model',
  'delegate',
  'request_credential',
] as const;

export const STEP_UP_LABELS: Record<(typeof STEP_UP_ACTIONS)[number], string> = {
  invoke_tool: 'Invoke a tool',
  read_data: 'Read data',
  write_data: 'Write data',
  invoke_model: 'Invoke a model',
  delegate: 'Delegate',
  request_credential: 'Request a credential',
};

export const LIFECYCLE_LABELS: Record<Lifecycle, string> = {
  draft: 'Draft',
  approved: 'Approved',
  active: 'Active',
  suspended: 'Suspended',
  retired: 'Retired',
};

/** The button text for a move to `to` ("Approve", "Suspend" …). */
export const LIFECYCLE_ACTIONS: Record<Lifecycle, string> = {
  draft: 'Back to draft',
  approved: 'Approve',
  active: 'Activate',
  suspended: 'Suspend',
  retired: 'Retire',
};

export const DEFAULT_MAX_TTL_SECONDS = 900;

// ---------- Findings per subject ----------

export interface GapCounts {
  error: number;
  warning: number;
  info: number;
}

export const NO_GAPS: GapCounts = Object.freeze({ error: 0, warning: 0, info: 0 });

export function gapTotal(g: GapCounts): number {
  return g.error + g.warning + g.info;
}

/** `agent:billing-bot` → `{ kind: 'agent', id: 'billing-bot' }`; ids may contain `:`. */
export function parseSubject(subject: string): { kind: string; id: string } {
  const at = subject.indexOf(':');
  return at < 0 ? { kind: '', id: subject } : { kind: subject.slice(0, at), id: subject.slice(at + 1) };
}

/** Findings about each agent, by agent id, in one pass (10,000 agents stay cheap). */
export function findingsByAgent(findings: readonly Finding[]): Map<string, Finding[]> {
  const map = new Map<string, Finding[]>();
  for (const f of findings) {
    const { kind, id } = parseSubject(f.subject);
    if (kind !== 'agent') continue;
    const list = map.get(id);
    if (list) list.push(f);
    else map.set(id, [f]);
  }
  return map;
}

export function countGaps(findings: readonly Finding[] | undefined): GapCounts {
  if (!findings || findings.length === 0) return NO_GAPS;
  const c = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

// ---------- Table rows ----------

export interface AgentRow {
  agent: Agent;
  teamName: string;
  /** The accountable human's name, their id when unknown, '' when missing. */
  accountableName: string;
  accountableStatus: AccountableStatus;
  gaps: GapCounts;
  /** Lower-cased id, name and purpose, for the free-text filter. */
  haystack: string;
}

export function buildRows(view: Pick<InventoryView, 'agents' | 'people' | 'findings'>): AgentRow[] {
  const humans = humanIndex(view.people);
  const teams = new Map(view.people.teams.map((t) => [t.id, t.name]));
  const gaps = findingsByAgent(view.findings);
  return view.agents.map((agent) => {
    const acc = personRef(agent.accountable, humans);
    return {
      agent,
      teamName: teams.get(agent.owner_team) ?? agent.owner_team,
      accountableName: acc ? (acc.name ?? acc.id) : '',
      accountableStatus: accountableStatus(acc),
      gaps: countGaps(gaps.get(agent.id)),
      haystack: `${agent.id}\n${agent.name}\n${agent.purpose ?? ''}`.toLowerCase(),
    };
  });
}

export type SortKey = 'id' | 'team' | 'accountable' | 'tier' | 'environment' | 'lifecycle' | 'gaps';
export type SortDir = 'asc' | 'desc';
export interface SortState {
  key: SortKey;
  dir: SortDir;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function compareText(a: string, b: string): number {
  // Empty values (no accountable human) sort last ascending, so gaps are easy to spot from either end.
  if (a === '' || b === '') return a === b ? 0 : a === '' ? 1 : -1;
  return collator.compare(a, b);
}

function compareGaps(a: GapCounts, b: GapCounts): number {
  return a.error - b.error || a.warning - b.warning || a.info - b.info;
}

function compareBy(key: SortKey, a: AgentRow, b: AgentRow): number {
  switch (key) {
    case 'id':
      return compareText(a.agent.id, b.agent.id);
    case 'team':
      return compareText(a.teamName, b.teamName);
    case 'accountable':
      return compareText(a.accountableName, b.accountableName);
    case 'tier':
      return TIER_RANK[a.agent.risk_tier] - TIER_RANK[b.agent.risk_tier];
    case 'environment':
      return ENV_RANK[a.agent.environment] - ENV_RANK[b.agent.environment];
    case 'lifecycle':
      return LIFECYCLE_RANK[a.agent.lifecycle] - LIFECYCLE_RANK[b.agent.lifecycle];
    case 'gaps':
      return compareGaps(a.gaps, b.gaps);
  }
}

/** A sorted copy; ties break by id ascending so the order is stable whatever the direction. */
export function sortRows(rows: readonly AgentRow[], sort: SortState): AgentRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort(
    (a, b) => sign * compareBy(sort.key, a, b) || collator.compare(a.agent.id, b.agent.id),
  );
}

/** Clicking a column: a new column sorts ascending (gaps and tier descending: worst first). */
export function nextSort(current: SortState, key: SortKey): SortState {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'gaps' || key === 'tier' ? 'desc' : 'asc' };
}

export interface AgentFilter {
  text: string;
  tier: RiskTier | '';
  lifecycle: Lifecycle | '';
  team: string;
  gapsOnly: boolean;
}

export const EMPTY_FILTER: AgentFilter = { text: '', tier: '', lifecycle: '', team: '', gapsOnly: false };

export function isFiltering(f: AgentFilter): boolean {
  return f.text.trim() !== '' || f.tier !== '' || f.lifecycle !== '' || f.team !== '' || f.gapsOnly;
}

/** Rows matching every set criterion; the text matches id, name or purpose, all words. */
export function filterRows(rows: readonly AgentRow[], f: AgentFilter): AgentRow[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter(
    (r) =>
      (f.tier === '' || r.agent.risk_tier === f.tier) &&
      (f.lifecycle === '' || r.agent.lifecycle === f.lifecycle) &&
      (f.team === '' || r.agent.owner_team === f.team) &&
      (!f.gapsOnly || gapTotal(r.gaps) > 0) &&
      words.every((w) => r.haystack.includes(w)),
  );
}

/** Teams for the filter: those in people.toml plus any an agent names that is not there. */
export function teamOptions(view: Pick<InventoryView, 'agents' | 'people'>): { id: string; name: string }[] {
  const known = new Map(view.people.teams.map((t) => [t.id, t.name]));
  const out = view.people.teams.map((t) => ({ id: t.id, name: t.name }));
  const extra = new Set<string>();
  for (const a of view.agents) if (a.owner_team && !known.has(a.owner_team)) extra.add(a.owner_team);
  for (const id of [...extra].sort()) out.push({ id, name: `${id} (unknown team)` });
  return out;
}

// ---------- RACI ----------

export interface PersonRef {
  id: string;
  name: string | null;
  email: string | null;
  known: boolean;
  departed: boolean;
}

export type AccountableStatus = 'ok' | 'missing' | 'unknown' | 'departed';

export function humanIndex(people: Pick<People, 'humans'>): Map<string, Human> {
  return new Map(people.humans.map((h) => [h.id, h]));
}

function personRef(id: string | null | undefined, humans: Map<string, Human>): PersonRef | null {
  if (!id) return null;
  const h = humans.get(id);
  return h
    ? { id, name: h.name, email: h.email, known: true, departed: h.departed === true }
    : { id, name: null, email: null, known: false, departed: false };
}

function accountableStatus(p: PersonRef | null): AccountableStatus {
  if (!p) return 'missing';
  if (!p.known) return 'unknown';
  return p.departed ? 'departed' : 'ok';
}

export interface Raci {
  /** The owner team. */
  responsible: { id: string; name: string | null; known: boolean };
  accountable: PersonRef | null;
  accountableStatus: AccountableStatus;
  consulted: PersonRef | null;
  informed: PersonRef | null;
  approvedBy: PersonRef | null;
  approvedOn: string | null;
}

export function deriveRaci(agent: Agent, people: People): Raci {
  const humans = humanIndex(people);
  const team = people.teams.find((t) => t.id === agent.owner_team);
  const accountable = personRef(agent.accountable, humans);
  return {
    responsible: { id: agent.owner_team, name: team?.name ?? null, known: team !== undefined },
    accountable,
    accountableStatus: accountableStatus(accountable),
    consulted: personRef(agent.sponsor, humans),
    informed: personRef(agent.escalation, humans),
    approvedBy: personRef(agent.approved_by, humans),
    approvedOn: agent.approved_on ?? null,
  };
}

/** A human the acting identity names, by id or (case-insensitive) email, like the core does. */
export function humanForActor(people: Pick<People, 'humans'>, actor: string): Human | null {
  const lower = actor.toLowerCase();
  return (
    people.humans.find((h) => h.id === actor) ??
    people.humans.find((h) => h.email.toLowerCase() === lower) ??
    null
  );
}

// ---------- Lifecycle ----------

/** The states `from` may move to, in lifecycle order — only what the core allows. */
export function allowedTransitions(edges: readonly LifecycleEdge[], from: Lifecycle): Lifecycle[] {
  const tos = new Set(edges.filter((e) => e.from === from).map((e) => e.to));
  return LIFECYCLES.filter((s) => tos.has(s));
}

// ---------- Drafts ----------

export function newAgentDraft(): Agent {
  return {
    id: '',
    name: '',
    purpose: '',
    owner_team: '',
    risk_tier: 'low',
    environment: 'prod',
    lifecycle: 'draft',
    max_ttl_seconds: DEFAULT_MAX_TTL_SECONDS,
    attestation_required: false,
    tools: [],
    datasets: [],
    models: [],
    delegates: [],
    step_up_actions: [],
    tags: [],
  };
}

const OPTIONAL_TEXT = [
  'purpose',
  'spiffe_id',
  'oidc_issuer',
  'oidc_subject',
  'accountable',
  'sponsor',
  'escalation',
  'approved_by',
  'approved_on',
  'recertify_by',
] as const satisfies readonly (keyof Agent)[];

const OPTIONAL_LISTS = [
  'tools',
  'datasets',
  'models',
  'delegates',
  'step_up_actions',
  'tags',
] as const satisfies readonly (keyof Agent)[];

/**
 * The agent as sent to the core: text trimmed, empty optional values left out (the core
 * reads a missing key as "not set"; `purpose` and the lists do not accept `null`).
 */
export function toWire(draft: Agent): Agent {
  const out: Agent = { ...draft, id: draft.id.trim(), name: draft.name.trim() };
  for (const key of OPTIONAL_TEXT) {
    const v = out[key];
    const trimmed = typeof v === 'string' ? v.trim() : '';
    if (trimmed === '') delete out[key];
    else out[key] = trimmed;
  }
  for (const key of OPTIONAL_LISTS) {
    const list = (out[key] ?? []).map((s) => s.trim()).filter(Boolean);
    if (list.length === 0) delete out[key];
    else out[key] = [...new Set(list)];
  }
  return out;
}

/** The same agent as the form would send it, field by field (for "unsaved changes"). */
export function sameAgent(a: Agent, b: Agent): boolean {
  return JSON.stringify(canonical(toWire(a))) === JSON.stringify(canonical(toWire(b)));
}

function canonical(a: Agent): [string, unknown][] {
  return Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

/** A field whose value differs between two versions of an agent (as the form would send them). */
export interface FieldChange {
  field: string;
  /** The value as JSON text, `null` when the field is not set. */
  before: string | null;
  after: string | null;
}

/** The fields that differ from `before` to `after`, by name (e.g. what changed on disk). */
export function changedFields(before: Agent, after: Agent): FieldChange[] {
  const a = new Map(canonical(toWire(before)));
  const b = new Map(canonical(toWire(after)));
  const show = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return [...new Set([...a.keys(), ...b.keys()])]
    .sort()
    .map((field) => ({ field, before: show(a.get(field)), after: show(b.get(field)) }))
    .filter((c) => c.before !== c.after);
}

/** Severity order used everywhere findings are listed. */
export const SEVERITIES: Severity[] = ['error', 'warning', 'info'];
