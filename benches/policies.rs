//! Policy authoring at scale (issue targets, 2-core machine):
//! - revalidating after an edit to one file, with 1,000 policies in 50 files: ≤ 50 ms;
//! - formatting a 100-policy file: ≤ 100 ms.

#![allow(
    clippy::expect_used,
    reason = "benchmark set-up: a failure should abort the run"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use mandate::policy::{check_sources, format_text, Checker, Settings, Sources};

/// 20 policies of the shapes the control library uses, numbered from `base`.
fn file_text(base: usize, n: usize) -> String {
    let mut out = String::new();
    for i in base..base + n {
        let body = match i % 4 {
            0 => "permit (\n  principal is Acme::Agent,\n  action == Acme::Action::\"invoke_tool\",\n  resource is Acme::Tool\n)\nwhen { principal.allowed_tools.contains(resource) && context.env == \"prod\" };".to_owned(),
            1 => "forbid (principal is Acme::Agent, action == Acme::Action::\"request_credential\", resource)\nunless { context has ttl_seconds && context.ttl_seconds <= principal.max_ttl_seconds };".to_owned(),
            2 => "forbid (principal is Acme::Agent, action, resource)\nunless { principal.lifecycle == \"active\" };".to_owned(),
            _ => "forbid (principal is Acme::Agent, action == Acme::Action::\"delegate\", resource is Acme::Agent)\nwhen { resource.risk_rank > principal.risk_rank };".to_owned(),
        };
        out.push_str(&format!(
            "// policy {i}\n@id(\"p-{i}\")\n@control(\"MND-X-{}\")\n{body}\n\n",
            i % 12
        ));
    }
    out
}

fn bench(c: &mut Criterion) {
    let schema = mandate::model::generated_schema("Acme");
    let sources: Vec<(String, String)> = (0..50)
        .map(|f| (format!("policies/f{f:02}.cedar"), file_text(f * 20, 20)))
        .collect();
    let report = check_sources(sources.clone(), Some(&schema));
    assert_eq!(report.statement_count(), 1000);
    assert_eq!(report.error_count(), 0, "{:?}", report.diagnostics.first());

    let mut group = c.benchmark_group("policies");
    group.sample_size(20);
    // What the editor does on each (debounced) edit: the changed buffer with the others,
    // through the session's cache. Two different edits alternate, so every iteration sees
    // file 17 changed and the other 49 as the cache last saw them.
    let settings = Settings {
        schema: Some(&schema),
        ..Settings::default()
    };
    let edit = |n: usize| {
        let mut edited = sources.clone();
        edited[17].1.push_str(&format!("\n@id(\"new-{n}\")\npermit (principal, action, resource) when {{ context.env == \"prod\" }};\n"));
        Sources {
            files: edited,
            ..Sources::default()
        }
    };
    let edits = [edit(0), edit(1)];
    group.bench_function("revalidate_after_edit_1000_policies_50_files", |b| {
        let mut checker = Checker::default();
        checker.check(edits[0].clone(), &settings);
        let mut n = 0usize;
        b.iter(|| {
            n += 1;
            checker.check(edits[n % 2].clone(), &settings).error_count()
        })
    });
    // The baseline, measured in the same run: the same check without a cache.
    group.bench_function("full_check_1000_policies_50_files_uncached", |b| {
        b.iter(|| check_sources(edits[0].files.clone(), Some(&schema)).error_count())
    });
    // The editor's whole path through the api, on a workspace on disk: read the other 49
    // files, generate the schema from the inventory, check through the session's cache, lint
    // the buffer.
    let dir = tempfile::tempdir().expect("temp dir");
    mandate::api::init_workspace(dir.path(), "Bench", "Acme", "bench").expect("init");
    for (rel, text) in &sources {
        std::fs::write(dir.path().join(rel), text).expect("write policy file");
    }
    let session = mandate::api::Session::open(dir.path()).expect("open");
    let (rel, text) = &sources[17];
    let buffers = [0, 1].map(|n| format!("{text}\n@id(\"new-{n}\")\npermit (principal, action, resource) when {{ context.env == \"prod\" }};\n"));
    assert_eq!(session.validate().error_count, 0);
    group.bench_function("editor_validate_buffer_1000_policies_50_files", |b| {
        let mut n = 0usize;
        b.iter(|| {
            n += 1;
            session
                .validate_buffer(rel, &buffers[n % 2])
                .expect("validate buffer")
                .len()
        })
    });
    let hundred = file_text(0, 100);
    group.bench_function("format_100_policy_file", |b| {
        b.iter(|| format_text(&hundred).map(|s| s.len()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
