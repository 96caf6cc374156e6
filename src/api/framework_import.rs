//! Imports into the frameworks area: a custom framework (`frameworks/<id>.json`) and the
//! control mappings of an alignment table (`controls/controls.toml`).
//!
//! A framework file is all or nothing: any problem in the source is an `import_invalid`
//! error carrying every problem, and nothing is written. An alignment table's rows are
//! independent: bad rows are reported at their lines and skipped, the others merged.

use std::path::Path;

use chrono::Utc;
use serde_json::json;

use super::frameworks::edit_error;
use super::{dto, hash_hex, ApiError, ApiResult, Session};
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::error::ErrorCode;
use crate::frameworks::alignment::{self, MappingImportRow, MappingOutcome, TableFormat};
use crate::frameworks::catalog::{self, Catalogs, FRAMEWORKS_DIR};
use crate::frameworks::import::{self, Overrides, Source};
use crate::frameworks::{self, edit};
use crate::store::NewAuditEntry;

/// A source file as UTF-8 text. An unreadable file is an I/O error; text that is not UTF-8
/// is an invalid import, located at the first bad byte.
fn read_source(path: &Path, label: &str) -> ApiResult<String> {
    let mut problems = Vec::new();
    match diagnostics::read_text(label, path, false, &mut problems) {
        Some(text) => Ok(text),
        None => {
            let io = problems.iter().any(|d| d.code == "io::read");
            Err(if io {
                ApiError::new(
                    ErrorCode::Io,
                    format!(
                        "cannot read `{label}`: {}",
                        problems.first().map_or("unknown error", |d| d
                            .message
                            .trim_start_matches("cannot read: "))
                    ),
                    Some("check the path and that you may read the file"),
                )
            } else {
                invalid(label, "file", problems)
            })
        }
    }
}

fn invalid(file: &str, what: &str, diagnostics: Vec<Diagnostic>) -> ApiError {
    ApiError {
        code: ErrorCode::ImportInvalid,
        message: format!(
            "`{file}` is not a valid {what}: {} problem{}",
            diagnostics.len(),
            if diagnostics.len() == 1 { "" } else { "s" }
        ),
        help: Some("nothing was written; fix the file and import it again".into()),
        diagnostics,
    }
}

