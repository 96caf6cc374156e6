//! `mandate insights` on `tests/fixtures/insights`: clean traffic generated from the inventory
//! (every declared grant used, every request well formed) with one planted instance of every
//! finding kind. Each kind is found exactly once, about the planted subject, and nothing in
//! the clean part is flagged. Through the real SQLite store, the real api and the real CLI.

use std::collections::BTreeMap;
use std::io::Write as _;

use mandate::api::dto::{InsightsQuery, Level, SubjectKind};
use mandate::api::Session;
use mandate::insights::CATALOG;
use mandate::ErrorCode;
use serde_json::{json, Value};

use crate::support::mandate;

/// Agents of the fixture's inventory and what each declares (tools, datasets, models,
/// delegates), as `inventory/agents/*.toml` hold them.
/// An agent: id, tools, datasets, models, delegates.
type Declared = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const AGENTS: &[Declared] = &[
    (
        "alpha",
        &["search.query", "crm.read", "wiki.read"],
        &["faq"],
        &["small-model"],
        &["beta"],
    ),
    (
        "beta",
        &[
            "crm.read",
            "crm.update",
            "mail.send",
            "wiki.read",
            "search.query",
        ],
        &[],
        &[],
        &["gamma"],
    ),
    (
        "gamma",
        &["search.query", "wiki.read"],
        &["faq"],
        &[],
        &["epsilon"],
    ),
    (
        "delta",
        &["okta.user.suspend", "search.query", "crm.read", "ci.run"],
        &["customers"],
        &["large-model"],
        &[],
    ),
    ("epsilon", &["wiki.read"], &[], &[], &[]),
];

struct Traffic {
    lines: Vec<String>,
    minute: i64,
}

impl Traffic {
    fn time(&mut self, seconds: i64) -> String {
        let t = chrono::DateTime::parse_from_rfc3339("2026-05-01T00:00:00Z").unwrap()
            + chrono::Duration::seconds(self.minute * 60 + seconds);
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// One record; `task` None leaves the task id out; `at` seconds into the current minute.
    #[allow(
        clippy::too_many_arguments,
        reason = "one record's fields, named at each call"
    )]
    fn push(
        &mut self,
        id: &str,
        agent: &str,
        action: &str,
        (kind, resource): (&str, &str),
        context: Value,
        decision: &str,
        task: Option<&str>,
        at: i64,
    ) {
        let mut record = json!({
            "id": id,
            "time": self.time(at),
            "principal": {"type": "Fx::Agent", "id": agent},
            "action": {"type": "Fx::Action", "id": action},
            "resource": {"type": format!("Fx::{kind}"), "id": resource},
            "context": context,
            "decision": decision,
        });
        if let Some(task) = task {
            record["task_id"] = json!(task);
        }
        self.lines.push(record.to_string());
    }

    fn next_minute(&mut self) {
        self.minute += 1;
    }
}

fn ctx(env: &str) -> Value {
    json!({"env": env})
}

