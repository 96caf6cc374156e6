//! `mandate simulate` on loose files (no workspace): result lines, totals, exit codes.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::mandate;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/simulate/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The fixture's baseline against its candidate.
fn simulate(extra: &[&str]) -> assert_cmd::assert::Assert {
    simulate_sides(&fixture("baseline.cedar"), &fixture("candidate"), extra)
}

fn simulate_sides(baseline: &str, candidate: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = mandate();
    cmd.current_dir(std::env::temp_dir()).args([
        "simulate",
        "--schema",
        &fixture("schema.cedarschema"),
        "--entities",
        &fixture("entities.json"),
        "--baseline",
        baseline,
        "--candidate",
        candidate,
        "--requests",
        &fixture("requests.jsonl"),
    ]);
    cmd.args(extra).assert()
}

#[test]
fn jsonl_has_one_line_per_good_request_in_the_pinned_shape() {
    let out = simulate(&["--format", "jsonl"])
        .success()
        .get_output()
        .clone();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["r1", "r2", "r3", "r6"]);
    // r2: a suspended agent, allowed before, denied by the candidate's new forbid. The
    // candidate's `ttl-cap` reads an optional field without `has` and errors (skipped).
    assert_eq!(
        lines[1],
        serde_json::json!({"id": "r2", "recorded": null,
            "baseline": {"decision": "allow", "reasons": ["permit-tools"], "errors": []},
            "candidate": {"decision": "deny", "reasons": ["deny-suspended"], "errors": ["ttl-cap"]},
            "changed": true})
    );
    assert_eq!(
        lines[2]["candidate"]["reasons"],
        serde_json::json!(["ttl-cap"])
    );
    assert_eq!(lines[3]["recorded"], "deny");
    // Bad records go to standard error as file:line.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("requests.jsonl:4: `principal` is missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("requests.jsonl:5: the request does not fit the schema"),
        "{stderr}"
    );
}

#[test]
fn totals_and_the_change_gate() {
    let out = simulate(&["--format", "json"])
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let s = &v["summary"];
    assert_eq!(s["requests"], 4);
    assert_eq!(s["changed"], 4);
    assert_eq!(s["allow_to_deny"], 2);
    assert_eq!(s["deny_to_allow"], 0);
    assert_eq!(s["reasons_changed"], 2);
    assert_eq!(s["new_errors"], 3);
    assert_eq!(
        s["drift"], 1,
        "r6 was recorded as deny, the baseline allows it"
    );
    assert_eq!(s["skipped"], 2);
    assert_eq!(s["errors"][0]["line"], 4);

    simulate(&["--fail-on-change"]).code(1).stdout(
        predicate::str::contains("4 requests replayed: 4 changed (2 allow → deny")
            .and(predicate::str::contains("r2: allow → deny  (baseline: permit-tools; candidate: deny-suspended, errors in ttl-cap)")),
    );
}

#[test]
fn the_same_policies_on_both_sides_change_nothing_and_bad_policies_are_refused() {
    let out = simulate_sides(
        &fixture("candidate"),
        &fixture("candidate"),
        &["--format", "json", "--fail-on-change"],
    )
    .success()
    .get_output()
    .stdout
    .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let s = &v["summary"];
    assert_eq!(
        (s["requests"].as_u64(), s["changed"].as_u64()),
        (Some(4), Some(0))
    );

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.cedar");
    std::fs::write(&broken, "permit(principal,").unwrap();
    simulate_sides(&fixture("baseline.cedar"), broken.to_str().unwrap(), &[])
        .code(2)
        .stderr(
            predicate::str::contains("have 1 error(s)")
                .and(predicate::str::contains("broken.cedar:1")),
        );
}

