//! Policy authoring at scale (issue targets, 2-core machine):
//! - revalidating after an edit to one file, with 1,000 policies in 50 files: ≤ 50 ms;
//! - formatting a 100-policy file: ≤ 100 ms.

#![allow(
    clippy::expect_used,
    reason = "benchmark set-up: a failure should abort the run"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use mandate::policy::{check_sources, format_text};

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
    // What the editor does on each (debounced) edit: the changed buffer with the others.
    group.bench_function("revalidate_after_edit_1000_policies_50_files", |b| {
        let mut edited = sources.clone();
        edited[17].1.push_str("\n@id(\"new\")\npermit (principal, action, resource) when { context.env == \"prod\" };\n");
        b.iter(|| check_sources(edited.clone(), Some(&schema)).error_count())
    });
    let hundred = file_text(0, 100);
    group.bench_function("format_100_policy_file", |b| {
        b.iter(|| format_text(&hundred).map(|s| s.len()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
