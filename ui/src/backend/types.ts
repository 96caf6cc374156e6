// The backend boundary: everything the UI asks of the Rust core goes through `IBackend`.
//
// The Tauri implementation lives in `tauri.ts`; tests pass a fake. Data types are the
// ts-rs bindings generated from `mandate::api::dto` — never hand-written copies.
import type { AccessRequest } from '../bindings/AccessRequest';
import type { AccessReview } from '../bindings/AccessReview';
import type { ApiError } from '../bindings/ApiError';
import type { Agent } from '../bindings/Agent';
import type { AuditExport } from '../bindings/AuditExport';
import type { AuditFacets } from '../bindings/AuditFacets';
import type { AuditListing } from '../bindings/AuditListing';
import type { AuditQuery } from '../bindings/AuditQuery';
import type { DashboardBundle } from '../bindings/DashboardBundle';
import type { DashboardCoverage } from '../bindings/DashboardCoverage';
import type { DashboardReplay } from '../bindings/DashboardReplay';
import type { DashboardReviews } from '../bindings/DashboardReviews';
import type { DashboardTraffic } from '../bindings/DashboardTraffic';
import type { AddedPolicies } from '../bindings/AddedPolicies';
import type { AgentInsights } from '../bindings/AgentInsights';
import type { Analysis } from '../bindings/Analysis';
import type { AnalyzeRequest } from '../bindings/AnalyzeRequest';
import type { BuildRequest } from '../bindings/BuildRequest';
import type { BundleDiff } from '../bindings/BundleDiff';
import type { BundleEntry } from '../bindings/BundleEntry';
import type { BundleView } from '../bindings/BundleView';
import type { Change } from '../bindings/Change';
import type { ControlsView } from '../bindings/ControlsView';
import type { CoverageReport } from '../bindings/CoverageReport';
import type { Diagnostic } from '../bindings/Diagnostic';
import type { ErrorCode } from '../bindings/ErrorCode';
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
import type { KeysView } from '../bindings/KeysView';
import type { LocalKey } from '../bindings/LocalKey';
import type { Published } from '../bindings/Published';
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
import type { InventoryView } from '../bindings/InventoryView';
import type { Lifecycle } from '../bindings/Lifecycle';
import type { Mapping } from '../bindings/Mapping';
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

/** What the save dialog of an export offers: a file name and the kinds of file to keep. */
export interface SaveTarget {
  title: string;
  /** The file name proposed, e.g. `coverage-alignment.csv`. */
  defaultName: string;
  /** Sent as they are to the shell's `pick_save` (`FileFilter` in src-tauri/src/grants.rs). */
  filters: { name: string; extensions: string[] }[];
}

/** What to acknowledge in a review: group keys, and request ids standing for their groups. */
export interface AckTarget {
  groups: string[];
  ids: string[];
}

/**
 * Paths: a method taking a path accepts one inside the open workspace (relative to it, or
 * absolute under it; never with `..` or through a symlink leading out), or one the user
 * chose in a native dialog of this backend (`pick*`) during this run. Anything else rejects
 * with `path_outside_workspace`.
 */
export interface IBackend {
  /** The workspace the app has open, or `null` before one is chosen. */
  currentWorkspace(): Promise<WorkspaceInfo | null>;
  /**
   * Opens the workspace folder at `path`, which must come from `pickWorkspaceFolder`
   * (else `path_outside_workspace`); rejects with an `ApiError`.
   */
  openWorkspace(path: string): Promise<WorkspaceInfo>;
  /** Shows the native folder picker; `null` when the user cancels. */
  pickWorkspaceFolder(): Promise<string | null>;
  /** Shows the native file picker titled `title`; `null` when the user cancels. */
  pickFile(title: string): Promise<string | null>;
  /** Shows the native folder picker titled `title`; `null` when the user cancels. */
  pickFolder(title: string): Promise<string | null>;
  /** Parses and validates every policy of the open workspace. */
  validateWorkspace(): Promise<ValidationReport>;
  /**
   * One page of the audit log entries matching `query`, newest first, with how many match
   * and the cursor of the next page (`next`, passed back as `query.before`). Rejects with
   * `invalid_argument` (a bad time, a window that closes before it opens, a bad limit).
   */
  listAudit(query: AuditQuery): Promise<AuditListing>;
  /** The distinct actions and actors of the audit log, for its filters. */
  auditFacets(): Promise<AuditFacets>;
  /**
   * Writes every entry `query` matches (all pages) as CSV to `out` (from `pickSavePath`),
   * atomically; formula-like cells get a leading apostrophe. Rejects like `listAudit`.
   */
  exportAudit(query: AuditQuery, out: string): Promise<AuditExport>;

