//! Traffic insights: what agents actually did, read from a stored request set and joined with
//! the inventory and the current policies.
//!
//! One streaming pass over the set ([`Scan`]) keeps only per-agent, per-resource, per-task and
//! per-hour tallies (memory grows with distinct agents, resources and tasks, never with the
//! number of requests) and turns them into coded [`Finding`]s:
//! - **shadow** principals: agents absent from the inventory, or not active yet acting (after
//!   the audit log's lifecycle change when there is one);
//! - **scope**: tools, datasets, models and delegations outside an agent's declared lists, and
//!   resources missing from the inventory;
//! - **unused grants**: what the current policies permit an active agent over the inventory
//!   (Cedar evaluates each agent × resource × action under a compliant context, through the
//!   scope index) that no request in the window used ([`grants`]);
//! - **deny-retry bursts**: `retry_denies` denies of the same agent, action and resource within
//!   `retry_window_seconds`;
//! - **chains** within one `task_id`: environments crossed, more systems than
//!   `max_systems_per_task`, a climb in sensitivity beyond `max_sensitivity_climb`, more
//!   delegation hops than `max_delegation_depth`; and requests carrying a
//!   `context.delegation_depth` over it;
//! - **credential hygiene**: TTLs over the agent's ceiling, credentials without attestation;
//! - **logging**: requests without a task id, and how many carry each context field the
//!   policies read.
//!
//! A task's requests in order are its [`TaskTimeline`].

pub mod grants;
mod render;
mod scan;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::workspace::InsightsConfig;

pub use render::{csv, html, human};
pub use scan::{context_fields, ContextField, Scan, ScanInputs};

/// The caller's cancel flag stopped the work; nothing of it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Parses `low|medium|high|critical`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SubjectKind {
    Agent,
    Tool,
    Dataset,
    Model,
    Task,
    Workspace,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Tool => "tool",
            Self::Dataset => "dataset",
            Self::Model => "model",
            Self::Task => "task",
            Self::Workspace => "workspace",
        }
    }
}

/// Where a finding is fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Fix {
    /// `inventory`, `policy`, `control` or `traffic` (the recording side must change).
    pub kind: String,
    /// Workspace-relative file to edit, when one is known.
    pub file: Option<String>,
    /// The field of that file (e.g. `tools`), for the UI to focus.
    pub field: Option<String>,
    /// Ids of the policies involved (e.g. those that allowed the requests).
    pub policies: Vec<String>,
    /// The library control this finding is evidence for.
    pub control: Option<String>,
    /// What to do, in one sentence.
    pub hint: String,
}

/// One coded finding of `mandate insights`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "InsightFinding")]
pub struct Finding {
    /// Stable code from [`CATALOG`], e.g. `shadow.unregistered`.
    pub code: String,
    pub level: Level,
    /// One line: what was seen.
    pub title: String,
    pub subject_kind: SubjectKind,
    /// The agent, tool, dataset, model or task id (`""` for the workspace).
    pub subject: String,
    /// The agent involved, when there is one (for filtering).
    pub agent: Option<String>,
    /// That agent's owner team in the inventory.
    pub team: Option<String>,
    /// Requests behind the finding (for `grant.unused`: unused grants).
    #[ts(type = "number")]
    pub count: u64,
    /// Of those, how many were recorded as allowed.
    #[ts(type = "number")]
    pub allowed: u64,
    /// Of those, how many were recorded as denied (the rest carry no decision). Both counts
    /// are 0 for findings that do not count decisions (`chain.*`, `logging.*`, `grant.unused`).
    #[ts(type = "number")]
    pub denied: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Up to five request ids (`line:N` for records without one).
    pub examples: Vec<String>,
    /// Details, one per line (e.g. each unused grant, each task and what it crossed).
    pub items: Vec<String>,
    /// Tasks involved (up to 20), for their timelines.
    pub tasks: Vec<String>,
    pub fix: Fix,
}

