use cedar_policy::{Context, EntityUid, Schema};

use super::*;
use crate::policy::check_sources;

const SCHEMA: &str = r#"
entity Agent { tier: Long, tags: Set<String> };
entity Tool { owner?: Agent };
action invoke_tool appliesTo { principal: [Agent], resource: [Tool], context: { env: String, ttl?: Long, note?: String } };
"#;

const ENTITIES: &str = r#"[
  {"uid": {"type": "Agent", "id": "a"}, "attrs": {"tier": 1, "tags": ["x"]}, "parents": []},
  {"uid": {"type": "Agent", "id": "b"}, "attrs": {"tier": 3, "tags": []}, "parents": []},
  {"uid": {"type": "Tool", "id": "t"}, "attrs": {}, "parents": []}
]"#;

const POLICIES: &str = r#"// Tier-1 agents in prod, short-lived.
@id("permit-prod")
permit (principal is Agent, action == Action::"invoke_tool", resource)
when {
  context.env == "prod" && // the environment
  principal.tier == 1 &&
  context.ttl < 300
};

@id("forbid-tagged")
forbid (principal, action, resource)
when { principal.tags.contains("x") }
unless { context has note && context.note like "ok*" };

@id("permit-other-tool")
permit (principal, action, resource == Tool::"other");
"#;

fn setup() -> (Schema, Entities, LocatedPolicies) {
    let schema = Schema::from_cedarschema_str(SCHEMA).unwrap().0;
    let entities = Entities::from_json_str(ENTITIES, Some(&schema)).unwrap();
    // Unvalidated: `permit-prod` reads the optional `ttl` unchecked, so it can error.
    let report = check_sources(vec![("p.cedar".into(), POLICIES.into())], None);
    assert_eq!(report.error_count(), 0, "{:?}", report.diagnostics);
    (schema, entities, LocatedPolicies::from_report(&report))
}

