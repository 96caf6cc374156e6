//! Lints beyond Cedar's validator, each coded:
//! - `lint::forbid_can_error`: a `forbid` whose condition can raise an error at request time.
//!   Cedar skips an erroring policy, so an erroring forbid *permits* what it meant to deny
//!   (fail-open; cedar-policy issue #2428). Flagged: Long arithmetic (can overflow),
//!   extension constructors (`ip`, `decimal`, `datetime`, `duration`) on non-literal input,
//!   and — without a schema to prove a field is always present — `context.x` read without a
//!   `has` guard.
//! - `lint::permit_all`: a `permit` with an unconstrained scope and no condition.
//! - `lint::missing_id`: a statement without `@id` (its id shifts when files change).
//! - `lint::unknown_entity`: a policy naming an agent, human, team, tool, tool group, dataset
//!   or model that the inventory does not have.
//! - `lint::hidden_character` (an error): a control, bidi or zero-width character anywhere
//!   in a statement, its annotations and strings included.
//! - `lint::unknown_control`: a policy whose `@control` names no control in
//!   `controls/controls.toml`.
//!
//! The lints read Cedar's own JSON form of each policy (the EST), never the text.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::{PolicyReport, SourceFile, Statement};
use crate::diagnostics::{Diagnostic, LineIndex, Severity};

/// Ids the inventory has, by unqualified entity type name (`Agent`, `Tool`, …), for
/// `lint::unknown_entity`; `None` skips that lint (no inventory to compare with).
pub type KnownEntities = HashMap<&'static str, HashSet<String>>;

/// What the lints compare policies with.
#[derive(Debug, Clone, Copy)]
pub struct LintContext<'a> {
    /// The workspace's Cedar namespace (entity literals are recognised under it).
    pub namespace: &'a str,
    /// `None` skips `lint::unknown_entity`.
    pub entities: Option<&'a KnownEntities>,
    /// Control ids; `None` skips `lint::unknown_control`.
    pub controls: Option<&'a HashSet<String>>,
    /// Lint only this file (the editor's buffer); `None` lints every file.
    pub only: Option<&'a str>,
}

/// Runs every lint over the loaded policies; diagnostics are warnings, located at the
/// statement (or at the entity literal for `unknown_entity`).
pub fn lint(report: &PolicyReport, ctx: &LintContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for file in &report.files {
        if ctx.only.is_some_and(|only| only != file.path) {
            continue;
        }
        let index = LineIndex::new(&file.text);
        for st in &file.statements {
            let id = cedar_policy::PolicyId::new(&st.id);
            let est = report
                .set
                .policy(&id)
                .and_then(|p| p.to_json().ok())
                .or_else(|| report.set.template(&id).and_then(|t| t.to_json().ok()));
            let Some(est) = est else { continue };
            lint_statement(file, st, &index, &est, report.schema_used, ctx, &mut out);
        }
    }
    if ctx.only.is_none_or(|only| only == super::LINKS_FILE) {
        lint_links(report, ctx, &mut out);
    }
    out
}

/// `lint::unknown_entity` for the values template links put in their slots.
fn lint_links(report: &PolicyReport, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(known) = ctx.entities else { return };
    for link in &report.links {
        let Some(values) = report
            .set
            .policy(&cedar_policy::PolicyId::new(&link.id))
            .and_then(cedar_policy::Policy::template_links)
        else {
            continue;
        };
        let mut values: Vec<_> = values.into_iter().collect();
        values.sort_by_key(|(slot, _)| slot.to_string());
        for (_, uid) in values {
            let ty = uid.type_name().to_string();
            let Some(short) = ty
                .strip_prefix(ctx.namespace)
                .and_then(|r| r.strip_prefix("::"))
            else {
                continue;
            };
            let Some((kind, ids)) = known.get_key_value(short) else {
                continue;
            };
            let eid = uid.id().unescaped().to_owned();
            if !ids.contains(&eid) {
                out.push(Diagnostic {
                    file: super::LINKS_FILE.to_owned(),
                    line: link.line,
                    column: 1,
                    end_line: link.line,
                    end_column: 1,
                    severity: Severity::Warning,
                    code: "lint::unknown_entity".to_owned(),
                    message: format!("link `{}` names {kind} `{eid}`, which the inventory does not have", link.id),
                    help: Some("fix the id, or register it in the inventory (a linked policy about a missing entity never applies)".to_owned()),
                    field: None,
                });
            }
        }
    }
}

