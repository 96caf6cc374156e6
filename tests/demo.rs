//! `mandate demo` and the demo's traffic generator: deterministic bytes, every agent and team
//! at work, the planted mistakes at their rates, and a fresh copy that validates with exactly
//! the planted gaps, its traffic imported, and two policy revisions whose replay changes
//! decisions for the reasons the demo tells.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use mandate::api::{self, dto, Session};
use serde_json::Value;

use crate::support::{demo_traffic_text, mandate, DEMO_REQUESTS};

/// The accountability gaps planted in the demo inventory, as `mandate check` codes and
/// subjects (README, "Demo organisation").
const PLANTED: &[(&str, &str)] = &[
    ("accountable.departed", "agent:churn-predictor"),
    ("accountable.missing", "agent:faq-bot"),
    ("approval.self_approved", "agent:deploy-bot"),
    (
        "controls::mapping_unresolved",
        "file:controls/controls.toml",
    ),
    ("credentials.no_attestation", "agent:warehouse-loader"),
    ("credentials.ttl_above_ceiling", "agent:invoice-reconciler"),
    ("delegation.cycle", "agent:alert-router"),
    ("delegation.to_higher_risk", "agent:faq-bot"),
    ("environment.mismatch", "agent:pipeline-tester"),
    ("escalation.missing", "agent:refund-approver"),
    ("identity.shared", "agent:log-summariser"),
    ("identity.shared", "agent:monitor-muter"),
    ("lifecycle.never_approved", "agent:ticket-tagger"),
    ("policy.names_retired_agent", "agent:legacy-exporter"),
    ("recertification.overdue", "agent:code-style-bot"),
    ("reference.unknown", "agent:release-notes-writer"),
];

fn traffic(requests: usize, seed: u64) -> (Vec<u8>, api::TrafficSummary) {
    let mut out = Vec::new();
    let summary = api::demo_traffic(requests, seed, &mut out).unwrap();
    (out, summary)
}

