// `IBackend` over Tauri IPC: one `invoke` per Rust command, events for file changes and for
// the progress of imports and replays.
//
// This folder is the only place allowed to import `@tauri-apps/*` (ESLint enforces it).
// Command names must match `src-tauri`; argument keys are its parameter names, in camelCase
// where they have several words (Tauri maps `runId` to `run_id`). The window may call only
// the commands `src-tauri/capabilities/default.json` grants (scripts/check-arch.sh keeps the
// two in step), and no plugin: the native file dialogs are opened by the shell
// (`pick_file`, `pick_folder`, `pick_save`), which then accepts the path chosen in the
// commands that take paths outside the workspace.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AccessRequest } from '../bindings/AccessRequest';
import type { AccessReview } from '../bindings/AccessReview';
import type { AddedPolicies } from '../bindings/AddedPolicies';
import type { Agent } from '../bindings/Agent';
import type { AgentInsights } from '../bindings/AgentInsights';
import type { Analysis } from '../bindings/Analysis';
import type { AnalyzeRequest } from '../bindings/AnalyzeRequest';
import type { BuildRequest } from '../bindings/BuildRequest';
import type { BundleDiff } from '../bindings/BundleDiff';
import type { BundleEntry } from '../bindings/BundleEntry';
import type { BundleView } from '../bindings/BundleView';
import type { AuditExport } from '../bindings/AuditExport';
import type { AuditFacets } from '../bindings/AuditFacets';
import type { AuditListing } from '../bindings/AuditListing';
import type { AuditQuery } from '../bindings/AuditQuery';
import type { DashboardBundle } from '../bindings/DashboardBundle';
import type { DashboardCoverage } from '../bindings/DashboardCoverage';
import type { DashboardReplay } from '../bindings/DashboardReplay';
import type { DashboardReviews } from '../bindings/DashboardReviews';
import type { DashboardTraffic } from '../bindings/DashboardTraffic';
import type { Change } from '../bindings/Change';
import type { ControlsView } from '../bindings/ControlsView';
import type { CoverageReport } from '../bindings/CoverageReport';
import type { Diagnostic } from '../bindings/Diagnostic';
import type { ExplainPair } from '../bindings/ExplainPair';
import type { ExportRequest } from '../bindings/ExportRequest';
import type { ExportResult } from '../bindings/ExportResult';
import type { FileText } from '../bindings/FileText';
import type { FrameworksView } from '../bindings/FrameworksView';
import type { GateReport } from '../bindings/GateReport';
import type { ImportProgress } from '../bindings/ImportProgress';
import type { ImportSummary } from '../bindings/ImportSummary';
import type { InsightsQuery } from '../bindings/InsightsQuery';
import type { InsightsReport } from '../bindings/InsightsReport';
import type { InventoryView } from '../bindings/InventoryView';
import type { KeysView } from '../bindings/KeysView';
import type { LocalKey } from '../bindings/LocalKey';
import type { Published } from '../bindings/Published';
import type { Lifecycle } from '../bindings/Lifecycle';
import type { Mapping } from '../bindings/Mapping';
import type { OperationProgress } from '../bindings/OperationProgress';
import type { ReplayProgress } from '../bindings/ReplayProgress';
import type { ReplayRequest } from '../bindings/ReplayRequest';
import type { ReplayRun } from '../bindings/ReplayRun';
import type { SavedAgent } from '../bindings/SavedAgent';
import type { RequestSetSummary } from '../bindings/RequestSetSummary';
import type { ResultFilter } from '../bindings/ResultFilter';
import type { ResultPage } from '../bindings/ResultPage';
import type { Review } from '../bindings/Review';
import type { VerdictKind } from '../bindings/VerdictKind';
import type { SchemaOutline } from '../bindings/SchemaOutline';
import type { SettingsView } from '../bindings/SettingsView';
import type { SolverInfo } from '../bindings/SolverInfo';
import type { Theme } from '../bindings/Theme';
import type { TaskTimeline } from '../bindings/TaskTimeline';
import type { TestRequest } from '../bindings/TestRequest';
import type { TestResult } from '../bindings/TestResult';
import type { TrustKeyRequest } from '../bindings/TrustKeyRequest';
import type { TrustOutcome } from '../bindings/TrustOutcome';
import type { VerifyReport } from '../bindings/VerifyReport';
import type { ValidationReport } from '../bindings/ValidationReport';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { toApiError, type AckTarget, type IBackend, type SaveTarget } from './types';