  // ---- The Dashboard's cards: one call each, so a slow card never holds up the others ----

  /**
   * Insights over the set imported last, cut down to the card (empty, `set` null, when
   * nothing was imported). Can take seconds on a large set the first time; rejects like
   * `insights`.
   */
  dashboardTraffic(): Promise<DashboardTraffic>;
  /** Each framework's coverage percentage (seconds the first time); rejects like `coverage`. */
  dashboardCoverage(): Promise<DashboardCoverage>;
  /** The newest replay run that completed, with its changed decisions. */
  dashboardReplay(): Promise<DashboardReplay>;
  /** Reviews without a verdict, and built bundles short of a signature or approvals. */
  dashboardReviews(): Promise<DashboardReviews>;
  /** The newest published bundle, verified, and how many are published. */
  dashboardBundle(): Promise<DashboardBundle>;
  /** The agent inventory with its accountability findings, load problems and lifecycle edges. */
  inventory(): Promise<InventoryView>;
  /** The problems `agent` would have if saved (empty when valid); nothing is written. */
  validateAgentDraft(agent: Agent, create: boolean): Promise<Diagnostic[]>;
  /**
   * Creates (`create`) or updates an agent file; rejects with `inventory_invalid` (with
   * per-field diagnostics) or `not_found`. Lifecycle and approval never change here.
   * `revision` is the file's revision the form was loaded from (`InventoryView.agent_revisions`,
   * `absent` to create; `null` skips the check): a file changed on disk since is refused
   * with `edit_conflict` and left as it is. Resolves to the agent and the file's new revision.
   */
  saveAgent(agent: Agent, create: boolean, revision: string | null): Promise<SavedAgent>;
  /** Moves an agent through its lifecycle; rejects with `lifecycle_refused` explaining why. */
  agentLifecycle(id: string, to: Lifecycle, reason: string): Promise<Agent>;
  /** Who the app acts as for approvals and the audit log (a human id or email). */
  actingIdentity(): Promise<string>;

  // ---- App settings (the Settings page; settings.json in the user's config folder) ----

