// A test double of the backend *interface* for Vitest: canned answers, recorded calls,
// and `emitChange` to play the file watcher. Never used by the app itself.
import type { AccessChange } from '../bindings/AccessChange';
import type { AccessEntry } from '../bindings/AccessEntry';
import type { AccessRequest } from '../bindings/AccessRequest';
import type { AccessReview } from '../bindings/AccessReview';
import type { Agent } from '../bindings/Agent';
import type { AgentAccessReview } from '../bindings/AgentAccessReview';
import type { AgentInsights } from '../bindings/AgentInsights';
import type { Analysis } from '../bindings/Analysis';
import type { AnalyzeRequest } from '../bindings/AnalyzeRequest';
import type { Counterexample } from '../bindings/Counterexample';
import type { EnvironmentDiff } from '../bindings/EnvironmentDiff';
import type { LocatedFinding } from '../bindings/LocatedFinding';
import type { Witness } from '../bindings/Witness';
import type { ApiError } from '../bindings/ApiError';
import type { AuditEntry } from '../bindings/AuditEntry';
import type { AuditExport } from '../bindings/AuditExport';
import type { AuditFacets } from '../bindings/AuditFacets';
import type { AuditListing } from '../bindings/AuditListing';
import type { AuditQuery } from '../bindings/AuditQuery';
import type { DashboardBundle } from '../bindings/DashboardBundle';
import type { DashboardCoverage } from '../bindings/DashboardCoverage';
import type { DashboardReplay } from '../bindings/DashboardReplay';
import type { DashboardReviews } from '../bindings/DashboardReviews';
import type { DashboardTraffic } from '../bindings/DashboardTraffic';
import { facetsOf, matching, searchAudit } from '../pages/audit/fakeAudit';
import * as dash from '../pages/dashboard/fixtures';
import type { BuildRequest } from '../bindings/BuildRequest';
import type { BundleDiff } from '../bindings/BundleDiff';
import type { BundleEntry } from '../bindings/BundleEntry';
import type { BundleView } from '../bindings/BundleView';
import type { AddedPolicies } from '../bindings/AddedPolicies';
import type { Change } from '../bindings/Change';
import type { ControlsView } from '../bindings/ControlsView';
import type { CoverageReport } from '../bindings/CoverageReport';
import type { Diagnostic } from '../bindings/Diagnostic';
import type { ExplainPair } from '../bindings/ExplainPair';
import type { Explanation } from '../bindings/Explanation';
import type { ExportRequest } from '../bindings/ExportRequest';
import type { ExportResult } from '../bindings/ExportResult';
import type { FileText } from '../bindings/FileText';
import type { FrameworkCatalog } from '../bindings/FrameworkCatalog';
import type { FrameworksView } from '../bindings/FrameworksView';
import type { Gate } from '../bindings/Gate';
import type { GateReport } from '../bindings/GateReport';
import type { ImportProgress } from '../bindings/ImportProgress';
import type { ImportSummary } from '../bindings/ImportSummary';
import type { Finding } from '../bindings/Finding';
import type { InsightFinding } from '../bindings/InsightFinding';
import type { InsightsQuery } from '../bindings/InsightsQuery';
import type { InsightsReport } from '../bindings/InsightsReport';
import type { InventoryView } from '../bindings/InventoryView';
import type { KeysView } from '../bindings/KeysView';
import type { LocalKey } from '../bindings/LocalKey';
import type { Published } from '../bindings/Published';
import type { SignatureCheck } from '../bindings/SignatureCheck';
import type { TrustKeyRequest } from '../bindings/TrustKeyRequest';
import type { TrustOutcome } from '../bindings/TrustOutcome';
import type { VerifyReport } from '../bindings/VerifyReport';
import type { Lifecycle } from '../bindings/Lifecycle';
import type { LifecycleEdge } from '../bindings/LifecycleEdge';
import type { Mapping } from '../bindings/Mapping';
import type { PolicyFile } from '../bindings/PolicyFile';
import type { OperationProgress } from '../bindings/OperationProgress';
import type { ReplayProgress } from '../bindings/ReplayProgress';
import type { ReplayRequest } from '../bindings/ReplayRequest';
import type { ReplayRun } from '../bindings/ReplayRun';
import type { RequestSetSummary } from '../bindings/RequestSetSummary';
import type { ResultFilter } from '../bindings/ResultFilter';
import type { ResultPage } from '../bindings/ResultPage';
import type { ResultRow } from '../bindings/ResultRow';
import type { Review } from '../bindings/Review';
import type { SchemaOutline } from '../bindings/SchemaOutline';
import type { ActingIdentity } from '../bindings/ActingIdentity';
import type { PersonCheck } from '../bindings/PersonCheck';
import type { SettingsView } from '../bindings/SettingsView';
import type { SolverInfo } from '../bindings/SolverInfo';
import type { Theme } from '../bindings/Theme';
import type { TaskStep } from '../bindings/TaskStep';
import type { TaskTimeline } from '../bindings/TaskTimeline';
import type { TestRequest } from '../bindings/TestRequest';
import type { TestResult } from '../bindings/TestResult';
import type { ValidationReport } from '../bindings/ValidationReport';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import type { ReviewChange } from '../bindings/ReviewChange';
import type { ReviewFile } from '../bindings/ReviewFile';
import type { SavedAgent } from '../bindings/SavedAgent';
import type { VerdictKind } from '../bindings/VerdictKind';
import { groupKey } from '../lib/simulate';
import type { AckTarget, IBackend, SaveTarget } from '../backend';
import coverageJson from './fixtures/coverage.json';

export class FakeBackend implements IBackend {
  workspace: WorkspaceInfo | null = null;
  report: ValidationReport = report([]);
  audit: AuditEntry[] = [];
  /** When set, `listAudit` rejects with it. */
  auditError: ApiError | null = null;
  /** When set, `exportAudit` rejects with it. */
  auditExportError: ApiError | null = null;
  /** What each dashboard card's call answers; throw an ApiError from one to reject. */
  dashboard: {
    traffic: () => DashboardTraffic;
    coverage: () => DashboardCoverage;
    replay: () => DashboardReplay;
    reviews: () => DashboardReviews;
    bundle: () => DashboardBundle;
  } = {
    traffic: () => dash.dashboardTraffic(),
    coverage: () => dash.dashboardCoverage(),
    replay: () => dash.dashboardReplay(),
    reviews: () => dash.dashboardReviews(),
    bundle: () => dash.dashboardBundle(),
  };
  /** A card's call waits for its gate, when set (to test a slow card). */
  dashboardGates: Partial<Record<keyof FakeBackend['dashboard'], Promise<void>>> = {};
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

  /** The app's settings (`appSettings`); the setters below change them as the core does. */
  settings: SettingsView = settingsView();
  /** How the core checks an acting identity against the workspace's people (`null`: no workspace). */
  personCheck: (actor: string) => PersonCheck | null = (actor) => fakePersonCheck(actor);
  /** What `checkSolver` answers; throw an ApiError from it to reject (`solver_unavailable`). */
  solverInUse: () => SolverInfo = () => solverInfo();
  /** What `setSolverPath` does with a path; throw an ApiError from it to reject. */
  solverCheck: (path: string) => void = () => undefined;
  /** When set, `setTheme` rejects with it. */
  themeError: ApiError | null = null;
  settingsCalls = {
    appSettings: 0,
    setActor: [] as (string | null)[],
    setTheme: [] as Theme[],
    setSolverPath: [] as (string | null)[],
    checkSolver: 0,
    forgetWorkspace: [] as string[],
    openRecent: [] as string[],
  };

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
  /** While set, `controls()` waits for it (a slow reread of the controls). */
  controlsHold: Promise<void> | null = null;
  /** When set, `addControlPolicies` rejects with it. */
  addControlError: ApiError | null = null;

  /** Request sets the core knows (`requestSets`). */
  sets: RequestSetSummary[] = [];
  /** What `pickRequestFile` answers. */
  pickFileResult: string | null = null;
  /** What `pickFile` and `pickFolder` answer (`null`: cancelled). */
  picked: string | null = null;
  /** What `importRequests` answers; throw an ApiError from it to reject. */
  importResult: (path: string, set: string, strict: boolean) => ImportSummary = (path, set) => importSummary({ file: path, set });
  /** When set, `importRequests` waits for it before answering (to test progress and cancel). */
  importGate: Promise<void> | null = null;
  /** Stored runs, newest first (`replayRuns`). */
  runs: ReplayRun[] = [];
  /** What `runReplay` answers; throw an ApiError from it to reject. */
  replay: (request: ReplayRequest) => ReplayRun = (request) => replayRun({ id: this.runs.length + 1, set: request.set });
  /** When set, `runReplay` waits for it before answering (to test progress and cancel). */
  replayGate: Promise<void> | null = null;
  /** Every run's results, in `seq` order; `replayResults` filters and pages these. */
  results: ResultRow[] = [];
  /** What `explainResult` answers; throw an ApiError from it to reject. */
  explain: (runId: number, seq: number) => ExplainPair = (_runId, seq) => explainPair(this.results.find((r) => r.seq === seq));
  /** Reviews by run id. */
  reviews = new Map<number, Review>();
  /** What `analyze` answers; throw an ApiError from it to reject (e.g. `solver_unavailable`). */
  analysisAnswer: (request: AnalyzeRequest) => Analysis = (request) => analysis({ baseline: request.baseline ?? 'git:HEAD' });
  /** When set, `analyze` waits for it before answering (to test the running state and cancel). */
  analysisGate: Promise<void> | null = null;
  /**
   * What `agentAccess` answers (default: the demo's alert-router as the core reviews it, under
   * the baseline asked for, no change); throw an ApiError from it to reject.
   */
  accessAnswer: (request: AccessRequest) => AccessReview = (request) =>
    accessReview({
      baseline: request.no_diff ? '' : (request.baseline ?? 'git:HEAD'),
      agents: [agentAccessReview({ id: request.agent ?? 'alert-router' })],
    });
  /** When set, `agentAccess` waits for it before answering (to test the running state and cancel). */
  accessGate: Promise<void> | null = null;

