//! The check itself — parse, ids, links, strict validation — with a cache that makes
//! revalidating after an edit cost one file, not the workspace.
//!
//! A [`Checker`] remembers each file's parse (keyed by path and text) and each file's
//! validation result (keyed by the schema, the ids its policies got and the validation
//! level). Cedar validates each policy on its own, so a file whose text and ids did not
//! change keeps its diagnostics. The report is the same as a fresh check's; a test checks
//! that for a sequence of edits.

use std::collections::HashMap;
use std::sync::Arc;

use cedar_policy::{
    Effect, Policy, PolicyId, PolicySet, Schema, Template, ValidationMode, Validator,
};

use super::links::{self, LINKS_FILE};
use super::{from_miette, PolicyReport, SourceFile, Sources, Statement, StatementKind};
use crate::diagnostics::{self, Diagnostic, LineIndex, Severity};
use crate::workspace::SCHEMA_FILE;

/// What a check needs besides the sources.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings<'a> {
    /// The schema text; `None` leaves parsing, ids and links.
    pub schema: Option<&'a str>,
    /// `[validation] max_deref_level` of `mandate.toml`: also run Cedar's level validation
    /// (RFC 76), which bounds how deep policies may dereference entities.
    pub max_deref_level: Option<u32>,
    /// The workspace namespace, added to unqualified entity types in links.
    pub namespace: Option<&'a str>,
}

/// Checks policies, reusing the parse and validation of files that did not change since
/// the previous check. `Checker::default()` is an empty cache.
#[derive(Debug, Default)]
pub struct Checker {
    files: HashMap<String, CachedFile>,
    schema: Option<CachedSchema>,
    /// Bumped whenever the schema text changes, so validation keys notice.
    schema_generation: u64,
}

