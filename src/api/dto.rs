//! Data transfer objects: the only types that cross IPC and reach the CLI's JSON output.
//!
//! Cedar and rusqlite types never appear here; `api` converts them. Every type derives
//! `ts_rs::TS` and is exported to `ui/src/bindings/` (committed; CI fails when it drifts).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use super::audit::{AuditExport, AuditListing, AuditQuery};
pub use super::dashboard::{
    DashboardBundle, DashboardCoverage, DashboardFramework, DashboardReplay, DashboardReview,
    DashboardReviews, DashboardRun, DashboardTraffic, DraftAwaiting, LevelCount, TopFinding,
};
pub use super::policies::TestRequest;
pub use crate::diagnostics::{Diagnostic, Severity};
pub use crate::error::ErrorCode;
pub use crate::frameworks::alignment::{MappingImportRow, MappingOutcome};
pub use crate::frameworks::catalog::{
    Framework as FrameworkCatalog, Item as FrameworkItem, Origin as FrameworkOrigin,
};
pub use crate::frameworks::coverage::{
    ControlCoverage, CoverageReport, Evidence, EvidenceKind, EvidenceState, FrameworkCoverage, Gap,
    ItemCoverage, MappingView, Status as CoverageStatus,
};
pub use crate::frameworks::import::FrameworkFormat;
pub use crate::frameworks::{Attestation, Mapping, NotApplicable, Resolution, Suggestion};
pub use crate::insights::{
    Activity, AgentActivity, AgentSeries, Bucket, CodeCount, FieldCoverage,
    Finding as InsightFinding, Fix, InsightsReport, Level, Logging, SubjectKind, TaskStep,
    TaskTimeline, ToolUse,
};
pub use crate::inventory::checks::Finding;
pub use crate::inventory::transfer::{Conflict, ImportPlan, RecordChange};
pub use crate::inventory::{
    Agent, Classification, Dataset, Environment, Human, Lifecycle, Model, People, Resources,
    RiskTier, Team, Tool, ToolGroup,
};
pub use crate::replay::explain::{
    ConditionResult, ExplainPair, Explanation, PolicyExplanation, RequestView,
};
pub use crate::replay::import::{Grades, ImportProgress, ImportSummary, LineError};
pub use crate::replay::report::{Breakdown, PolicyBreakdown, ReplayReport};
pub use crate::replay::simulate::{ReplayLine, Replayed, SideResult, SimulateSummary};
pub use crate::review::{Ack, ReviewChange, ReviewFile, Verdict, VerdictKind};
pub use crate::store::audit::AuditFacets;
pub use crate::store::{AuditEntry, Count, RequestSetSummary, RequestStats};
pub use crate::watch::{Change, ChangeKind};
pub use crate::workspace::InsightsConfig;

/// An error as the UI receives it: it branches on `code`, shows `message` and `help`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub help: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// An open workspace, as the shell shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorkspaceInfo {
    /// Absolute path of the workspace folder.
    pub root: String,
    /// `name` from `mandate.toml`.
    pub name: String,
    /// Cedar namespace of the schema.
    pub namespace: String,
    /// `generated` or `file`.
    pub schema_mode: String,
    /// Whether `schema.cedarschema` exists (validation is strict against it when it does).
    pub has_schema: bool,
}

/// The kind of a Cedar policy statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PolicyKind {
    Permit,
    Forbid,
    /// A `permit` template (has slots).
    PermitTemplate,
    /// A `forbid` template (has slots).
    ForbidTemplate,
}

/// One policy or template, as loaded from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PolicySummary {
    /// The `@id` annotation, else Cedar's `policyN` in workspace file order.
    pub id: String,
    pub kind: PolicyKind,
    /// 1-based line where the statement (including its annotations) starts.
    pub line: u32,
    /// `@control` annotation, when present.
    pub control: Option<String>,
    /// `@rationale` annotation, when present.
    pub rationale: Option<String>,
}

