//! Explaining one decision (`mandate explain`): the policies that decided it with their
//! source and which of their conditions held; for a default deny, the permits whose scope
//! matched and the condition that stopped each.
//!
//! Cedar decides; this module only asks it smaller questions. The whole set goes through
//! Cedar's `Authorizer` for the decision, the determining policies and the errors. Which
//! scopes match is asked of Cedar too, with each policy's conditions dropped (and its effect
//! made `permit`, so a matching forbid cannot hide the others). Each `when`/`unless` clause is
//! split into its top-level `&&` conjuncts by a small scanner over the policy's text (it
//! respects strings, comments and nesting, and leaves a body whole when its top level is an
//! `||` or an `if`), and every conjunct is evaluated by Cedar as a policy of its own,
//! `permit (principal, action, resource) when { <conjunct> };` — the scope already matched,
//! and conditions cannot name slots. The conjuncts are then read in Cedar's order (clauses as
//! written, `&&` left to right, short-circuiting):
//! - a `when` conjunct is `held` when true, `failed` when false;
//! - an `unless` clause stops the policy only when every conjunct in it is true: then all of
//!   them are `failed`; a false one is `held` (the exception does not apply), and so are the
//!   true ones before it;
//! - an erroring conjunct is `error` with Cedar's message;
//! - everything after the conjunct that stopped the policy is `skipped`.
//!
//! Positions are in the file the text came from: a template-linked policy is shown at its
//! link in `policies/links.toml`, and its conditions at its template's lines.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::Path;

use cedar_policy::{
    AuthorizationError, Authorizer, Effect, Entities, Policy, PolicyId, PolicySet, Request,
    Response,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::simulate::{self, SimulateError};
use crate::diagnostics::LineIndex;
use crate::policy::{PolicyReport, LINKS_FILE};

/// Why a decision is what it is, on one policy set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Explanation {
    /// `allow` or `deny`.
    pub decision: String,
    /// Deny because no policy applied (no determining policy).
    pub default_deny: bool,
    /// The permits that allowed it, or the forbids that denied it; sorted by id.
    pub determining: Vec<PolicyExplanation>,
    /// Policies whose evaluation errored (Cedar skips them), with the error; sorted by id.
    pub errored: Vec<PolicyExplanation>,
    /// Policies whose scope matched but a condition stopped: for a default deny, the permits
    /// that came close; for an allow, the forbids that did not fire. Sorted by id.
    pub unmet: Vec<PolicyExplanation>,
    /// Permits whose conditions all held, overruled by a forbid; sorted by id.
    pub overridden: Vec<PolicyExplanation>,
}

/// One policy whose scope matched the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PolicyExplanation {
    pub id: String,
    /// `permit` or `forbid`.
    pub effect: String,
    /// Where it is defined (a template-linked policy: its link in `policies/links.toml`).
    pub file: Option<String>,
    /// 1-based line of the statement (annotations included) or of the link.
    pub line: Option<u32>,
    /// Its source text (a template-linked policy: its template's).
    pub text: String,
    /// Its `when`/`unless` conjuncts in evaluation order.
    pub conditions: Vec<ConditionResult>,
    /// Cedar's message, for a policy whose evaluation errored.
    pub error: Option<String>,
}

/// One top-level `&&` conjunct of a `when` or `unless` clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConditionResult {
    /// `when` or `unless`.
    pub kind: String,
    /// The conjunct as written, without the comments around it.
    pub text: String,
    /// The file its text is in (a template-linked policy: the template's file).
    pub file: Option<String>,
    /// 1-based line and column where it starts (in `file`, else in the policy's text).
    pub line: u32,
    pub column: u32,
    /// `held`, `failed`, `error` or `skipped` (see the module documentation).
    pub outcome: String,
    /// Cedar's message, for `error`.
    pub error: Option<String>,
}

/// A recorded request as `mandate explain` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RequestView {
    /// The record's id, else `line:N` (its row), as `mandate simulate` prints it.
    pub id: String,
    /// `Type::"id"`.
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// The context as JSON, when recorded.
    pub context: Option<String>,
    pub time: Option<String>,
    /// What production decided, when recorded.
    pub recorded: Option<String>,
    pub task_id: Option<String>,
}

/// One stored request explained on the baseline and the candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExplainPair {
    pub request: RequestView,
    pub baseline: Explanation,
    pub candidate: Explanation,
    /// Whether the decision, the determining policies or the erroring policies differ.
    pub changed: bool,
}

