import { describe, expect, it } from 'vitest';
import type { AttributeOutline } from '../bindings/AttributeOutline';
import { agent, inventoryView, schemaOutline } from '../test/fakeBackend';
import {
  buildContext,
  entityRef,
  fieldKind,
  formToJson,
  initialForm,
  jsonPlaceholder,
  jsonToForm,
  jsonToTestRequest,
  parseEntityRef,
  parseRequestJson,
  suggestionsFor,
  toTestRequest,
  withAction,
  type BenchForm,
} from './testBench';

const outline = schemaOutline();

function form(over: Partial<BenchForm> = {}): BenchForm {
  return {
    action: 'request_credential',
    principalType: 'Acme::Agent',
    principalId: 'billing-bot',
    resourceType: 'Acme::Tool',
    resourceId: 'stripe.refund',
    context: {},
    ...over,
  };
}

const FIELDS: AttributeOutline[] = [
  { name: 'env', type_name: 'String', required: true },
  { name: 'task_id', type_name: 'String', required: false },
  { name: 'ttl_seconds', type_name: 'Long', required: false },
  { name: 'attested', type_name: 'Bool', required: false },
  { name: 'strict', type_name: 'Bool', required: true },
  { name: 'on_behalf_of', type_name: 'Human', required: false },
  { name: 'tags', type_name: 'Set<String>', required: false },
];

describe('fieldKind', () => {
  it('maps the primitive types and sends everything else as JSON', () => {
    expect(['String', 'Long', 'Bool', '__cedar::Long', 'Human', 'Set<String>', 'ipaddr'].map(fieldKind)).toEqual([
      'string',
      'long',
      'bool',
      'long',
      'json',
      'json',
      'json',
    ]);
  });
});

describe('buildContext', () => {
  it('converts typed values and leaves empty optional fields out', () => {
    const built = buildContext(FIELDS, {
      env: 'prod',
      task_id: '',
      ttl_seconds: '300',
      attested: 'true',
      on_behalf_of: '{"__entity": {"type": "Acme::Human", "id": "dana"}}',
      tags: '',
    });
    expect(built).toEqual({
      ok: true,
      value: {
        env: 'prod',
        ttl_seconds: 300,
        attested: true,
        strict: false,
        on_behalf_of: { __entity: { type: 'Acme::Human', id: 'dana' } },
      },
    });
  });

  it('sends an explicit false, and keeps an empty string in a set field apart from "not sent"', () => {
    const built = buildContext(FIELDS, { env: 'dev', attested: 'false', strict: 'true', tags: '[]' });
    expect(built.ok && built.value).toEqual({ env: 'dev', attested: false, strict: true, tags: [] });
  });

  it('names every field it cannot convert', () => {
    const built = buildContext(FIELDS, { env: '  ', ttl_seconds: '3.5', tags: '[oops' });
    expect(built.ok).toBe(false);
    expect(!built.ok && built.problems.map((p) => p.field)).toEqual(['env', 'ttl_seconds', 'tags']);
    expect(!built.ok && built.problems[1]?.message).toBe('`ttl_seconds` must be a whole number, not `3.5`');
  });

  it('refuses a number beyond what JSON carries exactly', () => {
    expect(buildContext(FIELDS, { env: 'x', ttl_seconds: '9007199254740993' }).ok).toBe(false);
    expect(buildContext(FIELDS, { env: 'x', ttl_seconds: '-5' })).toEqual({ ok: true, value: { env: 'x', ttl_seconds: -5, strict: false } });
  });
});

describe('entity references', () => {
  it('escapes and reads back ids', () => {
    const ref = entityRef('Acme::Tool', 'odd "id"');
    expect(ref).toBe('Acme::Tool::"odd \\"id\\""');
    expect(parseEntityRef(ref)).toEqual({ type: 'Acme::Tool', id: 'odd "id"' });
    expect(parseEntityRef('Agent::"billing-bot"')).toEqual({ type: 'Agent', id: 'billing-bot' });
    expect(parseEntityRef('billing-bot')).toBeNull();
  });
});

describe('the form', () => {
  it('starts on the first action with its first types', () => {
    expect(initialForm(outline)).toEqual(form({ principalId: '', resourceId: '' }));
  });

  it('keeps allowed types, ids and context values when the action changes', () => {
    const next = withAction(form({ context: { ttl_seconds: '60' } }), outline, 'invoke_tool');
    expect(next).toEqual(form({ action: 'invoke_tool', context: { ttl_seconds: '60' } }));
    const odd = withAction(form({ principalType: 'Acme::Team' }), outline, 'invoke_tool');
    expect(odd.principalType).toBe('Acme::Agent');
  });

  it('becomes the request the core takes, with only the action’s context fields', () => {
    const built = toTestRequest(form({ context: { ttl_seconds: '300', attested: 'true', step_up: 'true' } }), outline);
    expect(built).toEqual({
      ok: true,
      value: {
        principal: 'Acme::Agent::"billing-bot"',
        action: 'request_credential',
        resource: 'Acme::Tool::"stripe.refund"',
        context: '{"ttl_seconds":300,"attested":true}',
      },
    });
  });

  it('asks for the ids and required context', () => {
    const built = toTestRequest(form({ principalId: ' ', resourceId: '' }), outline);
    expect(!built.ok && built.problems.map((p) => p.field)).toEqual(['principal', 'resource', 'ttl_seconds']);
  });
});

