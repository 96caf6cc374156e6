//! The scope index against Cedar's unindexed `Authorizer` on generated inputs: small schemas
//! with action groups, entity hierarchies (with entities missing from the store), policy sets
//! covering every scope form (`==`, `in`, `is`, `is … in`, unconstrained; `action ==`,
//! `action in [..]`, `action in` a group; templates and links; renamed ids; conditions that
//! error) and requests. One side and two sides (a candidate that drops, adds and edits
//! policies under the same ids) must give exactly Cedar's decision, reasons and errors.
//! Slices are also checked to be tight: exactly the policies whose scope matches.
//!
//! `PROPTEST_CASES` raises the case count (the default keeps a debug run to a few seconds).

use std::collections::HashMap;

use cedar_policy::{
    Authorizer, Context, Entities, EntityUid, Policy, PolicyId, PolicySet, Request, Schema, SlotId,
    Template,
};
use mandate::replay::{compare_batch, evaluate_batch, Outcome, ScopeIndex};
use proptest::prelude::*;
use proptest::test_runner::Config;

const TYPES: [&str; 4] = ["User", "Group", "Doc", "Folder"];
const ACTIONS: [&str; 4] = ["read", "write", "delete", "share"];
const ACTION_GROUPS: [&str; 2] = ["readers", "all"];

/// Entities a scope or request may name; `ghost` and `gone` are never in the store.
const POOL: [(&str, &str); 14] = [
    ("User", "u0"),
    ("User", "u1"),
    ("User", "u2"),
    ("User", "u3"),
    ("User", "ghost"),
    ("Group", "g0"),
    ("Group", "g1"),
    ("Group", "g2"),
    ("Doc", "d0"),
    ("Doc", "d1"),
    ("Doc", "d2"),
    ("Doc", "gone"),
    ("Folder", "f0"),
    ("Folder", "f1"),
];

/// Every action entity: the actions, then the groups.
fn action_names() -> Vec<&'static str> {
    ACTIONS
        .iter()
        .chain(ACTION_GROUPS.iter())
        .copied()
        .collect()
}

fn entity(i: usize) -> String {
    let (ty, id) = POOL[i % POOL.len()];
    format!("{ty}::\"{id}\"")
}

fn action(i: usize) -> String {
    let names = action_names();
    format!("Action::\"{}\"", names[i % names.len()])
}

fn uid(text: &str) -> EntityUid {
    text.parse().unwrap()
}

/// A principal or resource scope.
#[derive(Debug, Clone)]
enum ScopeSpec {
    Any,
    Eq(usize),
    In(usize),
    Is(usize),
    IsIn(usize, usize),
}

fn scope() -> impl Strategy<Value = ScopeSpec> {
    prop_oneof![
        Just(ScopeSpec::Any),
        (0..POOL.len()).prop_map(ScopeSpec::Eq),
        (0..POOL.len()).prop_map(ScopeSpec::In),
        (0..TYPES.len()).prop_map(ScopeSpec::Is),
        (0..TYPES.len(), 0..POOL.len()).prop_map(|(t, e)| ScopeSpec::IsIn(t, e)),
    ]
}

fn render_scope(var: &str, s: &ScopeSpec) -> String {
    match s {
        ScopeSpec::Any => var.to_owned(),
        ScopeSpec::Eq(e) => format!("{var} == {}", entity(*e)),
        ScopeSpec::In(e) => format!("{var} in {}", entity(*e)),
        ScopeSpec::Is(t) => format!("{var} is {}", TYPES[*t]),
        ScopeSpec::IsIn(t, e) => format!("{var} is {} in {}", TYPES[*t], entity(*e)),
    }
}

#[derive(Debug, Clone)]
enum ActionSpec {
    Any,
    Eq(usize),
    /// `action in A` (one entity, often a group).
    InOne(usize),
    InList(Vec<usize>),
}

