//! Progress and cancellation of the long operations that are neither imports nor replays —
//! insights, a task's timeline, an agent's insights, coverage, a coverage export, a bundle
//! build and its gates check — through the api the app calls, on a copy of the demo with its traffic imported.
//! Each phase's progress reaches its total; a cancel flag set before the start, or from a
//! progress report (no timing involved), stops the operation with `cancelled` and keeps
//! nothing: no cache, no file, no bundle.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use mandate::api::dto::{BuildRequest, ExportRequest, InsightsQuery, Operation, OperationProgress};
use mandate::api::{ApiResult, OperationHooks, Session};
use mandate::ErrorCode;

use crate::support::{demo_in_git, DEMO_REQUESTS};

const READING: &str = "Reading recorded requests";
const GRANTS: &str = "Checking grants no request used";
const FIRED: &str = "Deciding recorded requests on the current policies";

fn workspace() -> (tempfile::TempDir, Session) {
    let dir = demo_in_git();
    let session = Session::open(dir.path()).unwrap();
    session
        .import_requests(
            &dir.path().join("requests/traffic.jsonl"),
            "prod",
            false,
            "tester@example.com",
            &mut |_| {},
        )
        .unwrap();
    (dir, session)
}

/// When to set the cancel flag.
#[derive(Clone, Copy)]
enum Cancel<'a> {
    Never,
    BeforeStart,
    /// At the first progress report this accepts.
    At(&'a dyn Fn(&OperationProgress) -> bool),
}