/// The finding codes: code, the worst level it takes, what it means, the control it is
/// evidence for (from the built-in library).
pub const CATALOG: &[(&str, Level, &str, Option<&str>)] = &[
    (
        "shadow.unregistered",
        Level::Critical,
        "an agent acted that is not in the inventory",
        Some("MND-ID-01"),
    ),
    (
        "shadow.inactive",
        Level::Critical,
        "an agent acted while not active (draft, approved, suspended or retired)",
        Some("MND-LIFECYCLE-01"),
    ),
    (
        "scope.tool",
        Level::Critical,
        "an agent used a tool outside its declared tools",
        Some("MND-AUTHZ-01"),
    ),
    (
        "scope.dataset",
        Level::Critical,
        "an agent used a dataset outside its declared datasets",
        Some("MND-AUTHZ-01"),
    ),
    (
        "scope.model",
        Level::High,
        "an agent used a model outside its declared models",
        Some("MND-AUTHZ-01"),
    ),
    (
        "scope.delegate",
        Level::High,
        "an agent delegated to an agent outside its declared delegates",
        Some("MND-DELEG-01"),
    ),
    (
        "scope.unknown_resource",
        Level::High,
        "a request named a tool, dataset, model or agent missing from the inventory",
        Some("MND-AUTHZ-01"),
    ),
    (
        "grant.unused",
        Level::Medium,
        "the policies permit an agent more than the traffic used (least privilege)",
        Some("MND-AUTHZ-01"),
    ),
    (
        "retry.burst",
        Level::High,
        "an agent retried a denied request many times in a short window",
        Some("MND-AUTHZ-01"),
    ),
    (
        "chain.environments",
        Level::High,
        "one task crossed environments (e.g. dev and prod)",
        Some("MND-ENV-01"),
    ),
    (
        "chain.systems",
        Level::Medium,
        "one task touched more systems than the bound",
        Some("MND-CRED-02"),
    ),
    (
        "chain.sensitivity",
        Level::High,
        "one task climbed in sensitivity beyond the bound",
        Some("MND-STEPUP-01"),
    ),
    (
        "chain.delegation_depth",
        Level::High,
        "one task delegated through more hops than the bound",
        Some("MND-DELEG-03"),
    ),
    (
        "delegation.depth",
        Level::High,
        "an agent acted at a delegation depth (context.delegation_depth) over the bound",
        Some("MND-DELEG-03"),
    ),
    (
        "credential.ttl_over_ceiling",
        Level::High,
        "a credential lifetime over the agent's ceiling was requested",
        Some("MND-CRED-01"),
    ),
    (
        "credential.unattested",
        Level::Critical,
        "a credential was requested without attestation",
        Some("MND-CRED-03"),
    ),
    (
        "logging.missing_task_id",
        Level::Medium,
        "requests were recorded without a task id",
        Some("MND-LOG-01"),
    ),
    (
        "logging.incomplete",
        Level::Medium,
        "requests lack context fields the policies read",
        Some("MND-LOG-01"),
    ),
];

/// The control a code is evidence for.
pub fn control_of(code: &str) -> Option<&'static str> {
    CATALOG
        .iter()
        .find(|(c, ..)| *c == code)
        .and_then(|(.., control)| *control)
}

/// Findings per code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CodeCount {
    pub code: String,
    #[ts(type = "number")]
    pub findings: u64,
}

/// How many requests carry one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldCoverage {
    /// `task_id`, `time`, `decision`, `context`, or `context.NAME`.
    pub field: String,
    /// Requests carrying it (of those expected to).
    #[ts(type = "number")]
    pub present: u64,
    /// Requests expected to carry it: every request, or for `context.NAME` the requests of
    /// the actions its reading policies apply to.
    #[ts(type = "number")]
    pub expected: u64,
    /// Those actions (empty: any action).
    pub actions: Vec<String>,
    /// Every policy reading it tests `context has NAME` first.
    pub optional: bool,
    /// Policies that read the field (for `context.NAME`).
    pub read_by: Vec<String>,
}

impl FieldCoverage {
    /// A field of the record itself, expected on every request.
    pub fn record(field: &str, present: u64, requests: u64) -> Self {
        Self {
            field: field.to_owned(),
            present,
            expected: requests,
            actions: Vec::new(),
            optional: false,
            read_by: Vec::new(),
        }
    }
}

