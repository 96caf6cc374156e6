//! Framework catalogs, controls and their mappings, coverage with evidence, and exports.
//!
//! A control (`controls/controls.toml`) is a practice the organisation enforces, with the
//! policies (by `@id`; policies name it back with `@control`), inventory checks, traffic
//! insights and manual attestations that are its evidence, and its mappings to framework
//! items (framework item → control → enforcing policy → evidence). Mandate ships a library
//! of controls; `mandate init` copies it into the workspace. An organisation brings its own
//! frameworks ([`import`]) and the alignment tables guidance publishes ([`alignment`]).

pub mod alignment;
pub mod catalog;
pub mod coverage;
pub mod edit;
pub mod export;
pub mod import;
pub mod resolve;

pub use catalog::{Catalogs, Framework, Item};
pub use resolve::{resolve, resolve_mapping, Resolution, Suggestion};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::diagnostics::{Diagnostic, Severity};

pub const CONTROLS_FILE: &str = "controls/controls.toml";

/// The built-in control library.
pub const LIBRARY: &str = include_str!("controls.toml");

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Control {
    /// `MND-…` for Mandate's; an organisation's own controls use their own prefix.
    pub id: String,
    pub title: String,
    pub statement: String,
    #[serde(default)]
    pub rationale: String,
    /// `@id`s of the policies that enforce it.
    #[serde(default)]
    pub policies: Vec<String>,
    /// `mandate check` codes that watch it.
    #[serde(default)]
    pub checks: Vec<String>,
    /// `mandate insights` codes whose absence from fresh recorded traffic is evidence.
    #[serde(default)]
    pub insights: Vec<String>,
    /// What no machine can see, attested by a person until a date.
    #[serde(default)]
    pub attestations: Vec<Attestation>,
    /// Framework items the control addresses.
    #[serde(default)]
    pub mappings: Vec<Mapping>,
}

/// A control's link to a framework item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Mapping {
    /// Mandate's framework id (`nist-ai-rmf-1.0`); empty for an unresolved citation.
    #[serde(default)]
    pub framework: String,
    /// The item's official id or label (`GOVERN 1.1`, `L7: Agent Tool Misuse`).
    #[serde(default)]
    pub item: String,
    /// One sentence: why the control addresses the item.
    #[serde(default)]
    pub relevance: String,
    /// The citation as a source wrote it, kept when it names no official item (`CSA
    /// MAESTRO T1`). Such a mapping never counts as coverage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cited: Option<String>,
}

/// A person's statement that a control works where no machine can see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Attestation {
    pub statement: String,
    /// Who attests (an e-mail or a person's id).
    pub by: String,
    /// `YYYY-MM-DD`: when it was attested.
    pub date: String,
    /// `YYYY-MM-DD`: after this day it no longer counts.
    pub expires: String,
}

/// A framework item the organisation does not consider applicable, and why. It leaves the
/// coverage denominator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct NotApplicable {
    pub framework: String,
    pub item: String,
    pub justification: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controls {
    #[serde(default)]
    pub controls: Vec<Control>,
    #[serde(default)]
    pub not_applicable: Vec<NotApplicable>,
}

/// Where the values of a controls file are (1-based lines), parallel to [`Controls`]: the
/// n-th entry describes the n-th control, and so on. Problems found after parsing (an
/// unknown check code, an attestation date that is not a date) are reported at these lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lines {
    pub controls: Vec<ControlLines>,
    pub not_applicable: Vec<u32>,
}

/// The lines of one control.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControlLines {
    /// Its `[[controls]]` header.
    pub at: u32,
    /// Each entry of `checks`, and of `insights`.
    pub checks: Vec<u32>,
    pub insights: Vec<u32>,
    pub attestations: Vec<AttestationLines>,
    pub mappings: Vec<MappingLines>,
}

/// The lines of one attestation: its header, `date` and `expires`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttestationLines {
    pub at: u32,
    pub date: u32,
    pub expires: u32,
}

/// The lines of one mapping: its header, `framework`, and `item` (or `cited`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MappingLines {
    pub at: u32,
    pub framework: u32,
    pub item: u32,
}

