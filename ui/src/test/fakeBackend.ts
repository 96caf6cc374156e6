// A test double of the backend *interface* for Vitest: canned answers, recorded calls,
// and `emitChange` to play the file watcher. Never used by the app itself.
import type { Agent } from '../bindings/Agent';
import type { ApiError } from '../bindings/ApiError';
import type { AuditEntry } from '../bindings/AuditEntry';
import type { AddedPolicies } from '../bindings/AddedPolicies';
import type { Change } from '../bindings/Change';
import type { ControlsView } from '../bindings/ControlsView';
import type { Diagnostic } from '../bindings/Diagnostic';
import type { Finding } from '../bindings/Finding';
import type { InventoryView } from '../bindings/InventoryView';
import type { Lifecycle } from '../bindings/Lifecycle';
import type { LifecycleEdge } from '../bindings/LifecycleEdge';
import type { PolicyFile } from '../bindings/PolicyFile';
import type { SchemaOutline } from '../bindings/SchemaOutline';
import type { TestRequest } from '../bindings/TestRequest';
import type { TestResult } from '../bindings/TestResult';
import type { ValidationReport } from '../bindings/ValidationReport';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import type { IBackend } from '../backend';

export class FakeBackend implements IBackend {
  workspace: WorkspaceInfo | null = null;
  report: ValidationReport = report([]);
  audit: AuditEntry[] = [];
  pickResult: string | null = null;
  /** When set, `openWorkspace` rejects with it. */
  openError: ApiError | null = null;
  /** When set, `validateWorkspace` rejects with it. */
  validateError: ApiError | null = null;

  inventoryView: InventoryView = inventoryView();
  /** When set, `inventory` rejects with it. */
  inventoryError: ApiError | null = null;
  /** What `validateAgentDraft` answers for a draft (default: no problems). */
  draftDiagnostics: (agent: Agent, create: boolean) => Diagnostic[] = () => [];
  /** When set, `saveAgent` rejects with it. */
  saveError: ApiError | null = null;
  /** When set, `agentLifecycle` rejects with it. */
  lifecycleError: ApiError | null = null;
  acting = 'dana@acme.example';

  /** Policy files on "disk", by workspace-relative path. */
  files: Record<string, string> = {};
  /** What `validatePolicyBuffer` answers (default: no problems). */
  bufferDiagnostics: (path: string, text: string) => Diagnostic[] = () => [];
  /** What `formatPolicyText` answers; throw an ApiError from it to reject. */
  format: (text: string) => string = (text) => text;
  outline: SchemaOutline = schemaOutline();
  /** What `testRequest` answers; throw an ApiError from it to reject. */
  test: (request: TestRequest) => TestResult = () => ({ decision: 'deny', determining: [], errors: [] });
  controlsView: ControlsView = { controls: [], diagnostics: [] };
  /** When set, `addControlPolicies` rejects with it. */
  addControlError: ApiError | null = null;

  calls = {
    validate: 0,
    open: [] as string[],
    listAudit: [] as number[],
    inventory: 0,
    validateDraft: [] as { agent: Agent; create: boolean }[],
    save: [] as { agent: Agent; create: boolean }[],
    lifecycle: [] as { id: string; to: Lifecycle; reason: string }[],
    readFile: [] as string[],
    saveFile: [] as { path: string; text: string }[],
    validateBuffer: [] as { path: string; text: string }[],
    formatText: [] as string[],
    testRequest: [] as TestRequest[],
    addControl: [] as string[],
  };
  private listeners = new Set<(changes: Change[]) => void>();

  currentWorkspace(): Promise<WorkspaceInfo | null> {
    return Promise.resolve(this.workspace);
  }

  async openWorkspace(path: string): Promise<WorkspaceInfo> {
    await Promise.resolve();
    this.calls.open.push(path);
    if (this.openError) throw this.openError;
    this.workspace = workspace({ root: path, name: path.split('/').pop() ?? path });
    return this.workspace;
  }

  pickWorkspaceFolder(): Promise<string | null> {
    return Promise.resolve(this.pickResult);
  }

  async validateWorkspace(): Promise<ValidationReport> {
    await Promise.resolve();
    this.calls.validate++;
    if (this.validateError) throw this.validateError;
    return this.report;
  }

  listAudit(limit: number): Promise<AuditEntry[]> {
    this.calls.listAudit.push(limit);
    return Promise.resolve(this.audit.slice(0, limit));
  }

  async inventory(): Promise<InventoryView> {
    await Promise.resolve();
    this.calls.inventory++;
    if (this.inventoryError) throw this.inventoryError;
    return this.inventoryView;
  }