/// Logging completeness: evidence for the "every decision logged with task context" control.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Logging {
    #[ts(type = "number")]
    pub requests: u64,
    pub fields: Vec<FieldCoverage>,
}

/// One time bucket of activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Bucket {
    /// RFC 3339 start of the bucket.
    pub start: String,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub denies: u64,
}

/// One agent's requests per bucket (same buckets as [`Activity::buckets`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentSeries {
    pub agent: String,
    #[ts(type = "number[]")]
    pub counts: Vec<u64>,
}

/// Activity over time: every request, and the busiest agents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Activity {
    /// `hour`, `day` or `week`: chosen so the window has at most ~100 buckets.
    pub unit: String,
    pub buckets: Vec<Bucket>,
    /// The busiest agents (up to 8), by requests.
    pub agents: Vec<AgentSeries>,
    /// Requests without a time (not in any bucket).
    #[ts(type = "number")]
    pub untimed: u64,
}

/// One agent's activity in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentActivity {
    pub agent: String,
    /// Owner team, when the agent is in the inventory.
    pub team: Option<String>,
    /// Lifecycle in the inventory (`None`: not in the inventory).
    pub lifecycle: Option<String>,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub denies: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Distinct tools, datasets, models and agents it named.
    #[ts(type = "number")]
    pub resources: u64,
}

/// One tool's use in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ToolUse {
    pub tool: String,
    pub system: Option<String>,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub denies: u64,
    #[ts(type = "number")]
    pub agents: u64,
}

/// Everything `mandate insights` found in one set and window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InsightsReport {
    pub set: String,
    pub since: Option<String>,
    pub until: Option<String>,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub denies: u64,
    /// Distinct principals that are agents.
    #[ts(type = "number")]
    pub agents: u64,
    #[ts(type = "number")]
    pub tasks: u64,
    /// Requests whose principal is not an agent (not analysed per agent).
    #[ts(type = "number")]
    pub other_principals: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Worst first, then by code and subject.
    pub findings: Vec<Finding>,
    pub by_code: Vec<CodeCount>,
    pub logging: Logging,
    pub activity: Activity,
    /// Every agent seen, busiest first.
    pub agent_activity: Vec<AgentActivity>,
    /// The most used tools (up to 20).
    pub top_tools: Vec<ToolUse>,
    /// The thresholds used (`[insights]` in `mandate.toml`).
    pub thresholds: InsightsConfig,
    /// What could not be analysed, and why (e.g. unused grants under a hand-written schema).
    pub notes: Vec<String>,
}

impl InsightsReport {
    /// Whether any finding is at `level` or worse.
    pub fn has_level(&self, level: Level) -> bool {
        self.findings.iter().any(|f| f.level >= level)
    }
}

/// One request of a task, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TaskStep {
    /// The record's id (`line:N` without one).
    pub id: String,
    pub time: Option<String>,
    pub agent: String,
    pub action: String,
    pub resource_type: String,
    pub resource: String,
    /// The tool's system, when the resource is an inventory tool.
    pub system: Option<String>,
    /// The resource's environment in the inventory, else the request's `context.env`.
    pub environment: Option<String>,
    /// Tool sensitivity or dataset classification, when known.
    pub sensitivity: Option<String>,
    #[ts(type = "number | null")]
    pub delegation_depth: Option<i64>,
    /// `context.on_behalf_of`, when the agent acted for a human.
    pub on_behalf_of: Option<String>,
    /// What production decided (`None` when not recorded).
    pub recorded: Option<String>,
    pub recorded_reasons: Vec<String>,
    /// What the current policies decide.
    pub current: Option<String>,
    pub current_reasons: Vec<String>,
    /// Why the current decision could not be computed, when it could not.
    pub current_error: Option<String>,
}

/// A task's path, reconstructed from its requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TaskTimeline {
    pub set: String,
    pub task: String,
    pub steps: Vec<TaskStep>,
    /// Agents in order of first appearance.
    pub agents: Vec<String>,
    /// Delegation hops (`from → to`) in order.
    pub hops: Vec<String>,
    pub systems: Vec<String>,
    pub environments: Vec<String>,
    /// The findings about this task.
    pub findings: Vec<Finding>,
}
