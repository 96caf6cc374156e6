// Pure logic of the test bench: the form built from the schema outline, the context JSON
// built from the form's typed fields, and the JSON mode's text in both directions. No React
// here, so every conversion is unit-tested; the core decides the request.
import type { ActionOutline } from '../bindings/ActionOutline';
import type { AttributeOutline } from '../bindings/AttributeOutline';
import type { InventoryView } from '../bindings/InventoryView';
import type { SchemaOutline } from '../bindings/SchemaOutline';
import type { TestRequest } from '../bindings/TestRequest';

/** How a context field is edited: a text box, a number, a checkbox, or JSON text. */
export type FieldKind = 'string' | 'long' | 'bool' | 'json';

/**
 * The form as the user edits it. Context values are the raw text of each field by name:
 * `''` means "not sent" (allowed for optional fields), a Bool is `'true'` or `'false'`.
 * Values of fields the chosen action lacks are kept, so switching actions back loses nothing.
 */
export interface BenchForm {
  /** Action name, e.g. `request_credential`. */
  action: string;
  /** Qualified entity type, e.g. `Acme::Agent`. */
  principalType: string;
  principalId: string;
  resourceType: string;
  resourceId: string;
  context: Record<string, string>;
}

/** A value the form cannot send, named by the field it belongs to. */
export interface FieldProblem {
  /** `principal`, `resource`, `action` or a context field name. */
  field: string;
  message: string;
}

export type Converted<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

// Cedar spells the primitive types with or without the `__cedar::` prefix.
export function fieldKind(typeName: string): FieldKind {
  switch (typeName.replace(/^__cedar::/, '')) {
    case 'String':
      return 'string';
    case 'Long':
      return 'long';
    case 'Bool':
    case 'Boolean':
      return 'bool';
    default:
      return 'json';
  }
}

/** `Acme::Agent` → `Agent`. */
export function baseName(typeName: string): string {
  const i = typeName.lastIndexOf('::');
  return i < 0 ? typeName : typeName.slice(i + 2);
}

export function findAction(outline: SchemaOutline, name: string): ActionOutline | null {
  return outline.actions.find((a) => a.name === name) ?? null;
}

/** The first action, its first principal and resource types, nothing filled in. */
export function initialForm(outline: SchemaOutline): BenchForm {
  const action = outline.actions[0];
  return {
    action: action?.name ?? '',
    principalType: action?.principal_types[0] ?? '',
    principalId: '',
    resourceType: action?.resource_types[0] ?? '',
    resourceId: '',
    context: {},
  };
}

/**
 * Chooses another action: the principal and resource types stay when the new action allows
 * them, else become its first; ids and context values are kept.
 */
export function withAction(form: BenchForm, outline: SchemaOutline, name: string): BenchForm {
  const action = findAction(outline, name);
  if (!action) return { ...form, action: name };
  const keep = (current: string, allowed: string[]) => (allowed.includes(current) ? current : (allowed[0] ?? current));
  return {
    ...form,
    action: name,
    principalType: keep(form.principalType, action.principal_types),
    resourceType: keep(form.resourceType, action.resource_types),
  };
}

/** `Acme::Agent::"billing-bot"`; the id is escaped as a Cedar string. */
export function entityRef(type: string, id: string): string {
  return `${type}::${JSON.stringify(id)}`;
}

/** `Type::"id"` → its parts, or `null` when the text is not an entity reference. */
export function parseEntityRef(text: string): { type: string; id: string } | null {
  const m = /^\s*([A-Za-z_][\w]*(?:::[A-Za-z_][\w]*)*)::("(?:[^"\\]|\\.)*")\s*$/.exec(text);
  if (!m) return null;
  try {
    return { type: m[1]!, id: JSON.parse(m[2]!) as string };
  } catch {
    return null;
  }
}

/**
 * The context object the form's fields stand for, or every field it cannot convert. Empty
 * optional fields are left out; an empty required field is a problem (a required Bool is
 * `false` when unchecked) unless `allowMissing`, which leaves it out too — an unfinished
 * request can move to the JSON mode, but a value that does not convert would be lost.
 */
export function buildContext(
  fields: readonly AttributeOutline[],
  values: Readonly<Record<string, string>>,
  allowMissing = false,
): Converted<Record<string, unknown>> {
  const context: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const f of fields) {
    const kind = fieldKind(f.type_name);
    const raw = values[f.name] ?? '';
    if (kind === 'bool') {
      if (raw === '') {
        if (f.required) context[f.name] = false;
      } else {
        context[f.name] = raw === 'true';
      }
      continue;
    }
    if (raw.trim() === '') {
      if (f.required && !allowMissing) problems.push({ field: f.name, message: `\`${f.name}\` is required` });
      continue;
    }
    if (kind === 'string') {
      context[f.name] = raw;
    } else if (kind === 'long') {
      const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (Number.isSafeInteger(n)) context[f.name] = n;
      else problems.push({ field: f.name, message: `\`${f.name}\` must be a whole number, not \`${raw.trim()}\`` });
    } else {
      try {
        context[f.name] = JSON.parse(raw) as unknown;
      } catch {
        problems.push({ field: f.name, message: `\`${f.name}\` is not valid JSON (a ${f.type_name} is written as JSON here)` });
      }
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: context };
}

