//! Data transfer objects: the only types that cross IPC and reach the CLI's JSON output.
//!
//! Cedar and rusqlite types never appear here; `api` converts them. Every type derives
//! `ts_rs::TS` and is exported to `ui/src/bindings/` (committed; CI fails when it drifts).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use super::policies::TestRequest;
pub use crate::diagnostics::{Diagnostic, Severity};
pub use crate::error::ErrorCode;
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
pub use crate::replay::simulate::{ReplayLine, SideResult, SimulateSummary};
pub use crate::store::{AuditEntry, Count, RequestSetSummary, RequestStats};
pub use crate::watch::{Change, ChangeKind};

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

/// The workspace's controls merged with the built-in library, sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ControlsView {
    pub controls: Vec<ControlStatus>,
    /// Problems reading `controls/controls.toml`.
    pub diagnostics: Vec<Diagnostic>,
}
