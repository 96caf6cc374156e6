//! The Dashboard's cards (`Session::dashboard_*`) on fixture workspaces: each card's summary
//! agrees with the full report its page shows (computed in a fresh session, so no cache is
//! shared), follows runs, reviews and verdicts, and bundles from build to publish; and
//! `mandate dashboard` prints the same.

use std::sync::atomic::AtomicBool;

use mandate::api::dto::{InsightsQuery, Level, ReplayRequest};
use mandate::api::Session;
use serde_json::Value;

use crate::support::{bundle_fixture, mandate, TempWorkspace};

const ACTOR: &str = "tester@example.com";

/// A small organisation: one team, two humans, two tools, one active agent allowed one tool.
fn workspace() -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.write(
        "inventory/people.toml",
        "[[teams]]\nid = \"billing\"\nname = \"Billing\"\n\n\
         [[humans]]\nid = \"dana\"\nname = \"Dana\"\nemail = \"dana@acme.example\"\nteam = \"billing\"\n\n\
         [[humans]]\nid = \"ben\"\nname = \"Ben\"\nemail = \"ben@acme.example\"\nteam = \"billing\"\n",
    );
    ws.write(
        "inventory/resources.toml",
        "[[tools]]\nid = \"stripe.refund\"\nsystem = \"stripe\"\nsensitivity = \"high\"\nenvironment = \"prod\"\n\n\
         [[tools]]\nid = \"stripe.invoice.read\"\nsystem = \"stripe\"\nsensitivity = \"low\"\nenvironment = \"prod\"\n",
    );
    ws.write(
        "inventory/agents/billing-bot.toml",
        "id = \"billing-bot\"\nname = \"Billing bot\"\npurpose = \"Reads invoices\"\n\
         spiffe_id = \"spiffe://acme.example/prod/billing-bot\"\nowner_team = \"billing\"\n\
         accountable = \"dana\"\nsponsor = \"ben\"\nescalation = \"ben\"\nrisk_tier = \"medium\"\n\
         environment = \"prod\"\nlifecycle = \"active\"\napproved_by = \"ben\"\napproved_on = 2026-09-01\n\
         tools = [\"stripe.invoice.read\"]\nmax_ttl_seconds = 900\nattestation_required = false\n\
         recertify_by = 2027-09-01\n",
    );
    ws
}

