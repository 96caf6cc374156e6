//! The one surface every shell calls: the CLI, the Tauri commands and the tests.
//!
//! A function (or [`Session`] method) per user action; arguments and results are DTOs from
//! [`dto`], errors are [`ApiError`]s with a stable code. Domain modules never call `api`.

mod agents;
mod analysis;
mod audit;
mod bundles;
mod dashboard;
mod demo;
pub mod dto;
mod explain;
mod framework_import;
mod frameworks;
#[doc(hidden)]
pub mod fuzzing;
mod insights;
mod keys;
mod policies;
mod progress;
mod replay;
mod requests;
mod reviews;
pub mod settings;

pub use crate::analysis::access::{short_uid, Access, AccessEntry};
pub use crate::analysis::{EnvironmentDiff, Problem, Relation};
/// How a file inside a bundle is named to people (`ARCHIVE!/entry`, `FOLDER/entry`).
pub use crate::bundle::archive::shown as bundle_entry_shown;
/// A key id shortened for display (`ed25519:c71c…`).
pub use crate::bundle::sign::short_id as short_key_id;
pub use agents::{agents_csv, ExportKind, ImportKind, SaveMode};
pub use analysis::{
    analyze_files, AccessRequest, AccessReview, AgentAccessReview, Analysis, AnalyzeFiles,
    AnalyzeRequest, LocatedFinding,
};
pub use audit::{audit_csv, audit_limit, AUDIT_CSV_HEADER, AUDIT_MAX_PAGE, AUDIT_PAGE};
pub use bundles::{read_bundle, BUNDLES_DIR, DRAFTS_DIR};
pub use demo::{
    demo_traffic, write_demo, write_demo_traffic, DemoMistake, DemoOptions, DemoWritten,
    TrafficSummary, DEMO_DEFAULT_REQUESTS, DEMO_DEFAULT_SEED, DEMO_DEFAULT_SET, DEMO_MAX_REQUESTS,
    DEMO_PREVIOUS_REVISION, DEMO_TRAFFIC_FILE,
};
pub use explain::{explain_files, find_record};
pub use keys::{generate_key, key_store, local_keys, TRUST_LOG};
pub use progress::OperationHooks;
pub use replay::{run_header, ReplayHooks, ReplayOptions};
pub use reviews::AckTarget;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use serde_json::json;

use crate::diagnostics::Diagnostic;
use crate::error::{Error, ErrorCode};
use crate::policy::{self, PolicyReport, StatementKind};
use crate::store::{AuditFilter, Db, NewAuditEntry};
use crate::watch;
use crate::workspace::{self, Workspace};

pub use crate::diagnostics::is_hidden_char;
/// The stack size for threads that run Cedar work (see `policy::guard`).
pub use crate::policy::guard::STACK_SIZE as CEDAR_STACK_SIZE;
pub use dto::ApiError;
pub use watch::WatchHandle;

pub type ApiResult<T> = Result<T, ApiError>;

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self {
            code: e.error_code(),
            message: e.to_string(),
            help: e.help(),
            diagnostics: e.diagnostics(),
        }
    }
}