/** The event `src-tauri` emits with a `Change[]` payload after the watcher debounces. */
export const WORKSPACE_CHANGED_EVENT = 'workspace-changed';
/** Emitted with an `ImportProgress` after each batch of a request import. */
export const IMPORT_PROGRESS_EVENT = 'requests-import-progress';
/** Emitted with a `ReplayProgress` after each batch of a replay. */
export const REPLAY_PROGRESS_EVENT = 'replay-progress';
/** Emitted with an `OperationProgress` by insights, coverage, exports and bundle builds. */
export const OPERATION_PROGRESS_EVENT = 'operation-progress';

async function subscribe<T>(event: string, cb: (payload: T) => void): Promise<() => void> {
  try {
    return await listen<T>(event, (e) => cb(e.payload));
  } catch (e) {
    throw toApiError(e);
  }
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export class TauriBackend implements IBackend {
  currentWorkspace(): Promise<WorkspaceInfo | null> {
    return call<WorkspaceInfo | null>('current_workspace');
  }

  openWorkspace(path: string): Promise<WorkspaceInfo> {
    return call<WorkspaceInfo>('open_workspace', { path });
  }

  pickWorkspaceFolder(): Promise<string | null> {
    return this.pickFolder('Open a Mandate workspace');
  }

  pickFile(title: string): Promise<string | null> {
    return call<string | null>('pick_file', { title });
  }

  pickFolder(title: string): Promise<string | null> {
    return call<string | null>('pick_folder', { title });
  }

  validateWorkspace(): Promise<ValidationReport> {
    return call<ValidationReport>('validate_workspace');
  }

  listAudit(query: AuditQuery): Promise<AuditListing> {
    return call<AuditListing>('list_audit', { query });
  }

  auditFacets(): Promise<AuditFacets> {
    return call<AuditFacets>('audit_facets');
  }

  exportAudit(query: AuditQuery, out: string): Promise<AuditExport> {
    return call<AuditExport>('export_audit', { query, out });
  }

  dashboardTraffic(): Promise<DashboardTraffic> {
    return call<DashboardTraffic>('dashboard_traffic');
  }

  dashboardCoverage(): Promise<DashboardCoverage> {
    return call<DashboardCoverage>('dashboard_coverage');
  }

  dashboardReplay(): Promise<DashboardReplay> {
    return call<DashboardReplay>('dashboard_replay');
  }

  dashboardReviews(): Promise<DashboardReviews> {
    return call<DashboardReviews>('dashboard_reviews');
  }

  dashboardBundle(): Promise<DashboardBundle> {
    return call<DashboardBundle>('dashboard_bundle');
  }

  inventory(): Promise<InventoryView> {
    return call<InventoryView>('inventory');
  }

  validateAgentDraft(agent: Agent, create: boolean): Promise<Diagnostic[]> {
    return call<Diagnostic[]>('validate_agent_draft', { agent, create });
  }

  saveAgent(agent: Agent, create: boolean, revision: string | null): Promise<SavedAgent> {
    return call<SavedAgent>('save_agent', { agent, create, revision });
  }

  agentLifecycle(id: string, to: Lifecycle, reason: string): Promise<Agent> {
    return call<Agent>('agent_lifecycle', { id, to, reason });
  }

  actingIdentity(): Promise<string> {
    return call<string>('acting_identity');
  }

  appSettings(): Promise<SettingsView> {
    return call<SettingsView>('app_settings');
  }

  setActor(actor: string | null): Promise<SettingsView> {
    return call<SettingsView>('set_actor', { actor });
  }

  setTheme(theme: Theme): Promise<SettingsView> {
    return call<SettingsView>('set_theme', { theme });
  }

  setSolverPath(path: string | null): Promise<SettingsView> {
    return call<SettingsView>('set_solver_path', { path });
  }

  checkSolver(): Promise<SolverInfo> {
    return call<SolverInfo>('check_solver');
  }

  forgetWorkspace(path: string): Promise<SettingsView> {
    return call<SettingsView>('forget_workspace', { path });
  }

  openRecentWorkspace(path: string): Promise<WorkspaceInfo> {
    return call<WorkspaceInfo>('open_recent_workspace', { path });
  }

  readPolicyFile(path: string): Promise<FileText> {
    return call<FileText>('read_policy_file', { path });
  }

  savePolicyFile(path: string, text: string, revision: string | null): Promise<string> {
    return call<string>('save_policy_file', { path, text, revision });
  }

  validatePolicyBuffer(path: string, text: string): Promise<Diagnostic[]> {
    return call<Diagnostic[]>('validate_policy_buffer', { path, text });
  }

  formatPolicyText(text: string): Promise<string> {
    return call<string>('format_policy_text', { text });
  }

  schemaOutline(): Promise<SchemaOutline> {
    return call<SchemaOutline>('schema_outline');
  }

  testRequest(request: TestRequest): Promise<TestResult> {
    return call<TestResult>('test_request', { request });
  }

  controls(): Promise<ControlsView> {
    return call<ControlsView>('controls');
  }

  addControlPolicies(control: string): Promise<AddedPolicies> {
    return call<AddedPolicies>('add_control_policies', { control });
  }

  onWorkspaceChanged(cb: (changes: Change[]) => void): Promise<() => void> {
    return subscribe<Change[]>(WORKSPACE_CHANGED_EVENT, cb);
  }

  requestSets(): Promise<RequestSetSummary[]> {
    return call<RequestSetSummary[]>('request_sets');
  }

  pickRequestFile(): Promise<string | null> {
    // No extension filter: decision logs come as .jsonl, .json, .log or without one.
    return this.pickFile('Import recorded requests');
  }

  importRequests(path: string, set: string, strict: boolean): Promise<ImportSummary> {
    return call<ImportSummary>('import_requests', { path, set, strict });
  }

  async cancelImport(): Promise<void> {
    await call<null>('cancel_import');
  }

  onImportProgress(cb: (progress: ImportProgress) => void): Promise<() => void> {
    return subscribe<ImportProgress>(IMPORT_PROGRESS_EVENT, cb);
  }

  runReplay(request: ReplayRequest): Promise<ReplayRun> {
    return call<ReplayRun>('run_replay', { request });
  }

  async cancelReplay(): Promise<void> {
    await call<null>('cancel_replay');
  }

  onReplayProgress(cb: (progress: ReplayProgress) => void): Promise<() => void> {
    return subscribe<ReplayProgress>(REPLAY_PROGRESS_EVENT, cb);
  }

  analyze(request: AnalyzeRequest): Promise<Analysis> {
    return call<Analysis>('analyze', { request });
  }

  async cancelAnalysis(): Promise<void> {
    await call<null>('cancel_analysis');
  }

  agentAccess(request: AccessRequest): Promise<AccessReview> {
    return call<AccessReview>('agent_access', { request });
  }

  async cancelAccess(): Promise<void> {
    await call<null>('cancel_access');
  }

  replayRuns(): Promise<ReplayRun[]> {
    return call<ReplayRun[]>('replay_runs');
  }

  replayResults(runId: number, filter: ResultFilter, offset: number, limit: number): Promise<ResultPage> {
    return call<ResultPage>('replay_results', { runId, filter, offset, limit });
  }

  explainResult(runId: number, seq: number): Promise<ExplainPair> {
    return call<ExplainPair>('explain_result', { runId, seq });
  }

  reviewForRun(runId: number): Promise<Review | null> {
    return call<Review | null>('review_for_run', { runId });
  }

  openReview(runId: number): Promise<Review> {
    return call<Review>('open_review', { runId });
  }

  ackChanges(review: string, target: AckTarget, comment: string): Promise<Review> {
    return call<Review>('ack_changes', { review, ids: target.ids, groups: target.groups, comment });
  }

  recordVerdict(review: string, verdict: VerdictKind, comment: string): Promise<Review> {
    return call<Review>('record_verdict', { review, verdict, comment });
  }

  insights(query: InsightsQuery): Promise<InsightsReport> {
    return call<InsightsReport>('insights', { query });
  }

  taskTimeline(set: string | null, task: string): Promise<TaskTimeline> {
    return call<TaskTimeline>('task_timeline', { set, task });
  }

  agentInsights(agent: string): Promise<AgentInsights> {
    return call<AgentInsights>('agent_insights', { agent });
  }

  async cancelInsights(): Promise<void> {
    await call<null>('cancel_insights');
  }

  onOperationProgress(cb: (progress: OperationProgress) => void): Promise<() => void> {
    return subscribe<OperationProgress>(OPERATION_PROGRESS_EVENT, cb);
  }

  frameworks(): Promise<FrameworksView> {
    return call<FrameworksView>('frameworks');
  }

  coverage(): Promise<CoverageReport> {
    return call<CoverageReport>('coverage');
  }

  async cancelCoverage(): Promise<void> {
    await call<null>('cancel_coverage');
  }

  async setControlMappings(control: string, mappings: Mapping[]): Promise<void> {
    await call<null>('set_control_mappings', { control, mappings });
  }

  async setNotApplicable(framework: string, item: string, justification: string | null): Promise<void> {
    await call<null>('set_not_applicable', { framework, item, justification });
  }

  pickSavePath(target: SaveTarget): Promise<string | null> {
    return call<string | null>('pick_save', { title: target.title, defaultName: target.defaultName, filters: target.filters });
  }

  exportCoverage(request: ExportRequest): Promise<ExportResult> {
    return call<ExportResult>('export_coverage', { request });
  }

  keysView(): Promise<KeysView> {
    return call<KeysView>('keys_view');
  }

  generateKey(owner: string): Promise<LocalKey> {
    return call<LocalKey>('generate_key', { owner });
  }

  trustKey(request: TrustKeyRequest): Promise<TrustOutcome> {
    return call<TrustOutcome>('trust_key', { request });
  }

  bundleBuild(request: BuildRequest): Promise<BundleView> {
    return call<BundleView>('bundle_build', { request });
  }

  async cancelBuild(): Promise<void> {
    await call<null>('cancel_build');
  }

  bundleView(path: string): Promise<BundleView> {
    return call<BundleView>('bundle_view', { path });
  }

  bundleSign(path: string, key: string | null): Promise<BundleView> {
    return call<BundleView>('bundle_sign', { path, key });
  }

  bundleApprove(path: string, key: string | null, comment: string): Promise<BundleView> {
    return call<BundleView>('bundle_approve', { path, key, comment });
  }

  bundleGates(path: string): Promise<GateReport> {
    return call<GateReport>('bundle_gates', { path });
  }

  bundlePublish(path: string, to: string | null): Promise<Published> {
    return call<Published>('bundle_publish', { path, to });
  }

  bundleVerify(path: string, requireApproved: boolean): Promise<VerifyReport> {
    return call<VerifyReport>('bundle_verify', { path, requireApproved });
  }

  bundles(): Promise<BundleEntry[]> {
    return call<BundleEntry[]>('bundles');
  }

  bundleDiff(from: string, to: string): Promise<BundleDiff> {
    return call<BundleDiff>('bundle_diff', { from, to });
  }
}