  /**
   * The app's settings: the acting identity and where it comes from (checked against the open
   * workspace's people, with a warning and the closest ids when it names nobody there), the
   * theme, the app's solver path, the recent workspaces as they are on disk, and what was
   * wrong with settings.json (each problem fell back to its default; never an error).
   */
  appSettings(): Promise<SettingsView>;
  /**
   * Sets (or, with `null` or blank, clears) who the app acts as; every later audited action
   * and approval names it. Rejects with `invalid_argument` (control or invisible characters,
   * too long); naming nobody in the inventory is a warning in the view, not a refusal.
   */
  setActor(actor: string | null): Promise<SettingsView>;
  /** Saves the theme; rejects with `invalid_argument` for anything but system, light, dark. */
  setTheme(theme: Theme): Promise<SettingsView>;
  /**
   * Sets the app's solver to a file chosen with `pickFile` (anything else rejects with
   * `path_outside_workspace`), saved only when its `--version` answers (else
   * `solver_unavailable` with help); `null` clears it. It is used when neither `$CVC5` nor
   * the workspace's `[analysis] solver` names one.
   */
  setSolverPath(path: string | null): Promise<SettingsView>;
  /**
   * The solver an analysis would use now, found and run (`--version`) as analyses do;
   * rejects with `solver_unavailable` naming every candidate tried and why.
   */
  checkSolver(): Promise<SolverInfo>;
  /** Takes a folder off the recent list; rejects with `not_found` when it is not on it. */
  forgetWorkspace(path: string): Promise<SettingsView>;
  /** Opens a workspace from the recent list (no dialog); `not_found` when it is not on it. */
  openRecentWorkspace(path: string): Promise<WorkspaceInfo>;
  /** The text of a workspace-relative policy file, e.g. `policies/tools.cedar`, and its revision. */
  readPolicyFile(path: string): Promise<FileText>;
  /**
   * Writes a policy file atomically; the watcher does not report the app's own save.
   * `revision` is the one the editor read (`absent` for a new file; `null` skips the check):
   * a file changed on disk since is refused with `edit_conflict` and left as it is (read it
   * again for its text and current revision). Resolves to the file's new revision.
   */
  savePolicyFile(path: string, text: string, revision: string | null): Promise<string>;
  /** The problems the unsaved buffer `text` of `path` would have (parse, duplicate @id, schema). */
  validatePolicyBuffer(path: string, text: string): Promise<Diagnostic[]>;
  /** `text` in canonical Cedar formatting; rejects with `policy_invalid` when it does not parse. */
  formatPolicyText(text: string): Promise<string>;
  /** Entity types, actions and their attributes, for the editor's completion. */
  schemaOutline(): Promise<SchemaOutline>;
  /**
   * Decides one request against the saved policies and the inventory's entities (the test
   * bench); rejects with `invalid_argument` (bad reference or context) or `policy_invalid`
   * (the policies have errors, listed in `diagnostics`).
   */
  testRequest(request: TestRequest): Promise<TestResult>;
  /** The workspace's controls merged with the built-in library, with their policies. */
  controls(): Promise<ControlsView>;
  /**
   * Adds the library policies of `control` as `policies/controls/<id>.cedar`; rejects with
   * `not_found` (no library policy) or `invalid_argument` (already in the workspace).
   */
  addControlPolicies(control: string): Promise<AddedPolicies>;
  /** Calls `cb` whenever files of the workspace change on disk; resolves to an unsubscribe. */
  onWorkspaceChanged(cb: (changes: Change[]) => void): Promise<() => void>;

  // ---- Recorded requests and replay (the Simulate page) ----

