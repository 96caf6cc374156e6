//! Writes the replay benchmark's workload to files, for `scripts/bench-replay`:
//!
//! `cargo run --release --example replay_inputs -- OUT_DIR POLICIES EDIT_EVERY COUNT...`
//!
//! writes `OUT_DIR/schema.cedarschema` (the generated agent-governance schema, namespace
//! `Acme`), `entities.json`, `baseline.cedar` (POLICIES policies), `candidate.cedar` (the
//! same with every EDIT_EVERY-th permit turned into a forbid under the same `@id`) and, per
//! COUNT, `requests-COUNT.jsonl`: recorded requests in the native format (DESIGN.md §4) with
//! ids, times, context and a recorded decision. Deterministic: the same arguments write the
//! same bytes, and a smaller COUNT's file is a prefix of a larger one's.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a generator for benchmarks: a failure should abort the run"
)]

use std::io::Write as _;
use std::path::PathBuf;

#[path = "../benches/support/agent_gov.rs"]
mod agent_gov;
use agent_gov::{entities_json, policies_text, Org, Rng};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: replay_inputs OUT_DIR POLICIES EDIT_EVERY COUNT...";
    let [out, policies, edit_every, counts @ ..] = args.as_slice() else {
        panic!("{usage}");
    };
    let out = PathBuf::from(out);
    let n: usize = policies.parse().expect(usage);
    let edit_every: usize = edit_every.parse().expect(usage);
    let counts: Vec<usize> = counts.iter().map(|c| c.parse().expect(usage)).collect();
    std::fs::create_dir_all(&out).expect("create the output folder");
    let write = |name: &str, text: &str| {
        std::fs::write(out.join(name), text).expect("write an input file");
    };

    write(
        "schema.cedarschema",
        &mandate::model::generated_schema("Acme"),
    );
    let org = Org::for_policies(n);
    let mut rng = agent_gov::seed(n);
    write("entities.json", &entities_json(&org, &mut rng));
    let seed = rng.next();
    write(
        "baseline.cedar",
        &policies_text(n, &org, &mut Rng(seed), None),
    );
    write(
        "candidate.cedar",
        &policies_text(n, &org, &mut Rng(seed), Some(edit_every)),
    );

    for count in counts {
        let path = out.join(format!("requests-{count}.jsonl"));
        let mut f = std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&path).expect("create a requests file"),
        );
        // Its own stream, so every file is a prefix of the larger ones.
        let mut rng = Rng(rng_seed(n));
        for i in 0..count {
            let r = agent_gov::request(&org, &mut rng);
            let recorded = if rng.below(8) == 0 { "deny" } else { "allow" };
            let line = serde_json::json!({
                "id": format!("r-{i:07}"),
                "time": format!(
                    "2026-05-{:02}T{:02}:{:02}:{:02}Z",
                    1 + (i / 86_400) % 28,
                    (i / 3_600) % 24,
                    (i / 60) % 60,
                    i % 60
                ),
                "principal": r.principal,
                "action": r.action,
                "resource": r.resource,
                "context": r.context,
                "decision": recorded,
                "reasons": if recorded == "allow" { vec!["broad-4"] } else { vec![] },
            });
            serde_json::to_writer(&mut f, &line).expect("write a request");
            f.write_all(b"\n").expect("write a request");
        }
        f.flush().expect("write a requests file");
    }
}

fn rng_seed(n: usize) -> u64 {
    0x2545_F491_4F6C_DD1D ^ (n as u64).rotate_left(17)
}
