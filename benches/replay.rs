//! Replay evaluation at scale (issue targets, 2-core machine), on an agent-governance set:
//! - scope-indexed vs Cedar's unindexed `is_authorized` over the whole set, 1,000 policies:
//!   ≥ 200× faster per request-side, identical results (asserted once at set-up);
//! - at 5,000 policies the indexed per-request cost stays within 1.5× of the 1,000 cost.
//!
//! Per size: `indexed_per_request_one_thread` (one request per iteration), the whole request
//! mix through `evaluate_batch` on all cores and on one thread (criterion's element
//! throughput is requests per second; time ÷ 2,000 is the cost per request), `compare_batch`
//! (baseline and a candidate that turns 1% of the permits into forbids, both sides per
//! request), a cold index, and last Cedar's `unindexed_per_request` over the whole set.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark set-up: a failure should abort the run"
)]

use std::time::Duration;

use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicySet, Request, Schema};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use mandate::replay::{
    compare_batch, evaluate_batch, evaluate_batch_sequential, Outcome, ScopeIndex,
};

const REQUESTS: usize = 2_000;

/// A small deterministic generator (xorshift64*), so every run measures the same mix.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The organisation: its size grows with the policy count, as it would (more agents, more
/// tools, more policies naming them).
struct Org {
    agents: usize,
    teams: usize,
    humans: usize,
    tools: usize,
    tool_groups: usize,
    datasets: usize,
    models: usize,
}

impl Org {
    fn for_policies(n: usize) -> Org {
        Org {
            agents: n / 5,
            teams: 10 + n / 100,
            humans: n / 20,
            tools: n / 5,
            tool_groups: 10 + n / 100,
            datasets: n / 10,
            models: 5,
        }
    }
}

fn entities_json(org: &Org, rng: &mut Rng) -> String {
    let uid = |ty: &str, id: String| serde_json::json!({"type": format!("Acme::{ty}"), "id": id});
    let mut out = Vec::new();
    for t in 0..org.teams {
        out.push(serde_json::json!({"uid": uid("Team", format!("team-{t}")), "attrs": {}, "parents": []}));
    }
    for h in 0..org.humans {
        out.push(serde_json::json!({
            "uid": uid("Human", format!("human-{h}")),
            "attrs": {"email": format!("h{h}@acme.example"), "departed": h % 17 == 0},
            "parents": [uid("Team", format!("team-{}", h % org.teams))],
        }));
    }
    for g in 0..org.tool_groups {
        out.push(serde_json::json!({"uid": uid("ToolGroup", format!("group-{g}")), "attrs": {}, "parents": []}));
    }
    let levels = ["low", "medium", "high", "critical"];
    for t in 0..org.tools {
        out.push(serde_json::json!({
            "uid": uid("Tool", format!("tool-{t}")),
            "attrs": {"system": format!("sys-{}", t % 13), "sensitivity": levels[t % 4], "environment": "prod"},
            "parents": [uid("ToolGroup", format!("group-{}", t % org.tool_groups))],
        }));
    }
    for d in 0..org.datasets {
        out.push(serde_json::json!({
            "uid": uid("Dataset", format!("data-{d}")),
            "attrs": {"classification": levels[d % 4], "environment": "prod"},
            "parents": [],
        }));
    }
    for m in 0..org.models {
        out.push(serde_json::json!({"uid": uid("Model", format!("model-{m}")), "attrs": {}, "parents": []}));
    }
    for a in 0..org.agents {
        let rank = 1 + a % 4;
        let tools: Vec<_> = (0..3)
            .map(|_| uid("Tool", format!("tool-{}", rng.below(org.tools))))
            .collect();
        out.push(serde_json::json!({
            "uid": uid("Agent", format!("agent-{a}")),
            "attrs": {
                "risk_tier": levels[rank - 1], "risk_rank": rank,
                "lifecycle": if a % 23 == 0 { "suspended" } else { "active" },
                "environment": "prod", "max_ttl_seconds": 300 * rank,
                "attestation_required": rank >= 3,
                "accountable": uid("Human", format!("human-{}", a % org.humans)),
                "allowed_tools": tools, "allowed_datasets": [], "allowed_models": [],
                "delegates": [uid("Agent", format!("agent-{}", (a + 1) % org.agents))],
                "step_up_actions": ["request_credential"],
            },
            "parents": [uid("Team", format!("team-{}", a % org.teams))],
        }));
    }
    serde_json::Value::Array(out).to_string()
}