fn action_scope() -> impl Strategy<Value = ActionSpec> {
    let n = ACTIONS.len() + ACTION_GROUPS.len();
    prop_oneof![
        Just(ActionSpec::Any),
        (0..n).prop_map(ActionSpec::Eq),
        (0..n).prop_map(ActionSpec::InOne),
        prop::collection::vec(0..n, 1..4).prop_map(ActionSpec::InList),
    ]
}

fn render_action(a: &ActionSpec) -> String {
    match a {
        ActionSpec::Any => "action".to_owned(),
        ActionSpec::Eq(i) => format!("action == {}", action(*i)),
        ActionSpec::InOne(i) => format!("action in {}", action(*i)),
        ActionSpec::InList(list) => format!(
            "action in [{}]",
            list.iter()
                .map(|i| action(*i))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Conditions; several error on some requests (a missing attribute, an attribute of an
/// entity missing from the store, a missing context field, overflow).
const CONDITIONS: [&str; 9] = [
    "",
    " when { true }",
    " when { false }",
    " when { principal.level > 1 }",
    " unless { resource.owner == principal }",
    " when { context.flag }",
    " when { principal has level && principal.level >= 2 }",
    " when { 9223372036854775807 + principal.level > 9223372036854775807 }",
    " when { resource in principal || principal in resource }",
];

#[derive(Debug, Clone)]
struct PolicySpec {
    permit: bool,
    principal: ScopeSpec,
    action: ActionSpec,
    resource: ScopeSpec,
    condition: usize,
    /// Give it an `@id`-style name instead of Cedar's `policyN`.
    renamed: bool,
    /// What the candidate side does with it.
    change: Change,
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Same,
    Dropped,
    /// Only in the candidate.
    Added,
    /// Same id, another condition.
    Edited(usize),
}

fn policy() -> impl Strategy<Value = PolicySpec> {
    let change = prop_oneof![
        4 => Just(Change::Same),
        1 => Just(Change::Dropped),
        1 => Just(Change::Added),
        1 => (0..CONDITIONS.len()).prop_map(Change::Edited),
    ];
    (
        any::<bool>(),
        scope(),
        action_scope(),
        scope(),
        0..CONDITIONS.len(),
        any::<bool>(),
        change,
    )
        .prop_map(
            |(permit, principal, action, resource, condition, renamed, change)| PolicySpec {
                permit,
                principal,
                action,
                resource,
                condition,
                renamed,
                change,
            },
        )
}

fn render_policy(p: &PolicySpec, condition: usize, scope_only: bool) -> String {
    format!(
        "{} ({}, {}, {}){};",
        if p.permit || scope_only {
            "permit"
        } else {
            "forbid"
        },
        render_scope("principal", &p.principal),
        render_action(&p.action),
        render_scope("resource", &p.resource),
        if scope_only {
            ""
        } else {
            CONDITIONS[condition]
        }
    )
}

/// A template: which slots it has and how each is constrained.
#[derive(Debug, Clone)]
struct TemplateSpec {
    permit: bool,
    /// `None`: no slot (then a plain scope); `Some(form)`: `==`, `in` or `is T in` the slot.
    principal_slot: Option<(u8, usize)>,
    resource_slot: Option<(u8, usize)>,
    action: ActionSpec,
    condition: usize,
}

fn template() -> impl Strategy<Value = TemplateSpec> {
    let slot = prop::option::of((0..3u8, 0..TYPES.len()));
    (
        any::<bool>(),
        slot.clone(),
        slot,
        action_scope(),
        0..CONDITIONS.len(),
    )
        .prop_filter("a template has a slot", |(_, p, r, _, _)| {
            p.is_some() || r.is_some()
        })
        .prop_map(
            |(permit, principal_slot, resource_slot, action, condition)| TemplateSpec {
                permit,
                principal_slot,
                resource_slot,
                action,
                condition,
            },
        )
}

fn render_slot(var: &str, slot: Option<(u8, usize)>) -> String {
    match slot {
        None => var.to_owned(),
        Some((0, _)) => format!("{var} == ?{var}"),
        Some((1, _)) => format!("{var} in ?{var}"),
        Some((_, t)) => format!("{var} is {} in ?{var}", TYPES[t]),
    }
}

fn render_template(t: &TemplateSpec, scope_only: bool) -> String {
    format!(
        "{} ({}, {}, {}){};",
        if t.permit || scope_only {
            "permit"
        } else {
            "forbid"
        },
        render_slot("principal", t.principal_slot),
        render_action(&t.action),
        render_slot("resource", t.resource_slot),
        if scope_only {
            ""
        } else {
            CONDITIONS[t.condition]
        }
    )
}

/// A link: template index, slot values, and which sides have it (1 baseline, 2 candidate, 3 both).
type LinkSpec = (usize, usize, usize, u8);

/// Entities: parents and attributes.
#[derive(Debug, Clone)]
struct World {
    /// Per user u0..u3: groups (bit i = g_i), level.
    users: Vec<(u8, Option<i64>)>,
    /// Per group g0..g2: parent groups among those after it (no cycles).
    groups: Vec<u8>,
    /// Per doc d0..d2: folders, owner (user index), level.
    docs: Vec<(u8, Option<usize>, Option<i64>)>,
    /// f0 in f1?
    folder_nested: bool,
    /// Per action: groups it is in, in the schema and (independently) in the entities file.
    schema_action_groups: Vec<u8>,
    file_action_groups: Vec<u8>,
    /// `readers in all`, in the schema and in the file.
    schema_readers_in_all: bool,
    file_readers_in_all: bool,
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec((0..8u8, prop::option::of(0..4i64)), 4),
        prop::collection::vec(0..8u8, 3),
        prop::collection::vec(
            (
                0..4u8,
                prop::option::of(0..4usize),
                prop::option::of(0..4i64),
            ),
            3,
        ),
        any::<bool>(),
        prop::collection::vec(0..4u8, ACTIONS.len()),
        prop::collection::vec(0..4u8, ACTIONS.len()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(users, groups, docs, folder_nested, sag, fag, sra, fra)| World {
                users,
                groups,
                docs,
                folder_nested,
                schema_action_groups: sag,
                file_action_groups: fag,
                schema_readers_in_all: sra,
                file_readers_in_all: fra,
            },
        )
}

fn bits(mask: u8, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, n)| (*n).to_owned())
        .collect()
}

fn schema_text(w: &World) -> String {
    let mut s = String::from(
        "entity Group in [Group];\n\
         entity User in [Group] { level?: Long };\n\
         entity Folder in [Folder];\n\
         entity Doc in [Folder] { owner?: User, level?: Long };\n\
         action all;\n",
    );
    s.push_str(if w.schema_readers_in_all {
        "action readers in [all];\n"
    } else {
        "action readers;\n"
    });
    for (i, a) in ACTIONS.iter().enumerate() {
        let groups = bits(w.schema_action_groups[i], &ACTION_GROUPS);
        let member = if groups.is_empty() {
            String::new()
        } else {
            format!(" in [{}]", groups.join(", "))
        };
        s.push_str(&format!(
            "action {a}{member} appliesTo {{ principal: [User, Group], resource: [Doc, Folder], context: {{ flag?: Bool }} }};\n"
        ));
    }
    s
}

fn entities_json(w: &World, with_actions: bool) -> String {
    let refs = |ty: &str, ids: Vec<String>| -> Vec<serde_json::Value> {
        ids.into_iter()
            .map(|id| serde_json::json!({"type": ty, "id": id}))
            .collect()
    };
    let mut out = Vec::new();
    for (i, (groups, level)) in w.users.iter().enumerate() {
        let mut attrs = serde_json::Map::new();
        if let Some(l) = level {
            attrs.insert("level".into(), (*l).into());
        }
        out.push(serde_json::json!({
            "uid": {"type": "User", "id": format!("u{i}")},
            "attrs": attrs,
            "parents": refs("Group", bits(*groups & 0b111, &["g0", "g1", "g2"])),
        }));
    }
    for (i, parents) in w.groups.iter().enumerate() {
        // Only groups after this one: the hierarchy stays acyclic.
        let after: Vec<String> = (i + 1..3)
            .filter(|j| parents & (1 << j) != 0)
            .map(|j| format!("g{j}"))
            .collect();
        out.push(serde_json::json!({
            "uid": {"type": "Group", "id": format!("g{i}")},
            "attrs": {},
            "parents": refs("Group", after),
        }));
    }
    for (i, (folders, owner, level)) in w.docs.iter().enumerate() {
        let mut attrs = serde_json::Map::new();
        if let Some(o) = owner {
            attrs.insert(
                "owner".into(),
                serde_json::json!({"__entity": {"type": "User", "id": format!("u{o}")}}),
            );
        }
        if let Some(l) = level {
            attrs.insert("level".into(), (*l).into());
        }
        out.push(serde_json::json!({
            "uid": {"type": "Doc", "id": format!("d{i}")},
            "attrs": attrs,
            "parents": refs("Folder", bits(*folders & 0b11, &["f0", "f1"])),
        }));
    }
    out.push(serde_json::json!({
        "uid": {"type": "Folder", "id": "f0"}, "attrs": {},
        "parents": if w.folder_nested { refs("Folder", vec!["f1".into()]) } else { vec![] },
    }));
    out.push(
        serde_json::json!({"uid": {"type": "Folder", "id": "f1"}, "attrs": {}, "parents": []}),
    );
    if with_actions {
        for (i, a) in ACTIONS.iter().enumerate() {
            out.push(serde_json::json!({
                "uid": {"type": "Action", "id": a}, "attrs": {},
                "parents": refs("Action", bits(w.file_action_groups[i], &ACTION_GROUPS)),
            }));
        }
        out.push(serde_json::json!({
            "uid": {"type": "Action", "id": "readers"}, "attrs": {},
            "parents": if w.file_readers_in_all { refs("Action", vec!["all".into()]) } else { vec![] },
        }));
        out.push(
            serde_json::json!({"uid": {"type": "Action", "id": "all"}, "attrs": {}, "parents": []}),
        );
    }
    serde_json::Value::Array(out).to_string()
}

/// A request: principal, action, resource (indices) and whether the context has `flag`.
type RequestSpec = (usize, usize, usize, Option<bool>);

fn request(spec: &RequestSpec) -> Request {
    let (p, a, r, flag) = spec;
    let context = match flag {
        Some(f) => Context::from_json_value(serde_json::json!({ "flag": f }), None).unwrap(),
        None => Context::empty(),
    };
    Request::new(
        uid(&entity(*p)),
        uid(&action(*a)),
        uid(&entity(*r)),
        context,
        None,
    )
    .unwrap()
}

#[derive(Debug, Clone)]
struct Case {
    world: World,
    policies: Vec<PolicySpec>,
    templates: Vec<TemplateSpec>,
    links: Vec<LinkSpec>,
    requests: Vec<RequestSpec>,
}

fn case() -> impl Strategy<Value = Case> {
    let n_actions = ACTIONS.len() + ACTION_GROUPS.len();
    (
        world(),
        prop::collection::vec(policy(), 0..14),
        prop::collection::vec(template(), 0..3),
        prop::collection::vec((0..3usize, 0..POOL.len(), 0..POOL.len(), 1..4u8), 0..6),
        prop::collection::vec(
            (
                0..POOL.len(),
                0..n_actions,
                0..POOL.len(),
                prop::option::of(any::<bool>()),
            ),
            1..24,
        ),
    )
        .prop_map(|(world, policies, templates, links, requests)| Case {
            world,
            policies,
            templates,
            links,
            requests,
        })
}

/// The baseline or candidate set of a case, ids as Mandate gives them: `policyN` in text
/// order unless renamed (the `@id` path), templates `templateN`, links `linkN`. With
/// `scope_only`, every policy is a `permit` without conditions: Cedar's reasons are then
/// exactly the policies whose scope matches.
fn build_set(case: &Case, candidate: bool, scope_only: bool) -> PolicySet {
    let mut set = PolicySet::new();
    for (i, p) in case.policies.iter().enumerate() {
        let condition = match (candidate, p.change) {
            (false, Change::Added) | (true, Change::Dropped) => continue,
            (true, Change::Edited(c)) => c,
            _ => p.condition,
        };
        let policy = Policy::parse(None, render_policy(p, condition, scope_only)).unwrap();
        let id = if p.renamed {
            format!("p-{i}")
        } else {
            format!("policy{i}")
        };
        set.add(policy.new_id(PolicyId::new(id))).unwrap();
    }
    for (i, t) in case.templates.iter().enumerate() {
        let template = Template::parse(None, render_template(t, scope_only)).unwrap();
        set.add_template(template.new_id(PolicyId::new(format!("template{i}"))))
            .unwrap();
    }
    for (k, (t, p, r, sides)) in case.links.iter().enumerate() {
        let side = if candidate { 2 } else { 1 };
        if sides & side == 0 || case.templates.is_empty() {
            continue;
        }
        let ti = t % case.templates.len();
        let spec = &case.templates[ti];
        let mut values = HashMap::new();
        if spec.principal_slot.is_some() {
            values.insert(SlotId::principal(), uid(&entity(*p)));
        }
        if spec.resource_slot.is_some() {
            values.insert(SlotId::resource(), uid(&entity(*r)));
        }
        set.link(
            PolicyId::new(format!("template{ti}")),
            PolicyId::new(format!("link{k}")),
            values,
        )
        .unwrap();
    }
    set
}

fn unindexed(set: &PolicySet, request: &Request, entities: &Entities) -> Outcome {
    Outcome::from_response(&Authorizer::new().is_authorized(request, set, entities))
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let schema = Schema::from_cedarschema_str(&schema_text(&case.world))
        .unwrap()
        .0;
    // Action groups from the schema's action entities, and from an entities file parsed
    // without a schema (with its own, different groups).
    let stores = [
        Entities::from_json_str(&entities_json(&case.world, false), Some(&schema)).unwrap(),
        Entities::from_json_str(&entities_json(&case.world, true), None).unwrap(),
    ];
    let baseline = build_set(case, false, false);
    let candidate = build_set(case, true, false);
    let scopes = build_set(case, false, true);
    let single = ScopeIndex::new(&baseline).unwrap();
    let pair = ScopeIndex::pair(&baseline, &candidate).unwrap();
    for entities in &stores {
        let batch: Vec<(Request, &Entities)> = case
            .requests
            .iter()
            .map(|r| (request(r), entities))
            .collect();
        let outcomes = evaluate_batch(&single, &batch);
        let pairs = compare_batch(&pair, &batch);
        for (((req, entities), got), got_pair) in batch.iter().zip(&outcomes).zip(&pairs) {
            let want = unindexed(&baseline, req, entities);
            prop_assert_eq!(got, &want, "one side, {}", req);
            prop_assert_eq!(&got_pair.baseline, &want, "baseline, {}", req);
            let want = unindexed(&candidate, req, entities);
            prop_assert_eq!(&got_pair.candidate, &want, "candidate, {}", req);
            // The slice is tight: exactly the policies whose scope matches.
            let matching = unindexed(&scopes, req, entities).reasons;
            prop_assert_eq!(
                single.candidate_ids(req, entities),
                matching,
                "slice, {}",
                req
            );
        }
    }
    Ok(())
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48);
    Config {
        cases,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn indexed_equals_unindexed(case in case()) {
        check(&case)?;
    }
}
