//! Cedar policies of a workspace: load `policies/**/*.cedar`, apply `@id`, validate.
//!
//! Files are read in sorted path order. A policy's id is its `@id` annotation, else
//! `policyN` where N counts every statement across the files in that order — the id Cedar
//! would give if the files were one text. Duplicate ids are an error naming both places.
//! Every problem in every file is reported; a file that fails to parse still lets the
//! others load and validate.

mod diagnose;
mod format;
mod lint;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cedar_policy::{Effect, PolicyId, PolicySet, Schema, ValidationMode, Validator};

use crate::diagnostics::{self, Diagnostic, LineIndex, Severity};
use crate::workspace::{relative_to, POLICIES_DIR, SCHEMA_FILE};

pub use diagnose::from_miette;
pub use format::format_text;
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

    pub fn statement_count(&self) -> usize {
        self.files.iter().map(|f| f.statements.len()).sum()
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
        if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "cedar") {
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

/// Loads and validates the policies of the workspace at `root` against `schema` (the
/// generated schema, or the workspace's file in schema mode `file`; `None` when there is
/// none, which leaves parsing and ids).
pub fn check_workspace(root: &Path, schema: Option<&str>) -> PolicyReport {
    let mut diagnostics = Vec::new();
    let mut sources = Vec::new();
    match policy_paths(root) {
        Ok(paths) => {
            for (rel, path) in paths {
                match std::fs::read(&path) {
                    Ok(bytes) => match String::from_utf8(bytes) {
                        Ok(text) => sources.push((rel, text)),
                        Err(e) => {
                            let valid = e.utf8_error().valid_up_to();
                            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                            diagnostics.push(Diagnostic::at_span(
                                &rel,
                                &text,
                                valid,
                                valid + 1,
                                Severity::Error,
                                "io::utf8",
                                format!("file is not UTF-8 (invalid byte at offset {valid})"),
                                Some("save the file as UTF-8".to_owned()),
                            ));
                        }
                    },
                    Err(e) => diagnostics.push(Diagnostic::whole_file(
                        &rel,
                        Severity::Error,
                        "io::read",
                        format!("cannot read: {e}"),
                        None,
                    )),
                }
            }
        }
        Err(d) => diagnostics.push(*d),
    }
    let mut report = check_sources(sources, schema);
    report.diagnostics.extend(diagnostics);
    diagnostics::sort(&mut report.diagnostics);
    report
}

/// Loads and validates policy texts (`(relative path, text)`, any order) against an optional
/// schema text (reported as `schema.cedarschema`).
pub fn check_sources(mut sources: Vec<(String, String)>, schema: Option<&str>) -> PolicyReport {
    sources.sort_by(|a, b| a.0.cmp(&b.0));
    let mut diagnostics = Vec::new();
    let mut set = PolicySet::new();
    let mut files = Vec::with_capacity(sources.len());
    // id -> (file index, line) of its first definition
    let mut seen: HashMap<String, (usize, u32)> = HashMap::new();
    let mut counter = 0usize;

    for (path, text) in sources {
        let file_index = files.len();
        let mut file = SourceFile {
            path,
            text,
            statements: Vec::new(),
            parsed: false,
        };
        match file.text.parse::<PolicySet>() {
            Err(errs) => {
                for err in errs.iter() {
                    diagnostics.extend(from_miette(
                        err,
                        &file.path,
                        &file.text,
                        Severity::Error,
                        "cedar::parse",
                        "check the Cedar syntax at this point; statements end with `;`",
                    ));
                }
            }
            Ok(parsed) => {
                file.parsed = true;
                let index = LineIndex::new(&file.text);
                let mut cursor = 0usize;
                for item in statements_in_order(&parsed) {
                    let global_index = counter;
                    counter += 1;
                    // The statement's own text is a slice of the file: find it after the
                    // previous one to learn where it starts.
                    let shown = item.text();
                    let start = file
                        .text
                        .get(cursor..)
                        .and_then(|rest| rest.find(&shown))
                        .map_or(cursor, |i| cursor + i);
                    cursor = (start + shown.len()).min(file.text.len());
                    let problem = |code: &str, message: String, help: &str| {
                        Diagnostic::at_span(
                            &file.path,
                            &file.text,
                            start,
                            cursor,
                            Severity::Error,
                            code,
                            message,
                            Some(help.to_owned()),
                        )
                    };
                    let annotated = item.annotation("id").map(str::to_owned);
                    if annotated.as_deref().is_some_and(|s| s.trim().is_empty()) {
                        diagnostics.push(problem(
                            "policy::empty_id",
                            "`@id` is empty".to_owned(),
                            "give the policy a unique, descriptive id, e.g. `@id(\"deny-inactive-agents\")`",
                        ));
                        continue;
                    }
                    let id = annotated.unwrap_or_else(|| format!("policy{global_index}"));
                    if let Some(&(other_file, line)) = seen.get(&id) {
                        let other = files
                            .get(other_file)
                            .map_or(file.path.as_str(), |f: &SourceFile| f.path.as_str());
                        diagnostics.push(problem(
                            "policy::duplicate_id",
                            format!("duplicate policy id `{id}`: also at {other}:{line}"),
                            "policy ids must be unique across the workspace; rename one `@id`",
                        ));
                        continue;
                    }
                    let added = match &item {
                        Item::Policy(p) => set
                            .add(p.new_id(PolicyId::new(&id)))
                            .err()
                            .map(|e| e.to_string()),
                        Item::Template(t) => set
                            .add_template(t.new_id(PolicyId::new(&id)))
                            .err()
                            .map(|e| e.to_string()),
                    };
                    if let Some(message) = added {
                        diagnostics.push(problem(
                            "policy::set",
                            message,
                            "rename the policy with a unique `@id`",
                        ));
                        continue;
                    }
                    let (line, _) = index.position(start);
                    seen.insert(id.clone(), (file_index, line));
                    file.statements.push(Statement {
                        id,
                        kind: item.kind(),
                        start,
                        line,
                        control: item.annotation("control").map(str::to_owned),
                        rationale: item.annotation("rationale").map(str::to_owned),
                    });
                }
            }
        }
        files.push(file);
    }

    let mut schema_used = false;
    if let Some(schema_text) = schema {
        match Schema::from_cedarschema_str(schema_text) {
            Err(err) => diagnostics.extend(from_miette(
                &err,
                SCHEMA_FILE,
                schema_text,
                Severity::Error,
                "cedar::schema",
                "fix the schema; policies are validated only once it parses",
            )),
            Ok((schema, warnings)) => {
                schema_used = true;
                for w in warnings {
                    diagnostics.extend(from_miette(
                        &w,
                        SCHEMA_FILE,
                        schema_text,
                        Severity::Warning,
                        "cedar::schema_warning",
                        "",
                    ));
                }
                validate(&schema, &set, &files, &mut diagnostics);
            }
        }
    }
    diagnostics::sort(&mut diagnostics);
    PolicyReport {
        files,
        set,
        diagnostics,
        schema_used,
    }
}

/// Strict validation; each error and warning located in the file of its policy.
fn validate(schema: &Schema, set: &PolicySet, files: &[SourceFile], out: &mut Vec<Diagnostic>) {
    let mut owner: HashMap<&str, (&SourceFile, usize)> = HashMap::new();
    for f in files {
        for s in &f.statements {
            owner.insert(s.id.as_str(), (f, s.start));
        }
    }
    let result = Validator::new(schema.clone()).validate(set, ValidationMode::Strict);
    let mut push = |policy: &PolicyId,
                    d: &dyn miette::Diagnostic,
                    severity: Severity,
                    code: &str,
                    help: &str| {
        if let Some((file, start)) = owner.get(policy.to_string().as_str()) {
            let mut found = from_miette(d, &file.path, &file.text, severity, code, help);
            for diag in &mut found {
                if diag.line == 1 && diag.column == 1 && *start > 0 && miette_has_no_labels(d) {
                    let (line, column) = LineIndex::new(&file.text).position(*start);
                    (diag.line, diag.column, diag.end_line, diag.end_column) =
                        (line, column, line, column);
                }
            }
            out.extend(found);
        }
    };
    for e in result.validation_errors() {
        push(
            e.policy_id(),
            e,
            Severity::Error,
            "cedar::validation",
            "the policy does not type-check against `schema.cedarschema`",
        );
    }
    for w in result.validation_warnings() {
        push(
            w.policy_id(),
            w,
            Severity::Warning,
            "cedar::validation_warning",
            "",
        );
    }
}

fn miette_has_no_labels(d: &dyn miette::Diagnostic) -> bool {
    d.labels().is_none_or(|mut l| l.next().is_none())
}

enum Item<'a> {
    Policy(&'a cedar_policy::Policy),
    Template(&'a cedar_policy::Template),
}

impl Item<'_> {
    fn text(&self) -> String {
        match self {
            Item::Policy(p) => p.to_string(),
            Item::Template(t) => t.to_string(),
        }
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        match self {
            Item::Policy(p) => p.annotation(key),
            Item::Template(t) => t.annotation(key),
        }
    }

    fn kind(&self) -> StatementKind {
        match self {
            Item::Policy(p) if p.effect() == Effect::Permit => StatementKind::Permit,
            Item::Policy(_) => StatementKind::Forbid,
            Item::Template(t) if t.effect() == Effect::Permit => StatementKind::PermitTemplate,
            Item::Template(_) => StatementKind::ForbidTemplate,
        }
    }
}

/// Statements of a freshly parsed file in source order: Cedar numbers them
/// `policy0, policy1, …` in the order they appear.
fn statements_in_order(set: &PolicySet) -> Vec<Item<'_>> {
    let index = |id: &PolicyId| -> usize {
        id.to_string()
            .strip_prefix("policy")
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX)
    };
    let mut items: Vec<(usize, Item<'_>)> = set
        .policies()
        .map(|p| (index(p.id()), Item::Policy(p)))
        .chain(set.templates().map(|t| (index(t.id()), Item::Template(t))))
        .collect();
    items.sort_by_key(|(i, _)| *i);
    items.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests;