/// Unconstrained or broadly scoped policies, in every (or most) slices.
const BROAD: [&str; 6] = [
    r#"forbid (principal is Acme::Agent, action, resource) unless { principal.lifecycle == "active" };"#,
    r#"forbid (principal, action, resource) when { context.env == "prod" && context has attested && !context.attested };"#,
    r#"forbid (principal is Acme::Agent, action == Acme::Action::"delegate", resource is Acme::Agent) when { resource.risk_rank > principal.risk_rank };"#,
    r#"forbid (principal is Acme::Agent, action == Acme::Action::"request_credential", resource) unless { context has ttl_seconds && context.ttl_seconds <= principal.max_ttl_seconds };"#,
    r#"permit (principal is Acme::Agent, action == Acme::Action::"invoke_tool", resource is Acme::Tool) when { principal.allowed_tools.contains(resource) && context.env == "prod" };"#,
    r#"forbid (principal is Acme::Agent, action == Acme::Action::"invoke_model", resource) when { principal.risk_rank >= 4 && !(context has step_up_approved && context.step_up_approved) };"#,
];

/// `n` policies: the broad ones plus policies naming specific agents, teams, tools, groups
/// and datasets with `==` and `in`. `edit` makes the candidate (see below).
fn policies_text(n: usize, org: &Org, rng: &mut Rng, edit: bool) -> String {
    let mut out = String::new();
    for (i, p) in BROAD.iter().enumerate() {
        out.push_str(&format!("@id(\"broad-{i}\")\n{p}\n"));
    }
    for i in BROAD.len()..n {
        let agent = format!("Acme::Agent::\"agent-{}\"", rng.below(org.agents));
        let team = format!("Acme::Team::\"team-{}\"", rng.below(org.teams));
        let tool = format!("Acme::Tool::\"tool-{}\"", rng.below(org.tools));
        let group = format!("Acme::ToolGroup::\"group-{}\"", rng.below(org.tool_groups));
        let data = format!("Acme::Dataset::\"data-{}\"", rng.below(org.datasets));
        let model = format!("Acme::Model::\"model-{}\"", rng.below(org.models));
        let other = format!("Acme::Agent::\"agent-{}\"", rng.below(org.agents));
        let body = match rng.below(20) {
            0..=7 => format!("permit (principal == {agent}, action == Acme::Action::\"invoke_tool\", resource == {tool}) when {{ context.env == \"prod\" }};"),
            8..=10 => format!("permit (principal == {agent}, action in [Acme::Action::\"read_data\", Acme::Action::\"write_data\"], resource == {data}) when {{ resource.classification != \"critical\" }};"),
            11..=12 => format!("permit (principal in {team}, action == Acme::Action::\"invoke_tool\", resource in {group}) when {{ resource.sensitivity != \"critical\" }};"),
            13..=14 => format!("forbid (principal == {agent}, action == Acme::Action::\"request_credential\", resource) unless {{ context has attested && context.attested }};"),
            15..=16 => format!("permit (principal == {agent}, action == Acme::Action::\"delegate\", resource == {other}) when {{ context has delegation_depth && context.delegation_depth < 3 }};"),
            17 => format!("permit (principal is Acme::Agent in {team}, action == Acme::Action::\"invoke_model\", resource == {model});"),
            18 => format!("permit (principal == {agent}, action == Acme::Action::\"request_credential\", resource in {group}) when {{ context has ttl_seconds && context.ttl_seconds <= 300 }};"),
            _ => format!("forbid (principal, action == Acme::Action::\"invoke_tool\", resource == {tool}) when {{ context has task_id && context.task_id == \"blocked\" }};"),
        };
        // The candidate turns every hundredth permit into a forbid under the same id.
        let body = match body.strip_prefix("permit") {
            Some(rest) if edit && i % 100 == 0 => format!("forbid{rest}"),
            _ => body,
        };
        out.push_str(&format!("@id(\"p-{i}\")\n{body}\n"));
    }
    out
}

/// Parses policies as Mandate does: `@id` becomes the policy id.
fn policy_set(text: &str) -> PolicySet {
    let parsed: PolicySet = text.parse().expect("policies parse");
    let mut set = PolicySet::new();
    for p in parsed.policies() {
        let id = p.annotation("id").expect("every bench policy has an @id");
        set.add(p.new_id(cedar_policy::PolicyId::new(id)))
            .expect("unique ids");
    }
    set
}

