//! Unit tests of the scan's building blocks; `tests/insights.rs` plants every finding in a
//! stored set and checks each is found exactly once.

use std::collections::BTreeSet;

use cedar_policy::PolicySet;

use super::scan::{longest_chain, parse_context};
use super::{context_fields, ContextField, Level, CATALOG};

#[test]
fn delegation_chains_count_hops_and_cycles_end() {
    assert_eq!(longest_chain(&[]), 0);
    assert_eq!(longest_chain(&[(1, 2)]), 1);
    // 1 → 2 → 3 → 4, and a side branch 2 → 5.
    assert_eq!(longest_chain(&[(2, 5), (1, 2), (3, 4), (2, 3)]), 3);
    // A cycle counts each hop once.
    assert_eq!(longest_chain(&[(1, 2), (2, 3), (3, 1)]), 3);
}

#[test]
fn contexts_are_read_loosely_and_field_presence_is_kept() {
    let fields = vec![field("attested"), field("ticket"), field("ttl_seconds")];
    let c = parse_context(
        r#"{"env":"dev","ttl_seconds":600,"attested":true,"nested":{"a":[1,{"b":2}]},"task_id":"t-1","delegation_depth":3}"#,
        &fields,
    );
    assert_eq!(c.env, Some(0));
    assert_eq!(c.ttl_seconds, Some(600));
    assert_eq!(c.attested, Some(true));
    assert_eq!(c.delegation_depth, Some(3));
    assert_eq!(c.task_id.as_deref(), Some("t-1"));
    assert_eq!(c.present, vec![true, false, true]);
    // Wrong kinds read as absent values, but the keys are still present.
    let c = parse_context(
        r#"{"ttl_seconds":"long","attested":"yes","task_id":7,"env":"staging"}"#,
        &fields,
    );
    assert_eq!((c.ttl_seconds, c.attested, c.task_id), (None, None, None));
    assert_eq!(c.env, Some(3));
    assert_eq!(c.present, vec![true, false, true]);
    // Not an object: nothing.
    let c = parse_context("[1,2]", &fields);
    assert!(c.present.is_empty() && c.env.is_none());
}

fn field(name: &str) -> ContextField {
    ContextField {
        name: name.to_owned(),
        read_by: Vec::new(),
        actions: None,
        optional: false,
    }
}

#[test]
fn context_fields_name_their_policies_actions_and_guards() {
    let set: PolicySet = r#"
        permit (principal, action == Action::"request_credential", resource)
        when { context has attested && context.attested && context.ttl_seconds < 300 };
        forbid (principal, action in [Action::"invoke_tool", Action::"read_data"], resource)
        when { context.env != "prod" || context["ttl_seconds"] > 60 };
        permit (principal, action, resource) when { context has step_up };
    "#
    .parse()
    .unwrap();
    /// Name, policies, actions (`None`: any), optional.
    type Row<'a> = (&'a str, Vec<&'a str>, Option<Vec<&'a str>>, bool);
    let fields = context_fields(&set);
    let by: Vec<Row<'_>> = fields
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.read_by.iter().map(String::as_str).collect(),
                f.actions
                    .as_ref()
                    .map(|a| a.iter().map(String::as_str).collect()),
                f.optional,
            )
        })
        .collect();
    assert_eq!(
        by,
        vec![
            (
                "attested",
                vec!["policy0"],
                Some(vec!["request_credential"]),
                true
            ),
            (
                "env",
                vec!["policy1"],
                Some(vec!["invoke_tool", "read_data"]),
                false
            ),
            ("step_up", vec!["policy2"], None, true),
            (
                "ttl_seconds",
                vec!["policy0", "policy1"],
                Some(vec!["invoke_tool", "read_data", "request_credential"]),
                false
            ),
        ]
    );
}

#[test]
fn the_catalog_has_unique_codes_and_levels_order_by_severity() {
    let codes: BTreeSet<&str> = CATALOG.iter().map(|c| c.0).collect();
    assert_eq!(codes.len(), CATALOG.len());
    assert!(
        Level::Critical > Level::High && Level::High > Level::Medium && Level::Medium > Level::Low
    );
    for l in [Level::Low, Level::Medium, Level::High, Level::Critical] {
        assert_eq!(Level::parse(l.as_str()), Some(l));
    }
    assert_eq!(Level::parse("severe"), None);
}
