// Pure helpers of an agent's Access tab (Agents page): the form → `AccessRequest`, entity
// names as the CLI prints them, entries grouped by action, the parts of a forbid condition,
// the example context as key = value, change badges, and where a policy id is written.
// Kept out of the components so they are unit-tested.
import type { Access } from '../bindings/Access';
import type { AccessChange } from '../bindings/AccessChange';
import type { AccessEntry } from '../bindings/AccessEntry';
import type { AccessRequest } from '../bindings/AccessRequest';
import type { ValidationReport } from '../bindings/ValidationReport';
import { recordEntries, shortType } from './analysis';
import type { Tone } from './simulate';

export interface AccessForm {
  /** `git:HEAD`, `@none`, `@published`, `git:REV`, a path; empty is `git:HEAD`. */
  baseline: string;
  /** Off: no baseline at all (`no_diff`), only what the agent can do now. */
  compare: boolean;
}

export const INITIAL_ACCESS_FORM: AccessForm = { baseline: 'git:HEAD', compare: true };

/** The request for one agent: a blank baseline left out, so the core applies its default. */
export function accessRequest(agent: string, form: AccessForm): AccessRequest {
  const request: AccessRequest = { agent, no_diff: !form.compare };
  const baseline = form.baseline.trim();
  if (form.compare && baseline) request.baseline = baseline;
  return request;
}

/** `Tool::"crm"` for `Acme::Tool::"crm"`, as the CLI prints entries; anything else as it came. */
export function shortUid(uid: string): string {
  const at = uid.indexOf('::"');
  return at < 0 ? uid : `${shortType(uid.slice(0, at))}${uid.slice(at)}`;
}

/** The id of an entity reference: `crm` for `Acme::Tool::"crm"`; the whole text when it is not one. */
export function uidId(uid: string): string {
  const at = uid.indexOf('::"');
  if (at < 0) return uid;
  try {
    const id: unknown = JSON.parse(uid.slice(at + 2));
    return typeof id === 'string' ? id : uid;
  } catch {
    return uid;
  }
}

export interface ActionGroup {
  action: string;
  entries: AccessEntry[];
}

/**
 * Entries by action, actions in the order the core first lists them (it lists by request
 * environment, then resource), entries in the core's order within their action. An action
 * on several resource types is one group.
 */
export function groupByAction(entries: readonly AccessEntry[]): ActionGroup[] {
  const groups = new Map<string, AccessEntry[]>();
  for (const e of entries) {
    const list = groups.get(e.action);
    if (list) list.push(e);
    else groups.set(e.action, [e]);
  }
  return [...groups].map(([action, list]) => ({ action, entries: list }));
}

export interface AccessCounts {
  allowed: number;
  conditional: number;
}

export function accessCounts(entries: readonly AccessEntry[]): AccessCounts {
  return {
    allowed: entries.filter((e) => e.access === 'allowed').length,
    conditional: entries.filter((e) => e.access === 'conditional').length,
  };
}

/** A forbid that may apply: its id and its condition on the context. */
export interface UnlessCondition {
  policy: string;
  condition: string;
}

/** `environment-separation: !(context.env == "prod")` → the id and the condition. */
export function splitUnless(text: string): UnlessCondition {
  const at = text.indexOf(': ');
  return at < 0 ? { policy: '', condition: text } : { policy: text.slice(0, at), condition: text.slice(at + 2) };
}

/**
 * The example context as `[key, value]` in key order, values as Cedar writes them; `null`
 * when the core sent none (an allowed entry, or a condition no solver settled).
 */
export function exampleContext(entry: Pick<AccessEntry, 'example_context'>): [string, string][] | null {
  return entry.example_context === undefined ? null : recordEntries(entry.example_context);
}

const ACCESS_TONES: Record<Access, Tone> = { allowed: 'ok', conditional: 'warning', denied: 'neutral' };

export function accessTone(access: Access): Tone {
  return ACCESS_TONES[access];
}

const ACCESS_HINTS: Record<Access, string> = {
  allowed: 'Allowed whatever the context',
  conditional: 'Allowed under some contexts only (see its conditions)',
  denied: 'Denied whatever the context',
};

export function accessHint(access: Access): string {
  return ACCESS_HINTS[access];
}

export type ChangeKind = 'gained' | 'lost' | 'changed';

/** The core sends `gained`, `lost` or `changed`; anything else reads as `changed`. */
export function changeKind(change: AccessChange): ChangeKind {
  return change.change === 'gained' || change.change === 'lost' ? change.change : 'changed';
}

const CHANGE_TONES: Record<ChangeKind, Tone> = { gained: 'error', lost: 'warning', changed: 'warning' };

/** Gaining access is what a reviewer must look at first, as allowing more is in the analysis. */
export function changeTone(kind: ChangeKind): Tone {
  return CHANGE_TONES[kind];
}

const CHANGE_HINTS: Record<ChangeKind, string> = {
  gained: 'Denied under the baseline, reachable now',
  lost: 'Reachable under the baseline, denied now',
  changed: 'Reachable on both sides, under different access or conditions',
};

export function changeHint(kind: ChangeKind): string {
  return CHANGE_HINTS[kind];
}

/** How many changes of each kind, in gained, lost, changed order, zeros left out. */
export function changeCounts(changes: readonly AccessChange[]): { kind: ChangeKind; count: number }[] {
  return (['gained', 'lost', 'changed'] as const)
    .map((kind) => ({ kind, count: changes.filter((c) => changeKind(c) === kind).length }))
    .filter((c) => c.count > 0);
}

/** One side of a change: `denied` for none, else its access. */
export function sideAccess(entry: AccessEntry | null): Access {
  return entry?.access ?? 'denied';
}

/** What differs between the sides of a `changed` entry, for its row. */
export function changeDetails(change: AccessChange): string[] {
  const b = change.baseline;
  const c = change.candidate;
  if (!b || !c) return [];
  const out: string[] = [];
  const diff = (what: string, before: readonly string[], after: readonly string[]) => {
    const added = after.filter((x) => !before.includes(x));
    const removed = before.filter((x) => !after.includes(x));
    if (added.length > 0) out.push(`${what} added: ${added.join('; ')}`);
    if (removed.length > 0) out.push(`${what} removed: ${removed.join('; ')}`);
  };
  diff('permits', b.permits, c.permits);
  diff('when', b.when, c.when);
  diff('unless', b.unless, c.unless);
  return out;
}

/** Where a policy is written: its file and line, and the template for a template-linked one. */
export interface PolicyLocation {
  file: string;
  line: number;
  template?: string;
}

/**
 * Policy id → where it is written, from the workspace's validation report. A template-linked
 * policy points at its template (the text a reader wants), not at its line in links.toml.
 */
export function policyLocations(report: ValidationReport): Map<string, PolicyLocation> {
  const out = new Map<string, PolicyLocation>();
  for (const f of report.files) {
    for (const p of f.policies) if (!out.has(p.id)) out.set(p.id, { file: f.path, line: p.line });
  }
  for (const link of report.links) {
    const template = out.get(link.template);
    if (template && !out.has(link.id)) out.set(link.id, { ...template, template: link.template });
  }
  return out;
}
