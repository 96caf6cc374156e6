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
pub use resolve::{resolve, Resolution, Suggestion};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::diagnostics::{Diagnostic, Severity};

pub const CONTROLS_FILE: &str = "controls/controls.toml";

/// The built-in control library.
pub const LIBRARY: &str = include_str!("controls.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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

/// Parses a controls file; every problem located.
pub fn parse(file: &str, text: &str) -> (Controls, Vec<Diagnostic>) {
    match toml::from_str::<Controls>(text) {
        Ok(c) => {
            let mut problems = Vec::new();
            crate::diagnostics::duplicate_ids(
                file,
                text,
                "controls::duplicate_id",
                "control",
                c.controls.iter().map(|x| x.id.as_str()),
                &mut problems,
            );
            (c, problems)
        }
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let d = Diagnostic::at_span(
                file,
                text,
                span.start,
                span.end,
                Severity::Error,
                "controls::parse",
                e.message().trim_end().to_owned(),
                Some("fix the TOML at this line".to_owned()),
            );
            (Controls::default(), vec![d])
        }
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
        assert_eq!((p[0].line, p[0].code.as_str()), (5, "controls::parse"));
    }
}