fn request(schema: &Schema, principal: &str, context: serde_json::Value) -> Request {
    let action: EntityUid = r#"Action::"invoke_tool""#.parse().unwrap();
    let context = Context::from_json_value(context, Some((schema, &action))).unwrap();
    Request::new(
        format!(r#"Agent::"{principal}""#).parse().unwrap(),
        action,
        r#"Tool::"t""#.parse().unwrap(),
        context,
        Some(schema),
    )
    .unwrap()
}

fn outcomes(p: &PolicyExplanation) -> Vec<(&str, &str)> {
    p.conditions
        .iter()
        .map(|c| (c.text.as_str(), c.outcome.as_str()))
        .collect()
}

fn ids(l: &[PolicyExplanation]) -> Vec<&str> {
    l.iter().map(|p| p.id.as_str()).collect()
}

#[test]
fn the_scanner_splits_top_level_conjuncts_only() {
    let text = r#"@id("x && y")
permit (principal, action, resource in [Tool::"a}"])
when { context.s == "a && b }" && // a comment with && and }
  (context.x || context.y) && [1, 2].contains({a: 1 && 2}.a) }
unless { if context.f then true else false && context.g }
when { context.a && context.b || context.c };"#;
    let clauses = scan(text).unwrap();
    let texts: Vec<(&str, Vec<&str>)> = clauses
        .iter()
        .map(|c| {
            (
                c.kind,
                c.conjuncts
                    .iter()
                    .map(|&(s, e)| &text[s..e])
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        vec![
            (
                "when",
                vec![
                    r#"context.s == "a && b }""#,
                    "(context.x || context.y)",
                    "[1, 2].contains({a: 1 && 2}.a)"
                ]
            ),
            (
                "unless",
                vec!["if context.f then true else false && context.g"]
            ),
            ("when", vec!["context.a && context.b || context.c"]),
        ]
    );
    assert_eq!(
        scan("permit (principal, action, resource);").unwrap(),
        vec![]
    );
    assert_eq!(scan("not a policy"), None);
}

#[test]
fn a_default_deny_names_the_false_condition_with_its_line() {
    let (schema, entities, located) = setup();
    let req = request(
        &schema,
        "a",
        serde_json::json!({"env": "dev", "ttl": 10, "note": "ok"}),
    );
    let e = explain(&located, &req, &entities);
    assert_eq!(e.decision, "deny");
    assert!(e.default_deny);
    assert!(e.determining.is_empty());
    let permit = e.unmet.iter().find(|p| p.id == "permit-prod").unwrap();
    assert_eq!(permit.file.as_deref(), Some("p.cedar"));
    assert_eq!(permit.line, Some(2));
    assert_eq!(
        outcomes(permit),
        vec![
            (r#"context.env == "prod""#, "failed"),
            ("principal.tier == 1", "skipped"),
            ("context.ttl < 300", "skipped"),
        ]
    );
    let first = &permit.conditions[0];
    assert_eq!((first.line, first.column), (5, 3));
    assert_eq!(permit.conditions[2].line, 7);
    // A scope that does not match is not listed.
    assert!(!ids(&e.unmet).contains(&"permit-other-tool"));
}

#[test]
fn an_allow_lists_held_conditions_and_the_forbid_that_did_not_fire() {
    let (schema, entities, located) = setup();
    // Agent b has no tag `x`: the forbid's when is false.
    let b = Request::new(
        r#"Agent::"b""#.parse().unwrap(),
        r#"Action::"invoke_tool""#.parse().unwrap(),
        r#"Tool::"t""#.parse().unwrap(),
        Context::from_json_value(serde_json::json!({"env": "prod", "ttl": 5}), None).unwrap(),
        Some(&schema),
    )
    .unwrap();
    let e = explain(&located, &b, &entities);
    assert_eq!(e.decision, "deny", "b is tier 3");
    let req = request(
        &schema,
        "a",
        serde_json::json!({"env": "prod", "ttl": 5, "note": "ok"}),
    );
    let e = explain(&located, &req, &entities);
    assert_eq!(e.decision, "allow");
    assert_eq!(ids(&e.determining), vec!["permit-prod"]);
    assert!(e.determining[0]
        .conditions
        .iter()
        .all(|c| c.outcome == "held"));
    assert_eq!(ids(&e.unmet), vec!["forbid-tagged"]);
    // The unless clause's exception held: both parts true, so the forbid is stopped.
    assert_eq!(
        outcomes(&e.unmet[0]),
        vec![
            (r#"principal.tags.contains("x")"#, "held"),
            ("context has note", "failed"),
            (r#"context.note like "ok*""#, "failed"),
        ]
    );
}

#[test]
fn unless_with_a_false_part_does_not_stop_the_forbid() {
    let (schema, entities, located) = setup();
    let req = request(&schema, "a", serde_json::json!({"env": "prod", "ttl": 5}));
    let e = explain(&located, &req, &entities);
    assert_eq!(e.decision, "deny");
    assert!(!e.default_deny);
    assert_eq!(ids(&e.determining), vec!["forbid-tagged"]);
    assert_eq!(
        outcomes(&e.determining[0]),
        vec![
            (r#"principal.tags.contains("x")"#, "held"),
            ("context has note", "held"),
            (r#"context.note like "ok*""#, "skipped"),
        ]
    );
    // The permit held but the forbid overrules it.
    assert_eq!(ids(&e.overridden), vec!["permit-prod"]);
}

#[test]
fn an_erroring_conjunct_carries_cedars_message() {
    let (schema, entities, located) = setup();
    // No `ttl`: `context.ttl < 300` errors (the policy reads an optional field unchecked).
    let req = request(&schema, "b", serde_json::json!({"env": "prod"}));
    let e = explain(&located, &req, &entities);
    assert_eq!(e.decision, "deny");
    assert!(e.errored.is_empty(), "tier 3 stops it before the ttl");
    let req = Request::new(
        r#"Agent::"a""#.parse().unwrap(),
        r#"Action::"invoke_tool""#.parse().unwrap(),
        r#"Tool::"t""#.parse().unwrap(),
        Context::from_json_value(serde_json::json!({"env": "prod", "note": "ok"}), None).unwrap(),
        Some(&schema),
    )
    .unwrap();
    let e = explain(&located, &req, &entities);
    assert_eq!(ids(&e.errored), vec!["permit-prod"]);
    let p = &e.errored[0];
    assert!(p.error.as_deref().unwrap().contains("ttl"), "{:?}", p.error);
    assert_eq!(
        outcomes(p),
        vec![
            (r#"context.env == "prod""#, "held"),
            ("principal.tier == 1", "held"),
            ("context.ttl < 300", "error"),
        ]
    );
    assert!(p.conditions[2].error.as_deref().unwrap().contains("ttl"));
}

/// The explanation's sets and condition outcomes agree with Cedar's whole-set answer.
#[test]
fn explanations_agree_with_cedars_authorizer() {
    let (schema, entities, located) = setup();
    let contexts = [
        serde_json::json!({"env": "prod", "ttl": 5}),
        serde_json::json!({"env": "prod", "ttl": 500}),
        serde_json::json!({"env": "prod"}),
        serde_json::json!({"env": "dev", "ttl": 5, "note": "ok"}),
        serde_json::json!({"env": "prod", "ttl": 5, "note": "no"}),
        serde_json::json!({"env": "prod", "ttl": 5, "note": "okay"}),
    ];
    let mut checked = 0;
    for principal in ["a", "b", "missing"] {
        for context in &contexts {
            let req = request(&schema, principal, context.clone());
            let e = explain(&located, &req, &entities);
            let cedar = Authorizer::new().is_authorized(&req, &located.set, &entities);
            let outcome = super::super::Outcome::from_response(&cedar);
            assert_eq!(
                e.decision == "allow",
                outcome.decision == super::super::Decision::Allow
            );
            assert_eq!(ids(&e.determining), outcome.reasons);
            let errored: Vec<&str> = outcome.errors.iter().map(|(id, _)| id.as_str()).collect();
            assert_eq!(ids(&e.errored), errored);
            for p in &e.determining {
                // Held, or skipped after an unless part that was false.
                assert!(
                    p.conditions
                        .iter()
                        .all(|c| c.outcome == "held" || c.outcome == "skipped"),
                    "{p:?}"
                );
            }
            for p in &e.errored {
                assert_eq!(
                    p.conditions.iter().filter(|c| c.outcome == "error").count(),
                    1,
                    "{p:?}"
                );
            }
            for p in &e.unmet {
                assert!(p.conditions.iter().any(|c| c.outcome == "failed"), "{p:?}");
                assert!(p.conditions.iter().all(|c| c.outcome != "error"), "{p:?}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 18);
}

#[test]
fn a_linked_policy_is_shown_at_its_link_with_its_templates_conditions() {
    let schema = Schema::from_cedarschema_str(SCHEMA).unwrap().0;
    let entities = Entities::from_json_str(ENTITIES, Some(&schema)).unwrap();
    let template = r#"@id("tier-grant")
permit (principal == ?principal, action, resource)
when { context.env == "prod" };
"#;
    let mut checker = crate::policy::Checker::default();
    let report = checker.check(
        crate::policy::Sources {
            files: vec![("policies/t.cedar".into(), template.into())],
            links: Some(
                "[[links]]\nid = \"grant-a\"\ntemplate = \"tier-grant\"\nprincipal = 'Agent::\"a\"'\n"
                    .into(),
            ),
            problems: Vec::new(),
        },
        &crate::policy::Settings::default(),
    );
    assert_eq!(report.error_count(), 0, "{:?}", report.diagnostics);
    let located = LocatedPolicies::from_report(&report);
    let req = request(&schema, "a", serde_json::json!({"env": "dev"}));
    let e = explain(&located, &req, &entities);
    assert_eq!(ids(&e.unmet), vec!["grant-a"]);
    let p = &e.unmet[0];
    assert_eq!((p.file.as_deref(), p.line), (Some(LINKS_FILE), Some(1)));
    assert_eq!(p.conditions[0].file.as_deref(), Some("policies/t.cedar"));
    assert_eq!((p.conditions[0].line, p.conditions[0].column), (3, 8));
    assert_eq!(p.conditions[0].outcome, "failed");
    // The link's scope names agent a: agent b does not see it.
    let req = request(&schema, "b", serde_json::json!({"env": "dev"}));
    assert!(explain(&located, &req, &entities).unmet.is_empty());
}