const TOP_KEYS: &[&str] = &["controls", "not_applicable"];
/// The fields of [`Control`], in order (a unit test keeps them in step).
const CONTROL_KEYS: &[&str] = &[
    "id",
    "title",
    "statement",
    "rationale",
    "policies",
    "checks",
    "insights",
    "attestations",
    "mappings",
];

/// The closest of `known` to `value`, when it is close enough to be a likely misspelling.
pub fn did_you_mean<'a>(value: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let value = value.trim().to_lowercase();
    known
        .into_iter()
        .map(|k| {
            (
                strsim::normalized_damerau_levenshtein(&value, &k.to_lowercase()),
                k,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Parses a controls file; every problem located.
pub fn parse(file: &str, text: &str) -> (Controls, Vec<Diagnostic>) {
    let (controls, _, problems) = parse_located(file, text);
    (controls, problems)
}

type Span = std::ops::Range<usize>;
type Value<'i> = toml::Spanned<toml::de::DeValue<'i>>;
type Key<'i> = toml::Spanned<std::borrow::Cow<'i, str>>;

/// Reads one controls file, locating what it finds.
struct Reader<'t> {
    file: &'t str,
    text: &'t str,
    index: crate::diagnostics::LineIndex<'t>,
    problems: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn line(&self, span: &Span) -> u32 {
        self.index.position(span.start).0
    }

    fn error(&mut self, span: Span, code: &str, message: String, help: String) {
        self.problems.push(Diagnostic::at_span(
            self.file,
            self.text,
            span.start,
            span.end,
            Severity::Error,
            code,
            message,
            Some(help),
        ));
    }

    /// The value as a `T`; a problem naming `what` when it is not one.
    fn value<T: serde::de::DeserializeOwned>(&mut self, v: &Value<'_>, what: &str) -> Option<T> {
        match T::deserialize(toml::de::ValueDeserializer::from(v.clone())) {
            Ok(t) => Some(t),
            Err(e) => {
                let span = e.span().unwrap_or_else(|| v.span());
                self.error(
                    span,
                    "controls::parse",
                    format!("{what}: {}", e.message().trim_end()),
                    "fix the value at this line".to_owned(),
                );
                None
            }
        }
    }

    fn unknown_key(&mut self, key: &Key<'_>, owner: &str, known: &[&str]) {
        let name = key.get_ref().as_ref();
        let help = match did_you_mean(name, known.iter().copied()) {
            Some(k) => format!("did you mean `{k}`? the keys are {}", known.join(", ")),
            None => format!("the keys are {}", known.join(", ")),
        };
        self.error(
            key.span(),
            "controls::unknown_field",
            format!("unknown key `{name}` in {owner}"),
            help,
        );
    }

    /// The entries of a list of tables; a problem when `v` is not a list.
    fn tables<'v, 'i>(&mut self, v: &'v Value<'i>, what: &str) -> &'v [Value<'i>] {
        match v.get_ref().as_array() {
            Some(a) => &a[..],
            None => {
                self.error(
                    v.span(),
                    "controls::parse",
                    format!("`{what}` must be a list of `[[{what}]]` tables"),
                    format!("write each entry under its own `[[{what}]]` header"),
                );
                &[]
            }
        }
    }

    /// The line of `key` in the table `v`, or of the table itself.
    fn line_of(&self, v: &Value<'_>, key: &str) -> u32 {
        let span = v
            .get_ref()
            .as_table()
            .and_then(|t| t.get(key))
            .map_or_else(|| v.span(), toml::Spanned::span);
        self.line(&span)
    }

    /// One `[[controls]]` table, field by field; `None` when it is not a table.
    fn control(&mut self, elem: &Value<'_>) -> Option<(Control, ControlLines)> {
        let at = self.line(&elem.span());
        let Some(table) = elem.get_ref().as_table() else {
            self.error(
                elem.span(),
                "controls::parse",
                format!("the control at line {at} is not a table"),
                "write each control under its own `[[controls]]` header".to_owned(),
            );
            return None;
        };
        let id = table
            .get("id")
            .and_then(|v| v.get_ref().as_str())
            .map(str::to_owned);
        let owner = id.as_deref().map_or_else(
            || format!("the control at line {at}"),
            |id| format!("control `{id}`"),
        );
        let mut c = Control::default();
        let mut lines = ControlLines {
            at,
            ..ControlLines::default()
        };
        let entry_lines = |r: &Self, v: &Value<'_>| -> Vec<u32> {
            v.get_ref()
                .as_array()
                .map(|a| a.iter().map(|e| r.line(&e.span())).collect())
                .unwrap_or_default()
        };
        for (key, v) in table {
            let what = format!("`{}` of {owner}", key.get_ref());
            match key.get_ref().as_ref() {
                "id" => c.id = self.value(v, &what).unwrap_or_default(),
                "title" => c.title = self.value(v, &what).unwrap_or_default(),
                "statement" => c.statement = self.value(v, &what).unwrap_or_default(),
                "rationale" => c.rationale = self.value(v, &what).unwrap_or_default(),
                "policies" => c.policies = self.value(v, &what).unwrap_or_default(),
                "checks" => {
                    if let Some(x) = self.value(v, &what) {
                        c.checks = x;
                        lines.checks = entry_lines(self, v);
                    }
                }
                "insights" => {
                    if let Some(x) = self.value(v, &what) {
                        c.insights = x;
                        lines.insights = entry_lines(self, v);
                    }
                }
                "attestations" => {
                    for a in self.tables(v, "controls.attestations") {
                        let what = format!(
                            "the attestation of {owner} at line {}",
                            self.line(&a.span())
                        );
                        if let Some(x) = self.value::<Attestation>(a, &what) {
                            c.attestations.push(x);
                            lines.attestations.push(AttestationLines {
                                at: self.line(&a.span()),
                                date: self.line_of(a, "date"),
                                expires: self.line_of(a, "expires"),
                            });
                        }
                    }
                }
                "mappings" => {
                    for m in self.tables(v, "controls.mappings") {
                        let what =
                            format!("the mapping of {owner} at line {}", self.line(&m.span()));
                        if let Some(x) = self.value::<Mapping>(m, &what) {
                            let item = if x.item.is_empty() && x.cited.is_some() {
                                self.line_of(m, "cited")
                            } else {
                                self.line_of(m, "item")
                            };
                            c.mappings.push(x);
                            lines.mappings.push(MappingLines {
                                at: self.line(&m.span()),
                                framework: self.line_of(m, "framework"),
                                item,
                            });
                        }
                    }
                }
                _ => self.unknown_key(key, &owner, CONTROL_KEYS),
            }
        }
        for required in ["id", "title", "statement"] {
            if !table.contains_key(required) {
                self.error(
                    elem.span(),
                    "controls::parse",
                    format!("{owner} has no `{required}`"),
                    "every control needs an `id`, a `title` and a `statement`".to_owned(),
                );
            }
        }
        id.map(|_| (c, lines))
    }
}