/// Runs `op` with hooks that record every report and set the flag as `cancel` says.
fn run<T>(
    cancel: Cancel<'_>,
    op: impl FnOnce(OperationHooks<'_>) -> ApiResult<T>,
) -> (ApiResult<T>, Vec<OperationProgress>) {
    let flag = Arc::new(AtomicBool::new(matches!(cancel, Cancel::BeforeStart)));
    let mut seen = Vec::new();
    let result = {
        let setter = Arc::clone(&flag);
        let mut record = |p: OperationProgress| {
            if let Cancel::At(when) = cancel {
                if when(&p) {
                    setter.store(true, Ordering::Relaxed);
                }
            }
            seen.push(p);
        };
        op(OperationHooks {
            progress: Some(&mut record),
            cancel: Some(flag),
        })
    };
    (result, seen)
}

fn cancelled<T: std::fmt::Debug>(result: ApiResult<T>) -> String {
    let e = result.expect_err("the operation was cancelled");
    assert_eq!(e.code, ErrorCode::Cancelled, "{e:?}");
    assert_eq!(
        e.help.as_deref(),
        Some("nothing of it was kept; run it again")
    );
    e.message
}

/// The last report of `phase`: (done, total).
fn last(seen: &[OperationProgress], phase: &str) -> Option<(u64, u64)> {
    seen.iter()
        .rev()
        .find(|p| p.phase == phase)
        .map(|p| (p.done, p.total))
}

fn phases(seen: &[OperationProgress]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for p in seen {
        if out.last() != Some(&p.phase.as_str()) {
            out.push(&p.phase);
        }
    }
    out
}

const REQUESTS: u64 = DEMO_REQUESTS as u64;

#[test]
fn insights_report_rows_and_grants_up_to_their_totals_and_stop_when_cancelled() {
    let (_dir, session) = workspace();
    let query = InsightsQuery::default();
    let insights = |hooks: OperationHooks<'_>| session.insights_with(&query, hooks).map(|_| ());

    let (result, seen) = run(Cancel::BeforeStart, insights);
    assert_eq!(cancelled(result), "the insights analysis was cancelled");
    assert!(seen.is_empty(), "{seen:?}");

    // Cancelled at the first report of the scan: it stops at its next batch of rows.
    let (result, seen) = run(Cancel::At(&|p| p.phase == READING), insights);
    cancelled(result);
    let (done, total) = last(&seen, READING).unwrap();
    assert_eq!(total, REQUESTS);
    assert!(done < total, "stopped before the end: {done} of {total}");
    assert_eq!(last(&seen, GRANTS), None);

    // Nothing was kept: the next run scans again, to the end, then checks every grant.
    let (result, seen) = run(Cancel::Never, insights);
    result.unwrap();
    assert!(seen.iter().all(|p| p.operation == Operation::Insights));
    assert_eq!(last(&seen, READING), Some((REQUESTS, REQUESTS)));
    let (done, total) = last(&seen, GRANTS).unwrap();
    assert!(total > 0);
    assert_eq!(done, total);
    assert_eq!(phases(&seen), vec![READING, GRANTS]);

    // Cancelled while checking grants.
    let other = InsightsQuery {
        since: Some("2000-01-01T00:00:00Z".into()),
        ..InsightsQuery::default()
    };
    let (result, seen) = run(Cancel::At(&|p| p.phase == GRANTS), |hooks| {
        session.insights_with(&other, hooks).map(|_| ())
    });
    cancelled(result);
    assert_eq!(last(&seen, READING), Some((REQUESTS, REQUESTS)));

    // The complete report is kept: asked again, there is nothing to report.
    let (result, seen) = run(Cancel::Never, insights);
    result.unwrap();
    assert!(seen.is_empty(), "{seen:?}");
}

#[test]
fn a_task_timeline_and_an_agent_s_insights_stop_when_cancelled_and_report_their_steps() {
    let (_dir, session) = workspace();
    let task = session
        .insights(&InsightsQuery::default())
        .unwrap()
        .findings
        .iter()
        .find_map(|f| f.tasks.first().cloned())
        .expect("a finding names a task");
    // A different window leaves the whole set's report uncomputed.
    let session = Session::open(session.root()).unwrap();

    let (result, seen) = run(Cancel::BeforeStart, |hooks| {
        session.task_timeline_with(Some("prod"), &task, hooks)
    });
    assert_eq!(cancelled(result), "the task timeline was cancelled");
    assert!(seen.is_empty());

    // The task's findings need the set's insights; cancelled while those read the set.
    let (result, seen) = run(Cancel::At(&|p| p.phase == READING), |hooks| {
        session.task_timeline_with(Some("prod"), &task, hooks)
    });
    cancelled(result);
    assert!(seen.iter().all(|p| p.operation == Operation::TaskTimeline));

    let (result, seen) = run(Cancel::Never, |hooks| {
        session.task_timeline_with(Some("prod"), &task, hooks)
    });
    let timeline = result.unwrap();
    assert!(!timeline.steps.is_empty());
    let steps = timeline.steps.len() as u64;
    assert_eq!(
        last(&seen, "Deciding the requests on the current policies"),
        Some((steps, steps))
    );
    assert_eq!(last(&seen, READING), Some((REQUESTS, REQUESTS)));
    assert_eq!(
        phases(&seen)[..2],
        [
            "Finding the task's requests",
            "Deciding the requests on the current policies"
        ]
    );

    let agent = timeline.agents[0].clone();
    let fresh = Session::open(session.root()).unwrap();
    let (result, seen) = run(Cancel::At(&|p| p.phase == GRANTS), |hooks| {
        fresh.agent_insights_with(&agent, hooks)
    });
    assert_eq!(
        cancelled(result),
        "the agent insights analysis was cancelled"
    );
    assert!(seen.iter().all(|p| p.operation == Operation::AgentInsights));
    let (result, seen) = run(Cancel::Never, |hooks| {
        fresh.agent_insights_with(&agent, hooks)
    });
    let mine = result.unwrap();
    assert_eq!(mine.set.as_deref(), Some("prod"));
    assert!(!mine.recent.is_empty());
    assert_eq!(last(&seen, READING), Some((REQUESTS, REQUESTS)));
}

fn at(s: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

#[test]
fn coverage_reports_the_replay_then_the_insights_and_a_cancelled_one_keeps_nothing() {
    let (_dir, session) = workspace();
    let now = at("2026-12-01T00:00:00Z");

    let (result, seen) = run(Cancel::BeforeStart, |hooks| {
        session.coverage_with(now, hooks)
    });
    assert_eq!(cancelled(result), "the coverage computation was cancelled");
    assert!(seen.is_empty());

    let (result, seen) = run(Cancel::At(&|p| p.phase == FIRED), |hooks| {
        session.coverage_with(now, hooks)
    });
    cancelled(result);
    let (done, total) = last(&seen, FIRED).unwrap();
    assert_eq!(total, REQUESTS);
    assert!(done < total, "{done} of {total}");
    assert_eq!(last(&seen, READING), None, "stopped before the insights");

    let (result, seen) = run(Cancel::Never, |hooks| session.coverage_with(now, hooks));
    let report = result.unwrap();
    assert_eq!(report.traffic_set.as_deref(), Some("prod"));
    assert!(seen.iter().all(|p| p.operation == Operation::Coverage));
    assert_eq!(
        phases(&seen),
        vec![
            "Checking policies and the inventory",
            FIRED,
            READING,
            GRANTS
        ]
    );
    assert_eq!(last(&seen, FIRED), Some((REQUESTS, REQUESTS)));
    assert_eq!(last(&seen, READING), Some((REQUESTS, REQUESTS)));
    // The same as the call without hooks computes.
    assert_eq!(
        Session::open(session.root())
            .unwrap()
            .coverage(now)
            .unwrap(),
        report
    );
}

#[test]
fn a_cancelled_export_writes_nothing_and_a_complete_one_reports_its_phases() {
    let (dir, session) = workspace();
    let out = dir.path().join("exports/coverage.csv");
    let request = ExportRequest {
        format: "csv".into(),
        framework: None,
        table: None,
        out: out.display().to_string(),
    };
    let (result, seen) = run(Cancel::At(&|p| p.phase == READING), |hooks| {
        session.export_coverage_with(&request, None, hooks)
    });
    assert_eq!(cancelled(result), "the coverage export was cancelled");
    assert!(seen
        .iter()
        .all(|p| p.operation == Operation::ExportCoverage));
    assert!(!out.exists());

    let (result, seen) = run(Cancel::Never, |hooks| {
        session.export_coverage_with(&request, None, hooks)
    });
    assert_eq!(result.unwrap().files, vec![out.display().to_string()]);
    assert!(out.is_file());
    assert_eq!(phases(&seen).last(), Some(&"Writing the export"));
}

/// A keys folder for this test process: the api reads `MANDATE_KEYS_DIR` (no other test sets
/// it in-process; the CLI tests pass their own to each child).
fn keys_dir() -> &'static Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        // Set once, before any key is read in this process.
        std::env::set_var("MANDATE_KEYS_DIR", &dir);
        mandate::api::generate_key("builder@acme.example", Some("progress-builder")).unwrap();
        dir
    })
}