macro_rules! into_api_error {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                Error::from(e).into()
            }
        }
    )*};
}
into_api_error!(
    workspace::WorkspaceError,
    crate::store::StoreError,
    watch::WatchError
);

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>, help: Option<&str>) -> Self {
        Self {
            code,
            message: message.into(),
            help: help.map(str::to_owned),
            diagnostics: Vec::new(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// Gives the worker threads that replay and analyse (rayon's global pool) the stack Cedar
/// needs for the deepest text `policy::guard` admits. Call once at start-up, before any
/// replay; a pool that already exists is left as it is.
pub fn configure_worker_threads() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(CEDAR_STACK_SIZE)
        .build_global();
}

/// Who is acting, for the audit log: `MANDATE_ACTOR`, else `git config user.email`, else
/// the login name (the app puts its own setting first: [`settings::actor`]).
pub fn current_actor() -> String {
    settings::default_actor().0
}

/// Creates a workspace in `dir` and its database; records `workspace.init` in the audit log.
pub fn init_workspace(
    dir: &Path,
    name: &str,
    namespace: &str,
    actor: &str,
) -> ApiResult<dto::WorkspaceInfo> {
    let ws = Workspace::init(dir, name, namespace)?;
    let db = Db::open(&ws.db_path())?;
    let after = json!({ "name": name, "namespace": namespace });
    db.audit(&NewAuditEntry {
        at: Utc::now(),
        actor,
        action: "workspace.init",
        subject: "workspace",
        before: None,
        after: Some(&after),
    })?;
    Ok(info(&ws))
}

/// Validates the policies of the workspace in `dir` (strictly, when it has a schema).
pub fn validate_dir(dir: &Path) -> ApiResult<dto::ValidationReport> {
    Ok(Session::open(dir)?.validate())
}

/// An open workspace, as a shell holds it between calls.
///
/// Clones share one policy [`Checker`](policy::Checker): revalidating after an edit
/// re-parses and re-validates only the files that changed.
#[derive(Debug, Clone)]
pub struct Session {
    workspace: Workspace,
    checker: Arc<Mutex<policy::Checker>>,
    /// The last insights report and what it was computed from.
    insights_cache: Arc<Mutex<insights::InsightsCache>>,
    /// Which policies decided the newest recorded set, and what that was computed from.
    fired_cache: Arc<Mutex<frameworks::FiredCache>>,
}

impl Session {
    pub fn open(dir: &Path) -> ApiResult<Self> {
        Ok(Self {
            workspace: Workspace::open(dir)?,
            checker: Arc::default(),
            insights_cache: Arc::default(),
            fired_cache: Arc::default(),
        })
    }

    pub fn root(&self) -> &Path {
        self.workspace.root()
    }

    /// A path a shell was handed (relative to the workspace, or absolute under its root) as
    /// an absolute path confined to the workspace; `path_outside_workspace` for `..`, a
    /// symlink leading out, or anything else outside.
    pub fn resolve_path(&self, path: &Path) -> ApiResult<PathBuf> {
        Ok(self.workspace.resolve_path(path)?)
    }

    pub fn info(&self) -> dto::WorkspaceInfo {
        info(&self.workspace)
    }

    /// Re-reads `mandate.toml` (it may have been edited outside the app) and describes the
    /// workspace as it is now; a config that no longer parses is a `config_invalid` error.
    pub fn reload_info(&self) -> ApiResult<dto::WorkspaceInfo> {
        Ok(info(&Workspace::open(self.workspace.root())?))
    }

    /// Loads every policy file, validates it against the workspace schema and lints it;
    /// every problem is in the report.
    pub fn validate(&self) -> dto::ValidationReport {
        let mut report = self.check_policies(policy::read_sources(self.root()));
        self.add_lints(&mut report, None);
        report_dto(&report)
    }

    /// Checks policy sources against the workspace schema, with the workspace's settings and
    /// the session's cache.
    pub(crate) fn check_policies(&self, sources: policy::Sources) -> PolicyReport {
        let schema = self.schema_text().ok();
        let config = self.workspace.config();
        let settings = policy::Settings {
            schema: schema.as_deref(),
            max_deref_level: config.validation.max_deref_level,
            namespace: Some(&config.namespace),
        };
        match self.checker.lock() {
            Ok(mut checker) => checker.check(sources, &settings),
            // A panic mid-check left the cache unknown: check without it.
            Err(_) => policy::Checker::default().check(sources, &settings),
        }
    }

    /// Appends the lint warnings (fail-open forbids, unknown entities …) to a report; with
    /// `only`, for that file alone.
    pub(crate) fn add_lints(&self, report: &mut PolicyReport, only: Option<&str>) {
        let (inv, _) = crate::inventory::load(self.root());
        let mut known = policy::KnownEntities::new();
        known.insert(
            "Agent",
            inv.agents.iter().map(|a| a.agent.id.clone()).collect(),
        );
        known.insert(
            "Human",
            inv.people.humans.iter().map(|h| h.id.clone()).collect(),
        );
        known.insert(
            "Team",
            inv.people.teams.iter().map(|t| t.id.clone()).collect(),
        );
        known.insert(
            "Tool",
            inv.resources.tools.iter().map(|t| t.id.clone()).collect(),
        );
        known.insert(
            "ToolGroup",
            inv.resources
                .tool_groups
                .iter()
                .map(|t| t.id.clone())
                .collect(),
        );
        known.insert(
            "Dataset",
            inv.resources
                .datasets
                .iter()
                .map(|d| d.id.clone())
                .collect(),
        );
        known.insert(
            "Model",
            inv.resources.models.iter().map(|m| m.id.clone()).collect(),
        );
        let controls_text = self
            .workspace
            .read_file(crate::frameworks::CONTROLS_FILE)
            .ok();
        let controls: Option<std::collections::HashSet<String>> = controls_text.map(|t| {
            crate::frameworks::parse(crate::frameworks::CONTROLS_FILE, &t)
                .0
                .controls
                .into_iter()
                .map(|c| c.id)
                .collect()
        });
        let ctx = policy::LintContext {
            namespace: &self.workspace.config().namespace,
            entities: Some(&known),
            controls: controls.as_ref(),
            only,
        };
        let lints = policy::lint(report, &ctx);
        report.diagnostics.extend(lints);
        crate::diagnostics::sort(&mut report.diagnostics);
    }

    /// The entries of a workspace folder (`rel`); a folder that does not exist has none.
    pub(crate) fn dir_entries(&self, rel: &str) -> ApiResult<Vec<std::fs::DirEntry>> {
        match std::fs::read_dir(self.root().join(rel)) {
            Ok(entries) => Ok(entries.filter_map(Result::ok).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(ApiError::new(
                ErrorCode::Io,
                format!("cannot read `{rel}/`: {e}"),
                None,
            )),
        }
    }

    /// Reads a workspace file (path relative to the workspace, confined to it).
    pub fn read_file(&self, rel: &str) -> ApiResult<String> {
        Ok(self.workspace.read_file(rel)?)
    }

    /// Reads a workspace file for an editor: its text and its revision, which the editor's
    /// save names (see [`Session::save_policy`]).
    pub fn read_for_edit(&self, rel: &str) -> ApiResult<dto::FileText> {
        let (text, revision) = self.workspace.read_file_revision(rel)?;
        Ok(dto::FileText {
            path: rel.to_owned(),
            text,
            revision,
        })
    }

    /// Saves a policy file atomically and returns its new revision; the watcher will not
    /// report this save as an outside change. With `expected` (the revision the editor
    /// read, or `absent` for a new file), a file that changed on disk since is refused with
    /// `edit_conflict` and left as it is; `None` writes whatever is there (the CLI, which
    /// reads and writes in one go). Audited with the revisions before and after.
    pub fn save_policy(
        &self,
        rel: &str,
        text: &str,
        expected: Option<&str>,
        actor: &str,
    ) -> ApiResult<String> {
        if workspace::classify(Path::new(rel)) != Some(workspace::FileClass::Policy) {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("`{rel}` is not a policy file"),
                Some("policy files live under `policies/` and end in `.cedar`"),
            ));
        }
        let written = self
            .workspace
            .write_file_at(rel, text.as_bytes(), expected)?;
        let db = self.db()?;
        let before =
            (written.before != workspace::ABSENT).then(|| json!({ "sha256": written.before }));
        let after = json!({ "sha256": written.after });
        db.audit(&NewAuditEntry {
            at: Utc::now(),
            actor,
            action: "policy.save",
            subject: &format!("policy:{rel}"),
            before: before.as_ref(),
            after: Some(&after),
        })?;
        Ok(written.after)
    }

    /// The newest `limit` audit entries.
    pub fn audit_log(&self, limit: u32) -> ApiResult<Vec<dto::AuditEntry>> {
        Ok(self.db()?.audit_entries(&AuditFilter {
            subject: None,
            limit: Some(limit),
        })?)
    }

    /// Watches the workspace; `on_change` gets each batch of outside changes.
    pub fn watch<F>(&self, on_change: F) -> ApiResult<WatchHandle>
    where
        F: Fn(Vec<dto::Change>) + Send + Sync + 'static,
    {
        let handle = watch::watch(
            self.workspace.root(),
            self.workspace.fingerprints().clone(),
            move |changes| {
                on_change(changes);
                Ok(())
            },
        )?;
        Ok(handle)
    }

    pub(crate) fn db(&self) -> ApiResult<Db> {
        Ok(Db::open(&self.workspace.db_path())?)
    }
}

fn info(ws: &Workspace) -> dto::WorkspaceInfo {
    let config = ws.config();
    dto::WorkspaceInfo {
        root: ws.root().display().to_string(),
        name: config.name.clone(),
        namespace: config.namespace.clone(),
        schema_mode: config.schema.mode.as_str().to_owned(),
        has_schema: ws.schema_path().is_file(),
    }
}

pub(crate) fn hash_hex(bytes: &[u8]) -> String {
    workspace::revision(bytes)
}

fn report_dto(report: &PolicyReport) -> dto::ValidationReport {
    let count = |file: &str, sev| {
        let n = report
            .diagnostics
            .iter()
            .filter(|d: &&Diagnostic| d.file == file && d.severity == sev)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    let files = report
        .files
        .iter()
        .map(|f| dto::PolicyFile {
            path: f.path.clone(),
            policies: f
                .statements
                .iter()
                .map(|s| dto::PolicySummary {
                    id: s.id.clone(),
                    kind: match s.kind {
                        StatementKind::Permit => dto::PolicyKind::Permit,
                        StatementKind::Forbid => dto::PolicyKind::Forbid,
                        StatementKind::PermitTemplate => dto::PolicyKind::PermitTemplate,
                        StatementKind::ForbidTemplate => dto::PolicyKind::ForbidTemplate,
                    },
                    line: s.line,
                    control: s.control.clone(),
                    rationale: s.rationale.clone(),
                })
                .collect(),
            error_count: count(&f.path, dto::Severity::Error),
            warning_count: count(&f.path, dto::Severity::Warning),
        })
        .collect();
    let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    dto::ValidationReport {
        files,
        diagnostics: report.diagnostics.clone(),
        error_count: n(report.error_count()),
        warning_count: n(report.warning_count()),
        policy_count: n(report.statement_count()),
        links: report
            .links
            .iter()
            .map(|l| dto::LinkSummary {
                id: l.id.clone(),
                template: l.template.clone(),
                line: l.line,
            })
            .collect(),
        schema_used: report.schema_used,
    }
}

/// The name of a workspace's configuration file.
pub const CONFIG_FILE: &str = workspace::CONFIG_FILE;

/// Writes a command's output file atomically (exports, entities).
pub fn write_output_file(path: &Path, text: &str) -> ApiResult<()> {
    Ok(workspace::write_atomic(path, text.as_bytes())?)
}

/// Where the desktop app keeps its settings; the shell passes its config dir.
pub fn settings_path(config_dir: &Path) -> PathBuf {
    config_dir.join(settings::SETTINGS_FILE)
}

pub use crate::replay::html::{
    ChangedRow, ReportHeader, MAX_CHANGED_ROWS as HTML_MAX_CHANGED_ROWS,
};
pub use crate::replay::simulate::{ResultItem, SimulateFiles};
pub use frameworks::{coverage_only, coverage_text};
pub use insights::{insights_csv, insights_html, insights_text};

/// The replay report as one self-contained HTML page (no script, no external resource).
pub fn replay_html(
    header: &ReportHeader,
    replayed: &dto::Replayed,
    changed: &[ChangedRow],
    analysis: Option<&Analysis>,
) -> String {
    let rows: Option<Vec<crate::replay::html::AnalysisRow>> = analysis.map(|a| {
        a.environments
            .iter()
            .map(|e| crate::replay::html::AnalysisRow {
                environment: e.label(),
                relation: e.relation.as_str().to_owned(),
                example: e
                    .counterexamples
                    .first()
                    .map(|c| c.summary())
                    .or_else(|| e.problem.clone())
                    .unwrap_or_default(),
            })
            .collect()
    });
    crate::replay::html::render(
        header,
        &replayed.summary,
        &replayed.report,
        changed,
        rows.as_deref(),
    )
}

impl From<crate::replay::simulate::SimulateError> for ApiError {
    fn from(e: crate::replay::simulate::SimulateError) -> Self {
        use crate::replay::simulate::SimulateError as E;
        let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
        let (code, diagnostics) = match &e {
            E::Io { .. } => (ErrorCode::Io, Vec::new()),
            E::Policies { diagnostics, .. } => (ErrorCode::PolicyInvalid, diagnostics.clone()),
            E::Schema { .. } | E::Entities { .. } => (ErrorCode::InvalidArgument, Vec::new()),
            E::Replay(r) => (r.error_code(), Vec::new()),
            E::Cancelled => (ErrorCode::Cancelled, Vec::new()),
        };
        Self {
            code,
            message: e.to_string(),
            help,
            diagnostics,
        }
    }
}

/// Replays recorded requests from loose files against two policy sets (no workspace);
/// `each` gets every result in file order.
pub fn simulate(
    files: &SimulateFiles,
    each: &mut dyn FnMut(&ResultItem<'_>) -> std::io::Result<()>,
) -> ApiResult<dto::Replayed> {
    Ok(crate::replay::simulate::simulate_files(files, each)?)
}
