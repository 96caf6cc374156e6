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
