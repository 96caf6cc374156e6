//! Stored replay runs, their reports in every format, and review records — on a git copy of
//! the demo workspace with its recorded traffic, through the real CLI and the real api.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use mandate::api::dto::{ReplayRequest, ReplayRunStatus, ResultFilter};
use mandate::api::{AckTarget, Session};
use mandate::ErrorCode;
use serde_json::Value;

use crate::support::mandate;

/// The demo under git, its traffic imported as set `traffic`, and a candidate change in the
/// working copy: medium-sensitivity tools now need step-up too.
fn workspace_with_change() -> tempfile::TempDir {
    let ws = crate::support::demo_in_git();
    let p = ws.path().to_str().unwrap();
    mandate()
        .args([
            "--workspace",
            p,
            "requests",
            "import",
            "requests/traffic.jsonl",
            "--set",
            "traffic",
        ])
        .current_dir(ws.path())
        .assert()
        .success();
    edit(ws.path(), "policies/tools.cedar", |t| {
        t.replace(
            "when { resource.sensitivity == \"high\" ||",
            "when { resource.sensitivity == \"medium\" || resource.sensitivity == \"high\" ||",
        )
    });
    ws
}

fn edit(root: &Path, rel: &str, f: impl Fn(&str) -> String) {
    let path = root.join(rel);
    let before = std::fs::read_to_string(&path).unwrap();
    let after = f(&before);
    assert_ne!(before, after, "the edit of {rel} must change it");
    std::fs::write(path, after).unwrap();
}