  /** The request sets of the workspace (completed imports only). */
  requestSets(): Promise<RequestSetSummary[]>;
  /** Shows the native file picker for a file of recorded requests; `null` when cancelled. */
  pickRequestFile(): Promise<string | null>;
  /**
   * Imports a file of recorded requests into `set` (created when new). Bad records are
   * skipped and listed, unless `strict`, when nothing is written. Rejects with `cancelled`
   * after `cancelImport`, `import_invalid` when nothing in the file could be read.
   */
  importRequests(path: string, set: string, strict: boolean): Promise<ImportSummary>;
  /** Stops the running import; its `importRequests` rejects with `cancelled`. */
  cancelImport(): Promise<void>;
  /** Calls `cb` with the progress of a running import; resolves to an unsubscribe. */
  onImportProgress(cb: (progress: ImportProgress) => void): Promise<() => void>;
  /**
   * Replays a request set on the baseline and the candidate policies and stores the result.
   * Rejects with `cancelled` after `cancelReplay`, `not_found` (no such set),
   * `invalid_argument` (bad side or time) or `policy_invalid` (a side does not validate).
   */
  runReplay(request: ReplayRequest): Promise<ReplayRun>;
  /** Stops the running replay; its `runReplay` rejects with `cancelled`. */
  cancelReplay(): Promise<void>;
  /** Calls `cb` with the progress of a running replay; resolves to an unsubscribe. */
  onReplayProgress(cb: (progress: ReplayProgress) => void): Promise<() => void>;
  /**
   * Symbolic analysis with an SMT solver: per request environment, how the candidate relates
   * to the baseline (with counterexamples replayed concretely), and the findings on the
   * candidate. Seconds to minutes; nothing is stored. Rejects with `cancelled` after
   * `cancelAnalysis`, `solver_unavailable` (no solver could be started; `help` says how to
   * install one), `invalid_argument` (a bad side or time limit) or `policy_invalid`.
   */
  analyze(request: AnalyzeRequest): Promise<Analysis>;
  /** Stops the running analysis; its `analyze` rejects with `cancelled`. */
  cancelAnalysis(): Promise<void>;
  /**
   * What an agent (`request.agent`; every agent without it) can do under the candidate
   * (default the working copy), from the inventory's entities: each action × resource it is
   * allowed, or allowed under conditions on the context (settled by the solver, with an
   * example context), and how that changed from the baseline (default `git:HEAD`; none
   * with `no_diff`). Without any solver it still answers, `solver` left out and the
   * conditions unsettled (a problem says so). Rejects with `cancelled` after
   * `cancelAccess`, `not_found` (no such agent), `solver_unavailable` (a solver was named
   * and cannot be started), `invalid_argument` (a bad side) or `policy_invalid`.
   */
  agentAccess(request: AccessRequest): Promise<AccessReview>;
  /** Stops the running access review; its `agentAccess` rejects with `cancelled`. */
  cancelAccess(): Promise<void>;
  /** The stored replay runs, newest first. */
  replayRuns(): Promise<ReplayRun[]>;
  /** One page of a run's results matching `filter`, ordered by `seq`, with the matching total. */
  replayResults(runId: number, filter: ResultFilter, offset: number, limit: number): Promise<ResultPage>;
  /** Why each side decided one result (`seq` of a `ResultRow`) as it did. */
  explainResult(runId: number, seq: number): Promise<ExplainPair>;
  /** The review opened for a run, or `null` when there is none. */
  reviewForRun(runId: number): Promise<Review | null>;
  /** Opens a review of a run's changes (or returns the one already open). */
  openReview(runId: number): Promise<Review>;
  /**
   * Acknowledges groups of a review's changed decisions with a comment: the groups named by
   * key, and the group of each changed request in `ids`. Rejects with `invalid_argument`
   * (no comment, nothing named) or `not_found` (unknown group or unchanged request).
   */
  ackChanges(review: string, target: AckTarget, comment: string): Promise<Review>;
  /**
   * Records `approve` or `request-changes`; approve rejects with `review_refused` while a
   * group is unacknowledged or when the candidate's policies moved since the review opened.
   */
  recordVerdict(review: string, verdict: VerdictKind, comment: string): Promise<Review>;

  // ---- Traffic insights (the Insights page, an agent's recent activity) ----

  /**
   * Findings, activity and logging completeness of a stored request set (`query.set`, else
   * the one imported most recently) within a time window. Can take seconds on a large set.
   * Rejects with `not_found` (nothing imported yet, or no such set), `invalid_argument` (a
   * bad `since`/`until`) or `inventory_invalid` (the inventory must load to join with it).
   */
  insights(query: InsightsQuery): Promise<InsightsReport>;
  /**
   * The requests of one task in order, each with its recorded and current decision, and
   * the findings about the task. `set` null: the newest set. Rejects with `not_found`.
   */
  taskTimeline(set: string | null, task: string): Promise<TaskTimeline>;
  /**
   * An agent's activity and findings in the newest set, and its newest requests; empty
   * (`set` null, no activity) when nothing was imported yet.
   */
  agentInsights(agent: string): Promise<AgentInsights>;
  /**
   * Stops the running `insights`, `taskTimeline` or `agentInsights`: it rejects with
   * `cancelled` and nothing of it is kept.
   */
  cancelInsights(): Promise<void>;
  /**
   * Calls `cb` with the progress of the long operations that are not imports or replays
   * (insights, a task's timeline, an agent's insights, coverage, a coverage export, a bundle
   * build): the operation, its phase and `done` of `total` (0: a phase without a count).
   */
  onOperationProgress(cb: (progress: OperationProgress) => void): Promise<() => void>;