/// One `.cedar` file and what was found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PolicyFile {
    /// Workspace-relative path with `/` separators, e.g. `policies/credentials.cedar`.
    pub path: String,
    pub policies: Vec<PolicySummary>,
    pub error_count: u32,
    pub warning_count: u32,
}

/// The result of validating every policy in a workspace against its schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ValidationReport {
    pub files: Vec<PolicyFile>,
    /// Every problem found, sorted by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    pub error_count: u32,
    pub warning_count: u32,
    /// Policies and templates in the files, plus template links.
    pub policy_count: u32,
    /// Template-linked policies from `policies/links.toml`, in file order.
    pub links: Vec<LinkSummary>,
    /// Whether a schema was used (strict validation); without one only parsing and ids are checked.
    pub schema_used: bool,
}

/// A template-linked policy (`policies/links.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LinkSummary {
    pub id: String,
    /// The template's id.
    pub template: String,
    /// Line of the link in `policies/links.toml`.
    pub line: u32,
}

/// One allowed lifecycle move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LifecycleEdge {
    pub from: Lifecycle,
    pub to: Lifecycle,
}

/// The inventory as the Agents page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InventoryView {
    /// Sorted by id.
    pub agents: Vec<Agent>,
    pub people: People,
    pub resources: Resources,
    /// Accountability gaps, sorted by subject then code.
    pub findings: Vec<Finding>,
    /// Problems loading the inventory files (bad TOML, unknown keys, bad values).
    pub diagnostics: Vec<Diagnostic>,
    /// The lifecycle's allowed moves, so the UI offers only those.
    pub transitions: Vec<LifecycleEdge>,
    /// The revision of each agent's file (`inventory/agents/<id>.toml`) as it was read, by
    /// agent id: what the form names when it saves, so a file changed on disk meanwhile is
    /// refused with `edit_conflict` instead of overwritten.
    pub agent_revisions: std::collections::BTreeMap<String, String>,
}

/// A workspace file as an editor opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FileText {
    /// Workspace-relative, `/`-separated.
    pub path: String,
    pub text: String,
    /// The sha256 of the file's bytes in hex: what a save names, so a file changed on disk
    /// since it was read is refused with `edit_conflict` instead of overwritten.
    pub revision: String,
}

/// An agent as saved, with its file's new revision (what the next save names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SavedAgent {
    pub agent: Agent,
    pub revision: String,
}

/// What `mandate check` reports: inventory, accountability and policy problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckReport {
    pub findings: Vec<Finding>,
    pub error_count: u32,
    pub warning_count: u32,
    pub agent_count: u32,
}

/// The result of `mandate agents import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportReport {
    /// `agents`, `people` or `tools`.
    pub kind: String,
    pub dry_run: bool,
    /// Whether anything was written.
    pub applied: bool,
    pub plan: ImportPlan,
}

/// The result of `mandate fmt`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FormatReport {
    pub checked: u32,
    /// Files that were (or, with `--check`, would be) reformatted.
    pub changed: Vec<String>,
    /// Files left alone because they do not parse.
    pub unparseable: Vec<String>,
}

/// One attribute or context field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttributeOutline {
    pub name: String,
    /// `String`, `Long`, `Bool`, an entity type, `Set<…>`, an extension type.
    pub type_name: String,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EntityTypeOutline {
    /// Qualified, e.g. `Acme::Agent`.
    pub name: String,
    pub attributes: Vec<AttributeOutline>,
    pub member_of: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActionOutline {
    /// `request_credential`.
    pub name: String,
    /// `Acme::Action::"request_credential"`.
    pub uid: String,
    pub principal_types: Vec<String>,
    pub resource_types: Vec<String>,
    pub context: Vec<AttributeOutline>,
}

/// The schema as the editor's completion needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SchemaOutline {
    pub entity_types: Vec<EntityTypeOutline>,
    pub actions: Vec<ActionOutline>,
}

