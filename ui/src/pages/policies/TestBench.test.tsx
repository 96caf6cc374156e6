import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../../bindings/ApiError';
import type { SchemaOutline } from '../../bindings/SchemaOutline';
import { agent, diagnostic, FakeBackend, inventoryView, policyFile, report, schemaOutline } from '../../test/fakeBackend';
import { waitForEditor } from '../../test/editor';
import { renderWithBackend } from '../../test/render';
import { PoliciesPage } from '../PoliciesPage';

const SOURCE = '@id("deny-inactive-agents")\nforbid (principal is Acme::Agent, action, resource)\nunless { principal.lifecycle == "active" };';

/** The fake's outline plus an optional String field and an action for humans. */
function outline(): SchemaOutline {
  const o = schemaOutline();
  o.entity_types.push({ name: 'Acme::Human', attributes: [], member_of: [] });
  o.actions[0]!.context.push({ name: 'task_id', type_name: 'String', required: false });
  o.actions.push({
    name: 'approve',
    uid: 'Acme::Action::"approve"',
    principal_types: ['Acme::Human'],
    resource_types: ['Acme::Agent', 'Acme::Tool'],
    context: [{ name: 'on_behalf_of', type_name: 'Human', required: false }],
  });
  return o;
}

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.report = report([policyFile('policies/lifecycle.cedar', ['deny-inactive-agents'])]);
  backend.files['policies/lifecycle.cedar'] = `${SOURCE}\n`;
  backend.outline = outline();
  backend.inventoryView = inventoryView({ agents: [agent({ id: 'billing-bot' }), agent({ id: 'old-bot', name: 'Old', lifecycle: 'retired' })] });
});

async function openBench() {
  renderWithBackend(backend, <PoliciesPage />);
  await screen.findByTestId('validation-summary');
  fireEvent.click(screen.getByTestId('open-test-bench'));
  const bench = await screen.findByTestId('test-bench');
  await within(bench).findByTestId('test-action');
  return bench;
}

function contextFields(bench: HTMLElement) {
  return within(bench).queryAllByTestId('test-context-field');
}

function field(bench: HTMLElement, name: string): HTMLInputElement {
  const el = contextFields(bench).find((f) => f.dataset.field === name);
  expect(el, `context field ${name}`).toBeDefined();
  return el as HTMLInputElement;
}

function fill(bench: HTMLElement, principal: string, resource: string) {
  fireEvent.change(within(bench).getByTestId('test-principal-id'), { target: { value: principal } });
  fireEvent.change(within(bench).getByTestId('test-resource-id'), { target: { value: resource } });
}

function options(select: HTMLElement): string[] {
  return Array.from((select as HTMLSelectElement).options).map((o) => o.value);
}

