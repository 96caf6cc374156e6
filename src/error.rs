//! The crate's error type and the stable codes the UI branches on.
//!
//! Each domain module has its own error enum; [`Error`] wraps them, and every variant maps
//! to an [`ErrorCode`] that crosses IPC unchanged. Messages are lowercase with user input in
//! backticks; extra sentences go into `help` (DESIGN.md §6).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::diagnostics::Diagnostic;

/// Stable error codes. Never rename a variant: the UI and scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The folder is not a Mandate workspace (no `mandate.toml`).
    WorkspaceNotFound,
    /// `init` into a folder that already holds a workspace.
    WorkspaceExists,
    /// `mandate.toml` does not parse or has invalid values.
    ConfigInvalid,
    /// Reading or writing a file failed.
    Io,
    /// A path given by the caller leaves the workspace.
    PathOutsideWorkspace,
    /// The SQLite store failed.
    Store,
    /// Another Mandate process (the app or the CLI) held the database's lock for longer than
    /// the busy timeout; trying again later succeeds.
    Busy,
    /// Policies or the schema have errors (details in `diagnostics`).
    PolicyInvalid,
    /// The file watcher could not start.
    Watch,
    /// An argument is malformed.
    InvalidArgument,
    /// An inventory edit or import is invalid (details in `diagnostics`); nothing was written.
    InventoryInvalid,
    /// The named agent (or record) does not exist.
    NotFound,
    /// A lifecycle transition was refused by its guards.
    LifecycleRefused,
    /// An import file could not be read as the format it claims.
    ImportInvalid,
    /// The user cancelled a long operation; nothing of it was kept.
    Cancelled,
    /// A review refused the step (e.g. approving with unacknowledged changes).
    ReviewRefused,
    /// `controls/controls.toml` or a framework file is invalid (details in `diagnostics`).
    ControlsInvalid,
    /// A bundle failed verification, or a bundle archive was refused as hostile.
    BundleInvalid,
    /// `bundle publish` refused: a gate failed (each gate's result in the message's report).
    GateFailed,
    /// A key is missing, unreadable, not trusted, or a trust change was refused.
    KeyRefused,
    /// No SMT solver could be started for the analysis (what was tried is in the message).
    SolverUnavailable,
    /// A save named a revision the file no longer has: it changed on disk since it was
    /// opened. Nothing was written; re-read the file for its current text and revision.
    EditConflict,
    /// A bug: it should never reach a user.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WorkspaceNotFound => "workspace_not_found",
            Self::WorkspaceExists => "workspace_exists",
            Self::ConfigInvalid => "config_invalid",
            Self::Io => "io",
            Self::PathOutsideWorkspace => "path_outside_workspace",
            Self::Store => "store",
            Self::Busy => "busy",
            Self::PolicyInvalid => "policy_invalid",
            Self::Watch => "watch",
            Self::InvalidArgument => "invalid_argument",
            Self::InventoryInvalid => "inventory_invalid",
            Self::NotFound => "not_found",
            Self::LifecycleRefused => "lifecycle_refused",
            Self::ImportInvalid => "import_invalid",
            Self::Cancelled => "cancelled",
            Self::ReviewRefused => "review_refused",
            Self::ControlsInvalid => "controls_invalid",
            Self::BundleInvalid => "bundle_invalid",
            Self::GateFailed => "gate_failed",
            Self::KeyRefused => "key_refused",
            Self::SolverUnavailable => "solver_unavailable",
            Self::EditConflict => "edit_conflict",
            Self::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Any error the core returns.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Workspace(#[from] crate::workspace::WorkspaceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Watch(#[from] crate::watch::WatchError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Io(#[from] IoError),
}

impl Error {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::Workspace(e) => e.error_code(),
            Self::Store(e) => e.error_code(),
            Self::Watch(_) => ErrorCode::Watch,
            Self::Io(_) => ErrorCode::Io,
        }
    }

    /// The `help` text, when the error has one.
    pub fn help(&self) -> Option<String> {
        miette::Diagnostic::help(self).map(|h| h.to_string())
    }

    /// File-located problems carried by the error (e.g. every bad key of `mandate.toml`).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Self::Workspace(e) => e.diagnostics(),
            _ => Vec::new(),
        }
    }
}

/// An I/O failure on a named path.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot {action} `{path}`: {source}")]
#[diagnostic(
    code(mandate::io),
    help("check that the path exists and that you may read and write it")
)]
pub struct IoError {
    pub action: &'static str,
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

impl IoError {
    pub fn new(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Self {
            action,
            path: path.display().to_string(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
