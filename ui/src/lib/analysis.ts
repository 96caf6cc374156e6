// Pure helpers of the Analysis tab (Simulate page): the form → `AnalyzeRequest`, environment
// names, relation badges, and a readable rendering of the Cedar JSON a counterexample carries
// (entity references, extension values, records and sets). Kept out of the components so
// they are unit-tested.
import type { AnalysisFindingKind } from '../bindings/AnalysisFindingKind';
import type { AnalyzeRequest } from '../bindings/AnalyzeRequest';
import type { EnvironmentDiff } from '../bindings/EnvironmentDiff';
import type { Relation } from '../bindings/Relation';
import type { Severity } from '../bindings/Severity';
import type { Witness } from '../bindings/Witness';
import type { Tone } from './simulate';

export interface AnalysisForm {
  /** `git:HEAD`, `@none`, `@published`, `git:REV`, a path; empty is `git:HEAD`. */
  baseline: string;
  /** Empty: the working copy. */
  candidate: string;
  /** Milliseconds per solver query; empty: the workspace's `[analysis] time_limit_ms`. */
  timeLimit: string;
  diff: boolean;
  findings: boolean;
}

export const INITIAL_ANALYSIS_FORM: AnalysisForm = { baseline: 'git:HEAD', candidate: '', timeLimit: '', diff: true, findings: true };

/** What keeps the form from running, or `null`. */
export function formProblem(form: AnalysisForm): string | null {
  if (!form.diff && !form.findings) return 'Choose Diff, Findings or both.';
  const limit = form.timeLimit.trim();
  if (limit !== '' && !(/^\d+$/.test(limit) && Number(limit) >= 1 && Number.isSafeInteger(Number(limit)))) {
    return 'The time limit is a whole number of milliseconds, at least 1.';
  }
  return null;
}

/** The request for a valid form: blanks left out, so the core applies its defaults. */
export function analyzeRequest(form: AnalysisForm): AnalyzeRequest {
  const request: AnalyzeRequest = { no_diff: !form.diff, no_findings: !form.findings };
  const baseline = form.baseline.trim();
  const candidate = form.candidate.trim();
  const limit = form.timeLimit.trim();
  if (form.diff && baseline) request.baseline = baseline;
  if (candidate) request.candidate = candidate;
  if (limit) request.time_limit_ms = Number(limit);
  return request;
}

/** The type's last path segment: `Acme::Agent` → `Agent`. */
export function shortType(type: string): string {
  const at = type.lastIndexOf('::');
  return at < 0 ? type : type.slice(at + 2);
}

/** `Agent × invoke_tool × Tool`, the way the core names environments in findings and problems. */
export function environmentLabel(env: Pick<EnvironmentDiff, 'principal_type' | 'action' | 'resource_type'>): string {
  return `${shortType(env.principal_type)} × ${env.action} × ${shortType(env.resource_type)}`;
}

export const RELATIONS: readonly Relation[] = ['more-permissive', 'incomparable', 'less-permissive', 'unknown', 'equivalent'];

const RELATION_TONES: Record<Relation, Tone> = {
  equivalent: 'ok',
  'more-permissive': 'error',
  incomparable: 'error',
  'less-permissive': 'warning',
  unknown: 'neutral',
};

const RELATION_HINTS: Record<Relation, string> = {
  equivalent: 'The same decision on every request',
  'more-permissive': 'The candidate allows everything the baseline allows, and more',
  'less-permissive': 'The candidate allows only what the baseline allows, and less',
  incomparable: 'Each allows something the other denies',
  unknown: 'The solver gave no answer: see the problem',
};

/** The colour of a relation: allowing more is what a reviewer must look at first. */
export function relationTone(relation: Relation): Tone {
  return RELATION_TONES[relation];
}

export function relationHint(relation: Relation): string {
  return RELATION_HINTS[relation];
}

/** How many environments have each relation, in `RELATIONS` order, zeros left out. */
export function relationCounts(envs: readonly EnvironmentDiff[]): { relation: Relation; count: number }[] {
  return RELATIONS.map((relation) => ({ relation, count: envs.filter((e) => e.relation === relation).length })).filter(
    (c) => c.count > 0,
  );
}