/** The request the form stands for, as the core takes it. */
export function toTestRequest(form: BenchForm, outline: SchemaOutline): Converted<TestRequest> {
  const problems: FieldProblem[] = [];
  const action = findAction(outline, form.action);
  if (!action) problems.push({ field: 'action', message: form.action ? `no action \`${form.action}\` in the schema` : 'choose an action' });
  if (form.principalId.trim() === '') problems.push({ field: 'principal', message: 'the principal needs an id' });
  if (form.resourceId.trim() === '') problems.push({ field: 'resource', message: 'the resource needs an id' });
  const context = buildContext(action?.context ?? [], form.context);
  if (!context.ok) problems.push(...context.problems);
  if (problems.length > 0 || !context.ok) return { ok: false, problems };
  return {
    ok: true,
    value: {
      principal: entityRef(form.principalType, form.principalId.trim()),
      action: form.action,
      resource: entityRef(form.resourceType, form.resourceId.trim()),
      context: JSON.stringify(context.value),
    },
  };
}

/** The JSON mode's text for the form: entities as Cedar's `{ "type", "id" }`, context as an object. */
export function formToJson(form: BenchForm, outline: SchemaOutline): Converted<string> {
  const action = findAction(outline, form.action);
  const context = buildContext(action?.context ?? [], form.context, true);
  if (!context.ok) return context;
  const request = {
    principal: { type: form.principalType, id: form.principalId.trim() },
    action: form.action,
    resource: { type: form.resourceType, id: form.resourceId.trim() },
    context: context.value,
  };
  return { ok: true, value: JSON.stringify(request, null, 2) };
}

