// "Which policy is the cursor in, and what does its scope say?" — over plain text, so it can
// be unit-tested and used by the editor's completion without a Cedar parser.
import type { AttributeOutline } from '../../bindings/AttributeOutline';
import type { SchemaOutline } from '../../bindings/SchemaOutline';

export interface PolicyScope {
  /** The statement's text with comments blanked out. */
  statement: string;
  /** `principal is X` / `principal == X::"id"` / `principal in X::"id"`: the type `X`. */
  principalType: string | null;
  resourceType: string | null;
  /** Action references named by the scope, e.g. `Acme::Action::"x"`; `null` when unconstrained. */
  actions: string[] | null;
}

/** `text` with `//` comments replaced by spaces (offsets are kept). Strings are left alone. */
export function blankComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (ch === '/' && text[i + 1] === '/') {
      let end = text.indexOf('\n', i);
      if (end < 0) end = text.length;
      out += ' '.repeat(end - i);
      i = end;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The offset just past the string starting at `start` (a `"`), or the text's end. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') i += 2;
    else if (ch === '"') return i + 1;
    else i++;
  }
  return text.length;
}

/** The `[from, to)` of the statement containing `offset`: statements end with `;` outside strings and comments. */
export function statementAt(text: string, offset: number): { from: number; to: number } {
  const clean = blankComments(text);
  let from = 0;
  let i = 0;
  while (i < clean.length) {
    const ch = clean[i];
    if (ch === '"') {
      i = stringEnd(clean, i);
      continue;
    }
    if (ch === ';') {
      if (offset <= i) return { from, to: i + 1 };
      from = i + 1;
    }
    i++;
  }
  return { from, to: clean.length };
}

/** Splits at top-level commas (outside strings, brackets and parentheses). */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"') {
      i = stringEnd(s, i) - 1;
    } else if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

/** The text between the parentheses after `permit`/`forbid`, or `null`. */
function scopeText(statement: string): string | null {
  const m = /\b(?:permit|forbid)\s*\(/.exec(statement);
  if (!m) return null;
  const open = m.index + m[0].length;
  let depth = 1;
  for (let i = open; i < statement.length; i++) {
    const ch = statement[i];
    if (ch === '"') i = stringEnd(statement, i) - 1;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return statement.slice(open, i);
  }
  return statement.slice(open);
}

const PATH = String.raw`[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*`;
const ENTITY_REF = String.raw`${PATH}\s*::\s*"(?:[^"\\]|\\.)*"`;

function squash(s: string): string {
  return s.replace(/\s+/g, '');
}

function entityVarType(part: string, variable: 'principal' | 'resource'): string | null {
  const is = new RegExp(String.raw`^${variable}\s+is\s+(${PATH})`).exec(part);
  if (is?.[1]) return squash(is[1]);
  const eq = new RegExp(String.raw`^${variable}\s*(?:==|in)\s*(${PATH})\s*::\s*"`).exec(part);
  if (eq?.[1]) return squash(eq[1]);
  return null;
}

/** Analyses the scope of the policy statement containing `offset`. */
export function policyScopeAt(text: string, offset: number): PolicyScope {
  const { from, to } = statementAt(text, offset);
  const statement = blankComments(text).slice(from, to);
  const scope: PolicyScope = { statement, principalType: null, resourceType: null, actions: null };
  const inner = scopeText(statement);
  if (inner === null) return scope;
  for (const part of splitTopLevel(inner)) {
    if (/^principal\b/.test(part)) scope.principalType = entityVarType(part, 'principal');
    else if (/^resource\b/.test(part)) scope.resourceType = entityVarType(part, 'resource');
    else if (/^action\b/.test(part)) {
      const rest = part.replace(/^action\s*/, '');
      if (!/^(?:==|in)/.test(rest)) continue;
      const refs = rest.match(new RegExp(ENTITY_REF, 'g'));
      if (refs && refs.length > 0) scope.actions = refs.map(squash);
    }
  }
  return scope;
}

function quotedId(ref: string): string | null {
  const m = /"((?:[^"\\]|\\.)*)"$/.exec(ref);
  return m?.[1] ?? null;
}

/** Whether an (unqualified or qualified) name in the text refers to the qualified `name`. */
function sameName(written: string, qualified: string): boolean {
  return written === qualified || qualified.endsWith(`::${written}`);
}

/** The context fields available in `scope`: the named actions' (union), else every action's. */
export function contextFields(outline: SchemaOutline, scope: PolicyScope): AttributeOutline[] {
  const actions = scope.actions === null ? outline.actions : outline.actions.filter((a) => scope.actions!.some((ref) => matchesAction(ref, a)));
  return unionByName(actions.flatMap((a) => a.context));
}

/** The attributes of `principal`/`resource` in `scope`: its `is` type's, else every entity type's. */
export function entityAttributes(outline: SchemaOutline, scope: PolicyScope, variable: 'principal' | 'resource'): AttributeOutline[] {
  const type = variable === 'principal' ? scope.principalType : scope.resourceType;
  const types = type === null ? outline.entity_types : outline.entity_types.filter((t) => sameName(type, t.name));
  return unionByName(types.flatMap((t) => t.attributes));
}

function matchesAction(ref: string, a: SchemaOutline['actions'][number]): boolean {
  return ref === squash(a.uid) || (quotedId(ref) === a.name && sameName(ref.slice(0, ref.lastIndexOf('::')), a.uid.slice(0, a.uid.lastIndexOf('::'))));
}

/**
 * The actions the scope allows: those it names, narrowed to those that apply to the
 * principal and resource types it names.
 */
export function scopeActions(outline: SchemaOutline, scope: PolicyScope): SchemaOutline['actions'] {
  const named = scope.actions === null ? outline.actions : outline.actions.filter((a) => scope.actions!.some((ref) => matchesAction(ref, a)));
  return named.filter(
    (a) =>
      (scope.principalType === null || a.principal_types.some((t) => sameName(scope.principalType!, t))) &&
      (scope.resourceType === null || a.resource_types.some((t) => sameName(scope.resourceType!, t))),
  );
}

/**
 * Entity types that fit after `principal is` / `resource is` (or `==`, `in`) in this scope:
 * those the scope's actions apply to — for `in`, also the groups they can be members of.
 * Every type when the scope names nothing that narrows it.
 */
export function scopeEntityTypes(outline: SchemaOutline, scope: PolicyScope, variable: 'principal' | 'resource', op: 'is' | '==' | 'in'): string[] {
  // The variable's own type does not narrow itself.
  const others: PolicyScope = { ...scope, [variable === 'principal' ? 'principalType' : 'resourceType']: null };
  const actions = scopeActions(outline, others);
  const direct = new Set(actions.flatMap((a) => (variable === 'principal' ? a.principal_types : a.resource_types)));
  if (op === 'in') {
    // `principal in Team::"x"`: add every type a fitting entity can be a member of, transitively.
    let frontier = [...direct];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const name of frontier) {
        for (const parent of outline.entity_types.find((t) => t.name === name)?.member_of ?? []) {
          if (!direct.has(parent)) {
            direct.add(parent);
            next.push(parent);
          }
        }
      }
      frontier = next;
    }
  }
  return outline.entity_types.map((t) => t.name).filter((name) => direct.has(name));
}

function unionByName(attrs: AttributeOutline[]): AttributeOutline[] {
  const seen = new Map<string, AttributeOutline>();
  for (const a of attrs) if (!seen.has(a.name)) seen.set(a.name, a);
  return [...seen.values()];
}
