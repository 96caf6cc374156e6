//! `mandate audit` through the real CLI over a seeded audit log: each filter narrows, filters
//! combine, `--limit` keeps the newest, CSV written atomically to `--out` is quoted and
//! guarded against spreadsheet formulas, and bad input is a coded error naming the value.

use chrono::{DateTime, Utc};
use mandate::store::{Db, NewAuditEntry};
use serde_json::{json, Value};

use crate::support::{mandate, TempWorkspace};

/// An entry to seed: at, actor, action, subject, before, after.
type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a Value>,
    Option<&'a Value>,
);

/// `mandate init` (entry 1, `workspace.init`), then five entries with known times.
fn seeded() -> TempWorkspace {
    let ws = TempWorkspace::new();
    let db = Db::open(&ws.file(".mandate/mandate.db")).unwrap();
    let approved = json!({"lifecycle": "approved"});
    let active = json!({"lifecycle": "active", "reason": "go live"});
    let formula = json!({"note": "=HYPERLINK(\"http://evil.example\",\"x\")"});
    let rows: [Row<'_>; 5] = [
        (
            "2026-05-01T09:00:00Z",
            "dana@acme.example",
            "agent.save",
            "agent:billing-bot",
            None,
            Some(&approved),
        ),
        (
            "2026-05-02T10:00:00Z",
            "ben@acme.example",
            "agent.lifecycle",
            "agent:billing-bot",
            Some(&approved),
            Some(&active),
        ),
        (
            "2026-05-02T11:00:00Z",
            "ben@acme.example",
            "policy.save",
            "policy:policies/billing.cedar",
            None,
            None,
        ),
        (
            "2026-05-03T12:00:00Z",
            "Dana@Acme.example",
            "agent.lifecycle",
            "agent:support-bot",
            None,
            Some(&active),
        ),
        (
            "2026-05-04T13:00:00Z",
            "=cmd|' /C calc'!A0",
            "bundle.approve",
            "-bundle:1.0.0",
            None,
            Some(&formula),
        ),
    ];
    for (at, actor, action, subject, before, after) in rows {
        db.audit(&NewAuditEntry {
            at: DateTime::parse_from_rfc3339(at)
                .unwrap()
                .with_timezone(&Utc),
            actor,
            action,
            subject,
            before,
            after,
        })
        .unwrap();
    }
    ws
}