/// The clean part: every declared grant used once, allowed, with full context; one task per
/// request, except alpha's tool calls (three systems, low → medium: within the bounds).
fn clean(t: &mut Traffic) {
    let mut n = 0;
    let mut id = || {
        n += 1;
        format!("c-{n:03}")
    };
    for (agent, tools, datasets, models, delegates) in AGENTS {
        for tool in *tools {
            let task = if *agent == "alpha" {
                "task-alpha-tools".to_owned()
            } else {
                format!("task-{agent}-{tool}")
            };
            t.push(
                &id(),
                agent,
                "invoke_tool",
                ("Tool", tool),
                ctx("prod"),
                "allow",
                Some(&task),
                0,
            );
            t.next_minute();
            // beta's credential for mail.send is the one grant never used (grant.unused).
            if !(*agent == "beta" && *tool == "mail.send") {
                let c = json!({"env": "prod", "attested": true, "ttl_seconds": 60});
                let task = format!("task-{agent}-cred-{tool}");
                t.push(
                    &id(),
                    agent,
                    "request_credential",
                    ("Tool", tool),
                    c,
                    "allow",
                    Some(&task),
                    0,
                );
                t.next_minute();
            }
        }
        for d in *datasets {
            let task = format!("task-{agent}-{d}");
            t.push(
                &id(),
                agent,
                "read_data",
                ("Dataset", d),
                ctx("prod"),
                "allow",
                Some(&task),
                0,
            );
            t.next_minute();
        }
        for m in *models {
            let task = format!("task-{agent}-{m}");
            t.push(
                &id(),
                agent,
                "invoke_model",
                ("Model", m),
                ctx("prod"),
                "allow",
                Some(&task),
                0,
            );
            t.next_minute();
        }
        for to in *delegates {
            let c = json!({"env": "prod", "delegation_depth": 1});
            let task = format!("task-{agent}-to-{to}");
            t.push(
                &id(),
                agent,
                "delegate",
                ("Agent", to),
                c,
                "allow",
                Some(&task),
                0,
            );
            t.next_minute();
        }
    }
}

/// Code → (subject, request ids) of each plant.
type Plants = BTreeMap<&'static str, (&'static str, Vec<&'static str>)>;