  /** What `insights` answers; throw an ApiError from it to reject (e.g. `not_found`). */
  insightsAnswer: (query: InsightsQuery) => InsightsReport = () => insightsReport();
  /** When set, `insights` waits for it before answering (to test the loading state). */
  insightsGate: Promise<void> | null = null;
  /** What `taskTimeline` answers; throw an ApiError from it to reject. */
  timeline: (set: string | null, task: string) => TaskTimeline = (set, task) => taskTimeline({ set: set ?? 'traffic', task });
  /** What `agentInsights` answers; throw an ApiError from it to reject. */
  agentInsightsAnswer: (agent: string) => AgentInsights = () => ({ set: null, activity: null, findings: [], recent: [] });
  /** When set, `taskTimeline` waits for it before answering (to test progress and cancel). */
  timelineGate: Promise<void> | null = null;
  /** When set, `agentInsights` waits for it before answering (to test progress and cancel). */
  agentInsightsGate: Promise<void> | null = null;

  /** What `coverage` answers; throw an ApiError from it to reject (e.g. `controls_invalid`). */
  coverageAnswer: () => CoverageReport = () => coverageReport();
  /** When set, `coverage` waits for it before answering (to test the loading state). */
  coverageGate: Promise<void> | null = null;
  /** What `frameworks` answers (default: the catalogs of the coverage fixture). */
  frameworksView: FrameworksView = frameworksView();
  /** When set, `setControlMappings` and `setNotApplicable` reject with it. */
  controlsEditError: ApiError | null = null;
  /** What the save dialog answers (`null`: cancelled). */
  savePath: string | null = null;
  /** What `exportCoverage` answers; throw an ApiError from it to reject. */
  exportAnswer: (request: ExportRequest) => ExportResult = (request) => ({ files: [request.out] });
  /** When set, `exportCoverage` waits for it before answering (to test progress and cancel). */
  exportGate: Promise<void> | null = null;

  /** This machine's keys and the workspace's trusted keys (`keysView`). */
  keys: KeysView = keysView();
  /** When set, `keysView` rejects with it. */
  keysError: ApiError | null = null;
  /** When set, `bundlePublish` rejects with it (e.g. `path_outside_workspace` for `to`). */
  publishError: ApiError | null = null;
  /** Bundles on "disk", by path: what `bundleView`, `bundleSign` and `bundleApprove` read. */
  bundleFiles = new Map<string, BundleView>();
  /** What `bundleBuild` answers (stored under its path); throw an ApiError from it to reject. */
  build: (request: BuildRequest) => BundleView = (request) =>
    bundleView({
      version: request.version ?? nextFakeVersion(this.published),
      summary: request.summary,
      author: this.keys.local.find((k) => k.id === request.key || k.name === request.key) ?? this.keys.local[0],
      signed: request.sign,
    });
  /** When set, `bundleBuild` waits for it before answering (to test the busy state). */
  buildGate: Promise<void> | null = null;
  /** When set, `bundleGates` waits for it before answering (to test progress and cancel). */
  gatesGate: Promise<void> | null = null;
  /** What `bundleGates` answers for a bundle (default: `gateReport` over its signatures and approvals). */
  gates: (view: BundleView) => GateReport = (view) => gateReport(view);
  /** Published bundles, newest first (`bundles`). */
  published: BundleEntry[] = [];
  /** What `bundleVerify` answers; throw an ApiError from it to reject. */
  verify: (path: string, requireApproved: boolean) => VerifyReport = (path) => verifyReport({ path });
  /** What `bundleDiff` answers; throw an ApiError from it to reject. */
  diff: (from: string, to: string) => BundleDiff = (from, to) => bundleDiff({ from, to });

  calls = {
    keysView: 0,
    generateKey: [] as string[],
    trustKey: [] as TrustKeyRequest[],
    bundleBuild: [] as BuildRequest[],
    bundleView: [] as string[],
    bundleSign: [] as { path: string; key: string | null }[],
    bundleApprove: [] as { path: string; key: string | null; comment: string }[],
    bundleGates: [] as string[],
    bundlePublish: [] as { path: string; to: string | null }[],
    bundleVerify: [] as { path: string; requireApproved: boolean }[],
    bundles: 0,
    bundleDiff: [] as { from: string; to: string }[],
    frameworks: 0,
    coverage: 0,
    setControlMappings: [] as { control: string; mappings: Mapping[] }[],
    setNotApplicable: [] as { framework: string; item: string; justification: string | null }[],
    pickSavePath: [] as SaveTarget[],
    pick: [] as { kind: 'file' | 'folder'; title: string }[],
    exportCoverage: [] as ExportRequest[],
    requestSets: 0,
    importRequests: [] as { path: string; set: string; strict: boolean }[],
    cancelImport: 0,
    runReplay: [] as ReplayRequest[],
    cancelReplay: 0,
    analyze: [] as AnalyzeRequest[],
    cancelAnalysis: 0,
    agentAccess: [] as AccessRequest[],
    cancelAccess: 0,
    cancelInsights: 0,
    cancelCoverage: 0,
    cancelBuild: 0,
    replayResults: [] as { runId: number; filter: ResultFilter; offset: number; limit: number }[],
    explainResult: [] as { runId: number; seq: number }[],
    openReview: [] as number[],
    ackChanges: [] as { review: string; target: AckTarget; comment: string }[],
    recordVerdict: [] as { review: string; verdict: VerdictKind; comment: string }[],
    insights: [] as InsightsQuery[],
    taskTimeline: [] as { set: string | null; task: string }[],
    agentInsights: [] as string[],
    validate: 0,
    open: [] as string[],
    listAudit: [] as AuditQuery[],
    auditFacets: 0,
    exportAudit: [] as { query: AuditQuery; out: string }[],
    dashboard: [] as string[],
    inventory: 0,
    validateDraft: [] as { agent: Agent; create: boolean }[],
    save: [] as { agent: Agent; create: boolean; revision: string | null }[],
    lifecycle: [] as { id: string; to: Lifecycle; reason: string }[],
    readFile: [] as string[],
    saveFile: [] as { path: string; text: string; revision: string | null }[],
    validateBuffer: [] as { path: string; text: string }[],
    formatText: [] as string[],
    testRequest: [] as TestRequest[],
    addControl: [] as string[],
  };
  private listeners = new Set<(changes: Change[]) => void>();
  private importListeners = new Set<(p: ImportProgress) => void>();
  private replayListeners = new Set<(p: ReplayProgress) => void>();
  private cancelPendingImport: (() => void) | null = null;
  private cancelPendingReplay: (() => void) | null = null;
  private cancelPendingAnalysis: (() => void) | null = null;
  private cancelPendingAccess: (() => void) | null = null;
  private operationListeners = new Set<(p: OperationProgress) => void>();
  private cancelPendingInsights: (() => void) | null = null;
  private cancelPendingCoverage: (() => void) | null = null;
  private cancelPendingBuild: (() => void) | null = null;

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

  pickFile(title: string): Promise<string | null> {
    this.calls.pick.push({ kind: 'file', title });
    return Promise.resolve(this.picked);
  }

  pickFolder(title: string): Promise<string | null> {
    this.calls.pick.push({ kind: 'folder', title });
    return Promise.resolve(this.picked);
  }

  async validateWorkspace(): Promise<ValidationReport> {
    await Promise.resolve();
    this.calls.validate++;
    if (this.validateError) throw this.validateError;
    return this.report;
  }

  async listAudit(query: AuditQuery): Promise<AuditListing> {
    await Promise.resolve();
    this.calls.listAudit.push(query);
    if (this.auditError) throw this.auditError;
    return searchAudit(this.audit, query);
  }

  auditFacets(): Promise<AuditFacets> {
    this.calls.auditFacets++;
    return Promise.resolve(facetsOf(this.audit));
  }

  async exportAudit(query: AuditQuery, out: string): Promise<AuditExport> {
    await Promise.resolve();
    this.calls.exportAudit.push({ query, out });
    if (this.auditExportError) throw this.auditExportError;
    return { path: out, rows: matching(this.audit, query).length };
  }

  private async card<T>(name: keyof FakeBackend['dashboard'], answer: () => T): Promise<T> {
    await Promise.resolve();
    this.calls.dashboard.push(name);
    const gate = this.dashboardGates[name] ?? null;
    // Traffic and coverage stop on the same cancels as the Insights and Frameworks pages.
    if (name === 'traffic') await this.gate(gate, (cancel) => (this.cancelPendingInsights = cancel), 'insights analysis');
    else if (name === 'coverage') await this.gate(gate, (cancel) => (this.cancelPendingCoverage = cancel), 'coverage computation');
    else if (gate) await gate;
    return answer();
  }

  dashboardTraffic(): Promise<DashboardTraffic> {
    return this.card('traffic', () => this.dashboard.traffic());
  }

  dashboardCoverage(): Promise<DashboardCoverage> {
    return this.card('coverage', () => this.dashboard.coverage());
  }

  dashboardReplay(): Promise<DashboardReplay> {
    return this.card('replay', () => this.dashboard.replay());
  }

  dashboardReviews(): Promise<DashboardReviews> {
    return this.card('reviews', () => this.dashboard.reviews());
  }

  dashboardBundle(): Promise<DashboardBundle> {
    return this.card('bundle', () => this.dashboard.bundle());
  }

  async inventory(): Promise<InventoryView> {
    await Promise.resolve();
    this.calls.inventory++;
    if (this.inventoryError) throw this.inventoryError;
    // Each agent's "file" revision follows its content, as the core's sha256 does.
    const agent_revisions = Object.fromEntries(this.inventoryView.agents.map((a) => [a.id, agentRevision(a)]));
    return { ...this.inventoryView, agent_revisions };
  }

  async validateAgentDraft(agent: Agent, create: boolean): Promise<Diagnostic[]> {
    await Promise.resolve();
    this.calls.validateDraft.push({ agent, create });
    return this.draftDiagnostics(agent, create);
  }