  // ---- Frameworks, controls and coverage (the Frameworks page) ----

  /** The built-in and workspace framework catalogs, and the problems of `frameworks/*.json`. */
  frameworks(): Promise<FrameworksView>;
  /**
   * Coverage of every framework by the workspace's controls, from the evidence as it is now
   * (re-evaluates the newest recorded set when it changed: can take seconds). Rejects with
   * `controls_invalid` (the controls or framework files do not parse; `diagnostics` say where).
   */
  coverage(): Promise<CoverageReport>;
  /** Stops the running `coverage` or `exportCoverage`: it rejects with `cancelled`, nothing written. */
  cancelCoverage(): Promise<void>;
  /**
   * Replaces every mapping of `control` in `controls/controls.toml` with `mappings` (the
   * full new list; a library control the workspace lacks is added). Rejects with
   * `controls_invalid` (a mapping names no official item; nothing written) or `not_found`.
   */
  setControlMappings(control: string, mappings: Mapping[]): Promise<void>;
  /**
   * Marks a framework item not applicable with a justification, or applicable again
   * (`null`). Rejects with `controls_invalid` (blank justification) or `not_found`.
   */
  setNotApplicable(framework: string, item: string, justification: string | null): Promise<void>;
  /** Shows the native save dialog; `null` when the user cancels. */
  pickSavePath(target: SaveTarget): Promise<string | null>;
  /**
   * Writes coverage as CSV, JSON, OSCAL, Markdown or HTML to `request.out` (from
   * `pickSavePath`, or inside the workspace); resolves to the files written.
   */
  exportCoverage(request: ExportRequest): Promise<ExportResult>;

  // ---- Keys and bundles (the Publish page) ----