/// What `mandate policy add --control` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AddedPolicies {
    /// Workspace-relative path of the new file.
    pub file: String,
    /// `@id`s of the policies added.
    pub ids: Vec<String>,
}

/// A policy that decided a request, with where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeterminingPolicy {
    pub id: String,
    pub file: String,
    pub line: u32,
    pub text: String,
}

/// A policy that raised an error while evaluating a request (Cedar skips it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PolicyError {
    pub policy: String,
    pub message: String,
}

/// The answer of the test bench.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TestResult {
    /// `allow` or `deny`.
    pub decision: String,
    /// The permits that allowed it, or the forbids that denied it (empty: default deny).
    pub determining: Vec<DeterminingPolicy>,
    pub errors: Vec<PolicyError>,
}

/// Where a policy lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PolicyRef {
    pub id: String,
    pub file: String,
    pub line: u32,
}

/// A control as the policy editor and the library dialog show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ControlStatus {
    pub id: String,
    pub title: String,
    pub statement: String,
    pub rationale: String,
    /// `mandate check` codes that watch it.
    pub checks: Vec<String>,
    /// Whether the workspace's `controls/controls.toml` lists it (else it is library-only).
    pub in_workspace: bool,
    /// `@id`s of the library policies `mandate policy add --control` would add.
    pub library_policies: Vec<String>,
    /// Workspace policies whose `@control` names it.
    pub enforced_by: Vec<PolicyRef>,
}

/// The frameworks Mandate knows: built-in catalogs and the workspace's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FrameworksView {
    /// Version of the built-in catalog data.
    pub catalog_version: String,
    pub frameworks: Vec<crate::frameworks::Framework>,
    /// Problems of workspace framework files (`frameworks/*.json`).
    pub diagnostics: Vec<Diagnostic>,
}

/// How `mandate frameworks import` (and the app's import dialog) reads a framework file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FrameworkImportOptions {
    /// `null`: inferred from the file's extension and content.
    pub format: Option<FrameworkFormat>,
    /// The framework's id (default: the one in the file, else the file name as a slug).
    pub id: Option<String>,
    /// Replaces the file's title (CSV has none: the default is the file name).
    pub title: Option<String>,
    pub version: Option<String>,
    pub publisher: Option<String>,
    /// Read and check the file; write nothing.
    pub dry_run: bool,
}

/// What a framework import read, and where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FrameworkImportReport {
    /// The file as given.
    pub file: String,
    pub format: FrameworkFormat,
    /// Where the framework is (in a dry run: would be) written, `frameworks/<id>.json`.
    pub path: String,
    pub framework: crate::frameworks::Framework,
    pub item_count: u32,
    pub assessable_count: u32,
    /// The workspace already had a framework with this id: the import replaces it.
    pub replaced: bool,
    pub dry_run: bool,
    /// Whether the file was written.
    pub written: bool,
    /// The workspace's mappings to this framework that name no item of it any more
    /// (`CONTROL: item`).
    pub stale_mappings: Vec<String>,
}

/// What a mapping import made of each row of an alignment table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MappingImportReport {
    /// The file as given.
    pub file: String,
    /// `csv` or `json`.
    pub format: String,
    pub dry_run: bool,
    /// Whether `controls/controls.toml` was written.
    pub written: bool,
    /// Every row of the table, in file order.
    pub rows: Vec<MappingImportRow>,
    pub exact: u32,
    pub variant: u32,
    /// Kept as `cited`; never counted as coverage.
    pub unresolved: u32,
    /// Bad rows, skipped (each in `problems`).
    pub invalid: u32,
    /// Mappings added to controls (in a dry run: that would be).
    pub added: u32,
    /// Rows whose mapping the control already had.
    pub duplicates: u32,
    /// Library controls the workspace did not list yet, added with their new mappings.
    pub adopted: Vec<String>,
    /// Columns of the table the import does not read.
    pub ignored_columns: Vec<String>,
    /// Every bad row, located (`file:line`).
    pub problems: Vec<Diagnostic>,
}

