import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import type { SchemaOutline } from '../../bindings/SchemaOutline';
import { schemaOutline } from '../../test/fakeBackend';
import { cedarCompletion } from './setup';

/** The fake outline plus humans who approve, and datasets agents read. */
function outline(): SchemaOutline {
  const o = schemaOutline();
  o.entity_types.push(
    { name: 'Acme::Human', attributes: [], member_of: ['Acme::Team'] },
    { name: 'Acme::Dataset', attributes: [], member_of: [] },
  );
  o.actions.push(
    { name: 'approve', uid: 'Acme::Action::"approve"', principal_types: ['Acme::Human'], resource_types: ['Acme::Agent'], context: [] },
    { name: 'read_data', uid: 'Acme::Action::"read_data"', principal_types: ['Acme::Agent'], resource_types: ['Acme::Dataset'], context: [] },
  );
  return o;
}

async function complete(doc: string, explicit = false): Promise<CompletionResult | null> {
  const pos = doc.indexOf('|');
  const state = EditorState.create({ doc: doc.replace('|', '') });
  return cedarCompletion(() => outline())(new CompletionContext(state, pos, explicit));
}

const labels = (r: CompletionResult | null) => r?.options.map((o) => o.label) ?? [];

describe('cedarCompletion', () => {
  it('completes the context fields of the scope’s action after `context.`', async () => {
    const r = await complete('permit (principal, action == Acme::Action::"request_credential", resource) when { context.t| };');
    expect(r?.options.map((o) => o.label).sort()).toEqual(['attested', 'ttl_seconds']);
    expect(r?.from).toBe('permit (principal, action == Acme::Action::"request_credential", resource) when { context.'.length);
  });

  it('completes entity types and action uids for a word in a condition', async () => {
    const r = await complete('permit (principal, action, resource) when { Acme::A| };');
    expect(labels(r)).toContain('Acme::Agent');
    expect(labels(r)).toContain('Acme::Action::"invoke_tool"');
    expect(r?.from).toBe('permit (principal, action, resource) when { '.length);
  });

  it('offers after `principal is` only the types some action takes as principal', async () => {
    const r = await complete('permit (principal is Acme::A|');
    expect(labels(r)).toEqual(['Acme::Agent', 'Acme::Human']);
    expect(r?.from).toBe('permit (principal is '.length);
  });

  it('narrows scope completion by the rest of the scope', async () => {
    // The action fixes the principal and resource types.
    expect(labels(await complete('permit (principal is |, action == Acme::Action::"approve", resource);', true))).toEqual(['Acme::Human']);
    expect(labels(await complete('permit (principal, action == Acme::Action::"read_data", resource is |);', true))).toEqual(['Acme::Dataset']);
    // `in` also offers the groups a fitting principal can be a member of.
    expect(labels(await complete('permit (principal in |, action == Acme::Action::"approve", resource);', true))).toEqual(['Acme::Team', 'Acme::Human']);
    // The principal and resource types fix the actions.
    expect(labels(await complete('permit (principal is Acme::Agent, action == |, resource is Acme::Dataset);', true))).toEqual([
      'Acme::Action::"read_data"',
    ]);
    expect(labels(await complete('permit (principal is Acme::Human, action in [|], resource);', true))).toEqual(['Acme::Action::"approve"']);
  });

  it('offers nothing unprompted after whitespace', async () => {
    expect(await complete('permit (|')).toBeNull();
  });
});