/// Eight recorded requests: the agent within and outside its tools, an agent nobody
/// registered, some with task ids, one denied.
fn import_traffic(ws: &TempWorkspace) -> Session {
    let mut lines = Vec::new();
    for (i, (agent, tool, decision)) in [
        ("billing-bot", "stripe.invoice.read", "allow"),
        ("billing-bot", "stripe.invoice.read", "allow"),
        ("billing-bot", "stripe.refund", "allow"),
        ("billing-bot", "stripe.refund", "deny"),
        ("ghost-bot", "stripe.refund", "allow"),
        ("ghost-bot", "stripe.invoice.read", "allow"),
        ("ghost-bot", "stripe.invoice.read", "allow"),
        ("billing-bot", "stripe.invoice.read", "allow"),
    ]
    .iter()
    .enumerate()
    {
        lines.push(format!(
            r#"{{"id":"r-{i}","time":"2026-11-0{}T10:00:00Z","principal":{{"type":"Agent","id":"{agent}"}},"action":{{"type":"Action","id":"invoke_tool"}},"resource":{{"type":"Tool","id":"{tool}"}},"context":{{"env":"prod","task_id":"t-{}"}},"decision":"{decision}"}}"#,
            1 + i % 3,
            i / 2
        ));
    }
    ws.write("traffic.jsonl", &(lines.join("\n") + "\n"));
    let session = Session::open(ws.path()).unwrap();
    let summary = session
        .import_requests(
            &ws.file("traffic.jsonl"),
            "traffic",
            false,
            ACTOR,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(summary.kept, 8, "{summary:?}");
    session
}

#[test]
fn an_empty_workspace_has_nothing_yet_on_every_card() {
    let ws = workspace();
    let s = Session::open(ws.path()).unwrap();
    let traffic = s.dashboard_traffic().unwrap();
    assert_eq!((traffic.set, traffic.requests), (None, 0));
    let replay = s.dashboard_replay().unwrap();
    assert_eq!((replay.run, replay.has_traffic), (None, false));
    let reviews = s.dashboard_reviews().unwrap();
    assert!(reviews.open.is_empty() && reviews.awaiting.is_empty() && reviews.problems.is_empty());
    let bundle = s.dashboard_bundle().unwrap();
    assert_eq!((bundle.last, bundle.published), (None, 0));
    // Coverage is there from the start: the built-in frameworks, nothing recorded as evidence.
    let coverage = s.dashboard_coverage().unwrap();
    assert!(coverage.frameworks.len() >= 3, "{coverage:?}");
    assert_eq!(coverage.traffic_set, None);
}

#[test]
fn the_traffic_and_coverage_cards_agree_with_the_full_reports() {
    let ws = workspace();
    let s = import_traffic(&ws);
    let card = s.dashboard_traffic().unwrap();

    let full = Session::open(ws.path())
        .unwrap()
        .insights(&InsightsQuery::default())
        .unwrap();
    assert_eq!(card.set.as_deref(), Some("traffic"));
    assert_eq!(card.requests, 8);
    assert_eq!(card.denies, 1);
    assert_eq!(card.agents, 2, "billing-bot and ghost-bot");
    assert_eq!(
        (card.requests, card.denies, card.agents, card.tasks),
        (full.requests, full.denies, full.agents, full.tasks)
    );
    assert_eq!(card.findings, full.findings.len() as u64);
    assert!(card.findings > 0, "an unregistered agent acted");
    // Every level, worst first, each counted from the report.
    assert_eq!(
        card.by_level.iter().map(|l| l.level).collect::<Vec<_>>(),
        vec![Level::Critical, Level::High, Level::Medium, Level::Low]
    );
    for l in &card.by_level {
        let n = full.findings.iter().filter(|f| f.level == l.level).count() as u64;
        assert_eq!(l.findings, n, "{:?}", l.level);
    }
    assert!(
        card.top.iter().any(|t| t.code == "shadow.unregistered"),
        "{:?}",
        card.top
    );
    assert!(card.top.len() <= 3);
    for w in card.top.windows(2) {
        assert!(
            (w[0].level, w[0].findings) >= (w[1].level, w[1].findings),
            "worst first: {:?}",
            card.top
        );
    }
    for t in &card.top {
        let n = full.findings.iter().filter(|f| f.code == t.code).count() as u64;
        assert_eq!(t.findings, n, "{}", t.code);
    }

    let coverage = s.dashboard_coverage().unwrap();
    let report = Session::open(ws.path()).unwrap().coverage(None).unwrap();
    assert_eq!(coverage.traffic_set.as_deref(), Some("traffic"));
    assert_eq!(coverage.gaps, report.gaps.len() as u64);
    assert_eq!(coverage.frameworks.len(), report.frameworks.len());
    for (c, f) in coverage.frameworks.iter().zip(&report.frameworks) {
        assert_eq!(
            (&c.id, c.percent, c.implemented, c.partial, c.applicable),
            (&f.id, f.percent, f.implemented, f.partial, f.applicable)
        );
    }
}

#[test]
fn the_replay_and_reviews_cards_follow_runs_and_verdicts() {
    let ws = workspace();
    let s = import_traffic(&ws);
    let before = s.dashboard_replay().unwrap();
    assert_eq!((before.run, before.has_traffic), (None, true));

    let request = ReplayRequest {
        set: "traffic".into(),
        baseline: Some("@none".into()),
        candidate: None,
        since: None,
        until: None,
    };
    let run = s
        .run_replay(&request, ACTOR, &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    assert!(
        run.summary.changed > 0,
        "the working copy allows what @none denies"
    );
    // A newer run that was cancelled does not hide the last one that completed.
    let cancelled = s.run_replay(&request, ACTOR, &AtomicBool::new(true), &mut |_| {});
    assert!(cancelled.is_err());

    let card = s.dashboard_replay().unwrap().run.unwrap();
    assert_eq!(card.id, run.id);
    assert_eq!(
        (
            card.requests,
            card.changed,
            card.allow_to_deny,
            card.deny_to_allow,
            card.new_errors
        ),
        (
            run.summary.requests,
            run.summary.changed,
            run.summary.allow_to_deny,
            run.summary.deny_to_allow,
            run.summary.new_errors
        )
    );
    assert_eq!(
        (card.baseline.as_str(), card.set.as_str()),
        ("@none", "traffic")
    );
    assert_eq!(card.actor, ACTOR);
    assert!(card.completed_at.is_some());

    let review = s.open_review(run.id, Some("first-look"), ACTOR).unwrap();
    let open = s.dashboard_reviews().unwrap().open;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].name, "first-look");
    assert_eq!(open[0].run_id, run.id);
    assert_eq!(open[0].changed, run.summary.changed);
    assert_eq!(open[0].unacknowledged, review.unacknowledged);
    assert!(open[0].unacknowledged > 0);
    assert!(!open[0].stale);

    s.review_verdict("first-look", "request-changes", "too broad", ACTOR)
        .unwrap();
    assert!(
        s.dashboard_reviews().unwrap().open.is_empty(),
        "a verdict closes it"
    );
}