#[test]
fn a_stored_set_replays_on_git_head_against_the_working_copy() {
    let ws = crate::support::demo_in_git();
    let p = ws.path().to_str().unwrap();
    let requests = ws.path().join("traffic.jsonl");
    std::fs::write(
        &requests,
        [
            r#"{"id":"q1","time":"2026-05-01T10:00:00Z","principal":{"type":"Agent","id":"legacy-exporter"},"action":{"type":"Action","id":"invoke_tool"},"resource":{"type":"Tool","id":"zendesk.ticket.read"},"context":{"env":"prod"},"decision":"deny"}"#,
            r#"{"id":"q2","time":"2026-05-02T10:00:00Z","principal":{"type":"Agent","id":"faq-bot"},"action":{"type":"Action","id":"invoke_tool"},"resource":{"type":"Tool","id":"zendesk.ticket.read"},"context":{"env":"prod"},"decision":"allow"}"#,
            r#"{"id":"q3","time":"2026-05-03T10:00:00Z","principal":{"type":"Agent","id":"faq-bot"},"action":{"type":"Action","id":"invoke_tool"},"resource":{"type":"Tool","id":"zendesk.ticket.read"},"context":{"env":"prod"},"decision":"deny"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    mandate()
        .args([
            "--workspace",
            p,
            "requests",
            "import",
            requests.to_str().unwrap(),
            "--set",
            "prod",
        ])
        .assert()
        .success();
    // The change under review: the lifecycle forbid is deleted in the working copy.
    std::fs::remove_file(ws.path().join("policies/lifecycle.cedar")).unwrap();
    let out = mandate()
        .args([
            "--workspace",
            p,
            "--format",
            "jsonl",
            "simulate",
            "--set",
            "prod",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "q1");
    assert_eq!(
        lines[0]["baseline"]["reasons"],
        serde_json::json!(["deny-inactive-agents"])
    );
    assert_eq!(lines[0]["candidate"]["reasons"], serde_json::json!([]));
    assert_eq!(lines[0]["changed"], true);
    assert_eq!(lines[1]["changed"], false);

    // A time window, the gate, and the recorded decision that differs from the baseline (q3).
    let out = mandate()
        .args([
            "--workspace",
            p,
            "--format",
            "json",
            "simulate",
            "--set",
            "prod",
            "--since",
            "2026-05-02T00:00:00Z",
            "--fail-on-change",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let s = &v["summary"];
    assert_eq!(
        (
            s["requests"].as_u64(),
            s["changed"].as_u64(),
            s["drift"].as_u64()
        ),
        (Some(2), Some(0), Some(1))
    );
    mandate()
        .args([
            "--workspace",
            p,
            "simulate",
            "--set",
            "prod",
            "--fail-on-change",
        ])
        .assert()
        .code(1);
    mandate()
        .args([
            "--workspace",
            p,
            "simulate",
            "--set",
            "prod",
            "--baseline",
            "git:no-such-rev",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rev").and(predicate::str::contains("help:")));
    mandate()
        .args([
            "--workspace",
            p,
            "simulate",
            "--set",
            "prod",
            "--since",
            "yesterday",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--since `yesterday` is neither"));
}

#[test]
fn a_policy_folder_side_brings_its_template_links() {
    let ws = crate::support::demo();
    let p = ws.path().to_str().unwrap();
    let write = |args: &[&str], to: &str| {
        let out = mandate()
            .args(["--workspace", p])
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        std::fs::write(ws.path().join(to), out).unwrap();
    };
    write(&["schema"], "generated.cedarschema");
    write(&["entities"], "entities.json");
    let policies = ws.path().join("policies");
    let out = mandate()
        .args([
            "--format",
            "json",
            "simulate",
            "--schema",
            ws.path().join("generated.cedarschema").to_str().unwrap(),
            "--entities",
            ws.path().join("entities.json").to_str().unwrap(),
            "--baseline",
            policies.to_str().unwrap(),
            "--candidate",
            policies.to_str().unwrap(),
            "--requests",
            ws.path().join("requests/traffic.jsonl").to_str().unwrap(),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["summary"]["requests"], 5000);
    assert_eq!(v["summary"]["changed"], 0);
    // The linked policy of policies/links.toml is part of the side (it fires on no request of
    // the demo traffic, so it is listed as never fired).
    let never: Vec<&str> = v["report"]["never_fired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        never.contains(&"grant-incident-commander-observability"),
        "{never:?}"
    );
    // The recorded decisions were made by these policies, but for the one in 200 flipped.
    let drift = v["summary"]["drift"].as_u64().unwrap();
    assert!((1..=60).contains(&drift), "drift {drift}");
}
