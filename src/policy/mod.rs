//! Cedar policies of a workspace: load `policies/**/*.cedar`, apply `@id`, validate.
//!
//! Files are read in sorted path order. A policy's id is its `@id` annotation, else
//! `policyN` where N counts every statement across the files in that order — the id Cedar
//! would give if the files were one text. Duplicate ids are an error naming both places.
//! Every problem in every file is reported; a file that fails to parse still lets the
//! others load and validate.

mod check;
mod diagnose;
mod format;
pub mod guard;
mod links;
mod lint;

use std::path::{Path, PathBuf};

use cedar_policy::PolicySet;

use crate::diagnostics::{Diagnostic, Severity};
use crate::workspace::{relative_to, POLICIES_DIR};

pub use check::{too_deep, Checker, Settings};
pub use diagnose::from_miette;
pub use format::format_text;
pub use links::{Link, LINKS_FILE};
pub use lint::{lint, KnownEntities, LintContext};

/// Cedar's statement kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    Permit,
    Forbid,
    PermitTemplate,
    ForbidTemplate,
}

/// One statement (policy or template) as found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub id: String,
    pub kind: StatementKind,
    /// Byte offset of the statement (annotations included) in its file.
    pub start: usize,
    /// Byte offset just past its `;`.
    pub end: usize,
    pub line: u32,
    pub control: Option<String>,
    pub rationale: Option<String>,
}

/// One `.cedar` file and its statements.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Workspace-relative, `/`-separated.
    pub path: String,
    pub text: String,
    pub statements: Vec<Statement>,
    /// Whether the file parsed.
    pub parsed: bool,
}

/// Everything known about a workspace's policies after loading and validating.
#[derive(Debug, Clone)]
pub struct PolicyReport {
    pub files: Vec<SourceFile>,
    /// The policies that loaded, with their final ids.
    pub set: PolicySet,
    pub diagnostics: Vec<Diagnostic>,
    /// Template-linked policies from `policies/links.toml`, in file order.
    pub links: Vec<Link>,
    /// Whether `schema.cedarschema` existed and parsed, so strict validation ran.
    pub schema_used: bool,
}

impl PolicyReport {
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// Policies and templates in the files, plus template links.
    pub fn statement_count(&self) -> usize {
        self.files.iter().map(|f| f.statements.len()).sum::<usize>() + self.links.len()
    }
}

/// Paths of `policies/**/*.cedar` under `root`, sorted by their relative path.
pub fn policy_paths(root: &Path) -> Result<Vec<(String, PathBuf)>, Box<Diagnostic>> {
    let dir = root.join(POLICIES_DIR);
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&dir).follow_links(false) {
        let entry = entry.map_err(|e| {
            let path = e
                .path()
                .and_then(|p| relative_to(root, p))
                .unwrap_or_else(|| POLICIES_DIR.to_owned());
            Diagnostic::whole_file(
                &path,
                Severity::Error,
                "io::read",
                format!("cannot read: {e}"),
                None,
            )
        })?;
        let path = entry.path();
        // Links are listed, not followed: reading checks where they lead (a link from git
        // may point out of the workspace). A link to a folder outside is listed so that
        // reading reports it; one to a folder inside adds nothing the walk does not see.
        let link = entry.file_type().is_symlink();
        if link && path.is_dir() {
            if let Some(rel) = relative_to(root, path)
                .filter(|rel| crate::diagnostics::link_out_of_workspace(rel, path).is_some())
            {
                out.push((rel, path.to_path_buf()));
            }
            continue;
        }
        if (entry.file_type().is_file() || link) && path.extension().is_some_and(|e| e == "cedar") {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with(crate::workspace::TEMP_PREFIX) {
                continue;
            }
            if let Some(rel) = relative_to(root, path) {
                out.push((rel, path.to_path_buf()));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The inputs of a check read from a workspace: the `.cedar` files, `policies/links.toml`
/// when present, and the problems met reading them.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `(workspace-relative path, text)`, any order.
    pub files: Vec<(String, String)>,
    /// The text of [`LINKS_FILE`].
    pub links: Option<String>,
    pub problems: Vec<Diagnostic>,
}

/// Reads every policy file of the workspace at `root` and its links file. A file that
/// cannot be read or is not UTF-8 is a located problem; the others still load.
pub fn read_sources(root: &Path) -> Sources {
    let mut sources = Sources::default();
    match policy_paths(root) {
        Ok(paths) => {
            for (rel, path) in paths {
                if let Some(text) =
                    crate::diagnostics::read_text(&rel, &path, false, &mut sources.problems)
                {
                    sources.files.push((rel, text));
                }
            }
        }
        Err(d) => sources.problems.push(*d),
    }
    sources.links = crate::diagnostics::read_text(
        LINKS_FILE,
        &root.join(LINKS_FILE),
        true,
        &mut sources.problems,
    );
    sources
}

/// Loads and validates the policies (and links) of the workspace at `root` against `schema`
/// (the generated schema, or the workspace's file in schema mode `file`; `None` when there
/// is none, which leaves parsing and ids). Nothing is cached; see [`Checker`].
pub fn check_workspace(root: &Path, schema: Option<&str>) -> PolicyReport {
    Checker::default().check(
        read_sources(root),
        &Settings {
            schema,
            ..Settings::default()
        },
    )
}

/// Loads and validates policy texts (`(relative path, text)`, any order) against an optional
/// schema text (reported as `schema.cedarschema`). Nothing is cached; see [`Checker`].
pub fn check_sources(files: Vec<(String, String)>, schema: Option<&str>) -> PolicyReport {
    Checker::default().check(
        Sources {
            files,
            ..Sources::default()
        },
        &Settings {
            schema,
            ..Settings::default()
        },
    )
}

#[cfg(test)]
mod tests;
