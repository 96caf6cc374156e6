//! Paging a replay run's results (issue target: with 1,000,000 result rows, the first page
//! in under a second).
//!
//! One run of 1,000,000 stored results (3% changed, 0.5% with errors) in a database file;
//! measured: the first page of all results, the first page of the changed ones, a page deep
//! in the changed ones, and a search — each as the Simulate page asks for it (200 rows and
//! the filter's total).

#![allow(
    clippy::expect_used,
    reason = "benchmark set-up: a failure should abort the run"
)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use mandate::store::{Db, NewRun, ResultQuery, ResultRecord};

const N: i64 = 1_000_000;
const PAGE: u32 = 200;

/// `cargo test --all-targets` runs each benchmark once to check it works (`make test`); only
/// `cargo bench` (which passes `--bench`) needs the full size.
fn scaled<T: From<u16> + std::ops::Div<Output = T>>(full: T) -> T {
    if std::env::args().any(|a| a == "--bench") {
        full
    } else {
        full / T::from(100)
    }
}

fn bench(c: &mut Criterion) {
    let n = scaled(N);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Db::open(&dir.path().join("mandate.db")).expect("open");
    let run = db
        .begin_run(&NewRun {
            set: "prod",
            baseline: "git:HEAD",
            candidate: "working copy",
            actor: "bench",
            ..NewRun::default()
        })
        .expect("run");
    let allow = r#"{"decision":"allow","reasons":["permit-allowed-tools"],"errors":[]}"#;
    let deny = r#"{"decision":"deny","reasons":[],"errors":[]}"#;
    let mut batch = Vec::with_capacity(10_000);
    for seq in 0..n {
        let changed = seq % 33 == 0;
        batch.push(ResultRecord {
            seq,
            rid: format!("req-{seq:07}"),
            principal: format!("Acme::Agent::\"agent-{}\"", seq % 500),
            action: ["invoke_tool", "read_data", "request_credential"][(seq % 3) as usize].into(),
            resource: format!("Acme::Tool::\"tool-{}\"", seq % 200),
            time: Some("2026-05-01T00:00:00.000Z".into()),
            recorded: Some("allow".into()),
            baseline: allow.into(),
            candidate: if changed { deny.into() } else { allow.into() },
            changed,
            errors: seq % 200 == 0,
        });
        if batch.len() == 10_000 {
            db.insert_results(run, &batch).expect("insert");
            batch.clear();
        }
    }
    db.complete_run(run, "{}", "{}", "sha256:bench")
        .expect("complete");

    let mut g = c.benchmark_group("results_1m");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    let all = ResultQuery::default();
    let changed = ResultQuery {
        changed_only: true,
        ..all
    };
    g.bench_function("first_page_all", |b| {
        b.iter(|| {
            db.replay_results(run, &all, 0, PAGE, Some(n as u64))
                .expect("page")
        })
    });
    g.bench_function("first_page_changed", |b| {
        b.iter(|| {
            db.replay_results(run, &changed, 0, PAGE, None)
                .expect("page")
        })
    });
    g.bench_function("deep_page_changed", |b| {
        b.iter(|| {
            db.replay_results(run, &changed, 30_000, PAGE, None)
                .expect("page")
        })
    });
    let search = ResultQuery {
        search: Some("agent-42\""),
        ..all
    };
    g.bench_function("deep_page_all", |b| {
        b.iter(|| {
            db.replay_results(run, &all, (n * 7 / 10) as u64, PAGE, Some(n as u64))
                .expect("page")
        })
    });
    g.bench_function("search_first_page", |b| {
        b.iter(|| {
            db.replay_results(run, &search, 0, PAGE, None)
                .expect("page")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