/// Parses a controls file, with the lines of its values. Reports every problem, not only the
/// first: every TOML syntax error; then, field by field, every unknown key, value of the
/// wrong type, missing required field and duplicate control id. A control with problems is
/// kept (its faulty fields empty) so the checks after parsing still see the rest.
pub fn parse_located(file: &str, text: &str) -> (Controls, Lines, Vec<Diagnostic>) {
    let mut r = Reader {
        file,
        text,
        index: crate::diagnostics::LineIndex::new(text),
        problems: Vec::new(),
    };
    let (table, errors) = toml::de::DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in &errors {
            r.error(
                e.span().unwrap_or(0..0),
                "controls::parse",
                e.message().trim_end().to_owned(),
                "fix the TOML at this line".to_owned(),
            );
        }
        let mut out = r.problems;
        crate::diagnostics::sort(&mut out);
        out.dedup_by(|a, b| a.line == b.line && a.message == b.message);
        return (Controls::default(), Lines::default(), out);
    }
    let mut controls = Controls::default();
    let mut lines = Lines::default();
    for (key, v) in table.get_ref() {
        match key.get_ref().as_ref() {
            "controls" => {
                for elem in r.tables(v, "controls") {
                    if let Some((c, l)) = r.control(elem) {
                        controls.controls.push(c);
                        lines.controls.push(l);
                    }
                }
            }
            "not_applicable" => {
                for elem in r.tables(v, "not_applicable") {
                    let at = r.line(&elem.span());
                    let what = format!("the not-applicable entry at line {at}");
                    if let Some(na) = r.value::<NotApplicable>(elem, &what) {
                        controls.not_applicable.push(na);
                        lines.not_applicable.push(at);
                    }
                }
            }
            _ => r.unknown_key(key, "the controls file", TOP_KEYS),
        }
    }
    let mut problems = r.problems;
    crate::diagnostics::duplicate_ids(
        file,
        text,
        "controls::duplicate_id",
        "control",
        controls.controls.iter().map(|x| x.id.as_str()),
        &mut problems,
    );
    crate::diagnostics::sort(&mut problems);
    (controls, lines, problems)
}

