//! The inventory through the CLI on copies of the demo workspace: planted gaps found,
//! edits validated before writing, lifecycle guards, imports and exports.

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{demo, mandate};

fn run(ws: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    mandate().arg("--workspace").arg(ws).args(args).assert()
}

fn json(ws: &Path, args: &[&str], code: i32) -> Value {
    let out = run(ws, &[&["--format", "json"], args].concat())
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn codes_for(report: &Value, subject: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"] == subject)
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn check_finds_every_planted_gap_in_the_demo() {
    let ws = demo();
    let report = json(ws.path(), &["check"], 1);
    let expected = [
        ("agent:faq-bot", "accountable.missing"),
        ("agent:churn-predictor", "accountable.departed"),
        ("agent:refund-approver", "escalation.missing"),
        ("agent:code-style-bot", "recertification.overdue"),
        ("agent:deploy-bot", "approval.self_approved"),
        ("agent:log-summariser", "identity.shared"),
        ("agent:monitor-muter", "identity.shared"),
        ("agent:ticket-tagger", "lifecycle.never_approved"),
        ("agent:warehouse-loader", "credentials.no_attestation"),
        ("agent:invoice-reconciler", "credentials.ttl_above_ceiling"),
        ("agent:pipeline-tester", "environment.mismatch"),
        ("agent:alert-router", "delegation.cycle"),
        ("agent:faq-bot", "delegation.to_higher_risk"),
        ("agent:release-notes-writer", "reference.unknown"),
        ("agent:legacy-exporter", "policy.names_retired_agent"),
        // The demo keeps one citation as a guidance document wrote it: flagged, not counted.
        (
            "file:controls/controls.toml",
            "controls::mapping_unresolved",
        ),
    ];
    for (subject, code) in expected {
        assert!(
            codes_for(&report, subject).contains(&code.to_owned()),
            "{subject} {code}: {report:#}"
        );
    }
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        expected.len(),
        "no unplanted gaps: {report:#}"
    );
    assert_eq!(report["agent_count"], 33);
    let f = &report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "accountable.missing")
        .unwrap()
        .clone();
    assert_eq!(f["file"], "inventory/agents/faq-bot.toml");
    assert_eq!(f["field"], "accountable");
    assert!(f["help"].as_str().unwrap().contains("accountable"));
}

#[test]
fn add_an_agent_without_accountable_human_then_fix_it() {
    let ws = demo();
    run(
        ws.path(),
        &[
            "agents",
            "add",
            "notes-bot",
            "--name",
            "Meeting notes",
            "--team",
            "support",
        ],
    )
    .success()
    .stdout("registered agent `notes-bot` (draft, low)\n");
    let text = std::fs::read_to_string(ws.path().join("inventory/agents/notes-bot.toml")).unwrap();
    assert!(text.contains("lifecycle = \"draft\"\n"), "{text}");
    assert_eq!(
        codes_for(&json(ws.path(), &["check"], 1), "agent:notes-bot"),
        vec!["accountable.missing"]
    );
    run(
        ws.path(),
        &[
            "agents",
            "set",
            "notes-bot",
            "accountable=sam",
            "tools=zendesk.ticket.read,slack.message.post",
        ],
    )
    .success();
    assert_eq!(
        codes_for(&json(ws.path(), &["check"], 1), "agent:notes-bot"),
        Vec::<String>::new()
    );
    let shown = json(ws.path(), &["agents", "show", "notes-bot"], 0);
    assert_eq!(
        shown["agent"]["tools"],
        serde_json::json!(["zendesk.ticket.read", "slack.message.post"])
    );
}

