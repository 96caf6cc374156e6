//! Importing recorded requests into SQLite (issue target: ≥ 100,000 requests/s).
//!
//! 100,000 JSON Lines records of the agent-governance shape (ids, times, context, recorded
//! decision and reasons), imported into a fresh database file each iteration — parse,
//! normalise, content checks and batched inserts, the whole `mandate requests import` path.

#![allow(
    clippy::expect_used,
    reason = "benchmark set-up: a failure should abort the run"
)]

use std::io::Write as _;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mandate::replay::import::{import_file, ImportOptions, DEFAULT_BATCH};
use mandate::store::Db;

const N: usize = 100_000;

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
    let path = dir.path().join("requests.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let actions = ["invoke_tool", "read_data", "request_credential", "delegate"];
    for i in 0..n {
        writeln!(
            f,
            r#"{{"id":"r-{i:07}","time":"2026-05-{:02}T{:02}:{:02}:00Z","principal":{{"type":"Agent","id":"agent-{}"}},"action":{{"type":"Action","id":"{}"}},"resource":{{"type":"Tool","id":"tool-{}"}},"context":{{"env":"prod","task_id":"t-{i}","ttl_seconds":300,"attested":true}},"decision":"{}","reasons":["permit-allowed-tools"]}}"#,
            i % 28 + 1,
            i % 24,
            i % 60,
            i % 500,
            actions[i % 4],
            i % 200,
            if i % 7 == 0 { "deny" } else { "allow" },
        )
        .expect("write");
    }
    drop(f);

    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(n as u64));
    let mut run = 0;
    group.bench_function("jsonl_100k_requests_into_sqlite", |b| {
        b.iter(|| {
            run += 1;
            let mut db = Db::open(&dir.path().join(format!("m{run}.db"))).expect("db");
            let opts = ImportOptions {
                set: "bench",
                namespace: "Acme",
                strict: false,
                batch: DEFAULT_BATCH,
                cancel: None,
            };
            let s = import_file(&mut db, &path, &opts, &mut |_| {}).expect("import");
            assert_eq!(s.kept, n as u64);
            s.kept
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