/// What `mandate export` and the Frameworks page's export buttons write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportRequest {
    /// `csv`, `json`, `oscal`, `md` or `html`.
    pub format: String,
    /// One framework's id; `null` for all.
    pub framework: Option<String>,
    /// For `csv`: `alignment` (Framework | Control / Reference | Relevance) or `matrix`
    /// (item × control × policy × evidence, the default).
    pub table: Option<String>,
    /// The file to write (atomically). For `oscal`, the component-definition; the derived
    /// framework catalogs are written beside it.
    pub out: String,
}

/// The files an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportResult {
    /// Paths written, the requested file first.
    pub files: Vec<String>,
}

/// The workspace's controls merged with the built-in library, sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ControlsView {
    pub controls: Vec<ControlStatus>,
    /// Problems reading `controls/controls.toml`.
    pub diagnostics: Vec<Diagnostic>,
}

/// What the Simulate page replays: a stored set, two sides, an optional time window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReplayRequest {
    pub set: String,
    /// A policy file or folder, `git:REV`; `null` for `git:HEAD`.
    pub baseline: Option<String>,
    /// A policy file or folder, `git:REV`; `null` for the working copy.
    pub candidate: Option<String>,
    /// RFC 3339 or a span back from now (`7d`, `12h`, `30m`).
    pub since: Option<String>,
    pub until: Option<String>,
}

/// Progress of a running replay (event `replay-progress`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReplayProgress {
    #[ts(type = "number")]
    pub run_id: i64,
    /// Requests replayed so far.
    #[ts(type = "number")]
    pub done: u64,
    /// Requests in the set's window.
    #[ts(type = "number")]
    pub total: u64,
}

/// A long operation that reports [`OperationProgress`] and stops on its cancel flag (replays
/// and imports have their own events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Operation {
    Insights,
    TaskTimeline,
    AgentInsights,
    Coverage,
    ExportCoverage,
    BundleBuild,
    BundleGates,
}

impl Operation {
    /// How a message names it: `the insights analysis was cancelled`.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Insights => "insights analysis",
            Self::TaskTimeline => "task timeline",
            Self::AgentInsights => "agent insights analysis",
            Self::Coverage => "coverage computation",
            Self::ExportCoverage => "coverage export",
            Self::BundleBuild => "bundle build",
            Self::BundleGates => "gates check",
        }
    }
}

/// Progress of a long operation (event `operation-progress`): the phase it is in and how far
/// that phase got. A phase without a count has `total` 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OperationProgress {
    pub operation: Operation,
    /// What it is doing, e.g. `Reading recorded requests`.
    pub phase: String,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ReplayRunStatus {
    Running,
    Complete,
    Cancelled,
    Failed,
}

/// A stored replay run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReplayRun {
    #[ts(type = "number")]
    pub id: i64,
    pub set: String,
    /// As given: `git:REV`, a path, or `working copy`.
    pub baseline: String,
    pub candidate: String,
    pub since: Option<String>,
    pub until: Option<String>,
    /// `sha256:` of each side's policies (ids and text), so a review can tell when they moved.
    pub baseline_digest: Option<String>,
    pub candidate_digest: Option<String>,
    pub actor: String,
    pub started_at: String,
    pub completed_at: Option<String>,
    pub status: ReplayRunStatus,
    pub summary: SimulateSummary,
    pub report: ReplayReport,
    /// `sha256:` of the result lines in order (DESIGN.md §4's JSON Lines shape).
    pub digest: Option<String>,
}

/// Which results a page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResultFilter {
    pub changed_only: bool,
    pub errors_only: bool,
    /// Case-insensitive substring of the request id, principal, action or resource.
    pub search: Option<String>,
}

/// One replayed request in a results page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResultRow {
    /// Position in the run (0-based, the set's order).
    #[ts(type = "number")]
    pub seq: i64,
    /// The record's id, else `line:N`.
    pub id: String,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub time: Option<String>,
    pub recorded: Option<String>,
    pub baseline: SideResult,
    pub candidate: SideResult,
    pub changed: bool,
    /// A changed decision acknowledged in the run's review.
    pub acknowledged: bool,
}