/// Whether `code` is a `mandate check` code.
pub fn is_check_code(code: &str) -> bool {
    crate::inventory::checks::CHECKS
        .iter()
        .any(|(c, ..)| *c == code)
}

/// Whether `code` is a `mandate insights` code.
pub fn is_insight_code(code: &str) -> bool {
    crate::insights::CATALOG.iter().any(|(c, ..)| *c == code)
}

/// The hint for an unknown check or insight code: the closest known one, or all of them.
pub fn unknown_code_hint(code: &str, insight: bool) -> String {
    let known: Vec<&str> = if insight {
        crate::insights::CATALOG.iter().map(|(c, ..)| *c).collect()
    } else {
        crate::inventory::checks::CHECKS
            .iter()
            .map(|(c, ..)| *c)
            .collect()
    };
    match did_you_mean(code, known.iter().copied()) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!(
            "use one of the {} codes: {}",
            if insight {
                "`mandate insights`"
            } else {
                "`mandate check`"
            },
            known.join(", ")
        ),
    }
}

/// A `YYYY-MM-DD` day.
pub fn day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// What parsing cannot see, for `mandate check`: check and insight codes that name nothing
/// (they would never be evidence), attestation dates that are not `YYYY-MM-DD` or end before
/// they start, and mappings to a framework that is not loaded (they never count). Each at its
/// line, with a hint. Errors: each breaks the chain from a control to its evidence or to a
/// framework, so `mandate check` fails until it is fixed; coverage still computes (it shows
/// them as failing evidence and gaps) because none makes the file unreadable.
pub fn lint(
    file: &str,
    controls: &Controls,
    lines: &Lines,
    catalogs: &Catalogs,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut at = |line: u32, code: &str, message: String, help: String| {
        out.push(Diagnostic::at_line(
            file,
            line as usize,
            1,
            Severity::Error,
            code,
            message,
            Some(help),
        ));
    };
    let framework_ids: Vec<&str> = catalogs.frameworks.iter().map(|f| f.id.as_str()).collect();
    let empty = ControlLines::default();
    for (n, c) in controls.controls.iter().enumerate() {
        let l = lines.controls.get(n).unwrap_or(&empty);
        for (i, code) in c.checks.iter().enumerate() {
            if !is_check_code(code) {
                at(
                    l.checks.get(i).copied().unwrap_or(l.at),
                    "controls::unknown_check",
                    format!("`{}` lists check `{code}`, which `mandate check` does not have; it can never be evidence", c.id),
                    unknown_code_hint(code, false),
                );
            }
        }
        for (i, code) in c.insights.iter().enumerate() {
            if !is_insight_code(code) {
                at(
                    l.insights.get(i).copied().unwrap_or(l.at),
                    "controls::unknown_insight",
                    format!("`{}` lists insight `{code}`, which `mandate insights` does not have; it can never be evidence", c.id),
                    unknown_code_hint(code, true),
                );
            }
        }
        for (i, a) in c.attestations.iter().enumerate() {
            let al = l.attestations.get(i).copied().unwrap_or_default();
            let mut fine = true;
            for (field, value, line) in [
                ("date", &a.date, al.date),
                ("expires", &a.expires, al.expires),
            ] {
                if day(value).is_none() {
                    fine = false;
                    at(
                        line.max(l.at),
                        "controls::attestation_date",
                        format!("the attestation of `{}` has `{field} = \"{value}\"`, which is not a date; it does not count", c.id),
                        "write the day as YYYY-MM-DD, e.g. 2026-10-15".to_owned(),
                    );
                }
            }
            if let (true, Some(d), Some(x)) = (fine, day(&a.date), day(&a.expires)) {
                if x < d {
                    at(
                        al.expires.max(l.at),
                        "controls::attestation_date",
                        format!("the attestation of `{}` expires ({}) before it was made ({}); it does not count", c.id, a.expires, a.date),
                        "set `expires` to a day after `date`".to_owned(),
                    );
                }
            }
        }
        for (i, m) in c.mappings.iter().enumerate() {
            let ml = l.mappings.get(i).copied().unwrap_or_default();
            let framework = m.framework.trim();
            if framework.is_empty() || catalogs.get(framework).is_some() {
                continue;
            }
            at(
                ml.framework.max(l.at),
                "controls::unknown_framework",
                format!("`{}` maps to `{}` of framework `{framework}`, which is not loaded; the mapping does not count", c.id, m.item),
                unknown_framework_hint(framework, &framework_ids),
            );
        }
    }
    out
}