fn requests(org: &Org, schema: &Schema, rng: &mut Rng) -> Vec<Request> {
    let uid = |ty: &str, id: String| -> EntityUid {
        format!("Acme::{ty}::\"{id}\"").parse().expect("uid")
    };
    (0..REQUESTS)
        .map(|_| {
            let agent = uid("Agent", format!("agent-{}", rng.below(org.agents)));
            let (action, resource) = match rng.below(10) {
                0..=4 => (
                    "invoke_tool",
                    uid("Tool", format!("tool-{}", rng.below(org.tools))),
                ),
                5..=6 => (
                    "read_data",
                    uid("Dataset", format!("data-{}", rng.below(org.datasets))),
                ),
                7 => (
                    "request_credential",
                    uid("Tool", format!("tool-{}", rng.below(org.tools))),
                ),
                8 => (
                    "delegate",
                    uid("Agent", format!("agent-{}", rng.below(org.agents))),
                ),
                _ => (
                    "invoke_model",
                    uid("Model", format!("model-{}", rng.below(org.models))),
                ),
            };
            let action = uid("Action", action.to_owned());
            let context = serde_json::json!({
                "task_id": format!("t-{}", rng.below(1000)),
                "env": "prod",
                "ttl_seconds": 60 * (1 + rng.below(10)),
                "attested": rng.below(10) != 0,
                "delegation_depth": rng.below(3),
            });
            let context = Context::from_json_value(context, Some((schema, &action)))
                .expect("context fits the schema");
            Request::new(agent, action, resource, context, Some(schema)).expect("valid request")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let schema_text = mandate::model::generated_schema("Acme");
    let (schema, _) = Schema::from_cedarschema_str(&schema_text).expect("schema");
    let authorizer = Authorizer::new();
    // `REPLAY_BENCH_SIZES=1000` runs one size (set-up checks every request unindexed, which
    // takes a while at 5,000).
    let sizes: Vec<usize> = std::env::var("REPLAY_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 5_000]);
    for n in sizes {
        let org = Org::for_policies(n);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64);
        let entities = Entities::from_json_str(&entities_json(&org, &mut rng), Some(&schema))
            .expect("entities fit the schema");
        let seed = rng.next();
        let baseline = policy_set(&policies_text(n, &org, &mut Rng(seed), false));
        let candidate = policy_set(&policies_text(n, &org, &mut Rng(seed), true));
        assert_eq!(baseline.num_of_policies(), n);
        let requests = requests(&org, &schema, &mut rng);
        let batch: Vec<(Request, &Entities)> =
            requests.iter().map(|r| (r.clone(), &entities)).collect();

        let index = ScopeIndex::new(&baseline).expect("index");
        let pair = ScopeIndex::pair(&baseline, &candidate).expect("pair index");
        // Once, at set-up: the index gives Cedar's result on every request of the mix.
        let indexed = evaluate_batch(&index, &batch);
        let compared = compare_batch(&pair, &batch);
        let mut slice_sizes = 0usize;
        let mut allowed = 0usize;
        let mut changed = 0usize;
        for (((request, entities), got), pair_got) in batch.iter().zip(&indexed).zip(&compared) {
            let want =
                Outcome::from_response(&authorizer.is_authorized(request, &baseline, entities));
            assert_eq!(got, &want, "{request}");
            assert_eq!(&pair_got.baseline, &want, "{request}");
            let want_candidate =
                Outcome::from_response(&authorizer.is_authorized(request, &candidate, entities));
            assert_eq!(&pair_got.candidate, &want_candidate, "{request}");
            slice_sizes += index.candidate_ids(request, entities).len();
            allowed += usize::from(want.decision == mandate::replay::Decision::Allow);
            changed += usize::from(pair_got.changed());
        }
        eprintln!(
            "replay/{n}: {REQUESTS} requests identical to the unindexed authorizer; \
             {allowed} allowed, {changed} changed by the candidate; mean slice {:.1} policies; \
             {} distinct slices cached (one side), {} policies in the pair catalog",
            slice_sizes as f64 / REQUESTS as f64,
            index.cached_slice_count(),
            pair.policy_count(),
        );

        let mut group = c.benchmark_group(format!("replay_{n}_policies"));
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(5));
        group.sample_size(50);
        group.bench_function("indexed_per_request_one_thread", |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 1) % requests.len();
                index.evaluate(&requests[i], &entities)
            })
        });
        group.throughput(Throughput::Elements(REQUESTS as u64));
        group.bench_function("indexed_batch_all_cores", |b| {
            b.iter(|| evaluate_batch(&index, &batch))
        });
        group.bench_function("indexed_batch_one_thread", |b| {
            b.iter(|| evaluate_batch_sequential(&index, &batch))
        });
        group.bench_function("compare_batch_all_cores", |b| {
            b.iter(|| compare_batch(&pair, &batch))
        });
        // A cold index: building it plus the first pass that fills the slice cache.
        group.sample_size(10);
        group.bench_function("build_index_and_first_batch", |b| {
            b.iter_batched(
                || (),
                |()| {
                    let index = ScopeIndex::new(&baseline).expect("index");
                    evaluate_batch(&index, &batch).len()
                },
                BatchSize::PerIteration,
            )
        });
        // Last: measured after it, the indexed benchmarks ran up to a third slower (the
        // allocator or caches after a millisecond per request of allocation-heavy work).
        group.throughput(Throughput::Elements(1));
        group.bench_function("unindexed_per_request", |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 1) % requests.len();
                authorizer.is_authorized(&requests[i], &baseline, &entities)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