/// One planted instance of every finding kind: code → (subject, request ids). A chain
/// finding's subject is the agent that started the task (its examples: the task's first
/// request).
fn planted(t: &mut Traffic) -> Plants {
    let mut p = BTreeMap::new();
    let prod = || ctx("prod");
    t.push(
        "p-ghost",
        "ghost",
        "invoke_tool",
        ("Tool", "search.query"),
        prod(),
        "deny",
        Some("task-ghost"),
        0,
    );
    p.insert("shadow.unregistered", ("ghost", vec!["p-ghost"]));
    t.next_minute();
    t.push(
        "p-retired",
        "retired-bot",
        "invoke_tool",
        ("Tool", "search.query"),
        prod(),
        "deny",
        Some("task-retired"),
        0,
    );
    p.insert("shadow.inactive", ("retired-bot", vec!["p-retired"]));
    t.next_minute();
    t.push(
        "p-tool",
        "alpha",
        "invoke_tool",
        ("Tool", "crm.update"),
        prod(),
        "deny",
        Some("task-p-tool"),
        0,
    );
    p.insert("scope.tool", ("alpha", vec!["p-tool"]));
    t.next_minute();
    t.push(
        "p-dataset",
        "alpha",
        "read_data",
        ("Dataset", "customers"),
        prod(),
        "deny",
        Some("task-p-dataset"),
        0,
    );
    p.insert("scope.dataset", ("alpha", vec!["p-dataset"]));
    t.next_minute();
    t.push(
        "p-model",
        "alpha",
        "invoke_model",
        ("Model", "large-model"),
        prod(),
        "deny",
        Some("task-p-model"),
        0,
    );
    p.insert("scope.model", ("alpha", vec!["p-model"]));
    t.next_minute();
    let c = json!({"env": "prod", "delegation_depth": 1});
    t.push(
        "p-delegate",
        "alpha",
        "delegate",
        ("Agent", "gamma"),
        c,
        "deny",
        Some("task-p-delegate"),
        0,
    );
    p.insert("scope.delegate", ("alpha", vec!["p-delegate"]));
    t.next_minute();
    t.push(
        "p-unknown",
        "alpha",
        "invoke_tool",
        ("Tool", "mystery.tool"),
        prod(),
        "deny",
        Some("task-p-unknown"),
        0,
    );
    p.insert(
        "scope.unknown_resource",
        ("mystery.tool", vec!["p-unknown"]),
    );
    t.next_minute();
    p.insert("grant.unused", ("beta", vec![]));
    // Five denies of the same request within 40 s (a dev context: the environment forbid).
    let burst = [
        "p-burst-1",
        "p-burst-2",
        "p-burst-3",
        "p-burst-4",
        "p-burst-5",
    ];
    for (i, id) in burst.iter().enumerate() {
        t.push(
            id,
            "gamma",
            "invoke_tool",
            ("Tool", "search.query"),
            ctx("dev"),
            "deny",
            Some("task-burst"),
            i as i64 * 10,
        );
    }
    p.insert("retry.burst", ("gamma", burst.to_vec()));
    t.next_minute();
    t.push(
        "p-envs-1",
        "delta",
        "invoke_tool",
        ("Tool", "ci.run"),
        prod(),
        "allow",
        Some("task-envs"),
        0,
    );
    t.push(
        "p-envs-2",
        "delta",
        "invoke_tool",
        ("Tool", "search.query"),
        prod(),
        "allow",
        Some("task-envs"),
        20,
    );
    p.insert("chain.environments", ("delta", vec!["p-envs-1"]));
    t.next_minute();
    // Four systems, sensitivity only falling (medium, medium, low, low).
    let systems = [
        ("p-sys-1", "crm.read"),
        ("p-sys-2", "mail.send"),
        ("p-sys-3", "wiki.read"),
        ("p-sys-4", "search.query"),
    ];
    for (i, (id, tool)) in systems.iter().enumerate() {
        t.push(
            id,
            "beta",
            "invoke_tool",
            ("Tool", tool),
            prod(),
            "allow",
            Some("task-systems"),
            i as i64 * 5,
        );
    }
    p.insert("chain.systems", ("beta", vec!["p-sys-1"]));
    t.next_minute();
    t.push(
        "p-climb-1",
        "delta",
        "invoke_tool",
        ("Tool", "search.query"),
        prod(),
        "allow",
        Some("task-climb"),
        0,
    );
    t.push(
        "p-climb-2",
        "delta",
        "invoke_tool",
        ("Tool", "okta.user.suspend"),
        prod(),
        "allow",
        Some("task-climb"),
        30,
    );
    p.insert("chain.sensitivity", ("delta", vec!["p-climb-1"]));
    t.next_minute();
    for (i, (id, from, to, depth)) in [
        ("p-deep-1", "alpha", "beta", 1),
        ("p-deep-2", "beta", "gamma", 2),
        ("p-deep-3", "gamma", "epsilon", 2),
    ]
    .iter()
    .enumerate()
    {
        let c = json!({"env": "prod", "delegation_depth": depth});
        t.push(
            id,
            from,
            "delegate",
            ("Agent", to),
            c,
            "allow",
            Some("task-deep"),
            i as i64 * 5,
        );
    }
    p.insert("chain.delegation_depth", ("alpha", vec!["p-deep-1"]));
    t.next_minute();
    let c = json!({"env": "prod", "delegation_depth": 4});
    t.push(
        "p-depth",
        "epsilon",
        "invoke_tool",
        ("Tool", "wiki.read"),
        c,
        "allow",
        Some("task-p-depth"),
        0,
    );
    p.insert("delegation.depth", ("epsilon", vec!["p-depth"]));
    t.next_minute();
    let c = json!({"env": "prod", "attested": true, "ttl_seconds": 7200});
    t.push(
        "p-ttl",
        "alpha",
        "request_credential",
        ("Tool", "search.query"),
        c,
        "deny",
        Some("task-p-ttl"),
        0,
    );
    p.insert("credential.ttl_over_ceiling", ("alpha", vec!["p-ttl"]));
    t.next_minute();
    let c = json!({"env": "prod", "attested": false, "ttl_seconds": 60});
    t.push(
        "p-unattested",
        "gamma",
        "request_credential",
        ("Tool", "wiki.read"),
        c,
        "deny",
        Some("task-p-unattested"),
        0,
    );
    p.insert("credential.unattested", ("gamma", vec!["p-unattested"]));
    t.next_minute();
    t.push(
        "p-notask",
        "epsilon",
        "invoke_tool",
        ("Tool", "wiki.read"),
        prod(),
        "allow",
        None,
        0,
    );
    p.insert("logging.missing_task_id", ("epsilon", vec!["p-notask"]));
    t.next_minute();
    // `context.env` is read by the environment forbid without a `has` guard.
    t.push(
        "p-noenv",
        "alpha",
        "invoke_tool",
        ("Tool", "wiki.read"),
        json!({}),
        "deny",
        Some("task-p-noenv"),
        0,
    );
    p.insert("logging.incomplete", ("", vec![]));
    t.next_minute();
    p
}