/// `mandate audit ARGS --format json`: the entries' ids, newest first.
fn ids(ws: &TempWorkspace, args: &[&str]) -> Vec<i64> {
    let out = mandate()
        .args([
            "--workspace",
            ws.path().to_str().unwrap(),
            "--format",
            "json",
            "audit",
        ])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn each_filter_narrows_and_filters_combine() {
    let ws = seeded();
    assert_eq!(
        ids(&ws, &[]),
        vec![6, 5, 4, 3, 2, 1],
        "newest first, init included"
    );
    assert_eq!(ids(&ws, &["--actor", "DANA@acme.example"]), vec![5, 2]);
    assert_eq!(ids(&ws, &["--action", "agent.lifecycle"]), vec![5, 3]);
    assert_eq!(ids(&ws, &["--action", "agent.*"]), vec![5, 3, 2]);
    assert_eq!(ids(&ws, &["--subject", "BILLING"]), vec![4, 3, 2]);
    assert_eq!(
        ids(&ws, &["--since", "2026-05-02", "--until", "2026-05-03"]),
        vec![4, 3]
    );
    assert_eq!(
        ids(
            &ws,
            &[
                "--since",
                "2026-05-02T10:30:00+00:00",
                "--until",
                "2026-06-01"
            ]
        ),
        vec![6, 5, 4]
    );
    assert_eq!(
        ids(
            &ws,
            &[
                "--actor",
                "ben@acme.example",
                "--action",
                "agent.*",
                "--subject",
                "billing"
            ]
        ),
        vec![3]
    );
    assert!(ids(&ws, &["--actor", "nobody@acme.example"]).is_empty());
    assert_eq!(ids(&ws, &["--limit", "2"]), vec![6, 5]);
    assert_eq!(ids(&ws, &["--action", "agent.*", "--limit", "1"]), vec![5]);
}

#[test]
fn json_output_has_the_states_as_json_and_human_output_the_changed_fields() {
    let ws = seeded();
    let out = mandate()
        .args([
            "--workspace",
            ws.path().to_str().unwrap(),
            "--format",
            "json",
            "audit",
            "--action",
            "agent.lifecycle",
            "--subject",
            "billing",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v[0]["actor"], "ben@acme.example");
    assert_eq!(v[0]["at"], "2026-05-02T10:00:00.000Z");
    assert_eq!(v[0]["before"]["lifecycle"], "approved");
    assert_eq!(v[0]["after"]["reason"], "go live");

    let text = mandate()
        .args([
            "--workspace",
            ws.path().to_str().unwrap(),
            "audit",
            "--subject",
            "billing-bot",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains(
            "#3  2026-05-02T10:00:00.000Z  ben@acme.example  agent.lifecycle  agent:billing-bot\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("      lifecycle: \"approved\" → \"active\"\n"),
        "{text}"
    );
    assert!(
        text.contains("      reason: (none) → \"go live\"\n"),
        "{text}"
    );
    assert!(text.ends_with("2 entries\n"), "{text}");

    let none = mandate()
        .args([
            "--workspace",
            ws.path().to_str().unwrap(),
            "audit",
            "--actor",
            "nobody",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(none).unwrap(), "no audit entries match\n");
}

#[test]
fn csv_to_a_file_is_quoted_and_guarded_against_formulas() {
    let ws = seeded();
    let out = ws.file("exports/audit.csv");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    mandate()
        .args([
            "--workspace",
            ws.path().to_str().unwrap(),
            "--format",
            "csv",
            "audit",
            "--since",
            "2026-05-02",
            "--until",
            "2026-06-01",
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("id,at,actor,action,subject,before,after\r\n"),
        "{text}"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(
        rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        vec!["6", "5", "4", "3"],
        "the filter's entries, newest first"
    );
    // The formula-like actor and subject get an apostrophe; the JSON state keeps its
    // quotes and comma inside one cell.
    assert_eq!(rows[0][2], "'=cmd|' /C calc'!A0");
    assert_eq!(rows[0][4], "'-bundle:1.0.0");
    let after: Value = serde_json::from_str(&rows[0][6]).unwrap();
    assert_eq!(after["note"], "=HYPERLINK(\"http://evil.example\",\"x\")");
    assert_eq!(rows[3][5], r#"{"lifecycle":"approved"}"#);
    assert_eq!(rows[1][5], "", "no state before is an empty cell");
    // Written atomically: no temporary file left beside it.
    let left: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("audit.csv")]);
}

#[test]
fn bad_input_is_a_coded_error_naming_the_value() {
    let ws = seeded();
    let cases: [(&[&str], &str); 5] = [
        (&["--since", "yesterday"], "since `yesterday` is not a time"),
        (
            &["--until", "2026-13-45"],
            "until `2026-13-45` is not a time",
        ),
        (&["--limit", "0"], "limit `0` is not a number of entries"),
        (
            &["--limit", "ten"],
            "limit `ten` is not a number of entries",
        ),
        (
            &["--since", "2026-05-03", "--until", "2026-05-01"],
            "since `2026-05-03T00:00:00.000Z` is not before until `2026-05-01T00:00:00.000Z`",
        ),
    ];
    for (args, message) in cases {
        let out = mandate()
            .args([
                "--workspace",
                ws.path().to_str().unwrap(),
                "--error-format",
                "json",
                "audit",
            ])
            .args(args)
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let e: Value = serde_json::from_slice(&out)
            .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&out)));
        assert_eq!(e["code"], "invalid_argument", "{args:?}");
        assert_eq!(e["message"], message, "{args:?}");
        assert!(
            e["help"].as_str().is_some_and(|h| !h.is_empty()),
            "{args:?}: {e}"
        );
    }
    let wrong = mandate()
        .args([
            "--workspace",
            ws.path().to_str().unwrap(),
            "--format",
            "html",
            "audit",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let wrong = String::from_utf8(wrong).unwrap();
    assert!(
        wrong.contains("`audit` does not print this --format"),
        "{wrong}"
    );
    assert!(wrong.contains("use --format human, json or csv"), "{wrong}");
}