/// A file that reads cleanly but cannot go into the workspace (its id is taken).
fn refused(message: String, help: String) -> ApiError {
    ApiError {
        code: ErrorCode::ImportInvalid,
        message,
        help: Some(format!("{help}; nothing was written")),
        diagnostics: Vec::new(),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Session {
    /// Imports a framework (Mandate's JSON, the simple JSON shape, CSV or an OSCAL catalog)
    /// as `frameworks/<id>.json`, written atomically. An id a built-in framework uses is
    /// refused; a workspace framework with the same id is replaced. With `dry_run`, the
    /// file is read and checked and nothing is written.
    pub fn import_framework(
        &self,
        path: &Path,
        opts: &dto::FrameworkImportOptions,
        actor: &str,
    ) -> ApiResult<dto::FrameworkImportReport> {
        let label = path.display().to_string();
        let text = read_source(path, &label)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let overrides = Overrides {
            id: opts.id.clone(),
            title: opts.title.clone(),
            version: opts.version.clone(),
            publisher: opts.publisher.clone(),
        };
        let source = Source {
            file: &label,
            stem: &stem,
            text: &text,
        };
        let (framework, format) = import::read(&source, opts.format, &overrides)
            .map_err(|d| invalid(&label, "framework", d))?;
        let id = framework.id.clone();
        if catalog::builtin().iter().any(|f| f.id == id) {
            return Err(refused(
                format!("framework id `{id}` is a built-in framework's"),
                format!("give the imported framework its own id, e.g. `--id {id}-custom`"),
            ));
        }
        let rel = format!("{FRAMEWORKS_DIR}/{id}.json");
        let existing = self.workspace.read_file(&rel).ok();
        if let Some(other) = existing
            .as_deref()
            .and_then(|t| catalog::parse_custom(&rel, t).ok())
            .filter(|f| f.id != id)
        {
            return Err(refused(
                format!("`{rel}` holds framework `{}`, not `{id}`", other.id),
                format!(
                    "rename that file to `{}.json`, or import this one with another `--id`",
                    other.id
                ),
            ));
        }
        let (catalogs, _) = catalog::load(self.root());
        if existing.is_none() && catalogs.get(&id).is_some() {
            return Err(refused(
                format!(
                    "framework id `{id}` is already used by another file in `{FRAMEWORKS_DIR}/`"
                ),
                "import it with another `--id`, or remove the other file first".into(),
            ));
        }
        let body = match serde_json::to_string_pretty(&framework) {
            Ok(b) => b + "\n",
            Err(e) => {
                return Err(ApiError::new(
                    ErrorCode::Internal,
                    format!("cannot write the framework: {e}"),
                    None,
                ))
            }
        };
        if let Err(problems) = catalog::parse_custom(&rel, &body) {
            return Err(ApiError {
                code: ErrorCode::Internal,
                message: format!("the imported framework would not load back from `{rel}`"),
                help: Some("nothing was written; please report this".into()),
                diagnostics: problems,
            });
        }

        // Mappings to this framework that the new version no longer has an item for.
        let replacement = Catalogs::new(
            catalogs
                .frameworks
                .iter()
                .filter(|f| f.id != id)
                .cloned()
                .chain(std::iter::once(framework.clone()))
                .collect(),
        );
        let (controls, _, _) = self.workspace_controls()?;
        let stale_mappings = controls
            .controls
            .iter()
            .flat_map(|c| c.mappings.iter().map(move |m| (c, m)))
            .filter(|(_, m)| m.framework == id && !m.item.trim().is_empty())
            .filter(|(_, m)| {
                frameworks::resolve(&replacement, Some(&id), &m.item)
                    .target()
                    .is_none()
            })
            .map(|(c, m)| format!("{}: {}", c.id, m.item))
            .collect();

        let replaced = existing.is_some();
        let written = !opts.dry_run;
        if written {
            self.workspace.write_file(&rel, body.as_bytes())?;
            let before = existing.map(|t| json!({ "sha256": hash_hex(t.as_bytes()) }));
            let after = json!({
                "sha256": hash_hex(body.as_bytes()),
                "file": path.file_name().map(|n| n.to_string_lossy().into_owned()),
                "format": format.as_str(),
                "items": framework.items.len(),
            });
            self.db()?.audit(&NewAuditEntry {
                at: Utc::now(),
                actor,
                action: "frameworks.import",
                subject: &format!("framework:{id}"),
                before: before.as_ref(),
                after: Some(&after),
            })?;
        }
        Ok(dto::FrameworkImportReport {
            file: label,
            format,
            path: rel,
            item_count: count(framework.items.len()),
            assessable_count: count(framework.assessable().count()),
            framework,
            replaced,
            dry_run: opts.dry_run,
            written,
            stale_mappings,
        })
    }

    /// Imports the control mappings of an alignment table (CSV with a header, or a JSON array
    /// of `{control, framework, reference, relevance}`) into `controls/controls.toml`. Each
    /// citation is resolved: official ids and variants become `framework` + `item` (in the
    /// official form); the rest are kept as `cited`, never counted. A control's existing
    /// mappings are kept and exact duplicates skipped; a library control the workspace does
    /// not list yet is adopted. Bad rows are reported and skipped. With `dry_run`, nothing is
    /// written.
    pub fn import_mappings(
        &self,
        path: &Path,
        dry_run: bool,
        actor: &str,
    ) -> ApiResult<dto::MappingImportReport> {
        let label = path.display().to_string();
        let text = read_source(path, &label)?;
        let format = TableFormat::detect(&label, &text);
        let table = alignment::read(&label, &text, format)
            .map_err(|d| invalid(&label, "alignment table", d))?;
        let (catalogs, _) = catalog::load(self.root());
        let (controls_text, read) = self.controls_source()?;
        let (controls, problems) = frameworks::parse(frameworks::CONTROLS_FILE, &controls_text);
        let problems: Vec<Diagnostic> = problems
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if !problems.is_empty() {
            return Err(ApiError {
                code: ErrorCode::ControlsInvalid,
                message: format!(
                    "`{}` has {} problem(s)",
                    frameworks::CONTROLS_FILE,
                    problems.len()
                ),
                help: Some("fix it first; nothing was written".into()),
                diagnostics: problems,
            });
        }
        let library = frameworks::library();
        let plan = alignment::plan(&label, &catalogs, &controls, &library, &table.rows);

        let mut out = controls_text;
        for change in &plan.changes {
            let adopt = library
                .controls
                .iter()
                .find(|c| change.adopted && c.id == change.control);
            out = edit::set_mappings(&out, &change.control, &change.mappings, adopt)
                .map_err(edit_error)?;
        }
        let added: usize = plan.changes.iter().map(|c| c.added).sum();
        let written = !dry_run && added > 0;
        if written {
            let name = path
                .file_name()
                .map_or_else(|| label.clone(), |n| n.to_string_lossy().into_owned());
            self.write_controls(
                &out,
                &read,
                actor,
                &format!("{added} mapping(s) imported from {name}"),
            )?;
        }

        // Rows the table could not read are rows of the report too.
        let mut rows = plan.rows;
        rows.extend(table.problems.iter().map(|d| MappingImportRow {
            line: d.line,
            control: String::new(),
            cited: String::new(),
            outcome: MappingOutcome::Invalid,
            framework: None,
            item: None,
            note: None,
            reason: Some(d.message.clone()),
            suggestions: Vec::new(),
            duplicate: false,
        }));
        rows.sort_by_key(|r| r.line);
        let mut problems: Vec<Diagnostic> =
            table.problems.into_iter().chain(plan.problems).collect();
        diagnostics::sort(&mut problems);
        let tally = |o: MappingOutcome| count(rows.iter().filter(|r| r.outcome == o).count());
        Ok(dto::MappingImportReport {
            file: label,
            format: format.as_str().to_owned(),
            dry_run,
            written,
            exact: tally(MappingOutcome::Exact),
            variant: tally(MappingOutcome::Variant),
            unresolved: tally(MappingOutcome::Unresolved),
            invalid: tally(MappingOutcome::Invalid),
            added: count(added),
            duplicates: count(rows.iter().filter(|r| r.duplicate).count()),
            adopted: plan
                .changes
                .iter()
                .filter(|c| c.adopted)
                .map(|c| c.control.clone())
                .collect(),
            ignored_columns: table.ignored_columns,
            problems,
            rows,
        })
    }
}