#[derive(Debug)]
struct CachedFile {
    text: String,
    parsed: Arc<Parsed>,
    validated: Option<(ValidationKey, Vec<Diagnostic>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ValidationKey {
    schema_generation: u64,
    level: Option<u32>,
    /// The ids the file's validated statements got, in order.
    ids: Vec<String>,
}

#[derive(Debug)]
struct CachedSchema {
    text: String,
    /// A validator over the schema, when it parsed.
    validator: Option<Validator>,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
enum Parsed {
    Failed(Vec<Diagnostic>),
    Ok(Vec<ParsedItem>),
}

#[derive(Debug, Clone)]
enum Item {
    Policy(Policy),
    Template(Template),
}

#[derive(Debug)]
struct ParsedItem {
    item: Item,
    /// Byte span of the statement (annotations included) in its file.
    start: usize,
    end: usize,
    line: u32,
    kind: StatementKind,
    // Annotations, read once: Cedar's lookup is slow enough to matter at 1,000 policies.
    id: Option<String>,
    control: Option<String>,
    rationale: Option<String>,
}

impl Checker {
    /// Checks `sources` as a fresh check would, reusing what is cached.
    pub fn check(&mut self, sources: Sources, settings: &Settings<'_>) -> PolicyReport {
        let Sources {
            files: mut inputs,
            links: links_text,
            problems,
        } = sources;
        inputs.sort_by(|a, b| a.0.cmp(&b.0));
        self.files
            .retain(|path, _| inputs.iter().any(|(p, _)| p == path));

        let mut diagnostics = problems;
        let mut set = PolicySet::new();
        let mut files: Vec<SourceFile> = Vec::with_capacity(inputs.len());
        // id -> "file:line" of its first definition
        let mut seen: HashMap<String, String> = HashMap::new();
        // per file: the items that made it into the set, with their ids
        let mut included: Vec<Vec<(String, Item)>> = Vec::with_capacity(inputs.len());
        let mut counter = 0usize;

        for (path, text) in inputs {
            let parsed = self.parse(&path, &text);
            let mut file = SourceFile {
                path,
                text,
                statements: Vec::new(),
                parsed: false,
            };
            let mut mine = Vec::new();
            match parsed.as_ref() {
                Parsed::Failed(problems) => diagnostics.extend(problems.iter().cloned()),
                Parsed::Ok(items) => {
                    file.parsed = true;
                    for p in items {
                        let global_index = counter;
                        counter += 1;
                        let problem = |code: &str, message: String, help: &str| {
                            Diagnostic::at_span(
                                &file.path,
                                &file.text,
                                p.start,
                                p.end,
                                Severity::Error,
                                code,
                                message,
                                Some(help.to_owned()),
                            )
                        };
                        if p.id.as_deref().is_some_and(|s| s.trim().is_empty()) {
                            diagnostics.push(problem(
                                "policy::empty_id",
                                "`@id` is empty".to_owned(),
                                "give the policy a unique, descriptive id, e.g. `@id(\"deny-inactive-agents\")`",
                            ));
                            continue;
                        }
                        let id =
                            p.id.clone()
                                .unwrap_or_else(|| format!("policy{global_index}"));
                        if let Some(other) = seen.get(&id) {
                            diagnostics.push(problem(
                                "policy::duplicate_id",
                                format!("duplicate policy id `{id}`: also at {other}"),
                                "policy ids must be unique across the workspace; rename one `@id`",
                            ));
                            continue;
                        }
                        let renamed = p.item.renamed(&id);
                        let added = match &renamed {
                            Item::Policy(p) => set.add(p.clone()).err().map(|e| e.to_string()),
                            Item::Template(t) => {
                                set.add_template(t.clone()).err().map(|e| e.to_string())
                            }
                        };
                        if let Some(message) = added {
                            diagnostics.push(problem(
                                "policy::set",
                                message,
                                "rename the policy with a unique `@id`",
                            ));
                            continue;
                        }
                        seen.insert(id.clone(), format!("{}:{}", file.path, p.line));
                        file.statements.push(Statement {
                            id: id.clone(),
                            kind: p.kind,
                            start: p.start,
                            end: p.end,
                            line: p.line,
                            control: p.control.clone(),
                            rationale: p.rationale.clone(),
                        });
                        mine.push((id, renamed));
                    }
                }
            }
            files.push(file);
            included.push(mine);
        }

        let links = match links_text.as_deref() {
            Some(text) => {
                links::link_all(text, settings.namespace, &mut set, &seen, &mut diagnostics)
            }
            None => Vec::new(),
        };

        let mut schema_used = false;
        if let Some(schema_text) = settings.schema {
            self.load_schema(schema_text);
            // Out of `self` while the files borrow it mutably; put back below.
            let cached = self.schema.take();
            if let Some(cached) = &cached {
                diagnostics.extend(cached.diagnostics.iter().cloned());
                if let Some(validator) = &cached.validator {
                    schema_used = true;
                    for (file, mine) in files.iter().zip(&included) {
                        diagnostics.extend(self.validate_file(
                            validator,
                            file,
                            mine,
                            settings.max_deref_level,
                        ));
                    }
                    if let Some(text) = links_text.as_deref() {
                        validate_links(validator, &set, &links, text, settings, &mut diagnostics);
                    }
                }
            }
            self.schema = cached;
        }
        diagnostics::sort(&mut diagnostics);
        PolicyReport {
            files,
            set,
            diagnostics,
            links,
            schema_used,
        }
    }

    fn parse(&mut self, path: &str, text: &str) -> Arc<Parsed> {
        if let Some(cached) = self.files.get(path) {
            if cached.text == text {
                return Arc::clone(&cached.parsed);
            }
        }
        let parsed = Arc::new(parse_file(path, text));
        self.files.insert(
            path.to_owned(),
            CachedFile {
                text: text.to_owned(),
                parsed: Arc::clone(&parsed),
                validated: None,
            },
        );
        parsed
    }

    fn load_schema(&mut self, text: &str) {
        if self.schema.as_ref().is_some_and(|s| s.text == text) {
            return;
        }
        self.schema_generation += 1;
        let mut diagnostics = Vec::new();
        let parsed = match super::guard::check(text, super::guard::Syntax::Schema) {
            Ok(()) => Some(Schema::from_cedarschema_str(text)),
            Err(deep) => {
                diagnostics.push(too_deep(SCHEMA_FILE, &deep));
                None
            }
        };
        let schema = match parsed {
            None => None,
            Some(Err(err)) => {
                diagnostics.extend(from_miette(
                    &err,
                    SCHEMA_FILE,
                    text,
                    Severity::Error,
                    "cedar::schema",
                    "fix the schema; policies are validated only once it parses",
                ));
                None
            }
            Some(Ok((schema, warnings))) => {
                for w in warnings {
                    diagnostics.extend(from_miette(
                        &w,
                        SCHEMA_FILE,
                        text,
                        Severity::Warning,
                        "cedar::schema_warning",
                        "the schema is valid, but Cedar flags this declaration; review it",
                    ));
                }
                Some(schema)
            }
        };
        self.schema = Some(CachedSchema {
            text: text.to_owned(),
            validator: schema.map(Validator::new),
            diagnostics,
        });
    }

    /// Strict validation of one file's policies, each error and warning located in it.
    fn validate_file(
        &mut self,
        validator: &Validator,
        file: &SourceFile,
        mine: &[(String, Item)],
        level: Option<u32>,
    ) -> Vec<Diagnostic> {
        let key = ValidationKey {
            schema_generation: self.schema_generation,
            level,
            ids: mine.iter().map(|(id, _)| id.clone()).collect(),
        };
        let cached = self.files.get_mut(&file.path);
        if let Some((k, found)) = cached.as_ref().and_then(|c| c.validated.as_ref()) {
            if *k == key {
                return found.clone();
            }
        }
        let mut set = PolicySet::new();
        for (_, item) in mine {
            // Ids are unique here: the caller left duplicates out.
            let _ = match item {
                Item::Policy(p) => set.add(p.clone()),
                Item::Template(t) => set.add_template(t.clone()),
            };
        }
        let result = match level {
            Some(level) => validator.validate_with_level(&set, ValidationMode::Strict, level),
            None => validator.validate(&set, ValidationMode::Strict),
        };
        let starts: HashMap<&str, usize> = file
            .statements
            .iter()
            .map(|s| (s.id.as_str(), s.start))
            .collect();
        let mut found = Vec::new();
        let mut push = |policy: &PolicyId,
                        d: &dyn miette::Diagnostic,
                        severity: Severity,
                        code: &str,
                        help: &str| {
            let start = starts
                .get(policy.to_string().as_str())
                .copied()
                .unwrap_or(0);
            let mut located = from_miette(d, &file.path, &file.text, severity, code, help);
            if start > 0 && miette_has_no_labels(d) {
                let (line, column) = LineIndex::new(&file.text).position(start);
                for diag in &mut located {
                    (diag.line, diag.column, diag.end_line, diag.end_column) =
                        (line, column, line, column);
                }
            }
            found.extend(located);
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
                "the policy type-checks, but Cedar expects it not to do what was meant (it may never apply); review its scope and condition against the schema",
            );
        }
        if let Some(c) = cached {
            c.validated = Some((key, found.clone()));
        }
        found
    }
}

/// Validates the linked policies (slot values against the template's scope); problems are
/// located at the link in `links.toml`. The templates' own problems are their files'.
fn validate_links(
    validator: &Validator,
    set: &PolicySet,
    links: &[links::Link],
    text: &str,
    settings: &Settings<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if links.is_empty() {
        return;
    }
    let mut mini = PolicySet::new();
    for link in links {
        let template = PolicyId::new(&link.template);
        if mini.template(&template).is_none() {
            if let Some(t) = set.template(&template) {
                let _ = mini.add_template(t.clone());
            }
        }
        let values = set
            .policy(&PolicyId::new(&link.id))
            .and_then(cedar_policy::Policy::template_links);
        if let Some(values) = values {
            let _ = mini.link(template, PolicyId::new(&link.id), values);
        }
    }
    let result = match settings.max_deref_level {
        Some(level) => validator.validate_with_level(&mini, ValidationMode::Strict, level),
        None => validator.validate(&mini, ValidationMode::Strict),
    };
    let mut push =
        |policy: &PolicyId, d: &dyn miette::Diagnostic, severity: Severity, code: &str| {
            let Some(link) = links.iter().find(|l| l.id == policy.to_string()) else {
                return;
            };
            let message = d
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            out.push(Diagnostic::at_span(
                LINKS_FILE,
                text,
                link.start,
                link.end,
                severity,
                code,
                message,
                Some(format!(
                    "the values given to template `{}` do not fit its scope in the schema",
                    link.template
                )),
            ));
        };
    for e in result.validation_errors() {
        push(e.policy_id(), e, Severity::Error, "cedar::validation");
    }
    for w in result.validation_warnings() {
        push(
            w.policy_id(),
            w,
            Severity::Warning,
            "cedar::validation_warning",
        );
    }
}

/// A diagnostic for text the guard refused before Cedar saw it.
pub fn too_deep(path: &str, deep: &super::guard::TooDeep) -> Diagnostic {
    Diagnostic::at_line(
        path,
        deep.line as usize,
        deep.column as usize,
        Severity::Error,
        "mandate::too_deep",
        deep.message.clone(),
        Some(deep.help.to_owned()),
    )
}

fn miette_has_no_labels(d: &dyn miette::Diagnostic) -> bool {
    d.labels().is_none_or(|mut l| l.next().is_none())
}

/// Parses one file into its statements in source order, each with its span.
fn parse_file(path: &str, text: &str) -> Parsed {
    if let Err(deep) = super::guard::check(text, super::guard::Syntax::Policy) {
        return Parsed::Failed(vec![too_deep(path, &deep)]);
    }
    match text.parse::<PolicySet>() {
        Err(errs) => Parsed::Failed(
            errs.iter()
                .flat_map(|err| {
                    from_miette(
                        err,
                        path,
                        text,
                        Severity::Error,
                        "cedar::parse",
                        "check the Cedar syntax at this point; statements end with `;`",
                    )
                })
                .collect(),
        ),
        Ok(parsed) => {
            let index = LineIndex::new(text);
            let mut cursor = 0usize;
            let mut items = Vec::new();
            for item in statements_in_order(&parsed) {
                // The statement's own text is a slice of the file: find it after the
                // previous one to learn where it starts.
                let shown = item.text();
                let start = text
                    .get(cursor..)
                    .and_then(|rest| rest.find(&shown))
                    .map_or(cursor, |i| cursor + i);
                cursor = (start + shown.len()).min(text.len());
                let (line, _) = index.position(start);
                items.push(ParsedItem {
                    kind: item.kind(),
                    id: item.annotation("id").map(str::to_owned),
                    control: item.annotation("control").map(str::to_owned),
                    rationale: item.annotation("rationale").map(str::to_owned),
                    item,
                    start,
                    end: cursor,
                    line,
                });
            }
            Parsed::Ok(items)
        }
    }
}

impl Item {
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

    fn renamed(&self, id: &str) -> Item {
        match self {
            Item::Policy(p) => Item::Policy(p.new_id(PolicyId::new(id))),
            Item::Template(t) => Item::Template(t.new_id(PolicyId::new(id))),
        }
    }
}

/// Statements of a freshly parsed file in source order: Cedar numbers them
/// `policy0, policy1, …` in the order they appear.
fn statements_in_order(set: &PolicySet) -> Vec<Item> {
    let index = |id: &PolicyId| -> usize {
        id.to_string()
            .strip_prefix("policy")
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX)
    };
    let mut items: Vec<(usize, Item)> = set
        .policies()
        .map(|p| (index(p.id()), Item::Policy(p.clone())))
        .chain(
            set.templates()
                .map(|t| (index(t.id()), Item::Template(t.clone()))),
        )
        .collect();
    items.sort_by_key(|(i, _)| *i);
    items.into_iter().map(|(_, item)| item).collect()
}