fn records(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `mandate demo DIR` with extra arguments; the written facts (`--format json`).
fn write_demo(dir: &Path, args: &[&str]) -> Value {
    let out = mandate()
        .args(["--format", "json", "demo"])
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn json(ws: &Path, args: &[&str]) -> Value {
    let out = mandate()
        .arg("-w")
        .arg(ws)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
    let (a, sa) = traffic(2_000, 42);
    let (b, sb) = traffic(2_000, 42);
    let (c, _) = traffic(2_000, 43);
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    assert_ne!(a, c);
    // The CLI writes those very bytes.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("traffic.jsonl");
    mandate()
        .args(["demo", "--requests", "2000", "--seed", "42", "--traffic"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(std::fs::read(&file).unwrap(), a);
}

#[test]
fn the_default_is_fifty_thousand_requests() {
    const { assert!(api::DEMO_DEFAULT_REQUESTS >= 50_000) };
    let help = mandate().args(["demo", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains(&format!("[default: {}]", api::DEMO_DEFAULT_REQUESTS)),
        "{text}"
    );
}

#[test]
fn records_are_what_requests_import_reads_in_time_order_with_production_decisions() {
    let text = demo_traffic_text();
    let all = records(text);
    assert_eq!(all.len(), DEMO_REQUESTS);
    let keys: BTreeSet<&str> = all
        .iter()
        .flat_map(|r| r.as_object().unwrap().keys().map(String::as_str))
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "action",
            "context",
            "decision",
            "id",
            "principal",
            "resource",
            "time"
        ])
    );
    let ids: Vec<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids[0], "req-000000");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());
    let times: Vec<&str> = all.iter().map(|r| r["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "not in time order");
    assert!(times[0] >= "2026-11-02T00:00:00.000Z" && times[times.len() - 1] < "2026-11-23");
    // Production allows most of what its agents do, and denies their mistakes.
    let allowed = all.iter().filter(|r| r["decision"] == "allow").count();
    assert!(
        allowed * 100 >= DEMO_REQUESTS * 85 && allowed * 100 <= DEMO_REQUESTS * 99,
        "{allowed} allowed"
    );
}

#[test]
fn every_agent_and_team_works_on_weekdays_more_than_at_weekends() {
    let all = records(demo_traffic_text());
    let ws = Session::open(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo")).unwrap();
    let agents = ws.inventory().agents;
    let acting: BTreeSet<&str> = all
        .iter()
        .map(|r| r["principal"]["id"].as_str().unwrap())
        .collect();
    let team_of: BTreeMap<&str, &str> = agents
        .iter()
        .map(|a| (a.id.as_str(), a.owner_team.as_str()))
        .collect();
    for a in &agents {
        assert!(acting.contains(a.id.as_str()), "{} never acts", a.id);
    }
    let teams: BTreeSet<&str> = acting
        .iter()
        .filter_map(|a| team_of.get(a).copied())
        .collect();
    for team in [
        "support",
        "billing",
        "engineering",
        "data",
        "sre",
        "governance",
    ] {
        assert!(teams.contains(team), "team {team} never acts");
    }
    // Monday 2 November is day 0; the weekends are days 5, 6, 12, 13, 19 and 20.
    let mut weekday = 0usize;
    for r in &all {
        let day: u32 = r["time"].as_str().unwrap()[8..10].parse().unwrap();
        if ![7, 8, 14, 15, 21, 22].contains(&day) {
            weekday += 1;
        }
    }
    // 15 of 21 days are weekdays (71%); office work makes them far busier than that.
    assert!(
        weekday * 100 >= all.len() * 80,
        "{weekday} of {}",
        all.len()
    );
}

#[test]
fn the_planted_mistakes_come_at_their_rates_and_the_summary_counts_them() {
    let (bytes, summary) = traffic(20_000, api::DEMO_DEFAULT_SEED);
    let all = records(std::str::from_utf8(&bytes).unwrap());
    let count = |code: &str| summary.mistakes.get(code).copied().unwrap_or(0);
    // Recounted from the records themselves.
    let credentials: Vec<&Value> = all
        .iter()
        .filter(|r| r["action"]["id"] == "request_credential")
        .collect();
    let no_ttl = credentials
        .iter()
        .filter(|r| r["context"].get("ttl_seconds").is_none())
        .count() as u64;
    let human = credentials
        .iter()
        .filter(|r| r["context"]["issuance_path"] == "human")
        .count() as u64;
    let no_task = credentials
        .iter()
        .filter(|r| r["context"].get("task_id").is_none())
        .count() as u64;
    assert_eq!(no_ttl, count("credential.no_ttl"));
    assert_eq!(human, count("credential.human_path"));
    assert_eq!(no_task, count("credential.no_task_id"));
    let ratio = |n: u64, of: usize| n as f64 / of as f64;
    let n = credentials.len();
    assert!(n > 1_000, "{n} credential requests");
    // Rates as documented in `rates` (a tolerance for sampling): a credential without a TTL
    // 1%, over the agent's maximum 3%, without a task id 1.5% (plus the tasks recorded
    // without one).
    assert!((0.004..0.02).contains(&ratio(no_ttl, n)), "{no_ttl} of {n}");
    assert!(
        (0.015..0.05).contains(&ratio(count("credential.ttl_over_max"), n)),
        "{summary:?}"
    );
    assert!(
        (0.008..0.03).contains(&ratio(no_task, n)),
        "{no_task} of {n}"
    );
    let tools = all
        .iter()
        .filter(|r| r["action"]["id"] == "invoke_tool")
        .count();
    assert!(
        (0.005..0.04).contains(&ratio(count("tool.off_list"), tools)),
        "{summary:?}"
    );
    // The agents that should be quiet still call, and are denied.
    let inactive: Vec<&Value> = all
        .iter()
        .filter(|r| {
            ["auto-remediator", "legacy-exporter", "invoice-summariser"]
                .contains(&r["principal"]["id"].as_str().unwrap())
        })
        .collect();
    assert_eq!(inactive.len() as u64, count("agent.inactive"));
    let allowed = inactive.iter().filter(|r| r["decision"] == "allow").count() as u64;
    // Only drift lets one through.
    assert!(
        allowed <= summary.drifted,
        "{allowed} inactive requests allowed"
    );
    // Deep delegation: depths beyond the bound of three occur.
    assert!(all
        .iter()
        .any(|r| r["context"]["delegation_depth"].as_u64().unwrap_or(0) >= 4));
    // Drift is small.
    assert!(
        (0.001..0.01).contains(&ratio(summary.drifted, all.len())),
        "{summary:?}"
    );
    // Every kind of mistake is planted.
    for m in [
        "tool.off_list",
        "dataset.off_list",
        "model.off_list",
        "delegate.off_list",
        "step_up.missing",
        "credential.unattested",
        "delegation.deep",
        "task_id.missing",
        "refund.no_ticket",
        "environment.crossed",
        "agent.unregistered",
        "resource.unknown",
        "retry.burst",
    ] {
        assert!(count(m) > 0, "no {m}: {summary:?}");
    }
}

#[test]
fn mandate_demo_writes_a_workspace_with_exactly_the_planted_gaps_and_its_traffic_imported() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("acme");
    let written = write_demo(&dir, &["--requests", "3000"]);
    assert_eq!(written["set"], "production");
    assert_eq!(written["imported"], 3000);
    assert_eq!(written["traffic"]["requests"], 3000);
    assert!(written["agents"].as_u64().unwrap() >= 25);
    assert!(written["teams"].as_u64().unwrap() >= 5);
    assert!(written["tools"].as_u64().unwrap() >= 40);
    // Nothing of the staging folder is left beside it.
    let beside: Vec<String> = std::fs::read_dir(parent.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["acme"]);
    // The same files as the repository's demo, and the generated traffic.
    for rel in [
        "mandate.toml",
        "inventory/people.toml",
        "controls/controls.toml",
        "policies/tools.cedar",
        "revisions/production/data.cedar",
    ] {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/demo")
            .join(rel);
        assert_eq!(
            std::fs::read(dir.join(rel)).unwrap(),
            std::fs::read(here).unwrap(),
            "{rel}"
        );
    }
    let (bytes, _) = traffic(3000, api::DEMO_DEFAULT_SEED);
    assert_eq!(
        std::fs::read(dir.join(api::DEMO_TRAFFIC_FILE)).unwrap(),
        bytes
    );

    let validation = json(&dir, &["validate"]);
    assert_eq!(validation["error_count"], 0, "{validation}");
    assert_eq!(
        validation["policy_count"].as_u64().unwrap(),
        written["policies"].as_u64().unwrap() + written["links"].as_u64().unwrap()
    );
    let check = json(&dir, &["check"]);
    let found: Vec<(String, String)> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let planted: Vec<(String, String)> = PLANTED
        .iter()
        .map(|(c, s)| ((*c).to_owned(), (*s).to_owned()))
        .collect();
    assert_eq!(found, planted);
    let sets = json(&dir, &["requests", "list"]);
    assert_eq!(sets[0]["name"], "production");
    assert_eq!(sets[0]["requests"], 3000);
    // The audit log says who wrote the demo.
    let session = Session::open(&dir).unwrap();
    let actions: Vec<String> = session
        .audit_log(10)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"workspace.demo".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"requests.import".to_owned()),
        "{actions:?}"
    );
}