describe('the test bench', () => {
  it('builds the form from the schema for the chosen action', async () => {
    const bench = await openBench();
    const action = within(bench).getByTestId('test-action');
    expect(options(action)).toEqual(['request_credential', 'invoke_tool', 'approve']);
    expect(contextFields(bench).map((f) => f.dataset.field)).toEqual(['ttl_seconds', 'attested', 'task_id']);
    expect(field(bench, 'ttl_seconds').type).toBe('number');
    expect(field(bench, 'attested').type).toBe('checkbox');
    expect(field(bench, 'task_id').type).toBe('text');
    expect(field(bench, 'ttl_seconds').getAttribute('aria-required')).toBe('true');
    expect(field(bench, 'task_id').getAttribute('aria-required')).toBeNull();

    fireEvent.change(action, { target: { value: 'invoke_tool' } });
    expect(contextFields(bench).map((f) => f.dataset.field)).toEqual(['step_up']);

    fireEvent.change(action, { target: { value: 'approve' } });
    expect(options(within(bench).getByTestId('test-principal-type'))).toEqual(['Acme::Human']);
    expect(options(within(bench).getByTestId('test-resource-type'))).toEqual(['Acme::Agent', 'Acme::Tool']);
    expect(contextFields(bench).map((f) => f.dataset.field)).toEqual(['on_behalf_of']);
    expect(field(bench, 'on_behalf_of').placeholder).toBe('{"type": "Acme::Human", "id": "…"}');
  });

  it('suggests ids of the chosen type from the inventory', async () => {
    const bench = await openBench();
    const principal = within(bench).getByTestId('test-principal-id');
    const list = document.getElementById(principal.getAttribute('list')!)!;
    expect(Array.from(list.querySelectorAll('option')).map((o) => o.value)).toEqual(['billing-bot', 'old-bot']);
    fireEvent.change(within(bench).getByTestId('test-action'), { target: { value: 'approve' } });
    expect(Array.from(list.querySelectorAll('option')).map((o) => o.value)).toEqual(['dana', 'lee', 'max']);
  });

  it('sends typed context values and leaves empty optional fields out', async () => {
    const bench = await openBench();
    fill(bench, 'billing-bot', 'stripe.refund');
    fireEvent.change(field(bench, 'ttl_seconds'), { target: { value: '300' } });
    fireEvent.click(field(bench, 'attested'));
    fireEvent.click(within(bench).getByTestId('test-decide'));
    await waitFor(() => expect(backend.calls.testRequest).toHaveLength(1));
    expect(backend.calls.testRequest[0]).toEqual({
      principal: 'Acme::Agent::"billing-bot"',
      action: 'request_credential',
      resource: 'Acme::Tool::"stripe.refund"',
      context: '{"ttl_seconds":300,"attested":true}',
    });

    // An optional Bool can be sent as false, or not at all.
    fireEvent.change(within(bench).getByTestId('test-action'), { target: { value: 'invoke_tool' } });
    fireEvent.click(field(bench, 'step_up'));
    fireEvent.click(field(bench, 'step_up'));
    fireEvent.click(within(bench).getByTestId('test-decide'));
    await waitFor(() => expect(backend.calls.testRequest).toHaveLength(2));
    expect(backend.calls.testRequest[1]?.context).toBe('{"step_up":false}');
    fireEvent.click(within(bench).getByRole('button', { name: 'Do not send step_up' }));
    fireEvent.click(within(bench).getByTestId('test-decide'));
    await waitFor(() => expect(backend.calls.testRequest).toHaveLength(3));
    expect(backend.calls.testRequest[2]?.context).toBe('{}');
  });

  it('explains what is missing without calling the core', async () => {
    const bench = await openBench();
    fill(bench, 'billing-bot', '');
    fireEvent.change(field(bench, 'ttl_seconds'), { target: { value: '' } });
    fireEvent.click(within(bench).getByTestId('test-decide'));
    const problems = await within(bench).findAllByTestId('test-problems');
    expect(problems.map((p) => p.textContent)).toEqual(['the resource needs an id', '`ttl_seconds` is required']);
    expect(backend.calls.testRequest).toHaveLength(0);
  });

  it('keeps the values through JSON mode and back', async () => {
    const bench = await openBench();
    fill(bench, 'billing-bot', 'stripe.refund');
    fireEvent.change(field(bench, 'ttl_seconds'), { target: { value: '120' } });
    fireEvent.click(within(bench).getByTestId('test-mode-json'));
    const json = within(bench).getByTestId<HTMLTextAreaElement>('test-json');
    expect(JSON.parse(json.value)).toEqual({
      principal: { type: 'Acme::Agent', id: 'billing-bot' },
      action: 'request_credential',
      resource: { type: 'Acme::Tool', id: 'stripe.refund' },
      context: { ttl_seconds: 120, attested: false },
    });

    const edited = JSON.parse(json.value) as { context: Record<string, unknown> };
    edited.context = { ttl_seconds: 60, attested: true, task_id: 'ticket-1' };
    fireEvent.change(json, { target: { value: JSON.stringify(edited) } });
    fireEvent.click(within(bench).getByTestId('test-decide'));
    await waitFor(() => expect(backend.calls.testRequest).toHaveLength(1));
    expect(backend.calls.testRequest[0]?.context).toBe('{"ttl_seconds":60,"attested":true,"task_id":"ticket-1"}');

    fireEvent.click(within(bench).getByTestId('test-mode-form'));
    expect(field(bench, 'ttl_seconds').value).toBe('60');
    expect(field(bench, 'attested').checked).toBe(true);
    expect(field(bench, 'task_id').value).toBe('ticket-1');
    expect(within(bench).getByTestId<HTMLInputElement>('test-principal-id').value).toBe('billing-bot');
  });

  it('stays in JSON mode when the form could not show the request', async () => {
    const bench = await openBench();
    fireEvent.click(within(bench).getByTestId('test-mode-json'));
    const json = within(bench).getByTestId('test-json');
    fireEvent.change(json, { target: { value: '{"principal": "Agent::\\"a\\"", "action": "invoke_tool", "resource": "Tool::\\"t\\"", "context": {"nope": 1}}' } });
    fireEvent.click(within(bench).getByTestId('test-mode-form'));
    expect(within(bench).getByTestId('test-json')).toBeTruthy();
    expect(within(bench).getByTestId('test-problems').textContent).toContain('`invoke_tool` has no context field `nope`');
  });

  it('shows the decision and the policies that determined it, and opens one in the editor', async () => {
    backend.test = () => ({
      decision: 'deny',
      determining: [{ id: 'deny-inactive-agents', file: 'policies/lifecycle.cedar', line: 2, text: SOURCE }],
      errors: [],
    });
    const bench = await openBench();
    fill(bench, 'old-bot', 'stripe.refund');
    fireEvent.change(field(bench, 'ttl_seconds'), { target: { value: '60' } });
    fireEvent.click(within(bench).getByTestId('test-decide'));
    const decision = await within(bench).findByTestId('test-decision');
    expect(decision.dataset.decision).toBe('deny');
    expect(decision.textContent).toBe('Deny');
    const determining = within(bench).getAllByTestId('test-determining');
    expect(determining.map((d) => d.dataset.policyId)).toEqual(['deny-inactive-agents']);
    expect(determining[0]?.querySelector('pre')?.textContent).toBe(SOURCE);
    expect(within(bench).getByText('Denied by 1 forbid')).toBeTruthy();

    fireEvent.click(within(determining[0]!).getByRole('button', { name: 'policies/lifecycle.cedar:2' }));
    const editor = await screen.findByTestId('policy-editor');
    expect(editor.dataset.path).toBe('policies/lifecycle.cedar');
    // The cursor lands on the policy's line once the file has loaded.
    await waitForEditor((view) => expect(view.state.doc.lineAt(view.state.selection.main.head).number).toBe(2));
    expect(screen.getByTestId('test-bench')).toBeTruthy();

    // Editing the request marks the shown decision as not for it any more.
    fill(bench, 'billing-bot', 'stripe.refund');
    expect(within(bench).getByTestId('test-stale').textContent).toMatch(/edited/);
  });

  it('says when nothing applies, and lists policies Cedar skipped', async () => {
    backend.test = () => ({
      decision: 'deny',
      determining: [],
      errors: [{ policy: 'credential-ttl-within-ceiling', message: 'record does not have the attribute `max_ttl_seconds`' }],
    });
    const bench = await openBench();
    fill(bench, 'billing-bot', 'stripe.refund');
    fireEvent.change(field(bench, 'ttl_seconds'), { target: { value: '60' } });
    fireEvent.click(within(bench).getByTestId('test-decide'));
    expect((await within(bench).findByTestId('test-decision')).dataset.decision).toBe('deny');
    expect(within(bench).getByTestId('test-default-deny').textContent).toMatch(/^Default deny: no policy applies\./);
    const errors = within(bench).getByTestId('test-errors');
    expect(errors.textContent).toContain('Cedar skipped it');
    expect(within(errors).getByTestId('test-error').dataset.policyId).toBe('credential-ttl-within-ceiling');
    expect(errors.textContent).toContain('record does not have the attribute `max_ttl_seconds`');
  });

  it('shows a policy_invalid refusal with its diagnostics', async () => {
    const invalid: ApiError = {
      code: 'policy_invalid',
      message: 'the workspace policies have 1 error; fix them before testing requests',
      help: 'run `mandate validate`',
      diagnostics: [diagnostic({ file: 'policies/tools.cedar', line: 7, column: 3, message: 'unexpected token `permt`' })],
    };
    backend.test = () => {
      throw invalid;
    };
    const bench = await openBench();
    fill(bench, 'billing-bot', 'stripe.refund');
    fireEvent.change(field(bench, 'ttl_seconds'), { target: { value: '60' } });
    fireEvent.click(within(bench).getByTestId('test-decide'));
    const banner = await within(bench).findByTestId('error-banner');
    expect(banner.dataset.code).toBe('policy_invalid');
    expect(banner.textContent).toContain('fix them before testing requests');
    expect(banner.textContent).toContain('run `mandate validate`');
    expect(banner.textContent).toContain('policies/tools.cedar:7:3');
    expect(banner.textContent).toContain('unexpected token `permt`');
    expect(within(bench).queryByTestId('test-decision')).toBeNull();
  });

  it('is reachable with a file open, and closes back to its button', async () => {
    renderWithBackend(backend, <PoliciesPage />);
    fireEvent.click(await screen.findByRole('button', { name: /policies\/lifecycle\.cedar/ }));
    await screen.findByTestId('policy-editor');
    const toggle = screen.getByTestId('open-test-bench');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    await screen.findByTestId('test-action');
    fireEvent.click(screen.getByTestId('test-close'));
    expect(screen.queryByTestId('test-bench')).toBeNull();
    expect(document.activeElement).toBe(toggle);
    expect(screen.getByTestId('policy-editor')).toBeTruthy();
  });

  it('reloads the schema when the inventory changes on disk', async () => {
    const bench = await openBench();
    backend.outline = schemaOutline();
    backend.outline.actions[0]!.context.push({ name: 'env', type_name: 'String', required: true });
    act(() => backend.emitChange([{ kind: 'inventory_changed', path: 'inventory/agents/a.toml' }]));
    await waitFor(() => expect(contextFields(bench).map((f) => f.dataset.field)).toEqual(['ttl_seconds', 'attested', 'env']));
  });
});