impl Explanation {
    /// Whether two explanations differ as replay results would (decision, reasons, errors).
    pub fn differs_from(&self, other: &Self) -> bool {
        let ids = |l: &[PolicyExplanation]| l.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        self.decision != other.decision
            || ids(&self.determining) != ids(&other.determining)
            || ids(&self.errored) != ids(&other.errored)
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ExplainError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Files(#[from] SimulateError),
    #[error("the request does not load: {message}")]
    #[diagnostic(
        code(mandate::explain::request),
        help("a recorded request as `mandate requests import` reads it (DESIGN.md §4): principal, action, resource, context")
    )]
    Request { message: String },
    #[error("no request `{id}` in `{path}`")]
    #[diagnostic(
        code(mandate::explain::unknown_request),
        help("give a record's `id`, or `line:N` for the record on line N, as `mandate simulate` prints them")
    )]
    UnknownRequest { id: String, path: String },
}

/// Where a policy's text lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// Where the policy is shown: its file, or [`LINKS_FILE`] for a link.
    pub file: String,
    pub line: u32,
    /// The statement's text, annotations included (a link: its template's).
    pub text: String,
    /// The file holding `text`, and the 1-based line and column of its first character.
    pub text_file: String,
    pub text_line: u32,
    pub text_column: u32,
}

/// A policy set with where each policy came from.
#[derive(Debug, Clone)]
pub struct LocatedPolicies {
    pub set: PolicySet,
    /// By policy id; a policy missing here is shown with Cedar's rendering of it.
    pub sources: HashMap<String, PolicySource>,
}

impl LocatedPolicies {
    /// The policies of a check, located in its files (paths as the report has them).
    pub fn from_report(report: &PolicyReport) -> Self {
        Self::from_report_under(report, |p| p.to_owned())
    }

    /// Like [`LocatedPolicies::from_report`], showing each file path as `show` maps it.
    pub fn from_report_under(report: &PolicyReport, show: impl Fn(&str) -> String) -> Self {
        let mut sources = HashMap::new();
        let mut statements = HashMap::new();
        for f in &report.files {
            let index = LineIndex::new(&f.text);
            for s in &f.statements {
                let (line, column) = index.position(s.start);
                let source = PolicySource {
                    file: show(&f.path),
                    line: s.line,
                    text: f.text.get(s.start..s.end).unwrap_or_default().to_owned(),
                    text_file: show(&f.path),
                    text_line: line,
                    text_column: column,
                };
                statements.insert(s.id.clone(), source);
            }
        }
        for l in &report.links {
            if let Some(t) = statements.get(&l.template) {
                let source = PolicySource {
                    file: show(LINKS_FILE),
                    line: l.line,
                    ..t.clone()
                };
                sources.insert(l.id.clone(), source);
            }
        }
        for (id, source) in statements {
            if report.set.policy(&PolicyId::new(&id)).is_some() {
                sources.insert(id, source);
            }
        }
        Self {
            set: report.set.clone(),
            sources,
        }
    }
}

/// A `.cedar` file or folder of them, located; files are shown under `path` as given.
pub fn load_located(path: &Path) -> Result<LocatedPolicies, SimulateError> {
    let report = simulate::load_policy_report(path)?;
    let is_dir = path.is_dir();
    Ok(LocatedPolicies::from_report_under(&report, |rel| {
        if is_dir {
            path.join(rel).display().to_string()
        } else {
            path.display().to_string()
        }
    }))
}

/// Explains one request on loose files: a schema, entities, a `.cedar` file or folder, and a
/// recorded request as JSON text (DESIGN.md §4).
pub fn explain_files(
    schema: &Path,
    entities: &Path,
    policies: &Path,
    record: &str,
) -> Result<Explanation, ExplainError> {
    let schema = simulate::load_schema(schema)?;
    let entities = simulate::load_entities(entities, &schema)?;
    let located = load_located(policies)?;
    let (_, request, own) = simulate::decode_text(&schema, &entities, record)
        .map_err(|message| ExplainError::Request { message })?;
    Ok(explain(
        &located,
        &request,
        own.as_ref().unwrap_or(&entities),
    ))
}