/** `candidate-allows` → "Candidate allows, baseline denies"; an unknown direction as it came. */
export function directionLabel(direction: string): string {
  if (direction === 'candidate-allows') return 'Candidate allows, baseline denies';
  if (direction === 'candidate-denies') return 'Candidate denies, baseline allows';
  return direction;
}

const FINDING_KINDS: Record<AnalysisFindingKind, string> = {
  'fail-open': 'Fail-open forbid',
  'always-matches': 'Always matches',
  'never-matches': 'Never matches',
  'shadowed-permit': 'Shadowed permit',
  'overridden-permit': 'Overridden permit',
  equivalent: 'Equivalent policies',
};

export function findingKindLabel(kind: AnalysisFindingKind): string {
  return FINDING_KINDS[kind];
}

/** The core sends `error` or `warning`; anything else shows as `info` rather than failing. */
export function findingSeverity(severity: string): Severity {
  return severity === 'error' || severity === 'warning' ? severity : 'info';
}

/** `245 ms`, `3.8 s`, `2 min 5 s`. */
export function formatMillis(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `Acme::Human::"dana"` for `{type, id}`; `null` when `v` is not one. */
export function entityRef(v: unknown): string | null {
  if (!isRecord(v) || typeof v.type !== 'string' || typeof v.id !== 'string') return null;
  return `${v.type}::${JSON.stringify(v.id)}`;
}

/**
 * A Cedar JSON value as Cedar would write it: `"text"`, `42`, `true`, `Acme::Human::"dana"`
 * (`__entity`), `ip("10.0.0.1")` (`__extn`), `[a, b]`, `{ key: value }`. A whole number
 * beyond JavaScript's exact range (the solver likes the ends of Cedar's 64-bit longs) was
 * already rounded when the answer was parsed, so it is marked `≈`.
 */
export function formatCedarValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && !Number.isSafeInteger(v)) return `≈${BigInt(v).toString()}`;
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(formatCedarValue).join(', ')}]`;
  if (isRecord(v)) {
    const entity = entityRef(v.__entity);
    if (entity) return entity;
    const extn = v.__extn;
    if (isRecord(extn) && typeof extn.fn === 'string') {
      const args = Array.isArray(extn.args) ? extn.args : 'arg' in extn ? [extn.arg] : [];
      return `${extn.fn}(${args.map(formatCedarValue).join(', ')})`;
    }
    const fields = Object.keys(v)
      .sort()
      .map((k) => `${k}: ${formatCedarValue(v[k])}`);
    return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
  }
  // Not a JSON value (a bigint, a function): nothing a parsed answer holds.
  return typeof v === 'bigint' ? v.toString() : '';
}

/** A record's fields as `[key, value]` in key order, values formatted as Cedar. */
export function recordEntries(record: unknown): [string, string][] {
  if (!isRecord(record)) return [];
  return Object.keys(record)
    .sort()
    .map((k) => [k, formatCedarValue(record[k])]);
}

export interface WitnessEntity {
  /** `Acme::Agent::"billing-bot"`. */
  uid: string;
  attrs: [string, string][];
  parents: string[];
  /** The request's principal or resource: shown first, and in full. */
  inRequest: boolean;
}

/**
 * The entities of a counterexample, the principal and the resource first (in that order),
 * then the others as the core listed them. An entry that is not `{uid, attrs, parents}` is
 * skipped rather than shown half-read.
 */
export function witnessEntities(w: Witness): WitnessEntity[] {
  const out: WitnessEntity[] = [];
  for (const e of w.entities) {
    if (!isRecord(e)) continue;
    const uid = entityRef(e.uid);
    if (!uid) continue;
    const parents = Array.isArray(e.parents) ? e.parents.map(entityRef).filter((p): p is string => p !== null) : [];
    out.push({ uid, attrs: recordEntries(e.attrs), parents, inRequest: uid === w.principal || uid === w.resource });
  }
  const rank = (e: WitnessEntity) => (e.uid === w.principal ? 0 : e.uid === w.resource ? 1 : 2);
  // Array.prototype.sort is stable: the others keep the core's order.
  return out.sort((a, b) => rank(a) - rank(b));
}
