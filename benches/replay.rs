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
//!
//! "Per request-side" is the unit: `compare_batch` time ÷ (2,000 × 2), since a
//! policy identical on both sides is evaluated once for both. The one-side figures
//! (`evaluate_batch`) are reported beside it. Measured with mimalloc, the allocator of the
//! CLI and the app: with glibc's malloc the indexed figures moved by a third from run to run.

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

#[path = "support/agent_gov.rs"]
mod agent_gov;
use agent_gov::{entities_json, policies_text, Org, Rng};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let uid =
        |v: &serde_json::Value| -> EntityUid { EntityUid::from_json(v.clone()).expect("uid") };
    (0..REQUESTS)
        .map(|_| {
            let spec = agent_gov::request(org, rng);
            let action = uid(&spec.action);
            let context = Context::from_json_value(spec.context, Some((schema, &action)))
                .expect("context fits the schema");
            Request::new(
                uid(&spec.principal),
                action,
                uid(&spec.resource),
                context,
                Some(schema),
            )
            .expect("valid request")
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
        let mut rng = agent_gov::seed(n);
        let entities = Entities::from_json_str(&entities_json(&org, &mut rng), Some(&schema))
            .expect("entities fit the schema");
        let seed = rng.next();
        let baseline = policy_set(&policies_text(n, &org, &mut Rng(seed), None));
        let candidate = policy_set(&policies_text(n, &org, &mut Rng(seed), Some(100)));
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