fn lint_statement(
    file: &SourceFile,
    st: &Statement,
    index: &LineIndex<'_>,
    est: &Value,
    schema_used: bool,
    ctx: &LintContext<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let namespace = ctx.namespace;
    let at = |(start, end): (usize, usize), code: &str, message: String, help: &str| {
        let (line, column) = index.position(start);
        let (end_line, end_column) = index.position(end.max(start));
        Diagnostic {
            file: file.path.clone(),
            line,
            column,
            end_line,
            end_column,
            severity: Severity::Warning,
            code: code.to_owned(),
            message,
            help: Some(help.to_owned()),
            field: None,
        }
    };
    let id = &st.id;
    let effect = est.get("effect").and_then(Value::as_str).unwrap_or("");
    let conditions: Vec<&Value> = est
        .get("conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("body"))
        .collect();

    // The policy without its annotations, its effect keyword, and a span of its own text.
    let body = (effect_start(&file.text, st.start, st.end), st.end);
    let keyword = (body.0, body.0 + effect.len());
    let find = |needle: &str| {
        file.text
            .get(st.start..st.end)
            .and_then(|t| t.find(needle))
            .map(|i| (st.start + i, st.start + i + needle.len()))
    };
    if effect == "forbid" {
        let mut reasons = BTreeSet::new();
        let guarded: HashSet<String> = conditions.iter().flat_map(|c| has_guards(c)).collect();
        for body in &conditions {
            can_error(body, schema_used, &guarded, &mut reasons);
        }
        if !reasons.is_empty() {
            out.push(at(
                body,
                "lint::forbid_can_error",
                format!("forbid `{id}` can error at request time ({}); an erroring forbid is skipped, so the request may be permitted", reasons.into_iter().collect::<Vec<_>>().join("; ")),
                "guard optional fields with `has`, avoid arithmetic that can overflow, and build extension values from literals — or move the check into a permit",
            ));
        }
    }
    let all = |key: &str| {
        est.get(key)
            .and_then(|s| s.get("op"))
            .and_then(Value::as_str)
            == Some("All")
    };
    if effect == "permit"
        && all("principal")
        && all("action")
        && all("resource")
        && conditions.is_empty()
    {
        out.push(at(
            body,
            "lint::permit_all",
            format!("permit `{id}` allows every principal every action on every resource"),
            "constrain the scope (principal, action, resource) or add a `when` condition",
        ));
    }
    let own = file.text.get(st.start..st.end).unwrap_or("");
    if let Some((i, c)) = own.char_indices().find(|(_, c)| {
        (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            || crate::diagnostics::is_hidden_char(*c)
    }) {
        let start = st.start + i;
        let mut d = at(
            (start, start + c.len_utf8()),
            "lint::hidden_character",
            format!("policy `{id}` contains the invisible character U+{:04X}: what a reviewer reads may differ from what Cedar evaluates", c as u32),
            "remove it, or write it as an escape (`\\u{202e}`) inside the string so it is visible",
        );
        d.severity = Severity::Error;
        out.push(d);
    }
    if st.id.starts_with("policy")
        && !file
            .text
            .get(st.start..)
            .is_some_and(|t| t.trim_start().starts_with("@id"))
    {
        out.push(at(
            keyword,
            "lint::missing_id",
            format!("policy `{id}` has no `@id`; its id changes whenever policies are added above it"),
            "add `@id(\"a-stable-descriptive-id\")` so reviews, replays and bundles can refer to it",
        ));
    }
    if let (Some(controls), Some(control)) = (ctx.controls, &st.control) {
        if !controls.contains(control) {
            let annotation = find("@control")
                .map(|(s, e)| {
                    (
                        s,
                        file.text
                            .get(e..)
                            .and_then(|t| t.find(')'))
                            .map_or(e, |i| e + i + 1),
                    )
                })
                .unwrap_or(keyword);
            out.push(at(
                annotation,
                "lint::unknown_control",
                format!("policy `{id}` enforces control `{control}`, which controls/controls.toml does not define"),
                "fix the `@control` annotation, or add the control to controls/controls.toml",
            ));
        }
    }
    if let Some(known) = ctx.entities {
        let mut literals = BTreeSet::new();
        entity_literals(est, &mut literals);
        for (ty, eid) in literals {
            let Some(short) = ty
                .strip_prefix(namespace)
                .and_then(|r| r.strip_prefix("::"))
            else {
                continue;
            };
            let Some((kind, ids)) = known.get_key_value(short) else {
                continue;
            };
            if !ids.contains(&eid) {
                let needle = format!("{short}::\"{eid}\"");
                out.push(at(
                    find(&needle).unwrap_or(keyword),
                    "lint::unknown_entity",
                    format!("policy `{id}` names {kind} `{eid}`, which the inventory does not have"),
                    "fix the id, or register it in the inventory (a policy about a missing entity never applies)",
                ));
            }
        }
    }
}

/// Where the effect keyword of the statement at `start..end` begins: after its annotations
/// (`@name("…")`, strings may hold `)`), comments and whitespace.
fn effect_start(text: &str, start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    let skip_blank = |mut i: usize| loop {
        while i < end && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if text.get(i..end).is_some_and(|t| t.starts_with("//")) {
            while i < end && bytes[i] != b'\n' {
                i += 1;
            }
        } else {
            return i;
        }
    };
    loop {
        i = skip_blank(i);
        if i >= end || bytes[i] != b'@' {
            return i.min(end);
        }
        i += 1;
        while i < end && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        i = skip_blank(i);
        if i < end && bytes[i] == b'(' {
            let mut in_string = false;
            while i < end {
                match bytes[i] {
                    b'\\' if in_string => i += 1,
                    b'"' => in_string = !in_string,
                    b')' if !in_string => break,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
        }
    }
}

/// Attributes guarded by `context has x` anywhere in the conditions.
fn has_guards(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(v, &mut |node| {
        if let Some(h) = node.get("has") {
            if h.get("left")
                .and_then(|l| l.get("Var"))
                .and_then(Value::as_str)
                == Some("context")
            {
                if let Some(a) = h.get("attr").and_then(Value::as_str) {
                    out.push(a.to_owned());
                }
            }
        }
    });
    out
}

fn can_error(
    v: &Value,
    schema_used: bool,
    guarded: &HashSet<String>,
    reasons: &mut BTreeSet<String>,
) {
    walk(v, &mut |node| {
        let Some(obj) = node.as_object() else { return };
        for (key, arg) in obj {
            match key.as_str() {
                "+" | "-" | "*" | "neg" => {
                    reasons.insert("Long arithmetic can overflow".into());
                }
                "ip" | "decimal" | "datetime" | "duration" => {
                    let literal = arg
                        .as_array()
                        .is_some_and(|a| a.iter().all(|x| x.get("Value").is_some()));
                    if !literal {
                        reasons.insert(format!(
                            "`{key}(…)` on non-literal input fails on a malformed value"
                        ));
                    }
                }
                "." if !schema_used => {
                    let on_context = arg
                        .get("left")
                        .and_then(|l| l.get("Var"))
                        .and_then(Value::as_str)
                        == Some("context");
                    if let (true, Some(a)) = (on_context, arg.get("attr").and_then(Value::as_str)) {
                        if !guarded.contains(a) {
                            reasons
                                .insert(format!("`context.{a}` is read without `context has {a}`"));
                        }
                    }
                }
                _ => {}
            }
        }
    });
}

/// `(type, id)` of every entity literal in the scope and the conditions.
fn entity_literals(v: &Value, out: &mut BTreeSet<(String, String)>) {
    walk(v, &mut |node| {
        for key in ["entity", "__entity"] {
            if let Some(e) = node.get(key) {
                if let (Some(t), Some(i)) = (
                    e.get("type").and_then(Value::as_str),
                    e.get("id").and_then(Value::as_str),
                ) {
                    out.insert((t.to_owned(), i.to_owned()));
                }
            }
        }
        if let Some(list) = node.get("entities").and_then(Value::as_array) {
            for e in list {
                if let (Some(t), Some(i)) = (
                    e.get("type").and_then(Value::as_str),
                    e.get("id").and_then(Value::as_str),
                ) {
                    out.insert((t.to_owned(), i.to_owned()));
                }
            }
        }
    });
}

fn walk(v: &Value, f: &mut impl FnMut(&Value)) {
    f(v);
    match v {
        Value::Object(map) => map.values().for_each(|x| walk(x, f)),
        Value::Array(items) => items.iter().for_each(|x| walk(x, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::check_sources;

    fn lints(
        text: &str,
        schema: Option<&str>,
        known: Option<&KnownEntities>,
    ) -> Vec<(String, u32)> {
        let report = check_sources(vec![("policies/p.cedar".into(), text.into())], schema);
        let controls: HashSet<String> = ["MND-OK".to_owned()].into();
        let ctx = LintContext {
            namespace: "Acme",
            entities: known,
            controls: Some(&controls),
            only: None,
        };
        lint(&report, &ctx)
            .into_iter()
            .map(|d| (d.code, d.line))
            .collect()
    }

    #[test]
    fn unknown_control() {
        let text = "@id(\"a\")\n@control(\"MND-OK\")\npermit(principal, action, resource) when { true };\n@id(\"b\")\n@control(\"MND-TYPO\")\npermit(principal, action, resource) when { true };\n";
        assert_eq!(
            lints(text, None, None),
            vec![("lint::unknown_control".to_owned(), 5)]
        );
    }

    #[test]
    fn forbid_can_error_fires_on_arithmetic_extension_calls_and_unguarded_context() {
        for body in [
            "context.n + 1 > 2",
            "ip(context.addr).isLoopback()",
            "context.flag",
        ] {
            let text =
                format!("@id(\"f\")\nforbid(principal, action, resource)\nwhen {{ {body} }};\n");
            assert_eq!(
                lints(&text, None, None),
                vec![("lint::forbid_can_error".to_owned(), 2)],
                "{body}"
            );
        }
    }

    #[test]
    fn forbid_can_error_stays_quiet_on_safe_forbids_and_on_permits() {
        for text in [
            "@id(\"f\")\nforbid(principal, action, resource)\nunless { context has flag && context.flag };\n",
            "@id(\"f\")\nforbid(principal, action, resource)\nwhen { ip(\"10.0.0.1\").isLoopback() };\n",
            "@id(\"p\")\npermit(principal, action, resource)\nwhen { context.n + 1 > 2 };\n",
        ] {
            assert_eq!(lints(text, None, None), vec![], "{text}");
        }
    }

    #[test]
    fn hidden_characters_are_errors_wherever_they_hide() {
        // In a string: the text shows `"admin"` but the value has a zero-width space.
        let text = "@id(\"a\")\npermit(principal, action, resource) when { context.role == \"ad\u{200B}min\" };\n@id(\"b\u{202E}\")\nforbid(principal, action, resource) when { true };\n@id(\"c\")\npermit(principal, action, resource) when { context.role == \"admin\" };\n";
        assert_eq!(
            lints(text, None, None),
            vec![
                ("lint::hidden_character".to_owned(), 2),
                ("lint::hidden_character".to_owned(), 3)
            ]
        );
    }

    #[test]
    fn permit_all_and_missing_id() {
        assert_eq!(
            lints("permit(principal, action, resource);\n", None, None),
            vec![
                ("lint::permit_all".to_owned(), 1),
                ("lint::missing_id".to_owned(), 1)
            ]
        );
        assert_eq!(
            lints(
                "@id(\"p\")\npermit(principal, action, resource) when { true };\n",
                None,
                None
            ),
            vec![]
        );
    }

    #[test]
    fn unknown_entity_checks_the_values_links_put_in_slots() {
        let template = "@id(\"t\")\npermit(principal == ?principal, action, resource);\n";
        let links = "[[links]]\nid = \"ok\"\ntemplate = \"t\"\nprincipal = 'Agent::\"billing-bot\"'\n\n[[links]]\nid = \"ghost\"\ntemplate = \"t\"\nprincipal = 'Agent::\"ghost-bot\"'\n";
        let report = crate::policy::Checker::default().check(
            crate::policy::Sources {
                files: vec![("policies/t.cedar".into(), template.into())],
                links: Some(links.into()),
                problems: Vec::new(),
            },
            &crate::policy::Settings {
                namespace: Some("Acme"),
                ..Default::default()
            },
        );
        assert_eq!(report.diagnostics, vec![]);
        let known: KnownEntities = [("Agent", ["billing-bot".to_owned()].into())].into();
        let ctx = LintContext {
            namespace: "Acme",
            entities: Some(&known),
            controls: None,
            only: None,
        };
        let found = lint(&report, &ctx);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            (
                found[0].file.as_str(),
                found[0].line,
                found[0].code.as_str()
            ),
            ("policies/links.toml", 6, "lint::unknown_entity")
        );
        assert!(
            found[0].message.contains("`ghost-bot`"),
            "{}",
            found[0].message
        );
        // Linting only a policy file leaves the links alone.
        let only = LintContext {
            only: Some("policies/t.cedar"),
            ..ctx
        };
        assert!(lint(&report, &only)
            .iter()
            .all(|d| d.code != "lint::unknown_entity"));
    }

    #[test]
    fn unknown_entity_names_the_missing_agent_at_its_literal() {
        let mut known: KnownEntities = HashMap::new();
        known.insert("Agent", ["billing-bot".to_owned()].into());
        known.insert("Tool", HashSet::new());
        let text = "@id(\"p\")\npermit(\n  principal == Acme::Agent::\"billing-bot\",\n  action,\n  resource == Acme::Tool::\"ghost\"\n);\n";
        assert_eq!(
            lints(text, None, Some(&known)),
            vec![("lint::unknown_entity".to_owned(), 5)]
        );
        let known_tool: KnownEntities = [
            ("Agent", HashSet::new()),
            ("Tool", ["ghost".to_owned()].into()),
        ]
        .into();
        assert_eq!(
            lints(text, None, Some(&known_tool)),
            vec![("lint::unknown_entity".to_owned(), 3)]
        );
    }

    #[test]
    fn library_and_demo_policies_are_lint_clean() {
        let sources = crate::workspace::POLICY_LIBRARY
            .iter()
            .map(|(n, t)| (format!("policies/{n}"), (*t).to_owned()))
            .collect();
        let report = check_sources(sources, Some(&crate::model::generated_schema("Mandate")));
        let controls: HashSet<String> = crate::frameworks::library()
            .controls
            .into_iter()
            .map(|c| c.id)
            .collect();
        let ctx = LintContext {
            namespace: "Mandate",
            entities: None,
            controls: Some(&controls),
            only: None,
        };
        assert_eq!(lint(&report, &ctx), vec![]);
    }
}