#[test]
fn an_invalid_edit_is_refused_and_nothing_is_written() {
    let ws = demo();
    let file = ws.path().join("inventory/agents/kb-answerer.toml");
    let before = std::fs::read_to_string(&file).unwrap();
    let out = mandate()
        .arg("--workspace")
        .arg(ws.path())
        .args([
            "--error-format",
            "json",
            "agents",
            "set",
            "kb-answerer",
            "spiffe_id=spiffe://Acme/x",
            "max_ttl_seconds=0",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(err["code"], "inventory_invalid");
    let fields: Vec<&str> = err["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["spiffe_id", "max_ttl_seconds"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    run(ws.path(), &["agents", "set", "kb-answerer", "colour=blue"])
        .code(2)
        .stderr(predicate::str::contains("unknown field `colour`"));
    run(
        ws.path(),
        &["agents", "set", "kb-answerer", "lifecycle=retired"],
    )
    .code(2)
    .stderr(predicate::str::contains("only through a transition"));
    run(
        ws.path(),
        &[
            "agents",
            "add",
            "kb-answerer",
            "--name",
            "x",
            "--team",
            "support",
        ],
    )
    .code(2)
    .stderr(predicate::str::contains("already exists"));
}

#[test]
fn lifecycle_guards_and_audit_trail() {
    let ws = demo();
    let p = ws.path();
    run(
        p,
        &[
            "agents",
            "add",
            "new-bot",
            "--name",
            "New",
            "--team",
            "billing",
            "--accountable",
            "dana",
            "--tier",
            "high",
            "--max-ttl",
            "300",
            "--attestation",
        ],
    )
    .success();
    // The accountable human may not approve a high-risk agent.
    run(
        p,
        &[
            "--as",
            "dana@acme.example",
            "agents",
            "lifecycle",
            "new-bot",
            "approved",
            "--reason",
            "mine",
        ],
    )
    .code(2)
    .stderr(predicate::str::contains(
        "is the accountable human of high agent `new-bot`",
    ));
    run(
        p,
        &[
            "--as",
            "lee@acme.example",
            "agents",
            "lifecycle",
            "new-bot",
            "approved",
            "--reason",
            "reviewed",
        ],
    )
    .success();
    // No workload identity yet: activation refused.
    run(
        p,
        &[
            "--as",
            "lee",
            "agents",
            "lifecycle",
            "new-bot",
            "active",
            "--reason",
            "go",
        ],
    )
    .code(2)
    .stderr(predicate::str::contains("no workload identity"));
    run(
        p,
        &[
            "agents",
            "set",
            "new-bot",
            "spiffe_id=spiffe://acme.example/prod/billing/new-bot",
        ],
    )
    .success();
    run(
        p,
        &[
            "--as",
            "lee",
            "agents",
            "lifecycle",
            "new-bot",
            "active",
            "--reason",
            "go",
        ],
    )
    .success();
    run(
        p,
        &[
            "--as",
            "lee",
            "agents",
            "lifecycle",
            "new-bot",
            "retired",
            "--reason",
            "done",
        ],
    )
    .success();
    run(
        p,
        &[
            "--as",
            "lee",
            "agents",
            "lifecycle",
            "new-bot",
            "active",
            "--reason",
            "again",
        ],
    )
    .code(2)
    .stderr(predicate::str::contains("cannot go from retired to active"));
    let agent = json(p, &["agents", "show", "new-bot"], 0);
    assert_eq!(agent["agent"]["lifecycle"], "retired");
    assert_eq!(agent["agent"]["approved_by"], "lee");

    let session = mandate::api::Session::open(p).unwrap();
    let log = session.audit_log(20).unwrap();
    let trail: Vec<(String, String)> = log
        .iter()
        .rev()
        .map(|e| (e.action.clone(), e.actor.clone()))
        .collect();
    assert_eq!(
        trail,
        vec![
            ("agent.create".to_owned(), "tester@example.com".to_owned()),
            ("agent.lifecycle".to_owned(), "lee@acme.example".to_owned()),
            ("agent.update".to_owned(), "tester@example.com".to_owned()),
            ("agent.lifecycle".to_owned(), "lee".to_owned()),
            ("agent.lifecycle".to_owned(), "lee".to_owned()),
        ]
    );
    let retire = &log[0];
    assert_eq!(retire.before.as_deref(), Some(r#"{"lifecycle":"active"}"#));
    assert_eq!(
        retire.after.as_deref(),
        Some(r#"{"lifecycle":"retired","reason":"done","approved_by":"lee"}"#)
    );
}

#[test]
fn export_then_import_is_a_no_op_and_dry_run_writes_nothing() {
    let ws = demo();
    let p = ws.path();
    let csv_path = p.join("agents.csv");
    run(
        p,
        &[
            "--format",
            "csv",
            "agents",
            "export",
            "--out",
            csv_path.to_str().unwrap(),
        ],
    )
    .success();
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(csv.lines().count(), 34, "header + 33 agents");
    let report = json(p, &["agents", "import", csv_path.to_str().unwrap()], 0);
    assert_eq!(report["plan"]["unchanged"], 33);
    assert_eq!(report["applied"], false);

    let edited = csv.replace("Knowledge-base answerer", "KB answerer")
        + "hr-helper,HR helper,,,,,support,sam,,,low,prod,draft,,,,,,,900,false,,,\n"
        + "sneaky,Sneaky,,,,,support,sam,,,low,prod,active,,,,,,,900,false,,,\n";
    std::fs::write(&csv_path, edited).unwrap();
    let before = std::fs::read_to_string(p.join("inventory/agents/kb-answerer.toml")).unwrap();
    run(
        p,
        &["agents", "import", csv_path.to_str().unwrap(), "--dry-run"],
    )
    .code(1)
    .stdout(
        predicate::str::contains("add      hr-helper")
            .and(predicate::str::contains("change   kb-answerer (name)"))
            .and(predicate::str::contains("conflict sneaky"))
            .and(predicate::str::contains("dry run: nothing written")),
    );
    assert_eq!(
        std::fs::read_to_string(p.join("inventory/agents/kb-answerer.toml")).unwrap(),
        before
    );
    assert!(!p.join("inventory/agents/hr-helper.toml").exists());
    run(p, &["agents", "import", csv_path.to_str().unwrap()]).code(1);
    assert!(p.join("inventory/agents/hr-helper.toml").exists());
    assert!(!p.join("inventory/agents/sneaky.toml").exists());
    assert!(
        std::fs::read_to_string(p.join("inventory/agents/kb-answerer.toml"))
            .unwrap()
            .contains("name = \"KB answerer\"")
    );
}

#[test]
fn hr_export_drives_the_departed_check_and_bad_rows_write_nothing() {
    let ws = demo();
    let p = ws.path();
    let hr = p.join("hr.csv");
    std::fs::write(
        &hr,
        "id,name,email,team,status\nsam,Sam Okafor,sam@acme.example,support,terminated\n",
    )
    .unwrap();
    run(
        p,
        &["agents", "import", hr.to_str().unwrap(), "--kind", "people"],
    )
    .success()
    .stdout(predicate::str::contains("change   sam (departed)"));
    let report = json(p, &["check"], 1);
    for agent in ["agent:support-triage", "agent:ticket-tagger"] {
        assert!(
            codes_for(&report, agent).contains(&"accountable.departed".to_owned()),
            "{agent}"
        );
    }
    let people = std::fs::read_to_string(p.join("inventory/people.toml")).unwrap();
    std::fs::write(
        &hr,
        "id,name,email,team,departed\nrhea,Rhea,rhea@acme.example,support,perhaps\n",
    )
    .unwrap();
    run(
        p,
        &["agents", "import", hr.to_str().unwrap(), "--kind", "people"],
    )
    .code(1)
    .stdout(predicate::str::contains(
        "hr.csv:2:1: error: `departed` is not true or false: `perhaps`",
    ));
    assert_eq!(
        std::fs::read_to_string(p.join("inventory/people.toml")).unwrap(),
        people
    );
}

#[test]
fn mcp_tools_list_registers_tools() {
    let ws = demo();
    let p = ws.path();
    let file = p.join("tools.json");
    std::fs::write(&file, r#"{"tools":[{"name":"search_issues","description":"Search issues","inputSchema":{"type":"object","properties":{"q":{"type":"string"}}}}]}"#).unwrap();
    run(
        p,
        &[
            "agents",
            "import",
            file.to_str().unwrap(),
            "--kind",
            "mcp-tools",
            "--server",
            "linear",
            "--sensitivity",
            "low",
        ],
    )
    .success();
    let resources = std::fs::read_to_string(p.join("inventory/resources.toml")).unwrap();
    assert!(
        resources.contains("id = \"linear.search_issues\""),
        "{resources}"
    );
    run(
        p,
        &["agents", "set", "kb-answerer", "tools=linear.search_issues"],
    )
    .success();
    assert_eq!(
        codes_for(&json(p, &["check"], 1), "agent:kb-answerer"),
        Vec::<String>::new()
    );
}

#[test]
fn malformed_agent_file_is_located_and_the_rest_still_loads() {
    let ws = demo();
    let p = ws.path();
    std::fs::write(
        p.join("inventory/agents/broken.toml"),
        "id = \"broken\"\nname = \"B\"\nrisk_tier = \"extreme\"\n",
    )
    .unwrap();
    let out = run(p, &["check"]).code(1).get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("inventory/agents/broken.toml:3: error: unknown variant `extreme`"),
        "{text}"
    );
    assert!(text.contains("33 agents checked"), "{text}");
}

#[test]
fn schema_and_entities_come_from_the_inventory() {
    let ws = demo();
    let p = ws.path();
    let schema = json(p, &["schema"], 0);
    assert!(schema["Acme"]["entityTypes"]["Agent"].is_object());
    run(p, &["--format", "cedar", "schema"])
        .success()
        .stdout(predicate::str::starts_with(
            "// Mandate's agent-governance schema",
        ));
    let entities: Value =
        serde_json::from_slice(&run(p, &["entities"]).success().get_output().stdout).unwrap();
    let agents = entities
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["uid"]["type"] == "Acme::Agent")
        .count();
    assert_eq!(agents, 33);
    let billing = entities
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["uid"]["id"] == "billing-bot")
        .unwrap();
    assert_eq!(billing["attrs"]["risk_rank"], 3);
    assert_eq!(
        billing["parents"],
        serde_json::json!([{ "type": "Acme::Team", "id": "billing" }])
    );
}

#[test]
fn test_bench_decides_one_request_with_determining_policies_and_sources() {
    let ws = demo();
    let p = ws.path();
    let allow = json(
        p,
        &[
            "test",
            "--principal",
            "Agent::\"code-reviewer\"",
            "--action",
            "invoke_tool",
            "--resource",
            "Tool::\"github.pr.comment\"",
            "--context",
            r#"{"env":"prod"}"#,
        ],
        0,
    );
    assert_eq!(allow["decision"], "allow");
    assert_eq!(allow["determining"][0]["id"], "permit-allowed-tools");
    assert_eq!(allow["determining"][0]["file"], "policies/tools.cedar");
    assert!(allow["determining"][0]["text"]
        .as_str()
        .unwrap()
        .contains("principal.allowed_tools.contains(resource)"));
    let deny = json(
        p,
        &[
            "test",
            "--principal",
            "Acme::Agent::\"billing-bot\"",
            "--action",
            "Acme::Action::\"invoke_tool\"",
            "--resource",
            "Tool::\"stripe.refund\"",
            "--context",
            r#"{"env":"prod"}"#,
        ],
        1,
    );
    let ids: Vec<&str> = deny["determining"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec!["billing-refunds-need-ticket", "step-up-for-sensitive-tools"]
    );
    // With a ticket and step-up approval, the refund is allowed.
    let ok = json(
        p,
        &[
            "test",
            "--principal",
            "Agent::\"billing-bot\"",
            "--action",
            "invoke_tool",
            "--resource",
            "Tool::\"stripe.refund\"",
            "--context",
            r#"{"env":"prod","task_id":"ticket-42","step_up_approved":true}"#,
        ],
        0,
    );
    assert_eq!(ok["decision"], "allow");
    // The demo's one template link grants the incident commander the observability tools,
    // with step-up; the determining policy is located at its link.
    let linked = json(
        p,
        &[
            "test",
            "--principal",
            "Agent::\"incident-commander\"",
            "--action",
            "invoke_tool",
            "--resource",
            "Tool::\"datadog.logs.search\"",
            "--context",
            r#"{"env":"prod","step_up_approved":true}"#,
        ],
        0,
    );
    assert_eq!(
        linked["determining"][0]["id"],
        "grant-incident-commander-observability"
    );
    assert_eq!(linked["determining"][0]["file"], "policies/links.toml");
    assert_eq!(linked["determining"][0]["line"], 5);
    // Without the step-up the grant does not apply.
    let no_step_up = json(
        p,
        &[
            "test",
            "--principal",
            "Agent::\"incident-commander\"",
            "--action",
            "invoke_tool",
            "--resource",
            "Tool::\"datadog.logs.search\"",
            "--context",
            r#"{"env":"prod"}"#,
        ],
        1,
    );
    assert_eq!(no_step_up["determining"], serde_json::json!([]));
    // A context field the schema does not know is refused with the value named.
    run(
        p,
        &[
            "test",
            "--principal",
            "Agent::\"billing-bot\"",
            "--action",
            "invoke_tool",
            "--resource",
            "Tool::\"stripe.refund\"",
            "--context",
            r#"{"env":"prod","colour":"red"}"#,
        ],
    )
    .code(2)
    .stderr(predicate::str::contains("invalid context"));
}
