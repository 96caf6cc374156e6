//! Traffic insights over 1,000,000 recorded requests (issue target: ≤ 10 s on this machine).
//!
//! The demo workspace with its generated traffic (`mandate demo`'s 50,000 requests, three
//! weeks) replayed 20 times, three weeks apart (new ids, times and task ids: 1,000,000
//! requests, ~190,000 tasks), imported once into the workspace's SQLite file. Measured: `Session::insights` on a fresh session (so nothing is
//! cached) — the streaming scan, every finding, unused grants through the scope index — and,
//! as the baseline in the same run, a bare scan of the same rows through the same query
//! (`Db::for_each_traffic_row` counting them), so the ratio is what the analysis adds to
//! reading the data. Also framework coverage over the same set, cold (a fresh session) and
//! cached (the session's second call).

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark set-up: a failure should abort the run"
)]

use std::io::{BufRead as _, Write as _};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat};
use criterion::{criterion_group, criterion_main, Criterion};
use mandate::api::dto::InsightsQuery;
use mandate::api::Session;
use mandate::store::{Db, RequestWindow};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Requests generated and copies of them: `cargo test --all-targets` runs each benchmark
/// once to check it works (`make test`) on a small set; only `cargo bench` (which passes
/// `--bench`) needs the full size.
fn size() -> (usize, usize) {
    if std::env::args().any(|a| a == "--bench") {
        (mandate::api::DEMO_DEFAULT_REQUESTS, 20)
    } else {
        (5_000, 2)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        if rel.starts_with(".mandate") || rel == Path::new(mandate::api::DEMO_TRAFFIC_FILE) {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// The demo's generated traffic, copied [`size`] times, three weeks apart.
fn write_traffic(out: &Path) -> usize {
    let (requests, copies) = size();
    let mut text = Vec::new();
    mandate::api::demo_traffic(requests, mandate::api::DEMO_DEFAULT_SEED, &mut text)
        .expect("demo traffic");
    let records: Vec<serde_json::Value> = text
        .as_slice()
        .lines()
        .map(|l| serde_json::from_str(&l.expect("line")).expect("json"))
        .collect();
    let mut f = std::io::BufWriter::new(std::fs::File::create(out).expect("create"));
    let mut n = 0;
    for k in 0..copies {
        let shift = chrono::Duration::days(21 * k as i64);
        for r in &records {
            let mut r = r.clone();
            let id = format!("{}-{k:03}", r["id"].as_str().expect("id"));
            r["id"] = id.into();
            let t = DateTime::parse_from_rfc3339(r["time"].as_str().expect("time"))
                .expect("rfc3339")
                + shift;
            r["time"] = t.to_rfc3339_opts(SecondsFormat::Millis, true).into();
            if let Some(task) = r["context"]["task_id"].as_str().map(str::to_owned) {
                r["context"]["task_id"] = format!("{task}-{k:03}").into();
            }
            writeln!(f, "{r}").expect("write");
            n += 1;
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path().join("ws");
    copy_dir(&demo, &ws);
    let traffic = dir.path().join("traffic.jsonl");
    let written = write_traffic(&traffic);
    let session = Session::open(&ws).expect("workspace");
    let summary = session
        .import_requests(&traffic, "big", false, "bench", &mut |_| {})
        .expect("import");
    assert_eq!(summary.kept, written as u64);

    // Once, at set-up: what is measured is a real analysis of every request.
    let report = Session::open(&ws)
        .expect("workspace")
        .insights(&InsightsQuery::default())
        .expect("insights");
    assert_eq!(report.requests, written as u64);
    eprintln!(
        "insights/1M: {} requests, {} agents, {} tasks, {} findings",
        report.requests,
        report.agents,
        report.tasks,
        report.findings.len()
    );

    let mut group = c.benchmark_group("insights_1m");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("scan_rows_baseline", |b| {
        b.iter(|| {
            let db = Db::open(&ws.join(".mandate/mandate.db")).expect("db");
            let set = db.request_set_id("big").expect("query").expect("set");
            let mut n = 0u64;
            db.for_each_traffic_row(
                set,
                &RequestWindow {
                    since: None,
                    until: None,
                },
                |_| {
                    n += 1;
                    true
                },
            )
            .expect("scan");
            assert_eq!(n, written as u64);
            n
        })
    });
    group.bench_function("all_insights", |b| {
        b.iter(|| {
            let report = Session::open(&ws)
                .expect("workspace")
                .insights(&InsightsQuery::default())
                .expect("insights");
            assert_eq!(report.requests, written as u64);
            report.findings.len()
        })
    });
    // Framework coverage over the same set: every policy's determining decisions (the set
    // re-evaluated on the working copy), the traffic insights, the inventory checks.
    group.bench_function("coverage_cold", |b| {
        b.iter(|| {
            let report = Session::open(&ws)
                .expect("workspace")
                .coverage(None)
                .expect("coverage");
            assert_eq!(report.traffic_set.as_deref(), Some("big"));
            report.gaps.len()
        })
    });
    let warm = Session::open(&ws).expect("workspace");
    warm.coverage(None).expect("coverage");
    group.bench_function("coverage_cached", |b| {
        b.iter(|| warm.coverage(None).expect("coverage").gaps.len())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