/// The hint for an unknown framework id: the closest known one, and all of them.
pub fn unknown_framework_hint(framework: &str, known: &[&str]) -> String {
    match did_you_mean(framework, known.iter().copied()) {
        Some(k) => format!("did you mean `{k}`? known frameworks: {}", known.join(", ")),
        None => format!(
            "known frameworks: {} (`mandate frameworks list`)",
            known.join(", ")
        ),
    }
}

/// The built-in library, parsed.
pub fn library() -> Controls {
    parse(CONTROLS_FILE, LIBRARY).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_control_keys_the_reader_knows_are_the_fields_of_a_control() {
        let value = serde_json::to_value(Control::default()).unwrap();
        let fields: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut known = CONTROL_KEYS.to_vec();
        known.sort_unstable();
        let mut fields = fields;
        fields.sort_unstable();
        assert_eq!(known, fields);
    }

    #[test]
    fn insight_codes_name_the_library_control_that_lists_them() {
        let lib = library();
        for (code, _, _, control) in crate::insights::CATALOG {
            let Some(control) = control else { continue };
            assert!(
                lib.controls.iter().any(|c| c.id == *control),
                "insight `{code}` names `{control}`, which is not a library control"
            );
        }
        for c in &lib.controls {
            for code in &c.insights {
                let named = crate::insights::CATALOG
                    .iter()
                    .find(|(k, ..)| k == code)
                    .and_then(|(.., control)| *control);
                assert_eq!(named, Some(c.id.as_str()), "insight `{code}` of `{}`", c.id);
            }
        }
    }

    #[test]
    fn library_parses_and_every_named_policy_exists_in_the_policy_library() {
        let (lib, problems) = parse(CONTROLS_FILE, LIBRARY);
        assert_eq!(problems, vec![]);
        assert!(lib.controls.len() >= 12);
        let report = crate::policy::check_sources(
            crate::workspace::POLICY_LIBRARY
                .iter()
                .map(|(n, t)| (format!("policies/{n}"), (*t).to_owned()))
                .collect(),
            None,
        );
        let ids: Vec<(&str, Option<&str>)> = report
            .files
            .iter()
            .flat_map(|f| &f.statements)
            .map(|s| (s.id.as_str(), s.control.as_deref()))
            .collect();
        for c in &lib.controls {
            for p in &c.policies {
                let found = ids.iter().find(|(id, _)| id == p);
                assert_eq!(
                    found.map(|(_, control)| *control),
                    Some(Some(c.id.as_str())),
                    "{} names {p}",
                    c.id
                );
            }
            for check in &c.checks {
                assert!(
                    crate::inventory::checks::CHECKS
                        .iter()
                        .any(|(code, _, _)| code == check),
                    "{} names unknown check {check}",
                    c.id
                );
            }
        }
        // Every library policy's @control is a library control.
        for (id, control) in ids {
            assert!(
                lib.controls.iter().any(|c| Some(c.id.as_str()) == control),
                "{id} names {control:?}"
            );
        }
    }

    /// The practices the library must cover, one control each (see the crate docs).
    const PRACTICES: &[(&str, &str)] = &[
        ("MND-ID-01", "distinct workload identity per agent"),
        ("MND-AUTHZ-01", "per-action request-time authorization"),
        (
            "MND-CRED-01",
            "just-in-time credentials with a TTL by risk tier",
        ),
        (
            "MND-CRED-02",
            "credentials scoped to one resource and one task",
        ),
        ("MND-CRED-03", "attestation before issuance"),
        ("MND-CRED-04", "separate human and agent issuance paths"),
        ("MND-STEPUP-01", "step-up approval for high-risk actions"),
        ("MND-DELEG-01", "explicit delegation"),
        ("MND-DELEG-02", "narrowing delegation"),
        ("MND-DELEG-03", "bounded delegation depth"),
        ("MND-ENV-01", "environment separation"),
        ("MND-REVOKE-01", "revocation on task completion"),
        ("MND-OWN-01", "an accountable owner and escalation path"),
        ("MND-LOG-01", "every decision logged with task context"),
        ("MND-LIFECYCLE-01", "only approved, active agents act"),
    ];

    /// Problems with one control's mappings: each names an assessable, verified item of a
    /// built-in framework exactly as its catalog writes it, with a relevance, once.
    fn mapping_problems(c: &Control, catalogs: &Catalogs) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for m in &c.mappings {
            let at = format!("{} → {} `{}`", c.id, m.framework, m.item);
            if m.relevance.trim().is_empty() {
                out.push(format!("{at}: no relevance"));
            }
            if !seen.insert((m.framework.as_str(), m.item.as_str())) {
                out.push(format!("{at}: mapped twice"));
            }
            match resolve(catalogs, Some(&m.framework), &m.item) {
                Resolution::Exact { framework, key } => {
                    let item = catalogs
                        .get(&framework)
                        .and_then(|f| f.item(&key))
                        .map(|i| (i.assessable, i.uncertain, i.label.clone()));
                    match item {
                        Some((true, false, label)) if framework == m.framework => {
                            if label != m.item {
                                out.push(format!("{at}: write it as `{label}`"));
                            }
                        }
                        Some((true, true, _)) => out.push(format!("{at}: unverified item")),
                        Some((false, ..)) => out.push(format!("{at}: not assessable")),
                        _ => out.push(format!("{at}: resolves into {framework}")),
                    }
                }
                other => out.push(format!("{at}: {other:?}")),
            }
        }
        out
    }

    #[test]
    fn library_covers_the_practices_and_every_mapping_resolves_exactly() {
        let lib = library();
        let catalogs = Catalogs::new(catalog::builtin().to_vec());
        let ids: Vec<&str> = lib.controls.iter().map(|c| c.id.as_str()).collect();
        for (id, practice) in PRACTICES {
            assert!(ids.contains(id), "no control {id} for {practice}");
        }
        let mut problems = Vec::new();
        for c in &lib.controls {
            if c.mappings.is_empty() {
                problems.push(format!("{} has no mapping", c.id));
            }
            problems.extend(mapping_problems(c, &catalogs));
            for code in &c.insights {
                if !crate::insights::CATALOG.iter().any(|(x, ..)| x == code) {
                    problems.push(format!("{} names unknown insight {code}", c.id));
                }
            }
            // The library cannot attest for an organisation.
            if !c.attestations.is_empty() {
                problems.push(format!("{} carries an attestation", c.id));
            }
        }
        assert_eq!(problems, Vec::<String>::new());
        // Every built-in framework is mapped to.
        for f in catalog::builtin() {
            assert!(
                lib.controls
                    .iter()
                    .flat_map(|c| &c.mappings)
                    .any(|m| m.framework == f.id),
                "nothing maps to {}",
                f.id
            );
        }
        // The practices that moved: identity checks to MND-ID-01, revocation has no machine
        // evidence.
        let control = |id: &str| lib.controls.iter().find(|c| c.id == id).unwrap();
        assert_eq!(
            control("MND-ID-01").checks,
            ["identity.shared", "identity.missing"]
        );
        assert!(control("MND-AUTHZ-01").checks.is_empty());
        let revoke = control("MND-REVOKE-01");
        assert!(
            revoke.policies.is_empty() && revoke.checks.is_empty() && revoke.insights.is_empty()
        );
    }

    #[test]
    fn the_demo_controls_parse_and_their_mappings_resolve() {
        const DEMO: &str = include_str!("../../examples/demo/controls/controls.toml");
        const PEOPLE: &str = include_str!("../../examples/demo/inventory/people.toml");
        let (demo, problems) = parse(CONTROLS_FILE, DEMO);
        assert_eq!(problems, vec![]);
        let catalogs = Catalogs::new(catalog::builtin().to_vec());
        // The demo adopts the whole library.
        for c in library().controls {
            let d = demo.controls.iter().find(|d| d.id == c.id);
            assert!(d.is_some(), "the demo lacks {}", c.id);
            assert_eq!(d.map(|d| &d.insights), Some(&c.insights), "{}", c.id);
        }
        let mut problems = Vec::new();
        let mut cited = Vec::new();
        for c in &demo.controls {
            let (loose, official): (Vec<Mapping>, Vec<Mapping>) =
                c.mappings.iter().cloned().partition(|m| m.cited.is_some());
            for m in &loose {
                assert!(m.framework.is_empty() && m.item.is_empty(), "{m:?}");
                assert!(!m.relevance.trim().is_empty(), "{m:?}");
                assert!(matches!(
                    resolve(&catalogs, None, m.cited.as_deref().unwrap_or_default()),
                    Resolution::Unresolved { .. }
                ));
                cited.push(m.cited.clone().unwrap_or_default());
            }
            let official = Control {
                mappings: official,
                ..c.clone()
            };
            if official.mappings.is_empty() {
                problems.push(format!("{} has no mapping", c.id));
            }
            problems.extend(mapping_problems(&official, &catalogs));
        }
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(cited, ["CSA MAESTRO T1"]);
        // Revocation is attested by a current person of the demo organisation.
        let revoke = demo
            .controls
            .iter()
            .find(|c| c.id == "MND-REVOKE-01")
            .unwrap();
        assert_eq!(revoke.attestations.len(), 1);
        let a = &revoke.attestations[0];
        assert_eq!(
            (a.date.as_str(), a.expires.as_str()),
            ("2026-10-15", "2027-04-15")
        );
        assert!(
            PEOPLE.contains(&format!("email = \"{}\"", a.by)),
            "{}",
            a.by
        );
        // Not-applicable items exist, are assessable and say why.
        assert!((2..=3).contains(&demo.not_applicable.len()));
        for na in &demo.not_applicable {
            let r = resolve(&catalogs, Some(&na.framework), &na.item);
            let Resolution::Exact { framework, key } = r else {
                panic!("{na:?}: {r:?}")
            };
            let item = catalogs.get(&framework).and_then(|f| f.item(&key)).unwrap();
            assert!(item.assessable && item.label == na.item, "{na:?}");
            assert!(!na.justification.trim().is_empty());
        }
    }

    #[test]
    fn duplicate_and_unknown_keys_are_located() {
        let (_, p) = parse(CONTROLS_FILE, "[[controls]]\nid = \"A\"\ntitle = \"t\"\nstatement = \"s\"\n\n[[controls]]\nid = \"A\"\ntitle = \"t\"\nstatement = \"s\"\n");
        assert_eq!(
            (p[0].line, p[0].code.as_str()),
            (7, "controls::duplicate_id")
        );
        let (_, p) = parse(
            CONTROLS_FILE,
            "[[controls]]\nid = \"A\"\ntitle = \"t\"\nstatement = \"s\"\nowner = \"x\"\n",
        );
        assert_eq!(
            (p[0].line, p[0].code.as_str()),
            (5, "controls::unknown_field")
        );
    }

    #[test]
    fn every_structural_problem_is_reported_at_its_line() {
        let text = "\
[[controls]]
id = \"A\"
title = \"t\"
statement = \"s\"
checks = [\"identity.shared\", 3]

[[controls]]
id = \"B\"
statement = \"s\"
owner = \"x\"

[[controls.mappings]]
framework = \"nist-ai-rmf-1.0\"
itme = \"GOVERN 1.1\"

[[controls]]
id = \"A\"
title = \"t\"
statement = \"s\"

[[not_applicable]]
framework = \"csa-maestro\"
item = \"L1\"
";
        let (controls, lines, p) = parse_located(CONTROLS_FILE, text);
        let found: Vec<(u32, &str)> = p.iter().map(|d| (d.line, d.code.as_str())).collect();
        assert_eq!(
            found,
            [
                (5, "controls::parse"),
                (7, "controls::parse"),
                (10, "controls::unknown_field"),
                (14, "controls::parse"),
                (17, "controls::duplicate_id"),
                (21, "controls::parse"),
            ],
            "{p:#?}"
        );
        assert!(
            p[0].message.contains("`checks` of control `A`"),
            "{}",
            p[0].message
        );
        assert_eq!(p[1].message, "control `B` has no `title`");
        assert_eq!(
            p[2].help.as_deref(),
            Some("the keys are id, title, statement, rationale, policies, checks, insights, attestations, mappings")
        );
        assert!(
            p[3].message.contains("unknown field `itme`"),
            "{}",
            p[3].message
        );
        assert!(p[5].message.contains("justification"), "{}", p[5].message);
        // The controls are kept, with their lines, so later checks still see them.
        let ids: Vec<&str> = controls.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["A", "B", "A"]);
        assert_eq!(
            lines.controls.iter().map(|l| l.at).collect::<Vec<_>>(),
            [1, 7, 16]
        );

        // Syntax errors: each one, not only the first.
        let (_, _, p) = parse_located(
            CONTROLS_FILE,
            "[[controls]]\nid = = \"A\"\ntitle = \"t\"\nstatement = 4 5\n",
        );
        let lines: Vec<u32> = p.iter().map(|d| d.line).collect();
        assert!(lines.contains(&2) && lines.contains(&4), "{p:#?}");
        assert!(p.iter().all(|d| d.code == "controls::parse"));
    }

    #[test]
    fn lint_locates_unknown_codes_bad_dates_and_unknown_frameworks() {
        let text = "\
[[controls]]
id = \"A\"
title = \"t\"
statement = \"s\"
checks = [
  \"identity.shared\",
  \"identity.shard\",
]
insights = [\"chain.sytems\"]

[[controls.attestations]]
statement = \"revoked\"
by = \"dana@acme.example\"
date = \"1 Oct 2026\"
expires = \"2027-04-15\"

[[controls.attestations]]
statement = \"revoked\"
by = \"dana@acme.example\"
date = \"2026-10-15\"
expires = \"2026-01-01\"

[[controls.mappings]]
framework = \"owasp-agentic-top10-2025\"
item = \"ASI03\"
relevance = \"r\"

[[controls.mappings]]
framework = \"owasp-agentic-top10-2026\"
item = \"ASI03\"
relevance = \"r\"
";
        let (controls, lines, p) = parse_located(CONTROLS_FILE, text);
        assert_eq!(p, vec![]);
        let catalogs = Catalogs::new(catalog::builtin().to_vec());
        let d = lint(CONTROLS_FILE, &controls, &lines, &catalogs);
        let found: Vec<(u32, &str)> = d.iter().map(|d| (d.line, d.code.as_str())).collect();
        assert_eq!(
            found,
            [
                (7, "controls::unknown_check"),
                (9, "controls::unknown_insight"),
                (14, "controls::attestation_date"),
                (21, "controls::attestation_date"),
                (24, "controls::unknown_framework"),
            ],
            "{d:#?}"
        );
        assert!(d.iter().all(|d| d.severity == Severity::Error));
        assert_eq!(
            d[0].help.as_deref(),
            Some("did you mean `identity.shared`?")
        );
        assert_eq!(d[1].help.as_deref(), Some("did you mean `chain.systems`?"));
        assert!(
            d[2].message.contains("`date = \"1 Oct 2026\"`"),
            "{}",
            d[2].message
        );
        assert!(
            d[3].message
                .contains("expires (2026-01-01) before it was made"),
            "{}",
            d[3].message
        );
        let help = d[4].help.as_deref().unwrap_or_default();
        assert!(
            help.starts_with("did you mean `owasp-agentic-top10-2026`? known frameworks: "),
            "{help}"
        );
        assert!(help.contains("nist-ai-rmf-1.0"), "{help}");
        // A code nothing resembles lists the known codes.
        assert!(unknown_code_hint("zzz", false).contains("identity.shared"));
        // The library and the demo lint clean.
        let (lib, lib_lines, _) = parse_located(CONTROLS_FILE, LIBRARY);
        assert_eq!(lint(CONTROLS_FILE, &lib, &lib_lines, &catalogs), vec![]);
        let demo = include_str!("../../examples/demo/controls/controls.toml");
        let (demo, demo_lines, _) = parse_located(CONTROLS_FILE, demo);
        assert_eq!(lint(CONTROLS_FILE, &demo, &demo_lines, &catalogs), vec![]);
    }
}