/** What the JSON mode holds once read: entities split, context still an object. */
export interface ParsedRequest {
  principal: { type: string; id: string };
  action: string;
  resource: { type: string; id: string };
  context: Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads an entity written as `{ "type", "id" }` (Cedar's JSON) or `Type::"id"`. */
function readEntity(v: unknown, what: string): { type: string; id: string } | FieldProblem {
  if (typeof v === 'string') {
    return parseEntityRef(v) ?? { field: what, message: `\`${what}\` must look like \`Agent::"billing-bot"\`, not \`${v}\`` };
  }
  if (isObject(v) && typeof v.type === 'string' && typeof v.id === 'string') return { type: v.type, id: v.id };
  return { field: what, message: `\`${what}\` must be { "type": …, "id": … } or a string like \`Agent::"billing-bot"\`` };
}

/**
 * Reads the JSON mode's text. Unqualified types (`Agent`) get the namespace of the schema's
 * type of that name, and `Action::"x"` becomes `x`, so the form can show what was typed.
 */
export function parseRequestJson(text: string, outline: SchemaOutline): Converted<ParsedRequest> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ field: 'json', message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  if (!isObject(json)) return { ok: false, problems: [{ field: 'json', message: 'the request must be a JSON object' }] };
  const problems: FieldProblem[] = [];
  const allowed = new Set(['principal', 'action', 'resource', 'context']);
  for (const key of Object.keys(json)) {
    if (!allowed.has(key)) problems.push({ field: 'json', message: `unknown key \`${key}\` (expected principal, action, resource, context)` });
  }
  const principal = readEntity(json.principal, 'principal');
  const resource = readEntity(json.resource, 'resource');
  if ('message' in principal) problems.push(principal);
  if ('message' in resource) problems.push(resource);
  let action = '';
  if (typeof json.action === 'string') {
    const ref = parseEntityRef(json.action);
    action = ref && baseName(ref.type) === 'Action' ? ref.id : json.action.trim();
  } else if (isObject(json.action) && typeof json.action.id === 'string') {
    action = json.action.id;
  } else {
    problems.push({ field: 'action', message: '`action` must be an action name like "invoke_tool"' });
  }
  const context = json.context ?? {};
  if (!isObject(context)) problems.push({ field: 'context', message: '`context` must be a JSON object' });
  if (problems.length > 0 || 'message' in principal || 'message' in resource || !isObject(context)) return { ok: false, problems };
  return {
    ok: true,
    value: {
      principal: { type: qualifyType(principal.type, outline), id: principal.id },
      action,
      resource: { type: qualifyType(resource.type, outline), id: resource.id },
      context,
    },
  };
}

/** `Agent` → `Acme::Agent` when the schema has exactly one type of that name. */
export function qualifyType(type: string, outline: SchemaOutline): string {
  if (type.includes('::')) return type;
  const matches = outline.entity_types.filter((t) => baseName(t.name) === type);
  return matches.length === 1 ? matches[0]!.name : type;
}

/** The request the JSON mode holds, as the core takes it (context keys are sent as written). */
export function jsonToTestRequest(text: string, outline: SchemaOutline): Converted<TestRequest> {
  const parsed = parseRequestJson(text, outline);
  if (!parsed.ok) return parsed;
  const r = parsed.value;
  return {
    ok: true,
    value: {
      principal: entityRef(r.principal.type, r.principal.id),
      action: r.action,
      resource: entityRef(r.resource.type, r.resource.id),
      context: JSON.stringify(r.context),
    },
  };
}

/**
 * The form for the JSON mode's text (switching back to the form). Refused when the form
 * could not show every value: an unknown action, or a context key or value type the
 * action's schema does not have — the user fixes it in JSON rather than losing it.
 */
export function jsonToForm(text: string, outline: SchemaOutline, previous: BenchForm): Converted<BenchForm> {
  const parsed = parseRequestJson(text, outline);
  if (!parsed.ok) return parsed;
  const r = parsed.value;
  const action = findAction(outline, r.action);
  if (!action) return { ok: false, problems: [{ field: 'action', message: `no action \`${r.action}\` in the schema` }] };
  const problems: FieldProblem[] = [];
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(r.context)) {
    const field = action.context.find((f) => f.name === key);
    if (!field) {
      problems.push({ field: key, message: `\`${r.action}\` has no context field \`${key}\`` });
      continue;
    }
    const kind = fieldKind(field.type_name);
    if (kind === 'string' && typeof value === 'string') context[key] = value;
    else if (kind === 'long' && typeof value === 'number' && Number.isSafeInteger(value)) context[key] = String(value);
    else if (kind === 'bool' && typeof value === 'boolean') context[key] = String(value);
    else if (kind === 'json') context[key] = JSON.stringify(value);
    else problems.push({ field: key, message: `\`${key}\` is a ${field.type_name}, not ${JSON.stringify(value)}` });
  }
  if (problems.length > 0) return { ok: false, problems };
  // Fields the JSON leaves out are not sent: clear them rather than resurrect old values.
  const cleared = Object.fromEntries(Object.keys(previous.context).map((k) => [k, '']));
  return {
    ok: true,
    value: {
      action: action.name,
      principalType: r.principal.type,
      principalId: r.principal.id,
      resourceType: r.resource.type,
      resourceId: r.resource.id,
      context: { ...cleared, ...context },
    },
  };
}

/** An id the inventory knows for an entity type, with a human label for the suggestion list. */
export interface EntitySuggestion {
  id: string;
  label: string;
}

/** Ids of `type` (qualified or not) in the inventory, for the id fields' suggestions. */
export function suggestionsFor(type: string, inventory: InventoryView | null): EntitySuggestion[] {
  if (!inventory) return [];
  switch (baseName(type)) {
    case 'Agent':
      return inventory.agents.map((a) => ({ id: a.id, label: `${a.name} — ${a.lifecycle}` }));
    case 'Human':
      return inventory.people.humans.map((h) => ({ id: h.id, label: h.departed ? `${h.name} — departed` : h.name }));
    case 'Team':
      return inventory.people.teams.map((t) => ({ id: t.id, label: t.name }));
    case 'Tool':
      return inventory.resources.tools.map((t) => ({ id: t.id, label: `${t.sensitivity} · ${t.environment}` }));
    case 'ToolGroup':
      return inventory.resources.tool_groups.map((g) => ({ id: g.id, label: g.name }));
    case 'Dataset':
      return inventory.resources.datasets.map((d) => ({ id: d.id, label: `${d.classification} · ${d.environment}` }));
    case 'Model':
      return inventory.resources.models.map((m) => ({ id: m.id, label: m.provider ?? '' }));
    default:
      return [];
  }
}

/** A placeholder showing how a JSON-typed context field is written. */
export function jsonPlaceholder(typeName: string, outline: SchemaOutline): string {
  if (typeName.startsWith('Set<')) return '["…"]';
  const entity = outline.entity_types.find((t) => t.name === typeName || baseName(t.name) === typeName);
  if (entity) return `{"type": "${entity.name}", "id": "…"}`;
  if (typeName === 'Record' || typeName.endsWith('Record')) return '{"…": …}';
  if (/ipaddr/i.test(typeName)) return '{"__extn": {"fn": "ip", "arg": "10.0.0.1"}}';
  if (/decimal/i.test(typeName)) return '{"__extn": {"fn": "decimal", "arg": "1.5"}}';
  return 'JSON';
}