#[test]
fn a_bundle_build_and_its_gates_stop_during_their_replay_and_the_build_primes_coverage() {
    keys_dir();
    let (dir, session) = workspace();
    let request = BuildRequest {
        version: Some("1.0.0".into()),
        summary: "progress".into(),
        out: None,
        key: Some("progress-builder".into()),
        set: None,
        sign: true,
        accept_coverage_drop: None,
        accept_more_permissive: None,
    };
    let draft = dir.path().join(".mandate/drafts/1.0.0");
    let build = |hooks: OperationHooks<'_>| {
        session.bundle_build_with(&request, "tester@example.com", hooks)
    };

    let (result, seen) = run(Cancel::BeforeStart, build);
    assert_eq!(cancelled(result), "the bundle build was cancelled");
    assert!(seen.is_empty());
    assert!(!draft.exists());

    let replaying = |p: &OperationProgress| p.phase.starts_with("Replaying") && p.total > 0;
    let (result, seen) = run(Cancel::At(&replaying), build);
    assert_eq!(cancelled(result), "the bundle build was cancelled");
    assert!(!draft.exists());
    assert_eq!(
        phases(&seen),
        vec![
            "Validating the policies",
            "Replaying recorded requests against @none"
        ]
    );
    let runs = session.replay_runs().unwrap();
    assert_eq!(
        runs[0].status,
        mandate::api::dto::ReplayRunStatus::Cancelled
    );

    // Cancelled while the solver proves the change (or, without a solver, right after).
    let (result, _) = run(Cancel::At(&|p| p.phase.starts_with("Proving")), build);
    cancelled(result);
    assert!(!draft.exists());

    let (result, seen) = run(Cancel::Never, build);
    let view = result.unwrap();
    assert_eq!(view.manifest.version, "1.0.0");
    assert!(draft.is_dir());
    assert!(seen.iter().all(|p| p.operation == Operation::BundleBuild));
    assert_eq!(
        last(&seen, "Replaying recorded requests against @none"),
        Some((REQUESTS, REQUESTS))
    );
    let order = phases(&seen);
    assert_eq!(order.first(), Some(&"Validating the policies"));
    assert_eq!(order.last(), Some(&"Writing the bundle"));
    // Coverage reused what the build's replay decided: no replay of its own.
    assert!(!order.contains(&FIRED), "{order:?}");

    // The gates replay and prove again: with progress, and stopped by the flag.
    let (result, seen) = run(Cancel::At(&replaying), |hooks| {
        session.bundle_gates_with(&draft, hooks)
    });
    assert_eq!(cancelled(result), "the gates check was cancelled");
    assert!(seen.iter().all(|p| p.operation == Operation::BundleGates));
    let (result, seen) = run(Cancel::Never, |hooks| {
        session.bundle_gates_with(&draft, hooks)
    });
    assert_eq!(result.unwrap().version, "1.0.0");
    assert_eq!(
        last(&seen, "Replaying recorded requests against @none"),
        Some((REQUESTS, REQUESTS))
    );
    assert_eq!(
        phases(&seen).first(),
        Some(&"Checking the bundle's files and signatures")
    );

    // And what it reused is what coverage computes itself.
    let now = at("2026-12-01T00:00:00Z");
    let (primed, seen) = run(Cancel::Never, |hooks| session.coverage_with(now, hooks));
    assert!(!phases(&seen).contains(&FIRED));
    assert_eq!(
        primed.unwrap(),
        Session::open(dir.path()).unwrap().coverage(now).unwrap()
    );
}