/// The text of the record `id` (its `id`, or `line:N`) in a JSON Lines file.
pub fn find_record(path: &Path, id: &str) -> Result<String, ExplainError> {
    let io = |source| SimulateError::Io {
        path: path.display().to_string(),
        source,
    };
    let wanted_line = id
        .strip_prefix("line:")
        .and_then(|n| n.parse::<usize>().ok());
    let reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(io)?;
        if wanted_line == Some(i + 1) {
            return Ok(line);
        }
        if !line.contains(id) {
            continue;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if value.get("id").and_then(serde_json::Value::as_str) == Some(id) {
            return Ok(line);
        }
    }
    Err(ExplainError::UnknownRequest {
        id: id.to_owned(),
        path: path.display().to_string(),
    })
}

/// What a conjunct evaluated to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    True,
    False,
    Error(String),
}

/// Where a policy ended up after its conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Applies,
    Stopped,
    Errored,
}

/// Explains `request` on `located`: Cedar's decision, and for every policy whose scope
/// matched, each condition's outcome.
pub fn explain(located: &LocatedPolicies, request: &Request, entities: &Entities) -> Explanation {
    let authorizer = Authorizer::new();
    let response = authorizer.is_authorized(request, &located.set, entities);
    let reasons: Vec<String> = response
        .diagnostics()
        .reason()
        .map(ToString::to_string)
        .collect();
    let errors = policy_errors(&response);

    // Policies in id order; their scopes asked of Cedar in one set.
    let mut policies: Vec<&Policy> = located.set.policies().collect();
    policies.sort_by_key(|p| p.id().to_string());
    let matched = scope_matches(&authorizer, &policies, request, entities);

    // Every conjunct of every matched policy, evaluated in one set.
    let mut conjunct_set = PolicySet::new();
    let mut plans = Vec::new();
    let mut next = 0usize;
    for (policy, _) in policies.iter().zip(&matched).filter(|(_, m)| **m) {
        let id = policy.id().to_string();
        let source = located.sources.get(&id);
        let text = source.map_or_else(|| policy.to_string(), |s| s.text.clone());
        let clauses = plan_conjuncts(&text, &mut conjunct_set, &mut next);
        plans.push((*policy, id, source, text, clauses));
    }
    let conjunct_response = authorizer.is_authorized(request, &conjunct_set, entities);
    let conjunct_errors = policy_errors(&conjunct_response);
    let value = |pid: &str| -> Value {
        if let Some(message) = conjunct_errors.get(pid) {
            Value::Error(message.clone())
        } else if conjunct_response
            .diagnostics()
            .reason()
            .any(|r| r.to_string() == pid)
        {
            Value::True
        } else {
            Value::False
        }
    };

    let decision = match response.decision() {
        cedar_policy::Decision::Allow => "allow",
        cedar_policy::Decision::Deny => "deny",
    };
    let mut out = Explanation {
        decision: decision.to_owned(),
        default_deny: decision == "deny" && reasons.is_empty(),
        determining: Vec::new(),
        errored: Vec::new(),
        unmet: Vec::new(),
        overridden: Vec::new(),
    };
    for (policy, id, source, text, clauses) in plans {
        let (conditions, status) = walk(&clauses, &text, source, &value);
        let effect = match policy.effect() {
            Effect::Permit => "permit",
            Effect::Forbid => "forbid",
        };
        let explained = PolicyExplanation {
            effect: effect.to_owned(),
            file: source.map(|s| s.file.clone()),
            line: source.map(|s| s.line),
            text,
            conditions,
            error: errors.get(&id).cloned(),
            id: id.clone(),
        };
        // Cedar's answer on the whole set decides where a policy is listed.
        if reasons.contains(&id) {
            out.determining.push(explained);
        } else if errors.contains_key(&id) {
            out.errored.push(explained);
        } else if status == Status::Applies {
            out.overridden.push(explained);
        } else {
            out.unmet.push(explained);
        }
    }
    out
}

/// `(policy id, message)` of each error in a response; the first message per policy.
fn policy_errors(response: &Response) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in response.diagnostics().errors() {
        let AuthorizationError::PolicyEvaluationError(e) = e;
        out.entry(e.policy_id().to_string())
            .or_insert_with(|| e.inner().to_string());
    }
    out
}