fn run_cli(ws: &Path, args: &[&str]) -> Vec<u8> {
    mandate()
        .args(["--workspace", ws.to_str().unwrap()])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

#[test]
fn the_report_agrees_with_every_result_and_each_format_carries_it() {
    let ws = workspace_with_change();
    let json: Value = serde_json::from_slice(&run_cli(
        ws.path(),
        &["--format", "json", "simulate", "--set", "traffic"],
    ))
    .unwrap();
    let summary = &json["summary"];
    let changed = summary["changed"].as_u64().unwrap();
    assert!(changed > 0, "the change must alter some decisions");
    assert_eq!(summary["requests"], 5000);
    assert!(json["run_id"].as_i64().unwrap() > 0);
    assert!(json["digest"].as_str().unwrap().starts_with("sha256:"));

    // CSV: one row per request; recount the changes by agent from the rows and compare
    // with the report's breakdown.
    let csv_text = String::from_utf8(run_cli(
        ws.path(),
        &["--format", "csv", "simulate", "--set", "traffic"],
    ))
    .unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (principal, changed_col, base, cand) = (
        col("principal"),
        col("changed"),
        col("baseline"),
        col("candidate"),
    );
    let mut by_agent: BTreeMap<String, u64> = BTreeMap::new();
    let (mut rows, mut flips) = (0, 0);
    for rec in reader.records() {
        let rec = rec.unwrap();
        rows += 1;
        if &rec[changed_col] == "true" {
            *by_agent.entry(rec[principal].to_owned()).or_default() += 1;
            if rec[base] == *"allow" && rec[cand] == *"deny" {
                flips += 1;
            }
        }
    }
    assert_eq!(rows, 5000);
    assert_eq!(by_agent.values().sum::<u64>(), changed);
    assert_eq!(summary["allow_to_deny"].as_u64().unwrap(), flips);
    for b in json["report"]["by_agent"].as_array().unwrap() {
        let key = b["key"].as_str().unwrap();
        assert_eq!(
            b["changed"].as_u64().unwrap(),
            by_agent.get(key).copied().unwrap_or(0),
            "changes of {key}"
        );
    }
    let by_action = &json["report"]["by_action"][0];
    assert_eq!(
        (by_action["key"].as_str(), by_action["changed"].as_u64()),
        (Some("invoke_tool"), Some(changed))
    );
    let policy = json["report"]["by_policy"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "step-up-for-sensitive-tools")
        .unwrap();
    assert!(policy["candidate_hits"].as_u64() > policy["baseline_hits"].as_u64());

    // HTML to a file: self-contained, with the charts and the totals.
    let page = ws.path().join("report.html");
    run_cli(
        ws.path(),
        &[
            "--format",
            "html",
            "simulate",
            "--set",
            "traffic",
            "--out",
            page.to_str().unwrap(),
        ],
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("aria-label=\"By action changes\""));
    assert!(html.contains(&format!("<b>{changed}</b><span>changed</span>")));
    assert!(!html.contains("src=") && !html.contains("href="));

    // Each run is stored; the human summary says which.
    let human = String::from_utf8(run_cli(ws.path(), &["simulate", "--set", "traffic"])).unwrap();
    assert!(human.contains(&format!("{changed} changed")), "{human}");
    assert!(
        human.contains("changes by agent:") && human.contains("stored as run 4"),
        "{human}"
    );
}

#[test]
fn a_review_groups_changes_gates_approval_on_acknowledgement_and_goes_stale() {
    let ws = workspace_with_change();
    let session = Session::open(ws.path()).unwrap();
    let cancel = AtomicBool::new(false);
    let request = ReplayRequest {
        set: "traffic".into(),
        ..ReplayRequest::default()
    };
    let mut events = Vec::new();
    let run = session
        .run_replay(&request, "alice@example.com", &cancel, &mut |p| {
            events.push(p)
        })
        .unwrap();
    assert_eq!(run.status, ReplayRunStatus::Complete);
    assert_eq!(events.last().map(|p| (p.done, p.total)), Some((5000, 5000)));
    let changed = run.summary.changed;

    // Pages of the changed decisions only, in order, never more than asked.
    let only_changed = ResultFilter {
        changed_only: true,
        ..ResultFilter::default()
    };
    let first = session
        .replay_results(run.id, &only_changed, 0, 50)
        .unwrap();
    assert_eq!(first.total, changed);
    assert_eq!(first.rows.len(), 50);
    assert!(first.rows.iter().all(|r| r.changed && !r.acknowledged));
    let second = session
        .replay_results(run.id, &only_changed, 50, 50)
        .unwrap();
    assert!(second.rows[0].seq > first.rows[49].seq);

    let review = session
        .open_review(run.id, Some("medium-step-up"), "alice@example.com")
        .unwrap();
    assert_eq!(review.path, "reviews/medium-step-up.toml");
    assert_eq!(review.record.changed, changed);
    assert_eq!(
        review.record.changes.iter().map(|c| c.count).sum::<u64>(),
        changed
    );
    assert_eq!(review.unacknowledged as usize, review.record.changes.len());
    assert!(!review.stale);

    let refused = session
        .review_verdict("medium-step-up", "approve", "", "bob@example.com")
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::ReviewRefused);

    // Acknowledging one request acknowledges its whole group, and the rows show it.
    let example = &first.rows[0];
    let acked = session
        .ack_review(
            "medium-step-up",
            &AckTarget {
                requests: vec![example.id.clone()],
                ..AckTarget::default()
            },
            "medium tools need step-up now",
            "bob@example.com",
        )
        .unwrap();
    assert_eq!(
        acked.unacknowledged as usize,
        acked.record.changes.len() - 1
    );
    let group = acked
        .record
        .changes
        .iter()
        .find(|c| c.ack.is_some())
        .unwrap();
    let page = session
        .replay_results(run.id, &only_changed, 0, 1000)
        .unwrap();
    let marked = page.rows.iter().filter(|r| r.acknowledged).count() as u64;
    assert_eq!(marked, group.count.min(page.rows.len() as u64));
    assert!(page.rows[0].acknowledged);

    let missing = session
        .ack_review(
            "medium-step-up",
            &AckTarget {
                requests: vec!["no-such-request".into()],
                ..AckTarget::default()
            },
            "x",
            "bob@example.com",
        )
        .unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound);

    session
        .ack_review(
            "medium-step-up",
            &AckTarget {
                all: true,
                ..AckTarget::default()
            },
            "all expected",
            "bob@example.com",
        )
        .unwrap();
    let approved = session
        .review_verdict("medium-step-up", "approve", "LGTM", "bob@example.com")
        .unwrap();
    assert_eq!(
        approved.verdict.as_ref().map(|v| v.by.as_str()),
        Some("bob@example.com")
    );
    let text = std::fs::read_to_string(ws.path().join("reviews/medium-step-up.toml")).unwrap();
    assert!(text.contains("verdict = \"approve\"") && text.contains("comment = \"LGTM\""));
    assert_eq!(
        session.review_for_run(run.id).unwrap().unwrap().name,
        "medium-step-up"
    );

    // The candidate moves on: the review is stale and cannot be approved again.
    edit(ws.path(), "policies/tools.cedar", |t| {
        t.replace("\"medium\" || ", "")
    });
    let stale = session.review("medium-step-up").unwrap();
    assert!(stale.stale);
    let refused = session
        .review_verdict("medium-step-up", "approve", "", "bob@example.com")
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::ReviewRefused);
    assert!(
        refused.message.contains("changed since"),
        "{}",
        refused.message
    );

    // A hand-broken review file is reported at its line, not silently read.
    edit(ws.path(), "reviews/medium-step-up.toml", |t| {
        t.replacen("requests = 5000", "requests = \"all\"", 1)
    });
    let broken = session.review("medium-step-up").unwrap_err();
    assert_eq!(broken.code, ErrorCode::ConfigInvalid);
    let line = text
        .lines()
        .position(|l| l.starts_with("requests = "))
        .unwrap() as u32
        + 1;
    assert_eq!(broken.diagnostics[0].line, line);
    assert_eq!(broken.diagnostics[0].file, "reviews/medium-step-up.toml");
}

#[test]
fn a_cancelled_replay_keeps_nothing() {
    let ws = workspace_with_change();
    let session = Session::open(ws.path()).unwrap();
    let cancel = AtomicBool::new(false);
    let request = ReplayRequest {
        set: "traffic".into(),
        ..ReplayRequest::default()
    };
    let err = session
        .run_replay(&request, "alice@example.com", &cancel, &mut |_| {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed)
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    let runs = session.replay_runs().unwrap();
    assert_eq!(runs[0].status, ReplayRunStatus::Cancelled);
    let page = session
        .replay_results(runs[0].id, &ResultFilter::default(), 0, 10)
        .unwrap();
    assert_eq!((page.total, page.rows.len()), (0, 0));
    let refused = session
        .open_review(runs[0].id, None, "alice@example.com")
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::ReviewRefused);
}