fn fixture() -> (tempfile::TempDir, Plants, usize) {
    let ws = crate::support::copy_of("tests/fixtures/insights");
    let mut traffic = Traffic {
        lines: Vec::new(),
        minute: 0,
    };
    clean(&mut traffic);
    let clean_count = traffic.lines.len();
    let plants = planted(&mut traffic);
    let mut file = std::fs::File::create(ws.path().join("traffic.jsonl")).unwrap();
    for line in &traffic.lines {
        writeln!(file, "{line}").unwrap();
    }
    let p = ws.path().to_str().unwrap();
    mandate()
        .args([
            "--workspace",
            p,
            "requests",
            "import",
            "traffic.jsonl",
            "--set",
            "fx",
            "--strict",
        ])
        .current_dir(ws.path())
        .assert()
        .success();
    let total = traffic.lines.len();
    // 15 declared tools × (call + credential) − beta's unused credential, 3 dataset reads,
    // 2 model calls, 3 delegations.
    assert_eq!(clean_count, 15 * 2 - 1 + 3 + 2 + 3);
    (ws, plants, total)
}

#[test]
fn every_planted_finding_is_found_exactly_once_and_the_clean_traffic_is_not_flagged() {
    let (ws, plants, total) = fixture();
    let session = Session::open(ws.path()).unwrap();
    let report = session.insights(&InsightsQuery::default()).unwrap();
    assert_eq!(report.set, "fx");
    assert_eq!(report.requests, total as u64);
    assert!(report.notes.is_empty(), "{:?}", report.notes);

    let mut by_code: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for f in &report.findings {
        by_code.entry(f.code.as_str()).or_default().push(f);
    }
    // Every code of the catalog, once each, and no other.
    let codes: Vec<&str> = CATALOG.iter().map(|c| c.0).collect();
    assert_eq!(by_code.keys().copied().collect::<Vec<_>>(), {
        let mut c = codes.clone();
        c.sort_unstable();
        c
    });
    assert_eq!(plants.len(), codes.len(), "a plant per code");
    for (code, found) in &by_code {
        assert_eq!(found.len(), 1, "{code}: {found:#?}");
        let f = found[0];
        let (subject, ids) = &plants[code];
        assert_eq!(&f.subject, subject, "{code}");
        for id in ids {
            assert!(
                f.examples.iter().any(|e| e == id),
                "{code} lacks {id}: {:?}",
                f.examples
            );
        }
        // Only planted requests are ever cited.
        for e in &f.examples {
            assert!(e.starts_with("p-"), "{code} cites the clean request {e}");
        }
        let level = CATALOG.iter().find(|c| c.0 == *code).unwrap().1;
        assert!(f.level <= level, "{code} above its catalog level");
        assert_eq!(
            f.fix.control.as_deref(),
            CATALOG.iter().find(|c| c.0 == *code).unwrap().3
        );
    }

    // The details of a few.
    let one = |code: &str| by_code[code][0];
    let unused = one("grant.unused");
    assert_eq!(unused.count, 1, "{:?}", unused.items);
    assert!(
        unused.items[0].starts_with("request_credential on tool `mail.send`"),
        "{:?}",
        unused.items
    );
    assert_eq!(unused.fix.policies, vec!["credentials-attested".to_owned()]);
    assert_eq!(
        unused.fix.file.as_deref(),
        Some("inventory/agents/beta.toml")
    );
    let burst = one("retry.burst");
    assert_eq!((burst.count, burst.allowed, burst.denied), (5, 0, 5));
    let ghost = one("shadow.unregistered");
    assert_eq!((ghost.count, ghost.allowed, ghost.denied), (1, 0, 1));
    // Scope findings merge an agent's tallies; every planted request has a decision.
    let tool = one("scope.tool");
    assert_eq!(tool.allowed + tool.denied, tool.count, "{tool:?}");
    assert!(tool.denied > 0, "{tool:?}");
    assert!(
        burst.title.contains("the largest 5 denies in 40 s"),
        "{}",
        burst.title
    );
    let deep = one("chain.delegation_depth");
    assert_eq!(deep.subject_kind, SubjectKind::Agent);
    assert_eq!(deep.tasks, vec!["task-deep"]);
    assert_eq!(
        deep.items,
        vec!["task-deep: 3 hops: alpha → beta, beta → gamma, gamma → epsilon"]
    );
    let systems = one("chain.systems");
    assert_eq!(
        systems.items,
        vec!["task-systems: 4 systems: crm, mail, wiki, search"]
    );
    assert_eq!(one("chain.environments").tasks, vec!["task-envs"]);
    let climb = one("chain.sensitivity");
    assert_eq!(climb.tasks, vec!["task-climb"]);
    assert!(climb.title.contains("(low to critical)"), "{}", climb.title);
    assert_eq!(one("delegation.depth").tasks, vec!["task-p-depth"]);
    let ttl = one("credential.ttl_over_ceiling");
    assert!(
        ttl.title.contains("7200 s, over its ceiling of 300 s"),
        "{}",
        ttl.title
    );
    let noenv = one("logging.incomplete");
    assert_eq!(noenv.subject_kind, SubjectKind::Workspace);
    assert_eq!(noenv.count, 1);
    assert!(
        noenv.items[0].starts_with("context.env: missing from 1 of "),
        "{:?}",
        noenv.items
    );
    assert_eq!(noenv.level, Level::Medium);
    let unknown = one("scope.unknown_resource");
    assert_eq!(unknown.subject_kind, SubjectKind::Tool);
    assert_eq!(
        unknown.fix.file.as_deref(),
        Some("inventory/resources.toml")
    );

    // Logging completeness counts the task id on every request but one.
    let task = report
        .logging
        .fields
        .iter()
        .find(|f| f.field == "task_id")
        .unwrap();
    assert_eq!(
        (task.present, task.expected),
        (total as u64 - 1, total as u64)
    );
    // Activity: every request falls in a bucket.
    let bucketed: u64 = report.activity.buckets.iter().map(|b| b.requests).sum();
    assert_eq!(bucketed, total as u64);
    assert_eq!(report.activity.untimed, 0);
    let ghost = report
        .agent_activity
        .iter()
        .find(|a| a.agent == "ghost")
        .unwrap();
    assert_eq!((ghost.requests, ghost.lifecycle.as_deref()), (1, None));
}