/// Whether each policy's scope matches: Cedar on the policies with conditions dropped and
/// effect `permit`. A policy whose scope cannot be isolated counts as matching.
fn scope_matches(
    authorizer: &Authorizer,
    policies: &[&Policy],
    request: &Request,
    entities: &Entities,
) -> Vec<bool> {
    let mut set = PolicySet::new();
    let mut isolated = Vec::with_capacity(policies.len());
    for (i, p) in policies.iter().enumerate() {
        let scope = p.to_json().ok().and_then(|mut json| {
            let obj = json.as_object_mut()?;
            obj.insert("effect".into(), "permit".into());
            obj.insert("conditions".into(), serde_json::Value::Array(Vec::new()));
            Policy::from_json(Some(PolicyId::new(format!("scope{i}"))), json).ok()
        });
        isolated.push(scope.and_then(|s| set.add(s).ok()).is_some());
    }
    let response = authorizer.is_authorized(request, &set, entities);
    let hits: Vec<String> = response
        .diagnostics()
        .reason()
        .map(ToString::to_string)
        .collect();
    isolated
        .iter()
        .enumerate()
        .map(|(i, ok)| !ok || hits.contains(&format!("scope{i}")))
        .collect()
}

/// A clause of a policy: its kind and its conjuncts as (byte span in the text, the id of the
/// conjunct's policy in the conjunct set).
#[derive(Debug)]
struct PlannedClause {
    kind: &'static str,
    conjuncts: Vec<(usize, usize, String)>,
}

/// Adds a policy per conjunct of `text` to `set`. A clause whose conjuncts do not each parse
/// on their own is kept whole; one that does not parse even whole is left out.
fn plan_conjuncts(text: &str, set: &mut PolicySet, next: &mut usize) -> Vec<PlannedClause> {
    let Some(clauses) = scan(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for clause in clauses {
        let mut add_all = |spans: &[(usize, usize)]| -> Option<Vec<(usize, usize, String)>> {
            let mut built = Vec::new();
            for &(start, end) in spans {
                let id = format!("c{}", *next + built.len());
                let body = text.get(start..end)?;
                let src = format!("permit (principal, action, resource) when {{\n{body}\n}};");
                built.push((
                    start,
                    end,
                    Policy::parse(Some(PolicyId::new(&id)), src).ok()?,
                ));
            }
            *next += built.len();
            let mut ids = Vec::new();
            for (start, end, policy) in built {
                ids.push((start, end, policy.id().to_string()));
                set.add(policy).ok()?;
            }
            Some(ids)
        };
        let conjuncts = add_all(&clause.conjuncts).or_else(|| add_all(&[clause.body]));
        if let Some(conjuncts) = conjuncts {
            out.push(PlannedClause {
                kind: clause.kind,
                conjuncts,
            });
        }
    }
    out
}

/// Reads the conjuncts in Cedar's order (module documentation) into condition results.
fn walk(
    clauses: &[PlannedClause],
    text: &str,
    source: Option<&PolicySource>,
    value: &dyn Fn(&str) -> Value,
) -> (Vec<ConditionResult>, Status) {
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    let mut status = Status::Applies;
    for clause in clauses {
        let first = out.len();
        let mut unless_stops = clause.kind == "unless";
        for (start, end, pid) in &clause.conjuncts {
            let (l, c) = index.position(*start);
            let (line, column) = match source {
                Some(s) if l == 1 => (s.text_line, s.text_column + c - 1),
                Some(s) => (s.text_line + l - 1, c),
                None => (l, c),
            };
            let mut result = ConditionResult {
                kind: clause.kind.to_owned(),
                text: text.get(*start..*end).unwrap_or_default().to_owned(),
                file: source.map(|s| s.text_file.clone()),
                line,
                column,
                outcome: "skipped".to_owned(),
                error: None,
            };
            // Before this conjunct, the policy was stopped, or this unless clause settled.
            let settled = status != Status::Applies
                || (clause.kind == "unless" && !unless_stops && out.len() > first);
            if !settled {
                match value(pid) {
                    Value::Error(message) => {
                        result.outcome = "error".to_owned();
                        result.error = Some(message);
                        status = Status::Errored;
                        unless_stops = false;
                    }
                    Value::True if clause.kind == "when" => result.outcome = "held".to_owned(),
                    Value::False if clause.kind == "when" => {
                        result.outcome = "failed".to_owned();
                        status = Status::Stopped;
                    }
                    // Unless: true parts wait for the rest of the clause; a false one ends it.
                    Value::True => result.outcome = "held".to_owned(),
                    Value::False => {
                        result.outcome = "held".to_owned();
                        unless_stops = false;
                    }
                }
            }
            out.push(result);
        }
        if clause.kind == "unless" && unless_stops && status == Status::Applies {
            for r in out.iter_mut().skip(first) {
                r.outcome = "failed".to_owned();
            }
            status = Status::Stopped;
        }
    }
    (out, status)
}

// ---------------------------------------------------------------------------------------
// The scanner: where a policy's clauses and their top-level conjuncts are in its text.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Ident,
    Str,
    AndAnd,
    OrOr,
    Open(u8),
    Close(u8),
    Other(u8),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Tok,
    start: usize,
    end: usize,
}