#[test]
fn replaying_the_traffic_on_the_working_copy_changes_what_the_revisions_differ_in() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("acme");
    let written = write_demo(&dir, &["--requests", "20000"]);
    let session = Session::open(&dir).unwrap();
    let opts = api::ReplayOptions {
        set: "production".into(),
        baseline: Some(dir.join(api::DEMO_PREVIOUS_REVISION).display().to_string()),
        candidate: None,
        since: None,
        until: None,
    };
    let run = session
        .replay_set(&opts, "tester@example.com", api::ReplayHooks::default())
        .unwrap();
    let summary: dto::SimulateSummary = run.summary.clone();
    // The recorded decisions are the previous revision's, but for the flipped ones.
    assert_eq!(
        summary.drift,
        written["traffic"]["drifted"].as_u64().unwrap()
    );
    assert_eq!(summary.requests, 20_000);
    assert!(
        summary.allow_to_deny > 0 && summary.deny_to_allow > 0,
        "{summary:?}"
    );
    let changed: BTreeMap<String, u64> = run
        .report
        .by_policy
        .iter()
        .filter(|p| p.changed > 0)
        .map(|p| (p.id.clone(), p.changed))
        .collect();
    // Each difference between the revisions shows: customer PII only for the redactor,
    // credentials only for a task, the incident commander's observability grant, and the
    // delegation bound down from four hops to three.
    for id in [
        "pii-only-for-redaction",
        "credential-requires-task",
        "grant-incident-commander-observability",
        "delegation-depth-bound",
    ] {
        assert!(
            changed.contains_key(id),
            "{id} changed nothing: {changed:?}"
        );
    }
    // Replaying the revision on itself changes nothing.
    let same = api::ReplayOptions {
        candidate: opts.baseline.clone(),
        ..opts
    };
    let run = session
        .replay_set(&same, "tester@example.com", api::ReplayHooks::default())
        .unwrap();
    assert_eq!(run.summary.changed, 0);
}

#[test]
fn a_non_empty_folder_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = mandate()
        .args(["--error-format", "json", "demo"])
        .arg(dir.path())
        .args(["--requests", "500"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["code"], "workspace_exists");
    assert!(err["help"]
        .as_str()
        .unwrap()
        .contains("new or empty folder"));
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["notes.txt"]);
    // A bad set name is refused before anything is written.
    let target = dir.path().join("acme");
    let out = mandate()
        .args(["--error-format", "json", "demo"])
        .arg(&target)
        .args(["--set", "no spaces", "--requests", "500"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["code"], "invalid_argument");
    assert!(!target.exists());
    let count = mandate()
        .args(["--error-format", "json", "demo"])
        .arg(&target)
        .args(["--requests", "0"])
        .output()
        .unwrap();
    assert_eq!(count.status.code(), Some(2));
    assert!(!target.exists());
}

#[test]
fn no_import_writes_the_files_and_the_traffic_but_no_database() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("acme");
    // An empty folder is taken.
    std::fs::create_dir(&dir).unwrap();
    let written = write_demo(&dir, &["--requests", "500", "--no-import"]);
    assert_eq!(written["set"], Value::Null);
    assert!(dir.join(api::DEMO_TRAFFIC_FILE).is_file());
    assert!(!dir.join(".mandate").exists());
}