  async validateAgentDraft(agent: Agent, create: boolean): Promise<Diagnostic[]> {
    await Promise.resolve();
    this.calls.validateDraft.push({ agent, create });
    return this.draftDiagnostics(agent, create);
  }

  async saveAgent(agent: Agent, create: boolean): Promise<Agent> {
    await Promise.resolve();
    this.calls.save.push({ agent, create });
    if (this.saveError) throw this.saveError;
    const others = this.inventoryView.agents.filter((a) => a.id !== agent.id);
    this.inventoryView = { ...this.inventoryView, agents: [...others, agent].sort((a, b) => a.id.localeCompare(b.id)) };
    return agent;
  }

  async agentLifecycle(id: string, to: Lifecycle, reason: string): Promise<Agent> {
    await Promise.resolve();
    this.calls.lifecycle.push({ id, to, reason });
    if (this.lifecycleError) throw this.lifecycleError;
    const current = this.inventoryView.agents.find((a) => a.id === id);
    if (!current) {
      const notFound: ApiError = { code: 'not_found', message: `no agent \`${id}\``, help: null, diagnostics: [] };
      throw notFound;
    }
    const next = { ...current, lifecycle: to };
    this.inventoryView = {
      ...this.inventoryView,
      agents: this.inventoryView.agents.map((a) => (a.id === id ? next : a)),
    };
    return next;
  }

  actingIdentity(): Promise<string> {
    return Promise.resolve(this.acting);
  }

  async readPolicyFile(path: string): Promise<string> {
    await Promise.resolve();
    this.calls.readFile.push(path);
    const text = this.files[path];
    if (text === undefined) {
      const notFound: ApiError = { code: 'not_found', message: `no file \`${path}\``, help: null, diagnostics: [] };
      throw notFound;
    }
    return text;
  }

  async savePolicyFile(path: string, text: string): Promise<void> {
    await Promise.resolve();
    this.calls.saveFile.push({ path, text });
    this.files[path] = text;
  }

  async validatePolicyBuffer(path: string, text: string): Promise<Diagnostic[]> {
    await Promise.resolve();
    this.calls.validateBuffer.push({ path, text });
    return this.bufferDiagnostics(path, text);
  }

  async formatPolicyText(text: string): Promise<string> {
    await Promise.resolve();
    this.calls.formatText.push(text);
    return this.format(text);
  }

  schemaOutline(): Promise<SchemaOutline> {
    return Promise.resolve(this.outline);
  }

  async testRequest(request: TestRequest): Promise<TestResult> {
    await Promise.resolve();
    this.calls.testRequest.push(request);
    return this.test(request);
  }

  controls(): Promise<ControlsView> {
    return Promise.resolve(this.controlsView);
  }

  async addControlPolicies(control: string): Promise<AddedPolicies> {
    await Promise.resolve();
    this.calls.addControl.push(control);
    if (this.addControlError) throw this.addControlError;
    const file = `policies/controls/${control.toLowerCase()}.cedar`;
    const status = this.controlsView.controls.find((c) => c.id === control);
    const ids = status?.library_policies ?? [];
    this.files[file] = ids.map((id) => `@id("${id}")\npermit (principal, action, resource);\n`).join('\n');
    return { file, ids };
  }