/// Cedar's tokens as far as the split needs them; comments and whitespace dropped.
fn lex(s: &str) -> Vec<Token> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = at(i);
        let start = i;
        let kind = match c {
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'/' if at(i + 1) == b'/' => {
                while i < b.len() && at(i) != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() {
                    match at(i) {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                i = i.min(b.len());
                Tok::Str
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while at(i).is_ascii_alphanumeric() || at(i) == b'_' {
                    i += 1;
                }
                Tok::Ident
            }
            b'&' if at(i + 1) == b'&' => {
                i += 2;
                Tok::AndAnd
            }
            b'|' if at(i + 1) == b'|' => {
                i += 2;
                Tok::OrOr
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                Tok::Open(c)
            }
            b')' | b']' | b'}' => {
                i += 1;
                Tok::Close(c)
            }
            _ => {
                i += s
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8);
                Tok::Other(c)
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

/// One `when`/`unless` clause found by [`scan`]: byte spans in the policy's text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ScannedClause {
    kind: &'static str,
    /// Between the braces, trimmed to its tokens.
    body: (usize, usize),
    /// Its top-level `&&` conjuncts, each trimmed to its tokens.
    conjuncts: Vec<(usize, usize)>,
}

/// The clauses of one policy statement's text (annotations may precede it); `None` when the
/// text is not shaped like a statement.
fn scan(text: &str) -> Option<Vec<ScannedClause>> {
    let tokens = lex(text);
    let word = |t: &Token| text.get(t.start..t.end).unwrap_or_default();
    // The effect: the first `permit`/`forbid` not naming an annotation.
    let effect = tokens.iter().enumerate().position(|(i, t)| {
        t.kind == Tok::Ident
            && matches!(word(t), "permit" | "forbid")
            && (i == 0 || tokens.get(i - 1).map(|p| p.kind) != Some(Tok::Other(b'@')))
    })?;
    let mut i = effect + 1;
    if tokens.get(i)?.kind != Tok::Open(b'(') {
        return None;
    }
    i = matching(&tokens, i)? + 1;
    let mut out = Vec::new();
    while let Some(t) = tokens.get(i) {
        let kind = match (t.kind, word(t)) {
            (Tok::Ident, "when") => "when",
            (Tok::Ident, "unless") => "unless",
            (Tok::Other(b';'), _) => break,
            _ => return None,
        };
        if tokens.get(i + 1)?.kind != Tok::Open(b'{') {
            return None;
        }
        let close = matching(&tokens, i + 1)?;
        let body = tokens.get(i + 2..close)?;
        let span = |ts: &[Token]| Some((ts.first()?.start, ts.last()?.end));
        let mut conjuncts = Vec::new();
        let whole = body.iter().scan(0i32, |depth, t| {
            let top = *depth == 0;
            match t.kind {
                Tok::Open(_) => *depth += 1,
                Tok::Close(_) => *depth -= 1,
                _ => {}
            }
            Some((top, t))
        });
        let mut splittable = true;
        let mut cut = Vec::new();
        for (n, (top, t)) in whole.enumerate() {
            if !top {
                continue;
            }
            match t.kind {
                // `a && b || c` is `(a && b) || c`; an `if` reaches to the end of the body.
                Tok::OrOr => splittable = false,
                Tok::Ident if word(t) == "if" => splittable = false,
                Tok::AndAnd => cut.push(n),
                _ => {}
            }
        }
        if splittable {
            let mut from = 0;
            for n in cut.into_iter().chain([body.len()]) {
                conjuncts.push(span(body.get(from..n)?)?);
                from = n + 1;
            }
        } else {
            conjuncts.push(span(body)?);
        }
        out.push(ScannedClause {
            kind,
            body: span(body)?,
            conjuncts,
        });
        i = close + 1;
    }
    Some(out)
}

/// The index of the token closing the bracket opened at `open`.
fn matching(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Tok::Open(_) => depth += 1,
            Tok::Close(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
#[path = "explain_tests.rs"]
mod tests;