  async saveAgent(agent: Agent, create: boolean, revision: string | null): Promise<SavedAgent> {
    await Promise.resolve();
    this.calls.save.push({ agent, create, revision });
    if (this.saveError) throw this.saveError;
    const current = this.inventoryView.agents.find((a) => a.id === agent.id);
    if (revision !== null && revision !== (current ? agentRevision(current) : 'absent')) {
      throw editConflict(`inventory/agents/${agent.id}.toml`);
    }
    const others = this.inventoryView.agents.filter((a) => a.id !== agent.id);
    this.inventoryView = { ...this.inventoryView, agents: [...others, agent].sort((a, b) => a.id.localeCompare(b.id)) };
    return { agent, revision: agentRevision(agent) };
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

  async appSettings(): Promise<SettingsView> {
    await Promise.resolve();
    this.settingsCalls.appSettings++;
    return this.settings;
  }

  async setActor(actor: string | null): Promise<SettingsView> {
    await Promise.resolve();
    this.settingsCalls.setActor.push(actor);
    const value = actor?.trim() ? actor.trim() : null;
    const hidden = (c: string) => c < ' ' || (c >= '\u200b' && c <= '\u200f') || (c >= '\u202a' && c <= '\u202e');
    if (value && [...value].some(hidden)) {
      const refused: ApiError = {
        code: 'invalid_argument',
        message: 'the acting identity has a control or invisible character',
        help: "use a person's id from inventory/people.toml (`dana`) or their email",
        diagnostics: [],
      };
      throw refused;
    }
    const current = this.settings.actor;
    const now = value ?? current.default_actor;
    this.acting = now;
    this.settings = {
      ...this.settings,
      actor: {
        ...current,
        actor: now,
        setting: value,
        source: value ? 'settings' : current.default_source,
        person: this.personCheck(now),
      },
    };
    return this.settings;
  }

  async setTheme(theme: Theme): Promise<SettingsView> {
    await Promise.resolve();
    this.settingsCalls.setTheme.push(theme);
    if (this.themeError) throw this.themeError;
    this.settings = { ...this.settings, theme };
    return this.settings;
  }

  async setSolverPath(path: string | null): Promise<SettingsView> {
    await Promise.resolve();
    this.settingsCalls.setSolverPath.push(path);
    if (path !== null) this.solverCheck(path);
    this.settings = { ...this.settings, solver: path };
    return this.settings;
  }

  async checkSolver(): Promise<SolverInfo> {
    await Promise.resolve();
    this.settingsCalls.checkSolver++;
    return this.solverInUse();
  }

  async forgetWorkspace(path: string): Promise<SettingsView> {
    await Promise.resolve();
    this.settingsCalls.forgetWorkspace.push(path);
    if (!this.settings.recent.some((r) => r.path === path)) throw notRecent(path);
    this.settings = { ...this.settings, recent: this.settings.recent.filter((r) => r.path !== path) };
    return this.settings;
  }

  async openRecentWorkspace(path: string): Promise<WorkspaceInfo> {
    await Promise.resolve();
    this.settingsCalls.openRecent.push(path);
    const entry = this.settings.recent.find((r) => r.path === path);
    if (!entry) throw notRecent(path);
    this.workspace = workspace({ root: path, name: entry.name ?? path.split('/').pop() ?? path });
    return this.workspace;
  }

  async readPolicyFile(path: string): Promise<FileText> {
    await Promise.resolve();
    this.calls.readFile.push(path);
    const text = this.files[path];
    if (text === undefined) {
      const notFound: ApiError = { code: 'not_found', message: `no file \`${path}\``, help: null, diagnostics: [] };
      throw notFound;
    }
    return { path, text, revision: fakeRevision(text) };
  }

  async savePolicyFile(path: string, text: string, revision: string | null): Promise<string> {
    await Promise.resolve();
    this.calls.saveFile.push({ path, text, revision });
    const current = this.files[path];
    if (revision !== null && revision !== (current === undefined ? 'absent' : fakeRevision(current))) {
      throw editConflict(path);
    }
    this.files[path] = text;
    return fakeRevision(text);
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

  async controls(): Promise<ControlsView> {
    if (this.controlsHold) await this.controlsHold;
    return this.controlsView;
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

  requestSets(): Promise<RequestSetSummary[]> {
    this.calls.requestSets++;
    return Promise.resolve(this.sets);
  }

  pickRequestFile(): Promise<string | null> {
    return Promise.resolve(this.pickFileResult);
  }

  async importRequests(path: string, set: string, strict: boolean): Promise<ImportSummary> {
    await Promise.resolve();
    this.calls.importRequests.push({ path, set, strict });
    await this.gate(this.importGate, (cancel) => (this.cancelPendingImport = cancel), 'import');
    const summary = this.importResult(path, set, strict);
    if (!summary.failed_strict && !this.sets.some((s) => s.name === set)) {
      this.sets = [...this.sets, requestSet({ name: set, requests: summary.kept })];
    }
    return summary;
  }

  cancelImport(): Promise<void> {
    this.calls.cancelImport++;
    this.cancelPendingImport?.();
    return Promise.resolve();
  }

  onImportProgress(cb: (progress: ImportProgress) => void): Promise<() => void> {
    this.importListeners.add(cb);
    return Promise.resolve(() => {
      this.importListeners.delete(cb);
    });
  }

  emitImportProgress(progress: ImportProgress): void {
    for (const cb of this.importListeners) cb(progress);
  }

  async runReplay(request: ReplayRequest): Promise<ReplayRun> {
    await Promise.resolve();
    this.calls.runReplay.push(request);
    await this.gate(this.replayGate, (cancel) => (this.cancelPendingReplay = cancel), 'replay');
    const run = this.replay(request);
    this.runs = [run, ...this.runs.filter((r) => r.id !== run.id)];
    return run;
  }

  cancelReplay(): Promise<void> {
    this.calls.cancelReplay++;
    this.cancelPendingReplay?.();
    return Promise.resolve();
  }

  onReplayProgress(cb: (progress: ReplayProgress) => void): Promise<() => void> {
    this.replayListeners.add(cb);
    return Promise.resolve(() => {
      this.replayListeners.delete(cb);
    });
  }

  emitReplayProgress(progress: ReplayProgress): void {
    for (const cb of this.replayListeners) cb(progress);
  }

  async analyze(request: AnalyzeRequest): Promise<Analysis> {
    await Promise.resolve();
    this.calls.analyze.push(request);
    await this.gate(this.analysisGate, (cancel) => (this.cancelPendingAnalysis = cancel), 'analysis');
    return this.analysisAnswer(request);
  }

  cancelAnalysis(): Promise<void> {
    this.calls.cancelAnalysis++;
    this.cancelPendingAnalysis?.();
    return Promise.resolve();
  }

  async agentAccess(request: AccessRequest): Promise<AccessReview> {
    await Promise.resolve();
    this.calls.agentAccess.push(request);
    await this.gate(this.accessGate, (cancel) => (this.cancelPendingAccess = cancel), 'access review');
    return this.accessAnswer(request);
  }

  cancelAccess(): Promise<void> {
    this.calls.cancelAccess++;
    this.cancelPendingAccess?.();
    return Promise.resolve();
  }

  replayRuns(): Promise<ReplayRun[]> {
    return Promise.resolve(this.runs);
  }

  async replayResults(runId: number, filter: ResultFilter, offset: number, limit: number): Promise<ResultPage> {
    await Promise.resolve();
    this.calls.replayResults.push({ runId, filter, offset, limit });
    const search = filter.search?.toLowerCase() ?? '';
    const matching = this.results.filter(
      (r) =>
        (!filter.changed_only || r.changed) &&
        (!filter.errors_only || r.baseline.errors.length > 0 || r.candidate.errors.length > 0) &&
        (!search || [r.id, r.principal, r.action, r.resource].some((f) => f.toLowerCase().includes(search))),
    );
    const acked = new Set(this.reviews.get(runId)?.record.changes.filter((c) => c.ack).map((c) => c.key) ?? []);
    const rows = matching
      .slice(offset, offset + limit)
      .map((r) => ({ ...r, acknowledged: r.acknowledged || (r.changed && acked.has(groupKey(r))) }));
    return { total: matching.length, offset, rows };
  }

  async explainResult(runId: number, seq: number): Promise<ExplainPair> {
    await Promise.resolve();
    this.calls.explainResult.push({ runId, seq });
    return this.explain(runId, seq);
  }

  reviewForRun(runId: number): Promise<Review | null> {
    return Promise.resolve(this.reviews.get(runId) ?? null);
  }

  async openReview(runId: number): Promise<Review> {
    await Promise.resolve();
    this.calls.openReview.push(runId);
    const existing = this.reviews.get(runId);
    if (existing) return existing;
    const run = this.runs.find((r) => r.id === runId);
    const changes: ReviewChange[] = [];
    for (const r of this.results.filter((x) => x.changed)) {
      const key = groupKey(r);
      const group = changes.find((c) => c.key === key);
      if (group) {
        group.count++;
        if (group.examples.length < 5) group.examples.push(r.id);
      } else {
        changes.push({
          key,
          action: r.action,
          transition: `${r.baseline.decision}→${r.candidate.decision}`,
          baseline_reasons: r.baseline.reasons,
          candidate_reasons: r.candidate.reasons,
          count: 1,
          examples: [r.id],
          ack: null,
        });
      }
    }
    const opened = review({
      name: `${run?.set ?? 'set'}-${runId}`,
      record: reviewFile({ run_id: runId, set: run?.set ?? 'set', changes, changed: changes.reduce((n, c) => n + c.count, 0) }),
      unacknowledged: changes.length,
    });
    this.reviews.set(runId, opened);
    return opened;
  }

  async ackChanges(name: string, target: AckTarget, comment: string): Promise<Review> {
    await Promise.resolve();
    this.calls.ackChanges.push({ review: name, target, comment });
    const current = this.reviewNamed(name);
    const keys = new Set(target.groups);
    for (const id of target.ids) {
      const row = this.results.find((r) => r.id === id && r.changed);
      if (row) keys.add(groupKey(row));
    }
    const ack = { by: this.acting, at: '2026-11-02T10:00:00Z', comment };
    const changes = current.record.changes.map((c) => (keys.has(c.key) && !c.ack ? { ...c, ack } : c));
    const next = { ...current, record: { ...current.record, changes }, unacknowledged: changes.filter((c) => !c.ack).length };
    this.reviews.set(next.record.run_id, next);
    return next;
  }

  async recordVerdict(name: string, verdict: VerdictKind, comment: string): Promise<Review> {
    await Promise.resolve();
    this.calls.recordVerdict.push({ review: name, verdict, comment });
    const current = this.reviewNamed(name);
    if (verdict === 'approve' && current.unacknowledged > 0) {
      const refused: ApiError = {
        code: 'review_refused',
        message: `review \`${name}\` has ${current.unacknowledged} unacknowledged group(s) of changed decisions`,
        help: 'acknowledge each group before approving',
        diagnostics: [],
      };
      throw refused;
    }
    const v = { verdict, by: this.acting, at: '2026-11-02T11:00:00Z', comment };
    const next = { ...current, record: { ...current.record, verdicts: [...current.record.verdicts, v] }, verdict: v };
    this.reviews.set(next.record.run_id, next);
    return next;
  }

  async insights(query: InsightsQuery): Promise<InsightsReport> {
    await Promise.resolve();
    this.calls.insights.push(query);
    await this.gate(this.insightsGate, (cancel) => (this.cancelPendingInsights = cancel), 'insights analysis');
    return this.insightsAnswer(query);
  }

  async taskTimeline(set: string | null, task: string): Promise<TaskTimeline> {
    await Promise.resolve();
    this.calls.taskTimeline.push({ set, task });
    await this.gate(this.timelineGate, (cancel) => (this.cancelPendingInsights = cancel), 'task timeline');
    return this.timeline(set, task);
  }

  async agentInsights(agent: string): Promise<AgentInsights> {
    await Promise.resolve();
    this.calls.agentInsights.push(agent);
    await this.gate(this.agentInsightsGate, (cancel) => (this.cancelPendingInsights = cancel), "agent's insights");
    return this.agentInsightsAnswer(agent);
  }

  cancelInsights(): Promise<void> {
    this.calls.cancelInsights++;
    this.cancelPendingInsights?.();
    return Promise.resolve();
  }

  onOperationProgress(cb: (progress: OperationProgress) => void): Promise<() => void> {
    this.operationListeners.add(cb);
    return Promise.resolve(() => {
      this.operationListeners.delete(cb);
    });
  }

  /** Plays the core's `operation-progress` event. */
  emitOperationProgress(progress: OperationProgress): void {
    for (const cb of this.operationListeners) cb(progress);
  }

  frameworks(): Promise<FrameworksView> {
    this.calls.frameworks++;
    return Promise.resolve(this.frameworksView);
  }

  async coverage(): Promise<CoverageReport> {
    this.calls.coverage++;
    await this.gate(this.coverageGate, (cancel) => (this.cancelPendingCoverage = cancel), 'coverage computation');
    await Promise.resolve();
    return this.coverageAnswer();
  }

  cancelCoverage(): Promise<void> {
    this.calls.cancelCoverage++;
    this.cancelPendingCoverage?.();
    return Promise.resolve();
  }

  async setControlMappings(control: string, mappings: Mapping[]): Promise<void> {
    await Promise.resolve();
    this.calls.setControlMappings.push({ control, mappings });
    if (this.controlsEditError) throw this.controlsEditError;
  }

  async setNotApplicable(framework: string, item: string, justification: string | null): Promise<void> {
    await Promise.resolve();
    this.calls.setNotApplicable.push({ framework, item, justification });
    if (this.controlsEditError) throw this.controlsEditError;
  }

  pickSavePath(target: SaveTarget): Promise<string | null> {
    this.calls.pickSavePath.push(target);
    return Promise.resolve(this.savePath);
  }

  async exportCoverage(request: ExportRequest): Promise<ExportResult> {
    await Promise.resolve();
    this.calls.exportCoverage.push(request);
    await this.gate(this.exportGate, (cancel) => (this.cancelPendingCoverage = cancel), 'coverage export');
    return this.exportAnswer(request);
  }

  async keysView(): Promise<KeysView> {
    await Promise.resolve();
    this.calls.keysView++;
    if (this.keysError) throw this.keysError;
    return this.keys;
  }

  async generateKey(owner: string): Promise<LocalKey> {
    await Promise.resolve();
    this.calls.generateKey.push(owner);
    const key = localKey({ owner, name: owner, id: fakeKeyId(this.keys.local.length + 1) });
    this.keys = { ...this.keys, local: [...this.keys.local, key] };
    return key;
  }

  async trustKey(request: TrustKeyRequest): Promise<TrustOutcome> {
    await Promise.resolve();
    this.calls.trustKey.push(request);
    const local = this.keys.local.find((k) => k.id === request.key);
    const owner = request.owner ?? local?.owner ?? 'someone';
    const first = this.keys.keys.length === 0;
    const others = this.keys.keys.filter((k) => k.id !== request.key);
    this.keys = {
      ...this.keys,
      keys: [
        ...others,
        trustedKey({ id: request.key, owner, status: first ? 'first' : 'trusted', local: local !== undefined }),
      ],
    };
    return { key: request.key, owner, applied: true, approvals: 1, needed: 1, message: first ? 'trusted as the workspace\'s first key' : 'trusted: approved by 1 of 1 trusted key holder(s)' };
  }

  async bundleBuild(request: BuildRequest): Promise<BundleView> {
    await Promise.resolve();
    this.calls.bundleBuild.push(request);
    await this.gate(this.buildGate, (cancel) => (this.cancelPendingBuild = cancel), 'bundle build');
    const view = this.build(request);
    this.bundleFiles.set(view.path, view);
    return view;
  }

  cancelBuild(): Promise<void> {
    this.calls.cancelBuild++;
    this.cancelPendingBuild?.();
    return Promise.resolve();
  }

  async bundleView(path: string): Promise<BundleView> {
    await Promise.resolve();
    this.calls.bundleView.push(path);
    return this.bundleAt(path);
  }

  async bundleSign(path: string, key: string | null): Promise<BundleView> {
    await Promise.resolve();
    this.calls.bundleSign.push({ path, key });
    const view = this.bundleAt(path);
    const author = signature({ role: 'author', signer: view.manifest.author.name, key: view.manifest.author.key, at: '2026-11-20T10:05:00Z' });
    const next = { ...view, verification: { ...view.verification, author } };
    this.bundleFiles.set(path, next);
    return next;
  }

  async bundleApprove(path: string, key: string | null, comment: string): Promise<BundleView> {
    await Promise.resolve();
    this.calls.bundleApprove.push({ path, key, comment });
    const view = this.bundleAt(path);
    const signer = this.keys.local.find((k) => k.id === key || k.name === key);
    if (!signer) throw keyRefused(`no key \`${key ?? ''}\` on this machine`, '`mandate keys list` shows the keys on this machine');
    if (signer.id === view.manifest.author.key || signer.owner === view.manifest.author.name) {
      throw keyRefused(
        `\`${signer.owner}\` is the author of ${view.manifest.name} ${view.manifest.version}: an author cannot approve their own bundle`,
        'two-person rule: another trusted key holder approves (`mandate bundle approve PATH --key THEIRS`)',
      );
    }
    const approval = signature({ role: 'approval', signer: signer.owner, key: signer.id, at: '2026-11-20T11:00:00Z', comment });
    const approvals = [...view.verification.approvals, approval];
    const next = {
      ...view,
      verification: { ...view.verification, approvals, valid_approvals: approvals.filter((a) => a.valid).length },
    };
    this.bundleFiles.set(path, next);
    return next;
  }

  async bundleGates(path: string): Promise<GateReport> {
    await Promise.resolve();
    this.calls.bundleGates.push(path);
    await this.gate(this.gatesGate, (cancel) => (this.cancelPendingBuild = cancel), 'gates check');
    return this.gates(this.bundleAt(path));
  }

  async bundlePublish(path: string, to: string | null): Promise<Published> {
    await Promise.resolve();
    this.calls.bundlePublish.push({ path, to });
    if (this.publishError) throw this.publishError;
    const view = this.bundleAt(path);
    const report = this.gates(view);
    const failed = report.gates.filter((g) => !g.passed);
    if (failed.length > 0) {
      const refused: ApiError = {
        code: 'gate_failed',
        message: `${failed.length} gate(s) failed: ${failed.map((g) => `${g.title} (${g.detail})`).join('; ')}`,
        help: '`mandate bundle publish --dry-run PATH` lists every gate with what to do',
        diagnostics: failed.map((g) =>
          diagnostic({ file: path, line: 0, column: 0, end_line: 0, end_column: 0, code: `gate::${g.id}`, message: `${g.title}: ${g.detail}` }),
        ),
      };
      throw refused;
    }
    const m = view.manifest;
    this.published = [
      bundleEntry({
        version: m.version,
        hash: view.hash,
        parent: m.parent,
        created_at: m.created_at,
        author: m.author.name,
        summary: m.summary,
        approvals: view.verification.valid_approvals,
        required_approvals: view.required_approvals,
      }),
      ...this.published,
    ];
    return {
      version: m.version,
      hash: view.hash,
      path: `bundles/${m.version}`,
      copied_to: to ? `${to}/acme-agent-governance-${m.version}.mandate-bundle` : null,
      gates: report.gates,
    };
  }

  async bundleVerify(path: string, requireApproved: boolean): Promise<VerifyReport> {
    await Promise.resolve();
    this.calls.bundleVerify.push({ path, requireApproved });
    return this.verify(path, requireApproved);
  }

  bundles(): Promise<BundleEntry[]> {
    this.calls.bundles++;
    return Promise.resolve(this.published);
  }

  async bundleDiff(from: string, to: string): Promise<BundleDiff> {
    await Promise.resolve();
    this.calls.bundleDiff.push({ from, to });
    return this.diff(from, to);
  }

  private bundleAt(path: string): BundleView {
    const view = this.bundleFiles.get(path);
    if (!view) {
      const notFound: ApiError = { code: 'not_found', message: `no bundle at \`${path}\``, help: null, diagnostics: [] };
      throw notFound;
    }
    return view;
  }

  private reviewNamed(name: string): Review {
    for (const r of this.reviews.values()) if (r.name === name) return r;
    const notFound: ApiError = { code: 'not_found', message: `no review \`${name}\``, help: null, diagnostics: [] };
    throw notFound;
  }

  /** Waits for `gate` (when set), rejecting with `cancelled` when the cancel hook fires first. */
  private async gate(gate: Promise<void> | null, onCancel: (cancel: () => void) => void, what: string): Promise<void> {
    if (!gate) return;
    const outcome = await new Promise<'done' | 'cancelled'>((resolve) => {
      onCancel(() => resolve('cancelled'));
      void gate.then(() => resolve('done'));
    });
    if (outcome === 'cancelled') {
      const cancelled: ApiError = { code: 'cancelled', message: `the ${what} was cancelled`, help: null, diagnostics: [] };
      throw cancelled;
    }
  }
}

/** A promise with its resolve, to hold a fake call open until a test lets it finish. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export function requestSet(over: Partial<RequestSetSummary> = {}): RequestSetSummary {
  return {
    name: 'traffic',
    created_at: '2026-11-01T09:00:00Z',
    requests: 5000,
    imports: 1,
    first: '2026-11-01T00:00:37Z',
    last: '2026-11-07T23:58:00Z',
    ...over,
  };
}

export function importSummary(over: Partial<ImportSummary> = {}): ImportSummary {
  return {
    file: '/home/ana/traffic.jsonl',
    set: 'traffic',
    format: 'jsonl',
    kept: 4998,
    duplicates: 0,
    skipped: 0,
    ignored: 0,
    grades: { full: 4990, no_context: 8, ids_only: 0 },
    errors: [],
    failed_strict: false,
    ...over,
  };
}

/**
 * The request of the demo's `invoke_tool` counterexample as the core returns it (`mandate
 * analyze --baseline @none --format json`), with fewer entities: billing-bot calling a tool
 * of the `observability` group, which the working copy's `permit-allowed-tools` allows.
 */
export function witness(over: Partial<Witness> = {}): Witness {
  return {
    principal: 'Acme::Agent::"billing-bot"',
    action: 'Acme::Action::"invoke_tool"',
    resource: 'Acme::Tool::"stripe.refund"',
    context: { env: 'prod', issuance_path: 'workload', step_up_approved: true },
    entities: [
      {
        uid: { type: 'Acme::Agent', id: 'billing-bot' },
        attrs: {
          accountable: { __entity: { type: 'Acme::Human', id: 'dana' } },
          allowed_tools: [{ __entity: { type: 'Acme::Tool', id: 'stripe.refund' } }],
          lifecycle: 'active',
          max_ttl_seconds: 300,
        },
        parents: [],
      },
      {
        uid: { type: 'Acme::Tool', id: 'stripe.refund' },
        attrs: { environment: 'prod', sensitivity: 'high', system: 'stripe' },
        parents: [{ type: 'Acme::ToolGroup', id: 'observability' }],
      },
      { uid: { type: 'Acme::ToolGroup', id: 'observability' }, attrs: {}, parents: [] },
      { uid: { type: 'Acme::Action', id: 'invoke_tool' }, attrs: {}, parents: [] },
    ],
    ...over,
  };
}

/** The baseline denies (nothing permits), the candidate allows: confirmed by the replay. */
export function counterexample(over: Partial<Counterexample> = {}): Counterexample {
  return {
    direction: 'candidate-allows',
    request: witness(),
    baseline: { decision: 'deny', reasons: [], errors: [] },
    candidate: { decision: 'allow', reasons: ['permit-allowed-tools'], errors: [] },
    confirmed: true,
    ...over,
  };
}

export function environmentDiff(over: Partial<EnvironmentDiff> = {}): EnvironmentDiff {
  return {
    principal_type: 'Acme::Agent',
    action: 'invoke_tool',
    resource_type: 'Acme::Tool',
    relation: 'equivalent',
    counterexamples: [],
    millis: 120,
    ...over,
  };
}

/** A fail-open forbid located at its line, with the request that makes it error. */
export function locatedFinding(over: Partial<LocatedFinding> = {}): LocatedFinding {
  return {
    kind: 'fail-open',
    severity: 'error',
    policy: 'forbid-long-ttl',
    environments: ['Agent × request_credential × Tool'],
    message: 'forbid `forbid-long-ttl` can error (Agent × request_credential × Tool): Cedar then skips it, so what it forbids is allowed',
    witness: witness({
      action: 'Acme::Action::"request_credential"',
      // The core sent 9223372036854775807 (i64::MAX); JSON.parse holds the nearest double, 2^63.
      context: { ttl_seconds: 9223372036854775808, attested: true },
    }),
    outcome: { decision: 'deny', reasons: [], errors: ['forbid-long-ttl'] },
    confirmed: true,
    file: 'policies/credentials.cedar',
    line: 12,
    ...over,
  };
}

/**
 * An analysis of four environments, one of each relation but incomparable (invoke_tool more
 * permissive with a confirmed counterexample, read_data less permissive with one the replay
 * did not confirm, write_data unknown with its problem), and three findings.
 */
export function analysis(over: Partial<Analysis> = {}): Analysis {
  const problem = 'cvc5 1.4.2 gave no answer within 10000 ms';
  return {
    solver: { kind: 'cvc5', path: '/work/main/target/solver-venv/bin/cvc5', version: '1.4.2', source: 'installed by scripts/deps.sh' },
    baseline: 'git:HEAD',
    candidate: 'working copy',
    time_limit_ms: 10000,
    environments: [
      environmentDiff({ action: 'invoke_model', resource_type: 'Acme::Model', millis: 85 }),
      environmentDiff({ relation: 'more-permissive', counterexamples: [counterexample()], millis: 245 }),
      environmentDiff({
        action: 'read_data',
        resource_type: 'Acme::Dataset',
        relation: 'less-permissive',
        millis: 1830,
        counterexamples: [
          counterexample({
            direction: 'candidate-denies',
            request: witness({ action: 'Acme::Action::"read_data"', resource: 'Acme::Dataset::"ledger"', entities: [] }),
            baseline: { decision: 'allow', reasons: ['permit-declared-datasets'], errors: [] },
            candidate: { decision: 'allow', reasons: ['permit-declared-datasets'], errors: [] },
            confirmed: false,
          }),
        ],
      }),
      environmentDiff({ action: 'write_data', resource_type: 'Acme::Dataset', relation: 'unknown', problem, millis: 10002 }),
    ],
    findings: [
      locatedFinding(),
      {
        kind: 'shadowed-permit',
        severity: 'warning',
        policy: 'permit-billing-refunds',
        other: 'permit-allowed-tools',
        environments: ['Agent × invoke_tool × Tool'],
        message:
          'permit `permit-billing-refunds` matches only requests permit `permit-allowed-tools` matches too (Agent × invoke_tool × Tool): it grants nothing more',
        file: 'policies/tools.cedar',
        line: 30,
      },
      // Not located: the analysed side is not on disk.
      {
        kind: 'never-matches',
        severity: 'warning',
        policy: 'legacy-exporter-writes-nothing',
        environments: [],
        message: '`legacy-exporter-writes-nothing` matches no request in any environment: it is dead',
      },
    ],
    proved: ['permit-allowed-tools'],
    problems: [
      {
        environment: 'Agent × write_data × Dataset',
        query: 'baseline ⇒ candidate',
        message: problem,
        help: 'raise the time limit (`--time-limit 60000`) or simplify the policies of this environment',
      },
    ],
    queries: 41,
    millis: 12480,
    ...over,
  };
}

/**
 * One entry of an access review as the core returns it (`mandate access alert-router
 * --format json` on the demo): alert-router may acknowledge PagerDuty incidents, granted by
 * `permit-allowed-tools`, unless `environment-separation` holds (a context whose `env` is not
 * the agent's), with the smallest context the solver found that allows it.
 */
export function accessEntry(over: Partial<AccessEntry> = {}): AccessEntry {
  return {
    action: 'invoke_tool',
    resource: 'Acme::Tool::"pagerduty.incident.ack"',
    access: 'conditional',
    permits: ['permit-allowed-tools'],
    when: [],
    unless: ['environment-separation: !(context.env == "prod")'],
    example_context: { env: 'prod' },
    ...over,
  };
}

/** The demo's alert-router: delegate to monitor-muter, and its two inventory tools. */
export function alertRouterEntries(): AccessEntry[] {
  return [
    accessEntry({
      action: 'delegate',
      resource: 'Acme::Agent::"monitor-muter"',
      permits: ['permit-listed-delegates'],
      unless: ['delegation-depth-bound: !((context has delegation_depth) && (context.delegation_depth <= 3))'],
      example_context: { delegation_depth: 0, env: '' },
    }),
    accessEntry(),
    accessEntry({ resource: 'Acme::Tool::"slack.message.post"' }),
  ];
}

/** A change of one entry; `gained` from nothing to `accessEntry()` by default. */
export function accessChange(over: Partial<AccessChange> = {}): AccessChange {
  const candidate = over.candidate === undefined ? accessEntry() : over.candidate;
  const baseline = over.baseline === undefined ? null : over.baseline;
  const entry = candidate ?? baseline ?? accessEntry();
  return { action: entry.action, resource: entry.resource, baseline, candidate, change: 'gained', ...over };
}

export function agentAccessReview(over: Partial<AgentAccessReview> = {}): AgentAccessReview {
  const id = over.id ?? 'alert-router';
  const agent = `Acme::Agent::${JSON.stringify(id)}`;
  return {
    id,
    name: 'Alert router',
    risk_tier: 'medium',
    agent,
    candidate: { agent, entries: alertRouterEntries(), checked: 99 },
    changes: [],
    ...over,
  };
}

/** An access review with cvc5 found, as `mandate access alert-router` answers on the demo. */
export function accessReview(over: Partial<AccessReview> = {}): AccessReview {
  return {
    solver: { kind: 'cvc5', path: '/work/main/target/solver-venv/bin/cvc5', version: '1.4.2', source: 'installed by scripts/deps.sh' },
    baseline: 'git:HEAD',
    candidate: 'working copy',
    agents: [agentAccessReview()],
    problems: [],
    queries: 2,
    millis: 469,
    ...over,
  };
}

export function replayRun(over: Partial<ReplayRun> = {}): ReplayRun {
  return {
    id: 1,
    set: 'traffic',
    baseline: 'git:HEAD',
    candidate: 'working copy',
    since: null,
    until: null,
    started_at: '2026-11-02T09:00:00Z',
    completed_at: '2026-11-02T09:00:03Z',
    baseline_digest: 'sha256:b',
    candidate_digest: 'sha256:c',
    actor: 'dana@acme.example',
    status: 'complete',
    summary: {
      requests: 5000,
      changed: 1972,
      allow_to_deny: 1960,
      deny_to_allow: 7,
      reasons_changed: 5,
      new_errors: 3,
      resolved_errors: 1,
      drift: 12,
      skipped: 2,
      errors: [],
    },
    report: {
      by_agent: [
        { key: 'Acme::Agent::"faq-bot"', requests: 900, changed: 400, allow_to_deny: 400, deny_to_allow: 0, new_errors: 0 },
        { key: 'Acme::Agent::"billing-bot"', requests: 700, changed: 320, allow_to_deny: 318, deny_to_allow: 2, new_errors: 1 },
        { key: 'Acme::Agent::"quiet-bot"', requests: 80, changed: 0, allow_to_deny: 0, deny_to_allow: 0, new_errors: 0 },
      ],
      by_action: [
        { key: 'invoke_tool', requests: 3000, changed: 1965, allow_to_deny: 1958, deny_to_allow: 7, new_errors: 3 },
        { key: 'request_credential', requests: 1900, changed: 7, allow_to_deny: 2, deny_to_allow: 0, new_errors: 0 },
        { key: 'delegate', requests: 100, changed: 0, allow_to_deny: 0, deny_to_allow: 0, new_errors: 0 },
      ],
      by_resource_type: [],
      by_policy: [
        { id: 'permit-allowed-tools', baseline_hits: 1960, candidate_hits: 0, changed: 1960, errors: 0 },
        { id: 'deny-inactive-agents', baseline_hits: 300, candidate_hits: 300, changed: 0, errors: 0 },
      ],
      never_fired: ['legacy-exporter-writes-nothing'],
      all_changed: ['permit-allowed-tools'],
      agents: 3,
    },
    digest: 'sha256:abc',
    ...over,
  };
}

/** `n` results (`seq` from 0); every `changedEvery`-th is an allow→deny change, every 50th has a new error. */
export function resultRows(n: number, changedEvery = 3): ResultRow[] {
  const rows: ResultRow[] = [];
  for (let i = 0; i < n; i++) {
    const changed = i % changedEvery === 0;
    const error = i % 50 === 7;
    const action = i % 2 === 0 ? 'invoke_tool' : 'request_credential';
    rows.push({
      seq: i,
      id: `req-${String(i).padStart(6, '0')}`,
      principal: `Acme::Agent::"agent-${i % 7}"`,
      action: `Acme::Action::"${action}"`,
      resource: `Acme::Tool::"tool-${i % 5}"`,
      time: '2026-11-01T00:00:37Z',
      recorded: 'allow',
      baseline: { decision: 'allow', reasons: ['permit-allowed-tools'], errors: [] },
      candidate: changed
        ? { decision: 'deny', reasons: [], errors: error ? ['environment-separation'] : [] }
        : { decision: 'allow', reasons: ['permit-allowed-tools'], errors: error ? ['environment-separation'] : [] },
      changed: changed || error,
      acknowledged: false,
    });
  }
  return rows;
}

function explanation(over: Partial<Explanation> = {}): Explanation {
  return { decision: 'allow', default_deny: false, determining: [], errored: [], unmet: [], overridden: [], ...over };
}

/** Baseline allowed by permit-allowed-tools; the candidate denies by default, its grant unmet. */
export function explainPair(row?: ResultRow): ExplainPair {
  return {
    request: {
      id: row?.id ?? 'req-000000',
      principal: row?.principal ?? 'Acme::Agent::"faq-bot"',
      action: row?.action ?? 'Acme::Action::"invoke_tool"',
      resource: row?.resource ?? 'Acme::Tool::"zendesk.ticket.read"',
      context: '{"env":"prod","task_id":"task-00001"}',
      time: row?.time ?? null,
      recorded: row?.recorded ?? null,
      task_id: 'task-00001',
    },
    baseline: explanation({
      decision: 'allow',
      determining: [
        {
          id: 'permit-allowed-tools',
          effect: 'permit',
          file: 'policies/tools.cedar',
          line: 2,
          text: 'permit (\n  principal is Acme::Agent,\n  action == Acme::Action::"invoke_tool",\n  resource is Acme::Tool\n)\nwhen { principal.allowed_tools.contains(resource) };',
          conditions: [
            {
              kind: 'when',
              text: 'principal.allowed_tools.contains(resource)',
              file: 'policies/tools.cedar',
              line: 11,
              column: 8,
              outcome: 'held',
              error: null,
            },
          ],
          error: null,
        },
      ],
    }),
    candidate: explanation({
      decision: 'deny',
      default_deny: true,
      unmet: [
        {
          id: 'grant-tool-group[faq-bot]',
          effect: 'permit',
          file: 'policies/grants.cedar',
          line: 4,
          text: 'permit (principal == ?principal, action == Acme::Action::"invoke_tool", resource in ?resource)\nwhen { context.env == "prod" && context has step_up_approved && context.step_up_approved };',
          conditions: [
            {
              kind: 'when',
              text: 'context.env == "prod" && context has step_up_approved && context.step_up_approved',
              file: 'policies/grants.cedar',
              line: 13,
              column: 8,
              outcome: 'failed',
              error: null,
            },
          ],
          error: null,
        },
      ],
    }),
    changed: row?.changed ?? true,
  };
}

export function reviewFile(over: Partial<ReviewFile> = {}): ReviewFile {
  return {
    set: 'traffic',
    baseline: 'git:HEAD',
    candidate: 'working copy',
    since: null,
    until: null,
    baseline_digest: 'sha256:b',
    candidate_digest: 'sha256:c',
    run_id: 1,
    digest: 'sha256:abc',
    requests: 5000,
    changed: 0,
    opened_by: 'dana@acme.example',
    opened_at: '2026-11-02T09:30:00Z',
    changes: [],
    verdicts: [],
    ...over,
  };
}

export function review(over: Partial<Review> = {}): Review {
  return {
    name: 'traffic-1',
    path: 'reviews/traffic-1.toml',
    record: reviewFile(),
    verdict: null,
    stale: false,
    unacknowledged: 0,
    ...over,
  };
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

function notRecent(path: string): ApiError {
  return {
    code: 'not_found',
    message: `\`${path}\` is not on the list of recent workspaces`,
    help: 'open it with Open workspace… and choose its folder',
    diagnostics: [],
  };
}

/** The demo's people as the core matches them: by id, or by email ignoring case. */
const FAKE_PEOPLE = [
  { id: 'dana', name: 'Dana Whitfield' },
  { id: 'rhea', name: 'Rhea Castillo' },
  { id: 'sam', name: 'Sam Okafor' },
];

export function fakePersonCheck(actor: string): PersonCheck {
  const found = FAKE_PEOPLE.find((p) => p.id === actor || `${p.id}@acme.example` === actor.toLowerCase());
  if (found) return { id: found.id, name: found.name, warning: null, suggestions: [] };
  // Closest first, crudely: the ids sharing the most letters with the identity.
  const shared = (id: string) => [...new Set(id)].filter((c) => actor.toLowerCase().includes(c)).length;
  return {
    id: null,
    name: null,
    warning: `\`${actor}\` is not a person in inventory/people.toml: approvals and audit entries will name someone the inventory does not know`,
    suggestions: [...FAKE_PEOPLE].sort((a, b) => shared(b.id) - shared(a.id)).map((p) => p.id),
  };
}

export function actingIdentity(over: Partial<ActingIdentity> = {}): ActingIdentity {
  return {
    actor: 'dana@acme.example',
    source: 'git',
    setting: null,
    default_actor: 'dana@acme.example',
    default_source: 'git',
    person: fakePersonCheck('dana@acme.example'),
    ...over,
  };
}

export function solverInfo(over: Partial<SolverInfo> = {}): SolverInfo {
  return {
    kind: 'cvc5',
    path: '/work/main/target/solver-venv/bin/cvc5',
    version: '1.4.2',
    source: 'installed by scripts/deps.sh',
    ...over,
  };
}

/** Settings with two recent workspaces (the open one, and one whose folder is gone). */
export function settingsView(over: Partial<SettingsView> = {}): SettingsView {
  return {
    file: '/home/dana/.config/dev.mandate.desktop/settings.json',
    actor: actingIdentity(),
    theme: 'system',
    solver: null,
    recent: [
      { path: '/home/ana/acme-governance', name: 'acme-governance', exists: true, open: true },
      { path: '/home/ana/old-pilot', name: null, exists: false, open: false },
    ],
    problems: [],
    ...over,
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
    agent_revisions: {},
    ...over,
  };
}

/** The fake's revision of a file's text (the core's is a sha256; any content hash will do). */
export function fakeRevision(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `rev-${h.toString(16).padStart(8, '0')}-${text.length}`;
}

/** The fake's revision of an agent's file: its content's. */
export function agentRevision(agent: Agent): string {
  return fakeRevision(JSON.stringify(agent));
}

/** The error the core answers a save naming a revision the file no longer has. */
export function editConflict(path: string): ApiError {
  return {
    code: 'edit_conflict',
    message: `\`${path}\` changed on disk since it was opened`,
    help: 'nothing was written; reload the file to see the change made on disk (or run the command again), or overwrite it with your version',
    diagnostics: [],
  };
}

export function insightFinding(over: Partial<InsightFinding> = {}): InsightFinding {
  return {
    code: 'scope.tool',
    level: 'critical',
    title: 'agent `billing-bot` used 2 tool(s) not in its tools: 13 request(s), 1 allowed',
    subject_kind: 'agent',
    subject: 'billing-bot',
    agent: 'billing-bot',
    team: 'billing',
    count: 13,
    allowed: 1,
    denied: 12,
    first_seen: '2026-11-01T07:57:05Z',
    last_seen: '2026-11-06T07:53:18Z',
    examples: ['req-000963', 'req-003818'],
    items: ['`okta.user.suspend`: 2 request(s), 1 allowed, sensitive', '`github.pr.merge`: 11 request(s), 0 allowed, sensitive'],
    tasks: [],
    fix: {
      kind: 'policy',
      file: 'inventory/agents/billing-bot.toml',
      field: 'tools',
      policies: ['permit-allowed-tools'],
      control: 'MND-AUTHZ-01',
      hint: 'declare what the agent needs in its tools, and narrow the policies that allowed the rest',
    },
    ...over,
  };
}

/**
 * Six findings over three agents and two teams: two critical, two high (one about a task),
 * one medium, one low about the workspace.
 */
export function insightFindings(): InsightFinding[] {
  return [
    insightFinding(),
    insightFinding({
      code: 'shadow.inactive',
      title: 'agent `auto-remediator` is suspended yet made 211 request(s), 2 allowed',
      subject: 'auto-remediator',
      agent: 'auto-remediator',
      team: 'sre',
      count: 211,
      allowed: 2,
      denied: 209,
      items: [],
      tasks: [],
      fix: { kind: 'inventory', file: 'inventory/agents/auto-remediator.toml', field: 'lifecycle', policies: [], control: 'MND-LIFECYCLE-01', hint: 'revoke the agent\'s credentials' },
    }),
    insightFinding({
      code: 'chain.environments',
      level: 'high',
      title: 'task `task-00042` crossed environments: dev, prod',
      subject_kind: 'task',
      subject: 'task-00042',
      agent: 'auto-remediator',
      team: 'sre',
      count: 4,
      allowed: 3,
      denied: 1,
      items: ['dev', 'prod'],
      tasks: [],
      fix: { kind: 'policy', file: null, field: null, policies: ['environment-separation'], control: 'MND-ENV-01', hint: 'keep a task in one environment' },
    }),
    insightFinding({
      code: 'credential.ttl_over_ceiling',
      level: 'high',
      title: 'agent `billing-bot` asked for credentials above its ceiling: 3 request(s)',
      count: 3,
      allowed: 0,
      denied: 3,
      items: [],
      tasks: [],
      fix: { kind: 'inventory', file: 'inventory/agents/billing-bot.toml', field: 'max_ttl_seconds', policies: [], control: 'MND-CRED-01', hint: 'lower the requested TTL' },
    }),
    insightFinding({
      code: 'grant.unused',
      level: 'medium',
      title: 'agent `faq-bot` may use 3 grant(s) the traffic never used',
      subject: 'faq-bot',
      agent: 'faq-bot',
      team: 'support',
      count: 3,
      allowed: 0,
      denied: 0,
      first_seen: null,
      last_seen: null,
      examples: [],
      items: ['invoke_tool `zendesk.ticket.delete`', 'read_data `customer-pii`', 'invoke_model `gpt-large`'],
      tasks: [],
      fix: { kind: 'policy', file: null, field: null, policies: ['permit-allowed-tools'], control: 'MND-AUTHZ-01', hint: 'narrow the grants' },
    }),
    insightFinding({
      code: 'logging.missing_task_id',
      level: 'low',
      title: '31 request(s) were recorded without a task id',
      subject_kind: 'workspace',
      subject: '',
      agent: null,
      team: null,
      count: 31,
      allowed: 20,
      denied: 11,
      items: [],
      tasks: [],
      fix: { kind: 'traffic', file: null, field: null, policies: [], control: 'MND-CRED-02', hint: 'record a task id with every request' },
    }),
  ];
}

export function insightsReport(over: Partial<InsightsReport> = {}): InsightsReport {
  const findings = over.findings ?? insightFindings();
  return {
    set: 'traffic',
    since: null,
    until: null,
    requests: 5000,
    denies: 2982,
    agents: 26,
    tasks: 1014,
    other_principals: 0,
    first_seen: '2026-11-01T00:00:37Z',
    last_seen: '2026-11-06T14:41:59Z',
    findings,
    by_code: [],
    logging: {
      requests: 5000,
      fields: [
        { field: 'task_id', present: 4969, expected: 5000, actions: [], optional: false, read_by: [] },
        { field: 'time', present: 5000, expected: 5000, actions: [], optional: false, read_by: [] },
        {
          field: 'context.step_up_approved',
          present: 1438,
          expected: 3051,
          actions: ['invoke_tool'],
          optional: true,
          read_by: ['step-up-for-sensitive-tools'],
        },
      ],
    },
    activity: {
      unit: 'day',
      buckets: [
        { start: '2026-11-01T00:00:00Z', requests: 900, denies: 500 },
        { start: '2026-11-02T00:00:00Z', requests: 1000, denies: 600 },
        { start: '2026-11-03T00:00:00Z', requests: 1100, denies: 700 },
      ],
      agents: [
        { agent: 'auto-remediator', counts: [100, 60, 51] },
        { agent: 'billing-bot', counts: [80, 90, 10] },
      ],
      untimed: 2000,
    },
    agent_activity: [
      { agent: 'auto-remediator', team: 'sre', lifecycle: 'suspended', requests: 211, denies: 209, first_seen: '2026-11-01T00:02:12Z', last_seen: '2026-11-06T14:17:39Z', resources: 33 },
      { agent: 'billing-bot', team: 'billing', lifecycle: 'active', requests: 180, denies: 20, first_seen: '2026-11-01T00:05:00Z', last_seen: '2026-11-06T10:00:00Z', resources: 12 },
    ],
    top_tools: [
      { tool: 'stripe.invoice.read', system: 'stripe', requests: 316, denies: 161, agents: 12 },
      { tool: 'github.pr.comment', system: 'github', requests: 270, denies: 60, agents: 13 },
    ],
    thresholds: { retry_denies: 5, retry_window_seconds: 60, max_delegation_depth: 2, max_systems_per_task: 3, max_sensitivity_climb: 1 },
    notes: [],
    ...over,
  };
}

export function taskStep(over: Partial<TaskStep> = {}): TaskStep {
  return {
    id: 'req-000100',
    time: '2026-11-01T10:00:00Z',
    agent: 'auto-remediator',
    action: 'invoke_tool',
    resource_type: 'Acme::Tool',
    resource: 'aws.ec2.reboot',
    system: 'aws',
    environment: 'prod',
    sensitivity: 'high',
    delegation_depth: null,
    on_behalf_of: null,
    recorded: 'allow',
    recorded_reasons: ['permit-allowed-tools'],
    current: 'allow',
    current_reasons: ['permit-allowed-tools'],
    current_error: null,
    ...over,
  };
}

/** Three steps: a delegation, a step still allowed, one allowed then and denied now. */
export function taskTimeline(over: Partial<TaskTimeline> = {}): TaskTimeline {
  return {
    set: 'traffic',
    task: 'task-00042',
    steps: [
      taskStep({
        id: 'req-000099',
        time: '2026-11-01T09:59:00Z',
        agent: 'alert-router',
        action: 'delegate',
        resource_type: 'Acme::Agent',
        resource: 'auto-remediator',
        system: null,
        environment: 'dev',
        sensitivity: null,
        delegation_depth: 1,
        on_behalf_of: 'dana',
        recorded_reasons: ['delegate-declared'],
        current_reasons: ['delegate-declared'],
      }),
      taskStep(),
      taskStep({
        id: 'req-000101',
        time: '2026-11-01T10:01:00Z',
        resource: 'aws.iam.write',
        sensitivity: 'critical',
        recorded: 'allow',
        recorded_reasons: ['permit-allowed-tools'],
        current: 'deny',
        current_reasons: [],
      }),
    ],
    agents: ['alert-router', 'auto-remediator'],
    hops: ['alert-router → auto-remediator'],
    systems: ['aws'],
    environments: ['dev', 'prod'],
    findings: insightFindings().filter((f) => f.subject === 'task-00042'),
    ...over,
  };
}

/**
 * A coverage report the real core computed (`mandate coverage --format json`) for a copy of
 * the demo workspace with its traffic imported and a few mappings added: implemented,
 * partial and planned controls, a variant (`GV-2.1`) and an unresolved citation (`CSA
 * MAESTRO T1`), an item marked not applicable, every gap kind that produced. Item texts are
 * cut to 140 characters to keep the file small. A fresh copy per call.
 */
export function coverageReport(): CoverageReport {
  return structuredClone(coverageJson as unknown as CoverageReport);
}

/** The catalogs behind `coverageReport()`, as `frameworks` lists them. */
export function frameworksView(over: Partial<FrameworksView> = {}): FrameworksView {
  const report = coverageReport();
  const frameworks = report.frameworks.map(
    (f): FrameworkCatalog => ({
      id: f.id,
      title: f.title,
      short_title: f.short_title,
      version: f.version,
      publisher: f.publisher,
      license: f.origin === 'built_in' ? 'Summaries by Mandate; see the source for the official text' : '',
      url: f.url,
      source: '',
      notes: [],
      origin: f.origin,
      items: f.items.map((i) => ({
        key: i.key,
        official_id: i.official_id,
        label: i.label,
        title: i.title,
        text: i.text,
        text_is_official: i.text_is_official,
        kind: i.kind,
        parent: i.parent,
        assessable: i.assessable,
        uncertain: i.uncertain,
        aliases: [],
        notes: '',
        related: [],
      })),
    }),
  );
  return { catalog_version: report.catalog_version, frameworks, diagnostics: [], ...over };
}


function keyRefused(message: string, help: string): ApiError {
  return { code: 'key_refused', message, help, diagnostics: [] };
}

/** `ed25519:` and 64 hex digits, distinct per `n`. */
export function fakeKeyId(n: number): string {
  return `ed25519:${String(n).repeat(64).slice(0, 64)}`;
}

function nextFakeVersion(published: readonly BundleEntry[]): string {
  const top = published[0]?.version.split('.').map(Number);
  return top && top.length === 3 ? `${top[0]}.${(top[1] ?? 0) + 1}.0` : '1.0.0';
}

export function localKey(over: Partial<LocalKey> = {}): LocalKey {
  const owner = over.owner ?? 'dana@acme.example';
  return {
    name: owner,
    id: fakeKeyId(1),
    owner,
    created_at: '2026-11-01T09:00:00Z',
    path: `/home/dana/.config/mandate/keys/${owner}.pem`,
    ...over,
  };
}

export function trustedKey(over: Partial<KeysView['keys'][number]> = {}): KeysView['keys'][number] {
  const id = over.id ?? fakeKeyId(1);
  return {
    id,
    short_id: `ed25519:${id.slice(8, 20)}…`,
    owner: 'dana@acme.example',
    status: 'trusted',
    added_at: '2026-11-01T09:05:00Z',
    approvals: [],
    needed: 1,
    local: true,
    ...over,
  };
}

/** Dana's and Bob's keys on this machine, both trusted (Dana's the first); Eve's proposed. */
export function keysView(over: Partial<KeysView> = {}): KeysView {
  const dana = localKey({ owner: 'dana@acme.example', id: fakeKeyId(1) });
  const bob = localKey({ owner: 'bob@acme.example', id: fakeKeyId(2) });
  return {
    keys_dir: '/home/dana/.config/mandate/keys',
    local: [dana, bob],
    keys: [
      trustedKey({ id: dana.id, owner: dana.owner, status: 'first' }),
      trustedKey({ id: bob.id, owner: bob.owner, status: 'trusted', approvals: ['dana@acme.example'] }),
      trustedKey({ id: fakeKeyId(3), owner: 'eve@acme.example', status: 'pending', added_at: null, approvals: [], needed: 2, local: false }),
    ],
    ...over,
  };
}

export function signature(over: Partial<SignatureCheck> = {}): SignatureCheck {
  return {
    role: 'author',
    signer: 'dana@acme.example',
    key: fakeKeyId(1),
    at: '2026-11-20T10:00:00Z',
    comment: '',
    valid: true,
    problem: null,
    ...over,
  };
}

interface BundleSpec {
  version?: string;
  summary?: string;
  author?: LocalKey;
  signed?: boolean;
  approvals?: SignatureCheck[];
  required?: number;
}

/**
 * A draft bundle like the demo's first: 16 statements, a replay of 5,000 requests against
 * nothing published, three touched agents, two frameworks' coverage, the approving review.
 */
export function bundleView(spec: BundleSpec = {}, over: Partial<BundleView> = {}): BundleView {
  const version = spec.version ?? '1.0.0';
  const author = spec.author ?? localKey();
  const approvals = spec.approvals ?? [];
  const manifest = {
    format: 'mandate-bundle/1',
    name: 'Acme agent governance',
    version,
    cedar_language_version: '4.6.0',
    namespace: 'Acme',
    created_at: '2026-11-20T10:00:00Z',
    author: { name: author.owner, key: author.id },
    parent: null,
    summary: spec.summary ?? 'first release',
    files: {
      'policies/tools.cedar': { sha256: 'sha256:233d', size: 1196 },
      'schema.cedarschema': { sha256: 'sha256:7d3d', size: 2116 },
    },
  };
  const hash = 'sha256:bc57c6e721f9c76986c2b8b461732c4784d99c98c3b273c9147a3703dcddf7ea';
  return {
    path: `/home/ana/acme-governance/.mandate/drafts/${version}`,
    hash,
    manifest,
    verification: {
      hash,
      manifest,
      integrity: [],
      author: spec.signed === false ? null : signature({ signer: author.owner, key: author.id }),
      approvals,
      valid_approvals: approvals.filter((a) => a.valid).length,
    },
    required_approvals: spec.required ?? 1,
    scope: {
      highest_tier: 'critical',
      required_approvals: spec.required ?? 1,
      reason: '3 agent(s) changed access; the highest tier is critical',
    },
    validation: { statements: 16, errors: 0, warnings: 2, fail_open: [], problems: [] },
    replay: {
      set: 'prod',
      baseline: 'nothing published (no policies: everything denied)',
      baseline_hash: null,
      summary: {
        requests: 5000,
        changed: 3513,
        allow_to_deny: 0,
        deny_to_allow: 1996,
        reasons_changed: 1517,
        new_errors: 4,
        resolved_errors: 0,
        drift: 2011,
        skipped: 0,
        errors: [],
      },
      candidate_errors: 4,
      touched: [
        { agent: 'auto-remediator', tier: 'critical', changed: 211 },
        { agent: 'billing-bot', tier: 'high', changed: 126 },
        { agent: 'scraper-x', tier: 'unknown', changed: 14 },
      ],
      digest: 'sha256:9532',
    },
    coverage: {
      generated_at: '2026-11-20T09:59:00Z',
      catalog_version: '2026.1',
      frameworks: [
        { framework: 'owasp-agentic-top10-2026', applicable: 10, implemented: 4, partial: 2, planned: 1, percent: 50 },
        { framework: 'nist-ai-rmf-1.0', applicable: 72, implemented: 9, partial: 5, planned: 3, percent: 16.2 },
      ],
    },
    review: { name: 'first', verdict: 'approve', by: 'bob@acme.example', at: '2026-11-20T09:00:00Z', candidate_digest: 'sha256:aa' },
    acknowledgements: { coverage_reduction: null },
    ...over,
  };
}

export function gate(over: Partial<Gate> = {}): Gate {
  return { id: 'integrity', title: 'Bundle intact and signed by its author', passed: true, skipped: false, detail: 'every file matches the manifest', ...over };
}

/** The nine gates for `view`: signature and approvals from its verification, one gate skipped. */
export function gateReport(view: BundleView): GateReport {
  const required = view.required_approvals;
  const approved = view.verification.valid_approvals;
  const signed = view.verification.author?.valid ?? false;
  const gates: Gate[] = [
    gate({
      id: 'integrity',
      passed: signed,
      detail: signed ? "every file matches the manifest; the author's signature verifies with a trusted key" : 'signatures.json: not signed by its author',
    }),
    gate({ id: 'version', title: 'Version and parent follow the published history', detail: `${view.manifest.version}: the first bundle` }),
    gate({ id: 'validation', title: 'Strict validation clean', detail: "every policy validates against the bundle's schema in strict mode" }),
    gate({ id: 'fail_open', title: 'No fail-open findings', detail: 'no `forbid` can error at request time' }),
    gate({
      id: 'replay_errors',
      title: 'No replay errors',
      skipped: true,
      detail: "skipped (allow_replay_errors in mandate.toml): 4 recorded request(s) errored on the bundle's policies",
    }),
    gate({ id: 'review', title: 'Approved review of exactly these policies', detail: 'review `first` approves these policies' }),
    gate({
      id: 'approvals',
      title: 'Required approvals present and valid',
      passed: approved >= required,
      detail: `${approved} of ${required} required approval(s)`,
    }),
    gate({ id: 'accountability', title: 'Every agent in scope has an accountable human', detail: 'every agent in scope has one' }),
    gate({ id: 'coverage', title: 'Coverage not reduced', detail: 'no framework lost implemented items' }),
  ];
  return { version: view.manifest.version, hash: view.hash, gates, passed: gates.every((g) => g.passed) };
}

export function bundleEntry(over: Partial<BundleEntry> = {}): BundleEntry {
  return {
    version: '1.0.0',
    hash: 'sha256:bc57c6e721f9c76986c2b8b461732c4784d99c98c3b273c9147a3703dcddf7ea',
    parent: null,
    created_at: '2026-11-20T10:00:00Z',
    author: 'dana@acme.example',
    summary: 'first release',
    approvals: 1,
    required_approvals: 1,
    published_at: '2026-11-20T12:00:00Z',
    published_by: 'dana@acme.example',
    verified: true,
    problems: [],
    ...over,
  };
}

/** A verified 1.0.0: intact, signed by Dana, approved by Bob, the first of its chain. */
export function verifyReport(over: Partial<VerifyReport> = {}): VerifyReport {
  const view = bundleView({ approvals: [signature({ role: 'approval', signer: 'bob@acme.example', key: fakeKeyId(2), comment: 'looks right' })] });
  return {
    path: '/home/ana/acme-governance/bundles/1.0.0',
    verification: view.verification,
    required_approvals: 1,
    approved: true,
    chain: 'root',
    chain_detail: 'the first bundle: no parent',
    problems: [],
    ok: true,
    ...over,
  };
}

/** One changed policy (a condition narrowed), one added; five unchanged. */
export function bundleDiff(over: Partial<BundleDiff> = {}): BundleDiff {
  return {
    from: '1.0.0',
    to: '1.1.0',
    policies: [
      {
        id: 'step-up-for-sensitive-tools',
        change: 'changed',
        before: 'forbid (principal, action, resource)\nwhen { resource.sensitivity == "high" || resource.sensitivity == "critical" };',
        after: 'forbid (principal, action, resource)\nwhen { resource.sensitivity == "critical" };',
        lines: [
          { kind: ' ', text: 'forbid (principal, action, resource)' },
          { kind: '-', text: 'when { resource.sensitivity == "high" || resource.sensitivity == "critical" };' },
          { kind: '+', text: 'when { resource.sensitivity == "critical" };' },
        ],
      },
      {
        id: 'permit-faq-reads',
        change: 'added',
        before: null,
        after: '@id("permit-faq-reads")\npermit (principal, action, resource);',
        lines: [
          { kind: '+', text: '@id("permit-faq-reads")' },
          { kind: '+', text: 'permit (principal, action, resource);' },
        ],
      },
    ],
    unchanged: 5,
    ...over,
  };
}
