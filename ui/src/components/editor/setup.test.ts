import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { schemaOutline } from '../../test/fakeBackend';
import { cedarCompletion } from './setup';

async function complete(doc: string, explicit = false): Promise<CompletionResult | null> {
  const pos = doc.indexOf('|');
  const state = EditorState.create({ doc: doc.replace('|', '') });
  return cedarCompletion(() => schemaOutline())(new CompletionContext(state, pos, explicit));
}

describe('cedarCompletion', () => {
  it('completes the context fields of the scope’s action after `context.`', async () => {
    const r = await complete('permit (principal, action == Acme::Action::"request_credential", resource) when { context.t| };');
    expect(r?.options.map((o) => o.label).sort()).toEqual(['attested', 'ttl_seconds']);
    expect(r?.from).toBe('permit (principal, action == Acme::Action::"request_credential", resource) when { context.'.length);
  });

  it('completes entity types and action uids for a word', async () => {
    const r = await complete('permit (principal is Acme::A|');
    const labels = r?.options.map((o) => o.label) ?? [];
    expect(labels).toContain('Acme::Agent');
    expect(labels).toContain('Acme::Action::"invoke_tool"');
    expect(r?.from).toBe('permit (principal is '.length);
  });

  it('offers nothing unprompted after whitespace', async () => {
    expect(await complete('permit (|')).toBeNull();
  });
});