/// A page of a run's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResultPage {
    /// Results matching the filter, in all pages.
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub offset: u64,
    pub rows: Vec<ResultRow>,
}

/// A review record with what the app shows beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Review {
    /// The file's stem: `reviews/NAME.toml`.
    pub name: String,
    /// Workspace-relative path.
    pub path: String,
    pub record: ReviewFile,
    /// The latest verdict.
    pub verdict: Option<Verdict>,
    /// The candidate's policies changed since the review was opened (it cannot be approved).
    pub stale: bool,
    /// Groups of changed decisions not yet acknowledged.
    #[ts(type = "number")]
    pub unacknowledged: u64,
}

/// What `insights` analyses: a stored set (the newest when `None`) within a time window
/// (RFC 3339 or a span like `7d`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InsightsQuery {
    pub set: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

/// An agent's page: its activity and findings in the newest set, and its newest requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentInsights {
    /// The set read (`None` when nothing was imported yet).
    pub set: Option<String>,
    /// `None` when the agent made no request in the set.
    pub activity: Option<AgentActivity>,
    pub findings: Vec<InsightFinding>,
    /// Newest first.
    pub recent: Vec<TaskStep>,
}

pub use crate::bundle::evidence::{
    Acknowledgements, Analysis as AnalysisEvidence, Coverage as CoverageEvidence, CoverageLine,
    Replay as ReplayEvidence, ReviewRef, Scope, TouchedAgent, Validation as ValidationEvidence,
};
pub use crate::bundle::gates::Gate;
pub use crate::bundle::manifest::{
    Author as BundleAuthor, FileEntry as BundleFileEntry, Manifest as BundleManifest,
};
pub use crate::bundle::sign::{LocalKey, Role as SignatureRole};
pub use crate::bundle::verify::{SignatureCheck, Verification};
pub use crate::bundle::BundleProblem;

/// How a key listed in (or proposed for) `mandate.toml` stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum KeyTrust {
    /// The workspace's first key, trusted without approvals.
    First,
    /// Trusted through approvals by already-trusted keys.
    Trusted,
    /// Trusted, with a removal awaiting approvals.
    RemovalPending,
    /// Proposed in `keys/trust.json`, awaiting approvals; not listed yet.
    Pending,
    /// Listed in `mandate.toml` without the approvals that make it count (e.g. added by
    /// hand): its signatures do not count.
    Unapproved,
}

/// A trusted or proposed key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrustedKeyView {
    pub id: String,
    pub short_id: String,
    pub owner: String,
    pub status: KeyTrust,
    pub added_at: Option<String>,
    /// Owners of the trusted keys that approved (the change pending, for a removal).
    pub approvals: Vec<String>,
    /// Approvals the change needs.
    pub needed: u32,
    /// Its private key is on this machine.
    pub local: bool,
}

/// `mandate keys list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KeysView {
    /// Where this machine's private keys are.
    pub keys_dir: String,
    pub local: Vec<LocalKey>,
    pub keys: Vec<TrustedKeyView>,
    /// `mandate.toml` problems with trust, located (a `first = true` that the trust log does
    /// not bear out: that key is not trusted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Diagnostic>>", optional)]
    pub problems: Vec<Diagnostic>,
}

/// `mandate keys trust KEY [--owner O] [--remove] [--key SIGNER]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrustKeyRequest {
    pub key: String,
    pub owner: Option<String>,
    pub remove: bool,
    /// The local key that signs the approval (name or id); `None` picks the only one.
    pub signer: Option<String>,
    pub comment: String,
}

/// What a trust change did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrustOutcome {
    pub key: String,
    pub owner: String,
    /// `mandate.toml` changed (the key is now trusted, or removed).
    pub applied: bool,
    pub approvals: u32,
    pub needed: u32,
    pub message: String,
}