#[test]
fn the_bundle_cards_follow_a_bundle_from_build_to_publish() {
    let f = bundle_fixture();
    // One approval at every tier, so bob's approval is enough to publish.
    let config = f.path().join("mandate.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("high = 2, critical = 2", "high = 1, critical = 1");
    std::fs::write(&config, text).unwrap();
    let s = Session::open(f.path()).unwrap();
    assert_eq!(s.dashboard_bundle().unwrap().published, 0);
    assert!(
        s.dashboard_reviews().unwrap().open.is_empty(),
        "the fixture's review is approved"
    );

    f.json(
        "dana",
        &[
            "bundle",
            "build",
            "--summary",
            "first release",
            "--accept-more-permissive",
            "the first release grants what the demo allows",
        ],
    );
    let waiting = s.dashboard_reviews().unwrap().awaiting;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let w = &waiting[0];
    assert_eq!(
        (w.version.as_str(), w.path.as_str(), w.signed, w.approvals),
        ("1.0.0", ".mandate/drafts/1.0.0", true, 0)
    );
    assert_eq!(w.required, 1);
    assert_eq!(w.author, "dana@acme.example");

    // A draft that does not read is reported, not skipped in silence.
    let broken = f.path().join(".mandate/drafts/9.9.9");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("manifest.json"), "{").unwrap();
    let problems = s.dashboard_reviews().unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(".mandate/drafts/9.9.9: "),
        "{problems:?}"
    );
    std::fs::remove_dir_all(&broken).unwrap();

    let draft = f.path().join(".mandate/drafts/1.0.0");
    let draft = draft.to_str().unwrap();
    f.ok("bob", &["bundle", "approve", draft, "--comment", "checked"]);
    let after = s.dashboard_reviews().unwrap().awaiting;
    assert!(after.is_empty(), "approved: nothing waits: {after:?}");

    f.ok("dana", &["bundle", "publish", draft]);
    let card = s.dashboard_bundle().unwrap();
    assert_eq!(card.published, 1);
    let last = card.last.unwrap();
    assert_eq!(last.version, "1.0.0");
    assert!(last.verified, "{:?}", last.problems);
    assert_eq!(last.published_by.as_deref(), Some("dana@acme.example"));
    assert_eq!(last.approvals, 1);
    assert!(
        s.dashboard_reviews().unwrap().awaiting.is_empty(),
        "published: not waiting"
    );
}

#[test]
fn mandate_dashboard_prints_the_cards_and_each_on_its_own() {
    let ws = workspace();
    let _ = import_traffic(&ws);
    let out = mandate()
        .args([
            "--workspace",
            ws.path().to_str().unwrap(),
            "--format",
            "json",
            "dashboard",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let all: Value = serde_json::from_slice(&out).unwrap();
    for card in ["traffic", "coverage", "replay", "reviews", "bundle"] {
        assert!(all.get(card).is_some(), "{card} missing: {all}");
    }
    assert_eq!(all["traffic"]["requests"], 8);
    assert_eq!(all["replay"]["run"], Value::Null);
    assert_eq!(all["bundle"]["published"], 0);

    let one = mandate()
        .args([
            "--workspace",
            ws.path().to_str().unwrap(),
            "--format",
            "json",
            "dashboard",
            "--card",
            "replay",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let one: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(
        one.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["replay"]
    );
    assert_eq!(one["replay"]["has_traffic"], true);

    let text = mandate()
        .args(["--workspace", ws.path().to_str().unwrap(), "dashboard"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("Traffic insights\n"), "{text}");
    assert!(text.contains("8 requests by 2 agents, 1 denied"), "{text}");
    assert!(
        text.contains("no replay yet: `mandate simulate --set NAME`"),
        "{text}"
    );
    assert!(text.contains("none published yet"), "{text}");
}