#[test]
fn a_task_timeline_and_an_agent_page_reconstruct_what_happened() {
    let (ws, _, _) = fixture();
    let session = Session::open(ws.path()).unwrap();
    let t = session.task_timeline(None, "task-deep").unwrap();
    assert_eq!(t.steps.len(), 3);
    assert_eq!(t.agents, vec!["alpha", "beta", "gamma"]);
    assert_eq!(
        t.hops,
        vec!["alpha → beta", "beta → gamma", "gamma → epsilon"]
    );
    for step in &t.steps {
        // Recorded allow; the current policies allow declared delegation too.
        assert_eq!(step.recorded.as_deref(), Some("allow"));
        assert_eq!(step.current.as_deref(), Some("allow"), "{step:?}");
        assert_eq!(step.current_reasons, vec!["delegates-declared".to_owned()]);
    }
    assert_eq!(
        t.findings
            .iter()
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>(),
        vec!["chain.delegation_depth"]
    );
    // The burst task: the current policies deny a dev context too, by the environment forbid.
    let burst = session.task_timeline(Some("fx"), "task-burst").unwrap();
    assert_eq!(burst.steps.len(), 5);
    assert!(burst
        .steps
        .iter()
        .all(|s| s.current.as_deref() == Some("deny")
            && s.current_reasons == vec!["same-environment".to_owned()]));
    assert_eq!(burst.environments, vec!["prod"]);

    let missing = session.task_timeline(None, "no-such-task").unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound);
    assert!(
        missing.message.contains("no-such-task"),
        "{}",
        missing.message
    );

    let alpha = session.agent_insights("alpha").unwrap();
    assert_eq!(alpha.set.as_deref(), Some("fx"));
    let mut codes: Vec<&str> = alpha.findings.iter().map(|f| f.code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        vec![
            // The task alpha started.
            "chain.delegation_depth",
            "credential.ttl_over_ceiling",
            "scope.dataset",
            "scope.delegate",
            "scope.model",
            "scope.tool"
        ]
    );
    // Nine clean requests and eight planted ones; all of them fit the page's twenty.
    assert_eq!(alpha.activity.unwrap().requests, 17);
    assert_eq!(alpha.recent.len(), 17);
    assert_eq!(alpha.recent[0].id, "p-noenv", "newest first");
    assert_eq!(alpha.recent[16].id, "c-001");
}

