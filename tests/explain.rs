//! `mandate explain`: one request's determining policies and conditions, on loose files and
//! on a stored set of a workspace.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::mandate;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/explain/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn explain_loose(extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = mandate();
    cmd.current_dir(std::env::temp_dir()).args([
        "explain",
        "--schema",
        &fixture("schema.cedarschema"),
        "--entities",
        &fixture("entities.json"),
        "--policies",
        &fixture("policies.cedar"),
    ]);
    cmd.args(extra).assert()
}

#[test]
fn explain_names_the_false_condition_of_a_default_deny_with_its_line() {
    // r2: a suspended agent; the permit's second conjunct (line 10) is false.
    let out = explain_loose(&["--requests", &fixture("requests.jsonl"), "r2"])
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("deny\n"), "{text}");
    assert!(
        text.contains("no policy permitted this; permits whose scope matched:"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{}:2  permit-active-prod (permit)",
            fixture("policies.cedar")
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "✗ failed   {}:10:3  when principal.lifecycle == \"active\"",
            fixture("policies.cedar")
        )),
        "{text}"
    );

    let out = explain_loose(&[
        "--requests",
        &fixture("requests.jsonl"),
        "r2",
        "--format",
        "json",
    ])
    .success()
    .get_output()
    .stdout
    .clone();
    let e: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(e["decision"], "deny");
    assert_eq!(e["default_deny"], true);
    let permit = e["unmet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["effect"] == "permit")
        .unwrap();
    assert_eq!(permit["id"], "permit-active-prod");
    assert_eq!(permit["line"], 2);
    let outcomes: Vec<(&str, &str, u64)> = permit["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["text"].as_str().unwrap(),
                c["outcome"].as_str().unwrap(),
                c["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (r#"context.env == "prod""#, "held", 9),
            (r#"principal.lifecycle == "active""#, "failed", 10),
            ("principal.tier == 1", "skipped", 11),
        ]
    );
}

#[test]
fn explain_shows_determining_policies_with_text_and_held_conditions() {
    let inline = r#"{"principal":"Agent::\"a\"","action":"invoke_tool","resource":"Tool::\"t1\"","context":{"env":"prod"}}"#;
    explain_loose(&["--request", inline]).success().stdout(
        predicate::str::starts_with("allow\n  permitted by:\n")
            .and(predicate::str::contains(
                "      | @id(\"permit-active-prod\")",
            ))
            .and(predicate::str::contains("✓ held"))
            .and(predicate::str::contains(":11:3  when principal.tier == 1"))
            .and(predicate::str::contains(
                "forbids whose scope matched but did not fire:",
            )),
    );
    // A record without an id, by its line; the forbid decides.
    explain_loose(&["--requests", &fixture("requests.jsonl"), "line:3"])
        .success()
        .stdout(
            predicate::str::starts_with("deny\n  forbidden by:\n")
                .and(predicate::str::contains("forbid-dev-long-ttl")),
        );
}

#[test]
fn explain_refuses_an_unknown_request_and_a_missing_one() {
    explain_loose(&["--requests", &fixture("requests.jsonl"), "r9"])
        .code(2)
        .stderr(
            predicate::str::contains("no request `r9`").and(predicate::str::contains("line:N")),
        );
    explain_loose(&[])
        .code(2)
        .stderr(predicate::str::contains("--request FILE_OR_JSON"));
}

#[test]
fn explain_request_on_a_stored_set_of_the_demo() {
    let ws = crate::support::demo_in_git();
    let p = ws.path().to_str().unwrap();
    let requests = ws.path().join("traffic.jsonl");
    std::fs::write(
        &requests,
        r#"{"id":"q1","principal":{"type":"Agent","id":"incident-commander"},"action":{"type":"Action","id":"invoke_tool"},"resource":{"type":"Tool","id":"datadog.logs.search"},"context":{"env":"staging"},"decision":"deny"}"#,
    )
    .unwrap();
    let session = mandate::api::Session::open(ws.path()).unwrap();
    session
        .import_requests(&requests, "prod", false, "t@example.com", &mut |_| {})
        .unwrap();
    let pair = session.explain_request("prod", "q1", None, None).unwrap();
    assert_eq!(pair.request.id, "q1");
    assert_eq!(
        pair.request.principal,
        r#"Acme::Agent::"incident-commander""#
    );
    assert_eq!(pair.request.recorded.as_deref(), Some("deny"));
    assert!(!pair.changed, "nothing changed since HEAD");
    assert_eq!(pair.baseline, pair.candidate);
    let e = &pair.candidate;
    assert_eq!(e.decision, "deny");
    // The grant (a template link) matched its scope; its first condition is false.
    let grant = e
        .unmet
        .iter()
        .find(|p| p.id == "grant-incident-commander-observability")
        .unwrap();
    assert_eq!(grant.file.as_deref(), Some("policies/links.toml"));
    assert_eq!(grant.line, Some(5));
    let failed = &grant.conditions[0];
    assert_eq!(failed.outcome, "failed");
    assert_eq!(failed.text, r#"context.env == "prod""#);
    assert_eq!(failed.file.as_deref(), Some("policies/grants.cedar"));
    assert_eq!((failed.line, failed.column), (13, 8));
    // The agent and tool are both prod, the context is not: separation forbids it.
    assert!(e
        .determining
        .iter()
        .any(|p| p.id == "environment-separation"));

    let missing = session
        .explain_request("prod", "q9", None, None)
        .unwrap_err();
    assert_eq!(missing.code, mandate::ErrorCode::NotFound);
    assert!(missing
        .help
        .unwrap()
        .contains("mandate requests stats prod"));

    mandate()
        .args(["--workspace", p, "explain", "--set", "prod", "q1"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("baseline (git:HEAD): deny")
                .and(predicate::str::contains("candidate (working copy): deny"))
                .and(predicate::str::contains(
                    "policies/grants.cedar:13:8  when context.env == \"prod\"",
                ))
                .and(predicate::str::contains("the sides agree")),
        );
}