/// `mandate bundle build`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BuildRequest {
    /// Semantic version; `None` takes the next minor version after the last published.
    pub version: Option<String>,
    /// What changed, in the author's words.
    pub summary: String,
    /// A directory, or a `.mandate-bundle` zip; `None` writes `.mandate/drafts/VERSION/`.
    pub out: Option<String>,
    /// The author's key (name or id); `None` picks the only one.
    pub key: Option<String>,
    /// The request set the evidence replays; `None` takes the newest.
    pub set: Option<String>,
    /// Sign it right away as its author.
    pub sign: bool,
    /// Why a lower coverage than the published bundle's is accepted.
    pub accept_coverage_drop: Option<String>,
    /// Why a change the analysis finds more permissive than the published bundle is
    /// accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub accept_more_permissive: Option<String>,
}

/// A bundle on disk, read and verified, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BundleView {
    pub path: String,
    pub hash: String,
    pub manifest: BundleManifest,
    pub verification: Verification,
    pub scope: Option<Scope>,
    /// Valid approvals it needs: its recorded count, at no less than this workspace's count
    /// for its tier today (critical when it records no scope).
    pub required_approvals: u32,
    pub validation: Option<ValidationEvidence>,
    pub replay: Option<ReplayEvidence>,
    pub coverage: Option<CoverageEvidence>,
    pub review: Option<ReviewRef>,
    pub acknowledgements: Acknowledgements,
    /// The symbolic analysis against the published bundle (bundles built before it have
    /// none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub analysis: Option<AnalysisEvidence>,
}

/// How a parent link checks out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChainStatus {
    /// The first bundle: no parent.
    Root,
    /// The parent is a published bundle of this workspace, intact.
    Linked,
    /// No published bundle here has the parent's hash.
    UnknownParent,
    /// Verified outside a workspace: the chain was not checked.
    NotChecked,
}

/// `mandate bundle verify`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyReport {
    pub path: String,
    pub verification: Verification,
    /// Its recorded count (`evidence/scope.json`), at no less than this workspace's count for
    /// its tier today; `None` when the bundle could not be read.
    pub required_approvals: Option<u32>,
    pub approved: bool,
    pub chain: ChainStatus,
    pub chain_detail: String,
    /// Every reason verification fails (approvals short counts only with
    /// `require_approved`).
    pub problems: Vec<BundleProblem>,
    pub ok: bool,
}

/// `mandate bundle publish` (and its dry run, the gates checklist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GateReport {
    pub version: String,
    pub hash: String,
    pub gates: Vec<Gate>,
    pub passed: bool,
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Published {
    pub version: String,
    pub hash: String,
    /// Workspace-relative: `bundles/VERSION`.
    pub path: String,
    /// The copy made with `--to`.
    pub copied_to: Option<String>,
    pub gates: Vec<Gate>,
}

/// A published bundle in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BundleEntry {
    pub version: String,
    pub hash: String,
    pub parent: Option<String>,
    pub created_at: String,
    pub author: String,
    pub summary: String,
    pub approvals: u32,
    /// As [`BundleView::required_approvals`].
    pub required_approvals: u32,
    /// When and by whom it was published here (`None` when it came through git).
    pub published_at: Option<String>,
    pub published_by: Option<String>,
    /// Intact, signed, approved, and linked to its parent.
    pub verified: bool,
    pub problems: Vec<String>,
}

/// One policy's change between two bundles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PolicyChange {
    pub id: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The line diff, `before` to `after`.
    pub lines: Vec<DiffLine>,
}

/// A line of a text diff: `kind` is ` ` (both), `-` (before only) or `+` (after only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiffLine {
    pub kind: String,
    pub text: String,
}

/// The policy text diff between two bundles (the decision diff is a replay with
/// `@bundle:FROM` and `@bundle:TO` as its sides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BundleDiff {
    pub from: String,
    pub to: String,
    pub policies: Vec<PolicyChange>,
    /// Policies the same on both sides.
    pub unchanged: u32,
}
