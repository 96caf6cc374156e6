//! Inventory at scale: 10,000 agents (files on disk) loaded, checked and turned into Cedar
//! entities. Target (issue): all three together within 1 s on the 2-core machine.

#![allow(
    clippy::expect_used,
    reason = "benchmark set-up: a failure should abort the run"
)]

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use mandate::inventory::checks::{check, CheckContext};
use mandate::inventory::{load, Inventory};
use mandate::workspace::{Config, TtlCeilings};

const AGENTS: usize = 10_000;

/// A workspace with `n` agents over 50 teams, 200 humans, 500 tools; ~1 in 20 agents has a gap.
fn workspace(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("inventory/agents")).expect("mkdir");
    let mut people = String::new();
    for t in 0..50 {
        people.push_str(&format!(
            "[[teams]]\nid = \"team-{t}\"\nname = \"Team {t}\"\n\n"
        ));
    }
    for h in 0..200 {
        people.push_str(&format!("[[humans]]\nid = \"human-{h}\"\nname = \"Human {h}\"\nemail = \"h{h}@acme.example\"\nteam = \"team-{}\"\n\n", h % 50));
    }
    std::fs::write(root.join("inventory/people.toml"), people).expect("write");
    let mut resources = String::new();
    for t in 0..500 {
        resources.push_str(&format!("[[tools]]\nid = \"sys-{}.tool-{t}\"\nsystem = \"sys-{}\"\nsensitivity = \"medium\"\nenvironment = \"prod\"\n\n", t % 40, t % 40));
    }
    std::fs::write(root.join("inventory/resources.toml"), resources).expect("write");
    for i in 0..n {
        let gap = if i % 20 == 0 {
            ""
        } else {
            "accountable = \"human-1\"\n"
        };
        let text = format!(
            "id = \"agent-{i}\"\nname = \"Agent {i}\"\nspiffe_id = \"spiffe://acme.example/agents/agent-{i}\"\nowner_team = \"team-{}\"\n{gap}escalation = \"human-2\"\nrisk_tier = \"medium\"\nenvironment = \"prod\"\nlifecycle = \"active\"\napproved_by = \"human-3\"\ntools = [\"sys-1.tool-{}\", \"sys-2.tool-{}\"]\ndelegates = [\"agent-{}\"]\nmax_ttl_seconds = 600\nrecertify_by = 2027-01-01\n",
            i % 50,
            (i * 7) % 500 / 40 * 40 + 1,
            (i * 11) % 500 / 40 * 40 + 2,
            (i + 1) % n
        );
        std::fs::write(root.join(format!("inventory/agents/agent-{i}.toml")), text).expect("write");
    }
    dir
}

fn check_all(inv: &Inventory) -> usize {
    let ctx = CheckContext {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
        ceilings: TtlCeilings::default(),
        policies: &[],
        namespace: "Acme",
    };
    check(inv, &ctx).len()
}

fn bench(c: &mut Criterion) {
    let dir = workspace(AGENTS);
    let root: &Path = dir.path();
    let config = Config::new("bench", "Acme");
    let (inv, problems) = load(root);
    assert_eq!(inv.agents.len(), AGENTS);
    assert!(problems.is_empty(), "{problems:?}");
    let findings = check_all(&inv);
    assert!(findings >= AGENTS / 20, "planted gaps found: {findings}");

    let mut group = c.benchmark_group("inventory_10k");
    group.sample_size(10);
    group.bench_function("load", |b| b.iter(|| load(root).0.agents.len()));
    group.bench_function("check", |b| b.iter(|| check_all(&inv)));
    group.bench_function("entities", |b| {
        b.iter(|| {
            mandate::model::entities(&inv, &config)
                .as_array()
                .map(Vec::len)
        })
    });
    group.bench_function("load_check_entities", |b| {
        b.iter(|| {
            let (inv, _) = load(root);
            let n = check_all(&inv);
            let e = mandate::model::entities(&inv, &config);
            (n, e.as_array().map(Vec::len))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
