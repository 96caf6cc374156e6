//! `mandate requests import|list|stats` end to end, on a real SQLite file.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{mandate, TempWorkspace};

const GOOD: &str = r#"{"id":"r1","time":"2026-05-01T12:00:00Z","principal":{"type":"Agent","id":"billing-bot"},"action":{"type":"Action","id":"invoke_tool"},"resource":{"type":"Tool","id":"stripe.refund"},"context":{"env":"prod"},"decision":"allow","reasons":["permit-allowed-tools"]}"#;

fn file(ws: &TempWorkspace, name: &str, text: &str) -> String {
    ws.write(name, text);
    ws.file(name).to_str().unwrap().to_owned()
}

#[test]
fn import_keeps_good_records_reports_bad_ones_by_line_and_reimport_is_a_no_op() {
    let ws = TempWorkspace::new();
    let p = ws.path().to_str().unwrap();
    let text = format!(
        "{GOOD}\n{{\"id\":\"r2\",\"principal\":\"Agent::\\\"support-triage\\\"\",\"action\":\"read_data\",\"resource\":\"Dataset::\\\"tickets\\\"\"}}\n{{\"id\":\"r3\",\"principal\":\"Agent::\\\"x\\\"\"}}\n{{broken\n"
    );
    let path = file(&ws, "traffic/may.jsonl", &text);
    let out = mandate()
        .args([
            "--workspace",
            p,
            "--format",
            "json",
            "requests",
            "import",
            &path,
            "--set",
            "prod-may",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(summary["kept"], 2);
    assert_eq!(summary["skipped"], 2);
    assert_eq!(summary["grades"]["full"], 1);
    assert_eq!(summary["grades"]["ids_only"], 1);
    assert_eq!(summary["errors"][0]["line"], 3);
    assert!(summary["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`action` is missing"));
    assert_eq!(summary["errors"][1]["line"], 4);

    // Human output: each bad line as file:line, then the counts.
    mandate()
        .args([
            "--workspace",
            p,
            "requests",
            "import",
            &path,
            "--set",
            "prod-may",
        ])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains(format!("{path}:3: `action` is missing")).and(
                predicate::str::contains("0 kept, 2 duplicate(s), 2 skipped"),
            ),
        );

    mandate()
        .args(["--workspace", p, "requests", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("prod-may")
                .and(predicate::str::contains("2026-05-01T12:00:00.000Z")),
        );
    let stats: Value = serde_json::from_slice(
        &mandate()
            .args([
                "--workspace",
                p,
                "--format",
                "json",
                "requests",
                "stats",
                "prod-may",
            ])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(stats["set"]["requests"], 2);
    assert_eq!(stats["set"]["imports"], 2);
    let actions: Vec<&str> = stats["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["invoke_tool", "read_data"]);
    assert_eq!(stats["principal_types"][0]["value"], "Acme::Agent");

    // The import is in the audit log.
    let audit = mandate::api::Session::open(ws.path())
        .unwrap()
        .audit_log(10)
        .unwrap();
    assert_eq!(audit[0].action, "requests.import");
    assert_eq!(audit[0].subject, "requests:prod-may");
}

#[test]
fn strict_import_writes_nothing_and_names_every_bad_line() {
    let ws = TempWorkspace::new();
    let p = ws.path().to_str().unwrap();
    let path = file(&ws, "r.jsonl", &format!("{GOOD}\nnope\n{GOOD}\n[1]\n"));
    mandate()
        .args([
            "--workspace",
            p,
            "requests",
            "import",
            &path,
            "--set",
            "s",
            "--strict",
        ])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains(format!("{path}:2: not valid JSON"))
                .and(predicate::str::contains(format!(
                    "{path}:4: expected a JSON object"
                )))
                .and(predicate::str::contains("nothing was written")),
        );
    mandate()
        .args(["--workspace", p, "requests", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no request sets"));
}

#[test]
fn import_refuses_a_bad_set_name_a_missing_file_and_an_unknown_set() {
    let ws = TempWorkspace::new();
    let p = ws.path().to_str().unwrap();
    let path = file(&ws, "r.jsonl", GOOD);
    mandate()
        .args([
            "--workspace",
            p,
            "requests",
            "import",
            &path,
            "--set",
            "bad name",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("invalid request set name `bad name`")
                .and(predicate::str::contains("help:")),
        );
    mandate()
        .args([
            "--workspace",
            p,
            "requests",
            "import",
            "/nonexistent/r.jsonl",
            "--set",
            "s",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read `/nonexistent/r.jsonl`",
        ));
    mandate()
        .args(["--workspace", p, "requests", "stats", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no request set `nope`"));
}

#[test]
fn imports_a_cedar_integration_test_file_with_its_expected_decisions() {
    let ws = TempWorkspace::new();
    let p = ws.path().to_str().unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/conformance/cedar-integration-tests/tests/decimal/1.json");
    assert!(
        path.is_file(),
        "the conformance tests are expected at {}",
        path.display()
    );
    let out = mandate()
        .args([
            "--workspace",
            p,
            "--format",
            "json",
            "requests",
            "import",
            path.to_str().unwrap(),
            "--set",
            "cedar-decimal",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(summary["format"], "cedar-test");
    let expected = std::fs::read_to_string(&path)
        .unwrap()
        .matches("\"description\"")
        .count();
    assert_eq!(summary["kept"], expected as u64);
    assert_eq!(summary["skipped"], 0);
    let stats: Value = serde_json::from_slice(
        &mandate()
            .args([
                "--workspace",
                p,
                "--format",
                "json",
                "requests",
                "stats",
                "cedar-decimal",
            ])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    let decisions: u64 = stats["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["value"] != "none")
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(
        decisions, expected as u64,
        "each request keeps its expected decision"
    );
}