  /**
   * This machine's private keys (never their secrets) and how each key listed in, or
   * proposed for, `mandate.toml` stands. Rejects with `key_refused` when there is no keys
   * folder (set `MANDATE_KEYS_DIR`) or a key file does not read.
   */
  keysView(): Promise<KeysView>;
  /** Makes an Ed25519 key pair for `owner` in the keys folder; rejects with `key_refused`. */
  generateKey(owner: string): Promise<LocalKey>;
  /**
   * Trusts (or, with `remove`, distrusts) a key, signed by one of this machine's keys: the
   * workspace's first key is trusted on its own, any other change waits for approvals from
   * trusted keys. Rejects with `key_refused` (not a key id, already trusted, signer not
   * trusted, a key approving itself, the keys folder inside the workspace).
   */
  trustKey(request: TrustKeyRequest): Promise<TrustOutcome>;
  /**
   * Builds a bundle of the working copy into `.mandate/drafts/VERSION` (or `request.out`),
   * with its evidence: validation, a replay of recorded traffic against the published bundle
   * (seconds), coverage, the approving review. Progress: `onOperationProgress`
   * (`bundle_build`). Rejects with `cancelled` after `cancelBuild`, `invalid_argument` (bad or
   * not-higher version), `policy_invalid` (the policies have errors, in `diagnostics`),
   * `key_refused` (no key, or several and none named) or `io`.
   */
  bundleBuild(request: BuildRequest): Promise<BundleView>;
  /** Stops the running `bundleBuild` (it rejects with `cancelled` and writes no bundle) or `bundleGates`. */
  cancelBuild(): Promise<void>;
  /** A bundle on disk with its evidence, verified; rejects with `not_found` or `bundle_invalid`. */
  bundleView(path: string): Promise<BundleView>;
  /**
   * Signs a bundle as its author with `key` (null: the author's key when it is on this
   * machine). Rejects with `key_refused` (not the author's key) or `bundle_invalid` (altered).
   */
  bundleSign(path: string, key: string | null): Promise<BundleView>;
  /**
   * Adds an approval signed with `key` (null: the only, or only trusted, local key). Rejects
   * with `key_refused` (the author's own, an untrusted key, a second approval by the same
   * person) or `bundle_invalid` (the bundle was altered).
   */
  bundleApprove(path: string, key: string | null, comment: string): Promise<BundleView>;
  /**
   * Every publish gate for a bundle with pass, fail or skipped and its detail (replays the
   * newest set and runs the solver: seconds; progress `bundle_gates`). Rejects with
   * `bundle_invalid`, or `cancelled` after `cancelBuild`.
   */
  bundleGates(path: string): Promise<GateReport>;
  /**
   * Publishes a bundle into `bundles/VERSION` when every gate passes, and copies it to `to`
   * (a folder or a `.mandate-bundle` path). Rejects with `gate_failed` (one diagnostic per
   * failed gate, code `gate::ID`), `bundle_invalid` or `io` (the version exists, the copy failed).
   */
  bundlePublish(path: string, to: string | null): Promise<Published>;
  /**
   * Verifies a bundle (a path or a published version): integrity, the author's signature,
   * approvals (short approvals fail only with `requireApproved`) and the parent chain.
   * Rejects with `not_found` or `bundle_invalid` (not readable as a bundle).
   */
  bundleVerify(path: string, requireApproved: boolean): Promise<VerifyReport>;
  /** The published bundles, newest first, each verified. */
  bundles(): Promise<BundleEntry[]>;
  /** The policy text diff between two bundles (published versions or paths); rejects with `not_found`. */
  bundleDiff(from: string, to: string): Promise<BundleDiff>;
}

// A `Record` over the generated union, so the compiler flags a code added on the Rust side.
const ERROR_CODES: Record<ErrorCode, true> = {
  workspace_not_found: true,
  workspace_exists: true,
  config_invalid: true,
  io: true,
  path_outside_workspace: true,
  store: true,
  busy: true,
  policy_invalid: true,
  watch: true,
  invalid_argument: true,
  inventory_invalid: true,
  not_found: true,
  lifecycle_refused: true,
  import_invalid: true,
  cancelled: true,
  review_refused: true,
  controls_invalid: true,
  bundle_invalid: true,
  gate_failed: true,
  key_refused: true,
  solver_unavailable: true,
  edit_conflict: true,
  internal: true,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** Whether `e` has the exact shape the Rust side sends for a failed command. */
export function isApiError(e: unknown): e is ApiError {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return (
    isErrorCode(o.code) &&
    typeof o.message === 'string' &&
    (o.help === null || typeof o.help === 'string') &&
    Array.isArray(o.diagnostics)
  );
}

/**
 * Turns anything a rejected call produced into an `ApiError`, so the UI has one shape to show.
 *
 * Tauri itself rejects with a bare string (e.g. an unknown command), a plugin may throw an
 * `Error`, and an older core might omit `help` or `diagnostics`; all of these become an
 * error the UI can render. Unknown codes become `internal` rather than being trusted.
 */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return e;
  if (typeof e === 'object' && e !== null) {
    const o = e as Record<string, unknown>;
    if (typeof o.message === 'string') {
      return {
        code: isErrorCode(o.code) ? o.code : 'internal',
        message: o.message,
        help: typeof o.help === 'string' ? o.help : null,
        diagnostics: Array.isArray(o.diagnostics) ? (o.diagnostics as ApiError['diagnostics']) : [],
      };
    }
  }
  const message =
    typeof e === 'string' && e.length > 0 ? e : e instanceof Error ? e.message : 'unexpected error';
  return { code: 'internal', message, help: null, diagnostics: [] };
}