describe('JSON mode', () => {
  it('round-trips the form through its JSON text', () => {
    const start = form({ context: { ttl_seconds: '120', attested: 'false' } });
    const text = formToJson(start, outline);
    expect(text.ok).toBe(true);
    if (!text.ok) return;
    expect(JSON.parse(text.value)).toEqual({
      principal: { type: 'Acme::Agent', id: 'billing-bot' },
      action: 'request_credential',
      resource: { type: 'Acme::Tool', id: 'stripe.refund' },
      context: { ttl_seconds: 120, attested: false },
    });
    expect(jsonToForm(text.value, outline, start)).toEqual({ ok: true, value: start });
  });

  it('moves an unfinished form to JSON, but not a value that does not convert', () => {
    const text = formToJson(form({ principalId: '', context: {} }), outline);
    expect(text.ok && JSON.parse(text.value)).toMatchObject({ principal: { id: '' }, context: { attested: false } });
    const bad = formToJson(form({ context: { ttl_seconds: 'x' } }), outline);
    expect(!bad.ok && bad.problems.map((p) => p.field)).toEqual(['ttl_seconds']);
  });

  it('reads string references, unqualified types and Action::"x"', () => {
    const text = JSON.stringify({
      principal: 'Agent::"billing-bot"',
      action: 'Action::"invoke_tool"',
      resource: { type: 'Tool', id: 'stripe.refund' },
    });
    expect(parseRequestJson(text, outline)).toEqual({
      ok: true,
      value: {
        principal: { type: 'Acme::Agent', id: 'billing-bot' },
        action: 'invoke_tool',
        resource: { type: 'Acme::Tool', id: 'stripe.refund' },
        context: {},
      },
    });
    expect(jsonToTestRequest(text, outline)).toEqual({
      ok: true,
      value: {
        principal: 'Acme::Agent::"billing-bot"',
        action: 'invoke_tool',
        resource: 'Acme::Tool::"stripe.refund"',
        context: '{}',
      },
    });
  });

  it('clears form values the JSON leaves out', () => {
    const previous = form({ context: { ttl_seconds: '120', attested: 'true' } });
    const text = JSON.stringify({ principal: 'Agent::"a"', action: 'request_credential', resource: 'Tool::"t"', context: { ttl_seconds: 5 } });
    const back = jsonToForm(text, outline, previous);
    expect(back.ok && back.value.context).toEqual({ ttl_seconds: '5', attested: '' });
  });

  it('sends context keys as written, but will not drop them into a form that cannot show them', () => {
    const text = JSON.stringify({ principal: 'Agent::"a"', action: 'invoke_tool', resource: 'Tool::"t"', context: { nope: 1, step_up: 'yes' } });
    expect(jsonToTestRequest(text, outline).ok).toBe(true);
    const back = jsonToForm(text, outline, form());
    expect(!back.ok && back.problems.map((p) => p.message)).toEqual([
      '`invoke_tool` has no context field `nope`',
      '`step_up` is a Bool, not "yes"',
    ]);
  });

  it('explains malformed requests', () => {
    expect(parseRequestJson('{', outline).ok).toBe(false);
    const bad = parseRequestJson(JSON.stringify({ principal: 'billing-bot', action: 3, resource: 'Tool::"t"', context: [], extra: 1 }), outline);
    expect(!bad.ok && bad.problems.map((p) => p.field)).toEqual(['json', 'principal', 'action', 'context']);
    const noAction = jsonToForm(JSON.stringify({ principal: 'Agent::"a"', action: 'fly', resource: 'Tool::"t"' }), outline, form());
    expect(!noAction.ok && noAction.problems[0]?.message).toBe('no action `fly` in the schema');
  });
});

describe('suggestions and placeholders', () => {
  it('offers the inventory’s ids for a type', () => {
    const inv = inventoryView({ agents: [agent({ id: 'billing-bot', name: 'Billing', lifecycle: 'suspended' })] });
    expect(suggestionsFor('Acme::Agent', inv)).toEqual([{ id: 'billing-bot', label: 'Billing — suspended' }]);
    expect(suggestionsFor('Acme::Tool', inv).map((s) => s.id)).toEqual(['stripe.refund', 'zendesk.ticket.update']);
    expect(suggestionsFor('Human', inv).find((s) => s.id === 'max')?.label).toBe('Max Weber — departed');
    expect(suggestionsFor('Acme::Unknown', inv)).toEqual([]);
    expect(suggestionsFor('Acme::Agent', null)).toEqual([]);
  });

  it('shows how an entity or a set is written', () => {
    expect(jsonPlaceholder('Team', outline)).toBe('{"type": "Acme::Team", "id": "…"}');
    expect(jsonPlaceholder('Set<String>', outline)).toBe('["…"]');
  });
});
