// The Tauri adapter against mocked Tauri modules: command names and argument names must
// match src-tauri exactly, and every rejection must come out as an ApiError.
import { beforeEach, expect, it, vi } from 'vitest';
import { TauriBackend, WORKSPACE_CHANGED_EVENT } from './tauri';

const { invoke, listen, open } = vi.hoisted(() => ({ invoke: vi.fn(), listen: vi.fn(), open: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ open }));

beforeEach(() => {
  invoke.mockReset();
  listen.mockReset();
  open.mockReset();
});

it('calls the Rust commands with snake_case names and arguments', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  await b.currentWorkspace();
  await b.openWorkspace('/tmp/ws');
  await b.validateWorkspace();
  await b.listAudit(200);
  expect(invoke.mock.calls).toEqual([
    ['current_workspace', undefined],
    ['open_workspace', { path: '/tmp/ws' }],
    ['validate_workspace', undefined],
    ['list_audit', { limit: 200 }],
  ]);
});

it('calls the inventory commands with the argument names src-tauri declares', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  const agent = {
    id: 'billing-bot',
    name: 'Billing',
    owner_team: 'billing',
    risk_tier: 'high' as const,
    environment: 'prod' as const,
    lifecycle: 'draft' as const,
    max_ttl_seconds: 300,
    attestation_required: true,
  };
  await b.inventory();
  await b.validateAgentDraft(agent, true);
  await b.saveAgent(agent, false);
  await b.agentLifecycle('billing-bot', 'approved', 'review passed');
  await b.actingIdentity();
  expect(invoke.mock.calls).toEqual([
    ['inventory', undefined],
    ['validate_agent_draft', { agent, create: true }],
    ['save_agent', { agent, create: false }],
    ['agent_lifecycle', { id: 'billing-bot', to: 'approved', reason: 'review passed' }],
    ['acting_identity', undefined],
  ]);
});

it('calls the policy editor commands with the argument names src-tauri declares', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  await b.readPolicyFile('policies/tools.cedar');
  await b.savePolicyFile('policies/tools.cedar', 'permit(principal, action, resource);');
  await b.validatePolicyBuffer('policies/tools.cedar', 'permt');
  await b.formatPolicyText('permit(principal,action,resource);');
  await b.schemaOutline();
  await b.testRequest({ principal: 'Agent::"a"', action: 'invoke_tool', resource: 'Tool::"t"', context: '{}' });
  await b.controls();
  await b.addControlPolicies('MND-LC-01');
  expect(invoke.mock.calls).toEqual([
    ['read_policy_file', { path: 'policies/tools.cedar' }],
    ['save_policy_file', { path: 'policies/tools.cedar', text: 'permit(principal, action, resource);' }],
    ['validate_policy_buffer', { path: 'policies/tools.cedar', text: 'permt' }],
    ['format_policy_text', { text: 'permit(principal,action,resource);' }],
    ['schema_outline', undefined],
    [
      'test_request',
      { request: { principal: 'Agent::"a"', action: 'invoke_tool', resource: 'Tool::"t"', context: '{}' } },
    ],
    ['controls', undefined],
    ['add_control_policies', { control: 'MND-LC-01' }],
  ]);
});

it('passes an ApiError rejection through and normalises anything else', async () => {
  const apiError = { code: 'workspace_not_found', message: 'no mandate.toml in `/x`', help: null, diagnostics: [] };
  invoke.mockRejectedValueOnce(apiError).mockRejectedValueOnce('command not found');
  const b = new TauriBackend();
  await expect(b.openWorkspace('/x')).rejects.toBe(apiError);
  await expect(b.validateWorkspace()).rejects.toEqual({
    code: 'internal',
    message: 'command not found',
    help: null,
    diagnostics: [],
  });
});

it('opens a single-folder picker', async () => {
  open.mockResolvedValue('/home/ana/ws');
  await expect(new TauriBackend().pickWorkspaceFolder()).resolves.toBe('/home/ana/ws');
  expect(open).toHaveBeenCalledWith(expect.objectContaining({ directory: true, multiple: false }));
});

it('forwards workspace-changed payloads and returns the unlisten function', async () => {
  const unlisten = vi.fn();
  listen.mockResolvedValue(unlisten);
  const cb = vi.fn();
  const unsubscribe = await new TauriBackend().onWorkspaceChanged(cb);
  expect(listen).toHaveBeenCalledWith(WORKSPACE_CHANGED_EVENT, expect.any(Function));
  expect(WORKSPACE_CHANGED_EVENT).toBe('workspace-changed');
  const handler = listen.mock.calls[0]?.[1] as (e: { payload: unknown }) => void;
  handler({ payload: [{ kind: 'policy_changed', path: 'policies/a.cedar' }] });
  expect(cb).toHaveBeenCalledWith([{ kind: 'policy_changed', path: 'policies/a.cedar' }]);
  unsubscribe();
  expect(unlisten).toHaveBeenCalledOnce();
});
