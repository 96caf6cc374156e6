// The Audit page's logic: the filter form as a query, the actions to choose from, and an
// entry's before/after state as pretty JSON and as a readable list of changed fields.
import type { AuditQuery } from '../bindings/AuditQuery';

/** The filter form as typed. */
export interface AuditForm {
  actor: string;
  /** An action, `prefix.*`, or `''` for any. */
  action: string;
  subject: string;
  since: string;
  until: string;
}

export const EMPTY_FORM: AuditForm = { actor: '', action: '', subject: '', since: '', until: '' };

/** Entries per page the Audit page asks for. */
export const AUDIT_PAGE_SIZE = 200;

/** The query for a form (blanks dropped), from the first page. */
export function queryOf(form: AuditForm, before: number | null = null): AuditQuery {
  const text = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    actor: text(form.actor),
    action: text(form.action),
    subject: text(form.subject),
    since: text(form.since),
    until: text(form.until),
    before,
    limit: AUDIT_PAGE_SIZE,
  };
}

/** Whether any filter is set. */
export function isFiltered(form: AuditForm): boolean {
  return [form.actor, form.action, form.subject, form.since, form.until].some((v) => v.trim() !== '');
}

/** An option of the action filter: every action of a family (`agent.*`), or one action. */
export interface ActionChoice {
  value: string;
  label: string;
}

/**
 * The action filter's options: for each family with more than one action (`agent.save`,
 * `agent.lifecycle` → `agent.*`) an option for all of them, then each action.
 */
export function actionChoices(actions: readonly string[]): { family: string; all: ActionChoice | null; actions: ActionChoice[] }[] {
  const families = new Map<string, string[]>();
  for (const a of [...actions].sort()) {
    const family = a.includes('.') ? a.slice(0, a.indexOf('.')) : a;
    families.set(family, [...(families.get(family) ?? []), a]);
  }
  return [...families.entries()].map(([family, list]) => ({
    family,
    all: list.length > 1 ? { value: `${family}.*`, label: `All ${family} actions` } : null,
    actions: list.map((a) => ({ value: a, label: a })),
  }));
}

/** The file name the export proposes: `audit-<what>-<date>.csv`. */
export function exportFileName(form: AuditForm, today: Date): string {
  const date = today.toISOString().slice(0, 10);
  const what = [form.action.replace(/\.\*$/, ''), form.actor.split('@')[0] ?? '', form.subject]
    .map((s) => s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .join('-')
    .slice(0, 60);
  return what ? `audit-${what}-${date}.csv` : `audit-${date}.csv`;
}

/** A stored state: its JSON value, or its text when it is not JSON; `undefined` when absent. */
export function parseState(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A state as indented JSON (or its text as stored when it is not JSON). */
export function prettyState(text: string | null): string {
  const v = parseState(text);
  if (v === undefined) return '';
  return typeof v === 'string' && v === text ? text : JSON.stringify(v, null, 2);
}

export type ChangeKind = 'added' | 'removed' | 'changed';

/** One field that differs between the states: its dotted path, and each side as JSON text. */
export interface FieldChange {
  /** `lifecycle`, `credential.max_ttl_seconds`; `''` when a whole state is a single value. */
  path: string;
  kind: ChangeKind;
  before: string | null;
  after: string | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaves of nested objects by dotted path (arrays and other values are leaves). */
function flatten(v: Record<string, unknown>, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  for (const [k, value] of Object.entries(v)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isObject(value) && Object.keys(value).length > 0) flatten(value, path, out);
    else out.set(path, value);
  }
  return out;
}

const show = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/**
 * What changed from `before` to `after`, field by field (nested objects by dotted path), in
 * path order. A side that is absent counts as an empty object when the other is an object;
 * two states that are not both objects compare as whole values.
 */
export function diffStates(before: string | null, after: string | null): FieldChange[] {
  const b = parseState(before);
  const a = parseState(after);
  if ((isObject(b) || b === undefined) && (isObject(a) || a === undefined) && (b !== undefined || a !== undefined)) {
    const fb = flatten(b ?? {}, '', new Map());
    const fa = flatten(a ?? {}, '', new Map());
    const paths = [...new Set([...fb.keys(), ...fa.keys()])].sort();
    const out: FieldChange[] = [];
    for (const path of paths) {
      const x = show(fb.get(path));
      const y = show(fa.get(path));
      if (x === y) continue;
      out.push({ path, kind: x === null ? 'added' : y === null ? 'removed' : 'changed', before: x, after: y });
    }
    return out;
  }
  const x = show(b);
  const y = show(a);
  if (x === y) return [];
  return [{ path: '', kind: x === null ? 'added' : y === null ? 'removed' : 'changed', before: x, after: y }];
}