  onWorkspaceChanged(cb: (changes: Change[]) => void): Promise<() => void> {
    this.listeners.add(cb);
    return Promise.resolve(() => {
      this.listeners.delete(cb);
    });
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  emitChange(changes: Change[]): void {
    for (const cb of this.listeners) cb(changes);
  }
}

/** A schema outline like the demo workspace's. */
export function schemaOutline(): SchemaOutline {
  return {
    entity_types: [
      {
        name: 'Acme::Agent',
        attributes: [
          { name: 'risk_tier', type_name: 'String', required: true },
          { name: 'owner_team', type_name: 'Acme::Team', required: true },
        ],
        member_of: ['Acme::Team'],
      },
      { name: 'Acme::Team', attributes: [], member_of: [] },
      {
        name: 'Acme::Tool',
        attributes: [{ name: 'sensitivity', type_name: 'String', required: true }],
        member_of: [],
      },
    ],
    actions: [
      {
        name: 'request_credential',
        uid: 'Acme::Action::"request_credential"',
        principal_types: ['Acme::Agent'],
        resource_types: ['Acme::Tool'],
        context: [
          { name: 'ttl_seconds', type_name: 'Long', required: true },
          { name: 'attested', type_name: 'Bool', required: true },
        ],
      },
      {
        name: 'invoke_tool',
        uid: 'Acme::Action::"invoke_tool"',
        principal_types: ['Acme::Agent'],
        resource_types: ['Acme::Tool'],
        context: [{ name: 'step_up', type_name: 'Bool', required: false }],
      },
    ],
  };
}

export function workspace(over: Partial<WorkspaceInfo> = {}): WorkspaceInfo {
  return {
    root: '/home/ana/acme-governance',
    name: 'acme-governance',
    namespace: 'Acme',
    schema_mode: 'generated',
    has_schema: true,
    ...over,
  };
}

export function diagnostic(over: Partial<Diagnostic> = {}): Diagnostic {
  return {
    file: 'policies/a.cedar',
    line: 1,
    column: 1,
    end_line: 1,
    end_column: 2,
    severity: 'error',
    code: 'cedar::parse',
    message: 'unexpected token `permt`',
    help: null,
    field: null,
    ...over,
  };
}

export function policyFile(path: string, ids: string[], over: Partial<PolicyFile> = {}): PolicyFile {
  return {
    path,
    policies: ids.map((id, i) => ({
      id,
      kind: 'permit',
      line: 1 + i * 6,
      control: null,
      rationale: null,
    })),
    error_count: 0,
    warning_count: 0,
    ...over,
  };
}

/** A report whose counts agree with its files and diagnostics. */
export function report(files: PolicyFile[], diagnostics: Diagnostic[] = [], schemaUsed = true): ValidationReport {
  return {
    files,
    diagnostics,
    error_count: diagnostics.filter((d) => d.severity === 'error').length,
    warning_count: diagnostics.filter((d) => d.severity === 'warning').length,
    policy_count: files.reduce((n, f) => n + f.policies.length, 0),
    links: [],
    schema_used: schemaUsed,
  };
}

/** The lifecycle the core allows: draft → approved → active ⇄ suspended, any but retired → retired. */
export const TRANSITIONS: LifecycleEdge[] = [
  { from: 'draft', to: 'approved' },
  { from: 'draft', to: 'retired' },
  { from: 'approved', to: 'active' },
  { from: 'approved', to: 'retired' },
  { from: 'active', to: 'suspended' },
  { from: 'active', to: 'retired' },
  { from: 'suspended', to: 'active' },
  { from: 'suspended', to: 'retired' },
];

export function agent(over: Partial<Agent> = {}): Agent {
  return {
    id: 'billing-bot',
    name: 'Billing refunds agent',
    purpose: 'Issues refunds under $500 for duplicate charges',
    spiffe_id: 'spiffe://acme.example/agents/billing-bot',
    owner_team: 'billing',
    accountable: 'dana',
    sponsor: 'lee',
    escalation: 'lee',
    risk_tier: 'high',
    environment: 'prod',
    lifecycle: 'active',
    approved_by: 'lee',
    approved_on: '2026-01-10',
    tools: ['stripe.refund'],
    max_ttl_seconds: 300,
    attestation_required: true,
    step_up_actions: ['invoke_tool'],
    ...over,
  };
}

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    code: 'accountable.missing',
    severity: 'error',
    subject: 'agent:billing-bot',
    message: 'agent `billing-bot` has no accountable human',
    help: 'set `accountable` to a human id from people.toml',
    file: 'inventory/agents/billing-bot.toml',
    line: 1,
    field: 'accountable',
    ...over,
  };
}

/** A small inventory like the demo workspace's. */
export function inventoryView(over: Partial<InventoryView> = {}): InventoryView {
  return {
    agents: [],
    people: {
      teams: [
        { id: 'billing', name: 'Billing' },
        { id: 'support', name: 'Customer Support' },
      ],
      humans: [
        { id: 'dana', name: 'Dana Ortiz', email: 'dana@acme.example', team: 'billing' },
        { id: 'lee', name: 'Lee Park', email: 'lee@acme.example', team: 'billing' },
        { id: 'max', name: 'Max Weber', email: 'max@acme.example', team: 'support', departed: true, departed_on: '2026-01-31' },
      ],
    },
    resources: {
      tool_groups: [],
      tools: [
        { id: 'stripe.refund', system: 'stripe', sensitivity: 'high', environment: 'prod' },
        { id: 'zendesk.ticket.update', system: 'zendesk', sensitivity: 'medium', environment: 'prod' },
      ],
      datasets: [{ id: 'customer-pii', classification: 'restricted', environment: 'prod' }],
      models: [{ id: 'gpt-large', provider: 'openai' }],
    },
    findings: [],
    diagnostics: [],
    transitions: TRANSITIONS,
    ...over,
  };
}
