//! Symbolic analysis at scale (issue #10 targets, 2-core machine):
//! - the diff of 100 policies: ≤ 2 s per request environment;
//! - the diff plus the findings of 1,000 policies: ≤ 5 minutes in all.
//!
//! Each query is a solver process round trip of seconds at this size, so this is a bench
//! command, not criterion: it runs each workload once (`MANDATE_BENCH_SIZES=100,1000` by
//! default; 20 policies when `cargo test --all-targets` runs it as a check) and prints the time per environment, the queries asked and the ratio to the
//! target. The solver is the one `mandate analyze` would use (`$CVC5`, then what
//! `scripts/deps.sh` installed, then PATH).

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark set-up: a failure should abort the run; the figures are the output"
)]

#[path = "support/agent_gov.rs"]
mod agent_gov;

use std::time::{Duration, Instant};

use agent_gov::{policies_text, Org};
use cedar_policy::PolicySet;
use mandate::analysis::{self, solver, Options, Relation};

fn sets(n: usize) -> (PolicySet, PolicySet) {
    let org = Org::for_policies(n);
    let baseline = policies_text(n, &org, &mut agent_gov::seed(n), None);
    // The candidate: every 25th permit becomes a forbid, and one broad forbid is dropped
    // (so the diff has both directions to prove).
    let candidate = policies_text(n, &org, &mut agent_gov::seed(n), Some(25))
        .replace("@id(\"broad-1\")\nforbid", "@id(\"broad-1\")\npermit");
    let parse = |t: &str| t.parse::<PolicySet>().expect("generated policies parse");
    (parse(&baseline), parse(&candidate))
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` (make test) runs this once
    // as a check, at 20 policies.
    let default = if std::env::args().any(|a| a == "--bench") {
        "100,1000"
    } else {
        "20"
    };
    let sizes: Vec<usize> = std::env::var("MANDATE_BENCH_SIZES")
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let solver = solver::discover(None, None, Some(root)).expect("a solver (bash scripts/deps.sh)");
    println!("solver: {}", solver.describe());
    let (schema, _) =
        cedar_policy::Schema::from_cedarschema_str(&mandate::model::generated_schema("Acme"))
            .expect("the generated schema parses");
    let options = Options {
        solver,
        time_limit: Duration::from_secs(30),
        jobs: 0,
        cancel: None,
    };
    for n in sizes {
        let (baseline, candidate) = sets(n);
        let started = Instant::now();
        let diff = analysis::diff(&schema, &baseline, &candidate, &options).expect("not cancelled");
        let diff_time = started.elapsed();
        let envs = diff.environments.len();
        let worst = diff
            .environments
            .iter()
            .map(|e| e.millis)
            .max()
            .unwrap_or(0);
        let relations: Vec<&str> = diff
            .environments
            .iter()
            .map(|e| e.relation.as_str())
            .collect();
        assert!(diff.problems.is_empty(), "{:?}", diff.problems);
        assert!(diff
            .environments
            .iter()
            .all(|e| e.relation != Relation::Unknown));
        let per_env = diff_time.as_secs_f64() / envs as f64;
        println!(
            "analysis/diff_{n}_policies: {:.2} s for {envs} environments ({:.3} s per environment, slowest {:.3} s), {} queries; {relations:?}",
            diff_time.as_secs_f64(),
            per_env,
            worst as f64 / 1000.0,
            diff.queries,
        );
        let started = Instant::now();
        let found = analysis::findings(&schema, &candidate, &options).expect("not cancelled");
        let found_time = started.elapsed();
        assert!(found.problems.is_empty(), "{:?}", found.problems.first());
        println!(
            "analysis/findings_{n}_policies: {:.2} s, {} queries, {} findings",
            found_time.as_secs_f64(),
            found.queries,
            found.findings.len(),
        );
        let total = diff_time + found_time;
        println!(
            "analysis/diff_and_findings_{n}_policies: {:.2} s (target 300 s: ratio {:.3}); per environment {:.3} s (target 2 s at 100 policies: ratio {:.3})",
            total.as_secs_f64(),
            total.as_secs_f64() / 300.0,
            per_env,
            per_env / 2.0,
        );
    }
}
