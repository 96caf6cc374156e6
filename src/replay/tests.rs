//! One test per slicing pitfall of DESIGN.md §7, each against Cedar's unindexed evaluation.

use std::collections::HashMap;

use cedar_policy::{
    Authorizer, Context, Entities, EntityUid, PolicyId, PolicySet, Request, Schema, SlotId,
};

use super::*;

const SCHEMA: &str = r#"
entity Team;
entity Agent in [Team] { tier?: Long };
entity ToolGroup;
entity Tool in [ToolGroup];
action tools;
action invoke_tool in [tools] appliesTo { principal: [Agent], resource: [Tool] };
action read_tool in [tools] appliesTo { principal: [Agent], resource: [Tool] };
action delete_tool appliesTo { principal: [Agent], resource: [Tool] };
"#;

const ENTITIES: &str = r#"[
  {"uid": {"type": "Team", "id": "ops"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Agent", "id": "a1"}, "attrs": {"tier": 2}, "parents": [{"type": "Team", "id": "ops"}]},
  {"uid": {"type": "Agent", "id": "a2"}, "attrs": {}, "parents": []},
  {"uid": {"type": "ToolGroup", "id": "billing"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Tool", "id": "refund"}, "attrs": {}, "parents": [{"type": "ToolGroup", "id": "billing"}]},
  {"uid": {"type": "Tool", "id": "search"}, "attrs": {}, "parents": []}
]"#;

fn uid(ty: &str, id: &str) -> EntityUid {
    format!("{ty}::\"{id}\"").parse().unwrap()
}

fn entities(schema: Option<&Schema>) -> Entities {
    Entities::from_json_str(ENTITIES, schema).unwrap()
}

fn schema() -> Schema {
    Schema::from_cedarschema_str(SCHEMA).unwrap().0
}

fn request(p: (&str, &str), a: &str, r: (&str, &str)) -> Request {
    Request::new(
        uid(p.0, p.1),
        uid("Action", a),
        uid(r.0, r.1),
        Context::empty(),
        None,
    )
    .unwrap()
}

/// Every combination of the entities above (and one missing from the store).
fn requests() -> Vec<Request> {
    let principals = [("Agent", "a1"), ("Agent", "a2"), ("Agent", "ghost")];
    let resources = [("Tool", "refund"), ("Tool", "search"), ("Team", "ops")];
    let actions = ["invoke_tool", "read_tool", "delete_tool", "tools"];
    let mut out = Vec::new();
    for p in principals {
        for a in actions {
            for r in resources {
                out.push(request(p, a, r));
            }
        }
    }
    out
}

fn unindexed(set: &PolicySet, request: &Request, entities: &Entities) -> Outcome {
    Outcome::from_response(&Authorizer::new().is_authorized(request, set, entities))
}

/// The index agrees with the whole set on every request, with and without the schema's
/// action entities, and slices something out for at least one request.
fn assert_same(set: &PolicySet) {
    let index = ScopeIndex::new(set).unwrap();
    let schema = schema();
    for entities in [entities(Some(&schema)), entities(None)] {
        for request in requests() {
            assert_eq!(
                index.evaluate(&request, &entities),
                unindexed(set, &request, &entities),
                "{request}"
            );
        }
    }
}

fn set(text: &str) -> PolicySet {
    text.parse().unwrap()
}

#[test]
fn unconstrained_policies_are_in_every_slice() {
    assert_same(&set(r#"
        permit (principal, action, resource);
        forbid (principal == Agent::"a2", action, resource);
    "#));
}

#[test]
fn dropping_a_policy_that_would_error_is_safe() {
    let policies = set(r#"
        permit (principal == Agent::"a2", action, resource) when { principal.tier > 1 };
        permit (principal, action, resource) when { principal.tier > 1 };
    "#);
    assert_same(&policies);
    let entities = entities(None);
    let outcome = ScopeIndex::new(&policies).unwrap().evaluate(
        &request(("Agent", "a2"), "invoke_tool", ("Tool", "search")),
        &entities,
    );
    assert_eq!(outcome.errors.len(), 2, "{outcome:?}");
}

#[test]
fn slices_keep_policy_ids() {
    let policies = set(r#"
        permit (principal == Agent::"a1", action, resource);
        @id("named")
        permit (principal == Agent::"a2", action, resource);
        permit (principal == Agent::"a2", action, resource);
    "#);
    let entities = entities(None);
    let outcome = ScopeIndex::new(&policies).unwrap().evaluate(
        &request(("Agent", "a2"), "invoke_tool", ("Tool", "search")),
        &entities,
    );
    // Cedar's text parse names them policy0..2; `@id` is only an annotation here.
    assert_eq!(outcome.reasons, ["policy1", "policy2"]);
    assert_same(&policies);
}

#[test]
fn identity_type_and_ancestors_stay_apart() {
    assert_same(&set(r#"
        permit (principal == Team::"ops", action, resource);
        permit (principal in Team::"ops", action == Action::"read_tool", resource);
        permit (principal is Team, action, resource is Tool);
        permit (principal is Agent in Team::"ops", action, resource in ToolGroup::"billing");
        permit (principal is Agent in Agent::"ghost", action, resource == Tool::"search");
        forbid (principal, action, resource == ToolGroup::"billing");
        forbid (principal, action, resource is ToolGroup in ToolGroup::"billing");
        permit (principal in Agent::"ghost", action, resource is Team);
    "#));
}

#[test]
fn action_groups_come_from_the_entities() {
    let policies = set(r#"
        permit (principal, action in Action::"tools", resource);
        permit (principal, action in [Action::"delete_tool", Action::"tools"], resource == Tool::"refund");
        forbid (principal, action == Action::"tools", resource);
    "#);
    assert_same(&policies);
    // With the schema's action entities, `invoke_tool in tools` holds; without them it does not.
    let request = request(("Agent", "a2"), "invoke_tool", ("Tool", "search"));
    let index = ScopeIndex::new(&policies).unwrap();
    let with = index.evaluate(&request, &entities(Some(&schema())));
    let without = index.evaluate(&request, &entities(None));
    assert_eq!(with.decision, Decision::Allow);
    assert_eq!(without.decision, Decision::Deny);
}

#[test]
fn template_links_enter_slices_with_their_template() {
    let mut policies = set(r#"
        permit (principal == ?principal, action == Action::"invoke_tool", resource in ?resource);
        forbid (principal in ?principal, action, resource);
        permit (principal == Agent::"a1", action, resource);
    "#);
    let link = |set: &mut PolicySet, template: &str, id: &str, values: Vec<(SlotId, EntityUid)>| {
        let values: HashMap<SlotId, EntityUid> = values.into_iter().collect();
        set.link(PolicyId::new(template), PolicyId::new(id), values)
            .unwrap();
    };
    link(
        &mut policies,
        "policy0",
        "link-a2-billing",
        vec![
            (SlotId::principal(), uid("Agent", "a2")),
            (SlotId::resource(), uid("ToolGroup", "billing")),
        ],
    );
    link(
        &mut policies,
        "policy0",
        "link-a1-search",
        vec![
            (SlotId::principal(), uid("Agent", "a1")),
            (SlotId::resource(), uid("Tool", "search")),
        ],
    );
    link(
        &mut policies,
        "policy1",
        "link-ops",
        vec![(SlotId::principal(), uid("Team", "ops"))],
    );
    assert_same(&policies);
}

#[test]
fn same_id_different_text_is_side_specific() {
    let baseline = set(r#"
        permit (principal == Agent::"a1", action, resource);
        permit (principal, action == Action::"read_tool", resource);
    "#);
    let candidate = set(r#"
        permit (principal == Agent::"a1", action, resource) when { false };
        permit (principal, action == Action::"read_tool", resource);
    "#);
    let index = ScopeIndex::pair(&baseline, &candidate).unwrap();
    assert_eq!(index.policy_count(), 3, "policy1 is shared, policy0 is not");
    let entities = entities(None);
    let mut changed = 0;
    for request in requests() {
        let pair = index.compare(&request, &entities);
        assert_eq!(pair.baseline, unindexed(&baseline, &request, &entities));
        assert_eq!(pair.candidate, unindexed(&candidate, &request, &entities));
        changed += usize::from(pair.changed());
    }
    assert!(changed > 0);
}

#[test]
fn slices_are_cached_by_shape() {
    let policies = set(r#"
        permit (principal == Agent::"a1", action, resource);
        permit (principal == Agent::"a2", action, resource);
        permit (principal, action == Action::"read_tool", resource);
    "#);
    let index = ScopeIndex::new(&policies).unwrap();
    let entities = entities(None);
    let batch: Vec<(Request, &Entities)> = (0..50)
        .map(|_| {
            (
                request(("Agent", "a1"), "invoke_tool", ("Tool", "search")),
                &entities,
            )
        })
        .collect();
    let parallel = evaluate_batch(&index, &batch);
    assert_eq!(parallel, evaluate_batch_sequential(&index, &batch));
    assert_eq!(index.cached_slice_count(), 1);
}

#[test]
fn decision_serializes_lowercase() {
    let outcome = Outcome::default_deny();
    assert_eq!(
        serde_json::to_string(&outcome).unwrap(),
        r#"{"decision":"deny","reasons":[],"errors":[]}"#
    );
}

/// The decoder's typed context fast path and its once-per-shape schema check give what
/// Cedar's schema-guided parser gives: values that need the schema (extension values, entity
/// references) go through the parser, an enumerated entity type is checked per request, and a
/// shape that does not fit is reported like any bad record.
#[test]
fn typed_contexts_decode_as_cedar_parses_them() {
    let (schema, _) = Schema::from_cedarschema_str(
        r#"
entity User enum ["alice", "bob"];
entity Agent;
entity Doc;
action view appliesTo { principal: [User], resource: [Doc], context: { n: Long, s: String, ip?: ipaddr, who?: User } };
action run appliesTo { principal: [Agent], resource: [Doc], context: { n: Long } };
"#,
    )
    .unwrap();
    let entities = Entities::empty();
    let policies = set(r#"
        permit (principal, action, resource) when { context.n > 1 };
        forbid (principal, action, resource) when { context has ip && !context.ip.isInRange(ip("10.0.0.0/8")) };
        forbid (principal, action, resource) when { context has who && context.who == User::"bob" };
    "#);
    let lines = [
        r#"{"id":"a","principal":{"type":"User","id":"alice"},"action":{"type":"Action","id":"view"},"resource":{"type":"Doc","id":"d"},"context":{"n":2,"s":"x"}}"#,
        r#"{"id":"b","principal":{"type":"User","id":"carol"},"action":{"type":"Action","id":"view"},"resource":{"type":"Doc","id":"d"},"context":{"n":2,"s":"x"}}"#,
        r#"{"id":"c","principal":{"type":"User","id":"alice"},"action":{"type":"Action","id":"view"},"resource":{"type":"Doc","id":"d"},"context":{"n":"2","s":"x"}}"#,
        r#"{"id":"d","principal":{"type":"User","id":"alice"},"action":{"type":"Action","id":"view"},"resource":{"type":"Doc","id":"d"},"context":{"n":2,"s":"x","ip":"10.1.2.3"}}"#,
        r#"{"id":"e","principal":{"type":"User","id":"alice"},"action":{"type":"Action","id":"view"},"resource":{"type":"Doc","id":"d"},"context":{"n":2,"s":"x","ip":"192.168.0.1"}}"#,
        r#"{"id":"f","principal":{"type":"User","id":"bob"},"action":{"type":"Action","id":"view"},"resource":{"type":"Doc","id":"d"},"context":{"n":2,"s":"x","who":{"type":"User","id":"bob"}}}"#,
        r#"{"id":"g1","principal":{"type":"Agent","id":"a1"},"action":{"type":"Action","id":"run"},"resource":{"type":"Doc","id":"d"},"context":{"n":5}}"#,
        r#"{"id":"g2","principal":{"type":"Agent","id":"a2"},"action":{"type":"Action","id":"run"},"resource":{"type":"Doc","id":"d"},"context":{"n":0}}"#,
        r#"{"id":"g3","principal":{"type":"Agent","id":"a3"},"action":{"type":"Action","id":"run"},"resource":{"type":"Doc","id":"d"},"context":{"n":5,"extra":true}}"#,
        r#"{"id":"g4","principal":{"type":"Agent","id":"a4"},"action":{"type":"Action","id":"run"},"resource":{"type":"Doc","id":"d"},"context":{"n":7}}"#,
    ];
    let mut got = Vec::new();
    let mut each = |item: &simulate::ResultItem<'_>| {
        got.push((
            item.result.id.clone(),
            item.result.baseline.decision.clone(),
        ));
        Ok(())
    };
    let mut replayer =
        simulate::Replayer::new(&schema, &entities, &policies, &policies, "", &mut each).unwrap();
    for (i, line) in lines.iter().enumerate() {
        replayer.text(i as u64 + 1, line).unwrap();
    }
    let summary = replayer.finish().unwrap().summary;
    let decided: Vec<(&str, &str)> = got.iter().map(|(i, d)| (i.as_str(), d.as_str())).collect();
    assert_eq!(
        decided,
        vec![
            ("a", "allow"),
            ("d", "allow"),
            ("e", "deny"),
            ("f", "deny"),
            ("g1", "allow"),
            ("g2", "deny"),
            ("g4", "allow"),
        ]
    );
    let bad: Vec<u64> = summary.errors.iter().map(|e| e.line).collect();
    assert_eq!(bad, vec![2, 3, 9], "{:?}", summary.errors);
}

/// Across many batches (evaluated while the previous one is handed on), results reach
/// `each` in line order, each good line exactly once, bad lines are counted in line order,
/// and an `each` that stops the run stops it as cancelled.
#[test]
fn batches_hand_results_on_in_line_order_and_stop_when_told() {
    let (schema, _) = Schema::from_cedarschema_str(
        r#"
entity Agent;
entity Doc;
action run appliesTo { principal: [Agent], resource: [Doc], context: { n: Long, even: Bool, third: Bool } };
"#,
    )
    .unwrap();
    let entities = Entities::empty();
    let baseline = set("permit (principal, action, resource) when { context.even };");
    let candidate = set("permit (principal, action, resource) when { context.third };");
    let total = 3 * super::simulate::BATCH as u64 + 17;
    let line = |n: u64| {
        if n % 1_000 == 7 {
            // Not a request: `n` is a string where the schema wants a Long.
            format!(
                r#"{{"id":"r{n}","principal":{{"type":"Agent","id":"a"}},"action":{{"type":"Action","id":"run"}},"resource":{{"type":"Doc","id":"d"}},"context":{{"n":"{n}","even":true,"third":true}}}}"#
            )
        } else {
            format!(
                r#"{{"id":"r{n}","principal":{{"type":"Agent","id":"a"}},"action":{{"type":"Action","id":"run"}},"resource":{{"type":"Doc","id":"d"}},"context":{{"n":{n},"even":{},"third":{}}}}}"#,
                n.is_multiple_of(2),
                n.is_multiple_of(3)
            )
        }
    };

    let mut got: Vec<(String, String, String)> = Vec::new();
    let mut each = |item: &simulate::ResultItem<'_>| {
        got.push((
            item.result.id.clone(),
            item.result.baseline.decision.clone(),
            item.result.candidate.decision.clone(),
        ));
        Ok(())
    };
    let mut replayer =
        simulate::Replayer::new(&schema, &entities, &baseline, &candidate, "", &mut each).unwrap();
    for n in 1..=total {
        replayer.text(n, &line(n)).unwrap();
    }
    let summary = replayer.finish().unwrap().summary;
    let good: Vec<u64> = (1..=total).filter(|n| n % 1_000 != 7).collect();
    let want: Vec<(String, String, String)> = good
        .iter()
        .map(|n| {
            let d = |allow: bool| if allow { "allow" } else { "deny" }.to_owned();
            (
                format!("r{n}"),
                d(n.is_multiple_of(2)),
                d(n.is_multiple_of(3)),
            )
        })
        .collect();
    assert_eq!(got.len(), want.len(), "{:?}", summary.errors.first());
    assert!(got == want, "results out of order or wrong");
    let bad: Vec<u64> = summary.errors.iter().map(|e| e.line).collect();
    let want_bad: Vec<u64> = (1..=total).filter(|n| n % 1_000 == 7).collect();
    assert_eq!(bad, want_bad);
    assert_eq!(summary.requests, good.len() as u64);
    assert_eq!(summary.skipped, want_bad.len() as u64);

    // A consumer that stops after the first batch's results: the run ends as cancelled.
    let mut seen = 0u64;
    let mut stop = |_: &simulate::ResultItem<'_>| {
        seen += 1;
        if seen == 10 {
            return Err(std::io::Error::from(std::io::ErrorKind::Interrupted));
        }
        Ok(())
    };
    let mut replayer =
        simulate::Replayer::new(&schema, &entities, &baseline, &candidate, "", &mut stop).unwrap();
    let mut outcome = Ok(());
    for n in 1..=total {
        outcome = replayer.text(n, &line(n));
        if outcome.is_err() {
            break;
        }
    }
    let result = outcome.and_then(|()| replayer.finish().map(|_| ()));
    assert!(matches!(result, Err(simulate::SimulateError::Cancelled)));
    assert_eq!(seen, 10);
}