#[test]
fn the_cli_prints_every_format_gates_on_level_and_reports_bad_input() {
    let (ws, _, _) = fixture();
    let p = ws.path().to_str().unwrap();
    let run = |args: &[&str]| {
        let mut full = vec!["--workspace", p];
        full.extend_from_slice(args);
        mandate().args(&full).output().unwrap()
    };
    let json: Value =
        serde_json::from_slice(&run(&["--format", "json", "insights"]).stdout).unwrap();
    let findings = json["findings"].as_array().unwrap().len();
    assert_eq!(findings, CATALOG.len());

    let csv = run(&["--format", "csv", "insights"]);
    assert!(csv.status.success());
    let mut reader = csv::Reader::from_reader(csv.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), findings);
    assert_eq!(&rows[0][0], json["findings"][0]["level"].as_str().unwrap());

    let out = ws.path().join("insights.html");
    let html = run(&[
        "--format",
        "html",
        "insights",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(html.status.success());
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains("retry.burst") && page.contains("task-deep"));
    assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"));

    let human = String::from_utf8(run(&["insights"]).stdout).unwrap();
    assert!(human.starts_with(&format!(
        "insights for set `fx` (all recorded time): {} requests",
        json["requests"]
    )));

    // The gate: nothing is critical here, something is high.
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["level"] != "critical"));
    assert_eq!(
        run(&["insights", "--fail-on", "critical"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&["insights", "--fail-on", "high"]).status.code(),
        Some(1)
    );

    let task = String::from_utf8(run(&["insights", "task", "task-deep"]).stdout).unwrap();
    assert!(
        task.contains("delegation: alpha → beta, beta → gamma, gamma → epsilon"),
        "{task}"
    );

    // A window after the planted part leaves nothing.
    let late = run(&[
        "--format",
        "json",
        "insights",
        "--since",
        "2027-01-01T00:00:00Z",
    ]);
    let late: Value = serde_json::from_slice(&late.stdout).unwrap();
    assert_eq!(late["requests"], 0);

    let bad = run(&["insights", "--since", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(
        err.contains("--since `yesterday`") && err.contains("help:"),
        "{err}"
    );
    let unknown = run(&["insights", "--set", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8(unknown.stderr)
        .unwrap()
        .contains("no request set `nope`"));

    // A bad threshold is reported at its line.
    let config = std::fs::read_to_string(ws.path().join("mandate.toml")).unwrap();
    std::fs::write(
        ws.path().join("mandate.toml"),
        config.replace("retry_denies = 5", "retry_denies = 1"),
    )
    .unwrap();
    let broken = run(&["insights"]);
    assert_eq!(broken.status.code(), Some(2));
    let err = String::from_utf8(broken.stderr).unwrap();
    assert!(
        err.contains("mandate.toml:13") && err.contains("`retry_denies` must be at least 2"),
        "{err}"
    );
}
