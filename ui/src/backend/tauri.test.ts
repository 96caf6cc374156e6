// The Tauri adapter against mocked Tauri modules: command names and argument names must
// match src-tauri exactly, and every rejection must come out as an ApiError.
import { beforeEach, expect, it, vi } from 'vitest';
import { IMPORT_PROGRESS_EVENT, OPERATION_PROGRESS_EVENT, REPLAY_PROGRESS_EVENT, TauriBackend, WORKSPACE_CHANGED_EVENT } from './tauri';

const { invoke, listen } = vi.hoisted(() => ({ invoke: vi.fn(), listen: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

beforeEach(() => {
  invoke.mockReset();
  listen.mockReset();
});

it('calls the Rust commands with snake_case names and arguments', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  await b.currentWorkspace();
  await b.openWorkspace('/tmp/ws');
  await b.validateWorkspace();
  const query = { actor: 'dana', action: 'agent.*', subject: null, since: '7d', until: null, before: 41, limit: 200 };
  await b.listAudit(query);
  await b.auditFacets();
  await b.exportAudit(query, '/tmp/audit.csv');
  expect(invoke.mock.calls).toEqual([
    ['current_workspace', undefined],
    ['open_workspace', { path: '/tmp/ws' }],
    ['validate_workspace', undefined],
    ['list_audit', { query }],
    ['audit_facets', undefined],
    ['export_audit', { query, out: '/tmp/audit.csv' }],
  ]);
});

it('calls one command per dashboard card', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  await b.dashboardTraffic();
  await b.dashboardCoverage();
  await b.dashboardReplay();
  await b.dashboardReviews();
  await b.dashboardBundle();
  expect(invoke.mock.calls.map((c: unknown[]) => c[0])).toEqual([
    'dashboard_traffic',
    'dashboard_coverage',
    'dashboard_replay',
    'dashboard_reviews',
    'dashboard_bundle',
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
  await b.saveAgent(agent, false, 'abc123');
  await b.agentLifecycle('billing-bot', 'approved', 'review passed');
  await b.actingIdentity();
  expect(invoke.mock.calls).toEqual([
    ['inventory', undefined],
    ['validate_agent_draft', { agent, create: true }],
    ['save_agent', { agent, create: false, revision: 'abc123' }],
    ['agent_lifecycle', { id: 'billing-bot', to: 'approved', reason: 'review passed' }],
    ['acting_identity', undefined],
  ]);
});

it('calls the policy editor commands with the argument names src-tauri declares', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  await b.readPolicyFile('policies/tools.cedar');
  await b.savePolicyFile('policies/tools.cedar', 'permit(principal, action, resource);', 'absent');
  await b.validatePolicyBuffer('policies/tools.cedar', 'permt');
  await b.formatPolicyText('permit(principal,action,resource);');
  await b.schemaOutline();
  await b.testRequest({ principal: 'Agent::"a"', action: 'invoke_tool', resource: 'Tool::"t"', context: '{}' });
  await b.controls();
  await b.addControlPolicies('MND-LC-01');
  expect(invoke.mock.calls).toEqual([
    ['read_policy_file', { path: 'policies/tools.cedar' }],
    ['save_policy_file', { path: 'policies/tools.cedar', text: 'permit(principal, action, resource);', revision: 'absent' }],
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

it('calls the replay and review commands with the argument names src-tauri declares', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  const request = { set: 'traffic', baseline: 'git:HEAD', candidate: null, since: '7d', until: null };
  const filter = { changed_only: true, errors_only: false, search: 'stripe' };
  await b.requestSets();
  await b.importRequests('/tmp/traffic.jsonl', 'traffic', true);
  await b.cancelImport();
  await b.runReplay(request);
  await b.cancelReplay();
  await b.replayRuns();
  await b.replayResults(3, filter, 400, 200);
  await b.explainResult(3, 17);
  await b.reviewForRun(3);
  await b.openReview(3);
  await b.ackChanges('traffic-3', { ids: ['req-1'], groups: ['invoke_tool: allow→deny (permit-allowed-tools → none)'] }, 'tool retired');
  await b.recordVerdict('traffic-3', 'approve', 'ok');
  expect(invoke.mock.calls).toEqual([
    ['request_sets', undefined],
    ['import_requests', { path: '/tmp/traffic.jsonl', set: 'traffic', strict: true }],
    ['cancel_import', undefined],
    ['run_replay', { request }],
    ['cancel_replay', undefined],
    ['replay_runs', undefined],
    // Tauri maps camelCase keys to the snake_case parameters (`run_id`).
    ['replay_results', { runId: 3, filter, offset: 400, limit: 200 }],
    ['explain_result', { runId: 3, seq: 17 }],
    ['review_for_run', { runId: 3 }],
    ['open_review', { runId: 3 }],
    [
      'ack_changes',
      { review: 'traffic-3', ids: ['req-1'], groups: ['invoke_tool: allow→deny (permit-allowed-tools → none)'], comment: 'tool retired' },
    ],
    ['record_verdict', { review: 'traffic-3', verdict: 'approve', comment: 'ok' }],
  ]);
});

it('calls the analysis commands with the argument names src-tauri declares', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  const request = { baseline: '@none', no_diff: false, no_findings: true, time_limit_ms: 5000 };
  await b.analyze(request);
  await b.cancelAnalysis();
  expect(invoke.mock.calls).toEqual([
    ['analyze', { request }],
    ['cancel_analysis', undefined],
  ]);
});

it('passes a missing solver through as an ApiError with code `solver_unavailable` and its help', async () => {
  const missing = {
    code: 'solver_unavailable',
    message: 'no SMT solver could be started: `cvc5` (PATH): not found',
    help: 'run `bash scripts/deps.sh` (it installs cvc5 1.4 and Z3 from PyPI into target/solver-venv)',
    diagnostics: [],
  };
  invoke.mockRejectedValueOnce(missing);
  await expect(new TauriBackend().analyze({ no_diff: false, no_findings: false })).rejects.toBe(missing);
});

it('calls the access commands with the argument names src-tauri declares', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  const request = { agent: 'alert-router', baseline: '@published', no_diff: false };
  await b.agentAccess(request);
  await b.cancelAccess();
  expect(invoke.mock.calls).toEqual([
    ['agent_access', { request }],
    ['cancel_access', undefined],
  ]);
});

it('passes a refused access review through as an ApiError with its code', async () => {
  const unknown = {
    code: 'not_found',
    message: 'no agent `ghost` in the inventory',
    help: '`mandate agents list` shows them (e.g. alert-router, billing-bot)',
    diagnostics: [],
  };
  invoke.mockRejectedValueOnce(unknown);
  await expect(new TauriBackend().agentAccess({ agent: 'ghost', no_diff: true })).rejects.toBe(unknown);
});

it('calls the insights commands with the argument names src-tauri declares', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  const query = { set: null, since: '7d', until: null };
  await b.insights(query);
  await b.taskTimeline(null, 'task-00042');
  await b.taskTimeline('traffic', 'task-7');
  await b.agentInsights('billing-bot');
  expect(invoke.mock.calls).toEqual([
    ['insights', { query }],
    ['task_timeline', { set: null, task: 'task-00042' }],
    ['task_timeline', { set: 'traffic', task: 'task-7' }],
    ['agent_insights', { agent: 'billing-bot' }],
  ]);
});

it('calls the frameworks commands with the argument names src-tauri declares', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  const mappings = [{ framework: 'owasp-agentic-top10-2026', item: 'ASI03', relevance: 'own grants' }];
  const request = { format: 'csv', framework: null, table: 'alignment', out: '/tmp/a.csv' };
  await b.frameworks();
  await b.coverage();
  await b.setControlMappings('MND-AUTHZ-01', mappings);
  await b.setNotApplicable('owasp-agentic-top10-2026', 'ASI05', 'no code runs');
  await b.setNotApplicable('owasp-agentic-top10-2026', 'ASI05', null);
  await b.exportCoverage(request);
  expect(invoke.mock.calls).toEqual([
    ['frameworks', undefined],
    ['coverage', undefined],
    ['set_control_mappings', { control: 'MND-AUTHZ-01', mappings }],
    ['set_not_applicable', { framework: 'owasp-agentic-top10-2026', item: 'ASI05', justification: 'no code runs' }],
    ['set_not_applicable', { framework: 'owasp-agentic-top10-2026', item: 'ASI05', justification: null }],
    ['export_coverage', { request }],
  ]);
});

it('calls the keys and bundle commands with the argument names src-tauri declares', async () => {
  invoke.mockResolvedValue(null);
  const b = new TauriBackend();
  const trust = { key: 'ed25519:ab', owner: 'bob@acme.example', remove: false, signer: 'dana', comment: '' };
  const build = { version: null, summary: 'first', out: null, key: 'ed25519:ab', set: null, sign: true, accept_coverage_drop: null };
  const draft = '/ws/.mandate/drafts/1.0.0';
  await b.keysView();
  await b.generateKey('dana@acme.example');
  await b.trustKey(trust);
  await b.bundleBuild(build);
  await b.bundleView(draft);
  await b.bundleSign(draft, null);
  await b.bundleApprove(draft, 'bob', 'looks right');
  await b.bundleGates(draft);
  await b.bundlePublish(draft, '/mnt/share');
  await b.bundleVerify('1.0.0', true);
  await b.bundles();
  await b.bundleDiff('1.0.0', '1.1.0');
  expect(invoke.mock.calls).toEqual([
    ['keys_view', undefined],
    ['generate_key', { owner: 'dana@acme.example' }],
    ['trust_key', { request: trust }],
    ['bundle_build', { request: build }],
    ['bundle_view', { path: draft }],
    ['bundle_sign', { path: draft, key: null }],
    ['bundle_approve', { path: draft, key: 'bob', comment: 'looks right' }],
    ['bundle_gates', { path: draft }],
    ['bundle_publish', { path: draft, to: '/mnt/share' }],
    ['bundle_verify', { path: '1.0.0', requireApproved: true }],
    ['bundles', undefined],
    ['bundle_diff', { from: '1.0.0', to: '1.1.0' }],
  ]);
});

it('passes a failed gate through as an ApiError with code `gate_failed` and its diagnostics', async () => {
  const failed = {
    code: 'gate_failed',
    message: '1 gate(s) failed: Required approvals present and valid (0 of 1 required approval(s))',
    help: null,
    diagnostics: [
      {
        file: '/ws/.mandate/drafts/1.0.0',
        line: 0,
        column: 0,
        end_line: 0,
        end_column: 0,
        severity: 'error',
        code: 'gate::approvals',
        message: 'Required approvals present and valid: 0 of 1 required approval(s)',
        help: null,
        field: null,
      },
    ],
  };
  invoke.mockRejectedValueOnce(failed);
  await expect(new TauriBackend().bundlePublish('/ws/.mandate/drafts/1.0.0', null)).rejects.toBe(failed);
});

it('asks the shell for the save dialog of an export; a cancel is null', async () => {
  const target = { title: 'Export', defaultName: 'coverage.csv', filters: [{ name: 'CSV', extensions: ['csv'] }] };
  invoke.mockResolvedValueOnce('/home/ana/coverage.csv').mockResolvedValueOnce(null);
  const b = new TauriBackend();
  await expect(b.pickSavePath(target)).resolves.toBe('/home/ana/coverage.csv');
  await expect(b.pickSavePath(target)).resolves.toBeNull();
  expect(invoke.mock.calls).toEqual([
    ['pick_save', { title: 'Export', defaultName: 'coverage.csv', filters: target.filters }],
    ['pick_save', { title: 'Export', defaultName: 'coverage.csv', filters: target.filters }],
  ]);
});

it('asks the shell for the file and folder dialogs, with their titles', async () => {
  invoke.mockResolvedValue('/home/ana/picked');
  const b = new TauriBackend();
  await expect(b.pickFile('Open a bundle')).resolves.toBe('/home/ana/picked');
  await b.pickFolder('Copy the bundle to');
  await b.pickRequestFile();
  await b.pickWorkspaceFolder();
  expect(invoke.mock.calls).toEqual([
    ['pick_file', { title: 'Open a bundle' }],
    ['pick_folder', { title: 'Copy the bundle to' }],
    ['pick_file', { title: 'Import recorded requests' }],
    ['pick_folder', { title: 'Open a Mandate workspace' }],
  ]);
});

it('passes a path the window may not name through as `path_outside_workspace`', async () => {
  const outside = {
    code: 'path_outside_workspace',
    message: '`/etc/passwd` is outside the workspace',
    help: 'choose a file or folder outside the workspace with its Browse… button (the system dialog)',
    diagnostics: [],
  };
  invoke.mockRejectedValueOnce(outside);
  await expect(new TauriBackend().importRequests('/etc/passwd', 'x', false)).rejects.toBe(outside);
});

it('passes "nothing imported yet" through as an ApiError with code `not_found`', async () => {
  const notFound = { code: 'not_found', message: 'there are no recorded requests yet', help: 'import traffic first', diagnostics: [] };
  invoke.mockRejectedValueOnce(notFound);
  await expect(new TauriBackend().insights({ set: null, since: null, until: null })).rejects.toBe(notFound);
});

it('passes a cancelled run through as an ApiError with code `cancelled`', async () => {
  const cancelled = { code: 'cancelled', message: 'the replay was cancelled', help: null, diagnostics: [] };
  invoke.mockRejectedValueOnce(cancelled);
  await expect(
    new TauriBackend().runReplay({ set: 's', baseline: null, candidate: null, since: null, until: null }),
  ).rejects.toBe(cancelled);
});

it('forwards import and replay progress events', async () => {
  listen.mockResolvedValue(vi.fn());
  const b = new TauriBackend();
  const onImport = vi.fn();
  const onReplay = vi.fn();
  await b.onImportProgress(onImport);
  await b.onReplayProgress(onReplay);
  expect(IMPORT_PROGRESS_EVENT).toBe('requests-import-progress');
  expect(REPLAY_PROGRESS_EVENT).toBe('replay-progress');
  expect(listen.mock.calls.map((c) => c[0] as string)).toEqual([IMPORT_PROGRESS_EVENT, REPLAY_PROGRESS_EVENT]);
  const [importHandler, replayHandler] = listen.mock.calls.map((c) => c[1] as (e: { payload: unknown }) => void);
  importHandler!({ payload: { bytes_read: 10, bytes_total: 100, records: 2 } });
  replayHandler!({ payload: { run_id: 3, done: 400, total: 5000 } });
  expect(onImport).toHaveBeenCalledWith({ bytes_read: 10, bytes_total: 100, records: 2 });
  expect(onReplay).toHaveBeenCalledWith({ run_id: 3, done: 400, total: 5000 });
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

it('cancels insights, coverage and bundle builds with the commands src-tauri declares, and forwards their progress', async () => {
  invoke.mockResolvedValue(null);
  listen.mockResolvedValue(vi.fn());
  const b = new TauriBackend();
  await b.cancelInsights();
  await b.cancelCoverage();
  await b.cancelBuild();
  expect(invoke.mock.calls).toEqual([
    ['cancel_insights', undefined],
    ['cancel_coverage', undefined],
    ['cancel_build', undefined],
  ]);
  const onProgress = vi.fn();
  await b.onOperationProgress(onProgress);
  expect(OPERATION_PROGRESS_EVENT).toBe('operation-progress');
  expect(listen.mock.calls[0]?.[0]).toBe(OPERATION_PROGRESS_EVENT);
  const handler = listen.mock.calls[0]?.[1] as (e: { payload: unknown }) => void;
  const p = { operation: 'coverage', phase: 'Deciding recorded requests on the current policies', done: 4096, total: 50000 };
  handler({ payload: p });
  expect(onProgress).toHaveBeenCalledWith(p);
});
