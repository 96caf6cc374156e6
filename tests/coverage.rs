//! Framework coverage through the api and the CLI, on a copy of the demo workspace with
//! controls written for the test: evidence from real policies deciding real recorded
//! traffic, inventory checks, attestations; mapping edits and applicability written to
//! `controls/controls.toml`.

use chrono::{DateTime, Utc};
use mandate::api::dto::{CoverageReport, CoverageStatus, ErrorCode, Mapping};
use mandate::api::Session;

use crate::support::{demo, mandate};

const CONTROLS: &str = r#"# Test controls; this comment must survive edits.

[[controls]]
id = "T-1"
title = "Inactive agents are denied"
statement = "s"
policies = ["deny-inactive-agents"]

[[controls.mappings]]
framework = "owasp-agentic-top10-2026"
item = "ASI03"
relevance = "r1"

[[controls.mappings]]
framework = "nist-ai-rmf-1.0"
item = "GV-1.1"
relevance = "an abbreviation, resolved to GOVERN 1.1"

[[controls]]
id = "T-2"
title = "Revocation"
statement = "s"

[[controls.attestations]]
statement = "the broker revokes task credentials"
by = "dana@acme.example"
date = "2026-10-15"
expires = "2027-04-15"

[[controls.mappings]]
framework = "owasp-nhi-top10-2025"
item = "NHI1:2025"
relevance = "r2"

[[controls.mappings]]
cited = "CSA MAESTRO T1"
relevance = "as a guidance document cites it"

[[controls]]
id = "T-3"
title = "No shared identities"
statement = "s"
checks = ["identity.shared"]

[[controls.mappings]]
framework = "owasp-agentic-top10-2026"
item = "ASI03"
relevance = "r3"
"#;

fn at(s: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

fn workspace() -> tempfile::TempDir {
    let ws = demo();
    std::fs::write(ws.path().join("controls/controls.toml"), CONTROLS).unwrap();
    mandate()
        .args(["--workspace", ws.path().to_str().unwrap()])
        .args([
            "requests",
            "import",
            "requests/traffic.jsonl",
            "--set",
            "demo",
        ])
        .current_dir(ws.path())
        .assert()
        .success();
    ws
}

fn item(r: &CoverageReport, fw: &str, label: &str) -> (CoverageStatus, Vec<String>) {
    let i = r
        .frameworks
        .iter()
        .find(|f| f.id == fw)
        .unwrap()
        .items
        .iter()
        .find(|i| i.label == label)
        .unwrap();
    (i.status, i.controls.clone())
}

fn control(r: &CoverageReport, id: &str) -> CoverageStatus {
    r.controls.iter().find(|c| c.id == id).unwrap().status
}

fn framework(r: &CoverageReport, id: &str) -> (u32, u32, f64) {
    let f = r.frameworks.iter().find(|f| f.id == id).unwrap();
    (f.applicable, f.implemented, f.percent)
}

const NOW: &str = "2026-11-20T00:00:00Z";

#[test]
fn coverage_follows_the_evidence_and_mapping_edits_land_in_the_controls_file() {
    let ws = workspace();
    let s = Session::open(ws.path()).unwrap();
    let r = s.coverage(at(NOW)).unwrap();
    assert_eq!(r.traffic_set.as_deref(), Some("demo"));

    // T-1's policy decided recorded traffic; T-2 is attested; T-3's check fails on the
    // demo's two agents sharing a workload identity: it watches the control operate with
    // failures, so T-3 is partial (planned would mean nothing is built yet).
    assert_eq!(control(&r, "T-1"), CoverageStatus::Implemented);
    let t1 = r.controls.iter().find(|c| c.id == "T-1").unwrap();
    assert!(
        t1.evidence[0].detail.starts_with("decided "),
        "{:?}",
        t1.evidence
    );
    assert_eq!(control(&r, "T-2"), CoverageStatus::Implemented);
    assert_eq!(control(&r, "T-3"), CoverageStatus::Partial);

    // ASI03 has an implemented and a partial control: partial.
    assert_eq!(
        item(&r, "owasp-agentic-top10-2026", "ASI03"),
        (
            CoverageStatus::Partial,
            vec!["T-1".to_owned(), "T-3".to_owned()]
        )
    );
    // `GV-1.1` resolves to GOVERN 1.1 and counts.
    assert_eq!(
        item(&r, "nist-ai-rmf-1.0", "GOVERN 1.1").0,
        CoverageStatus::Implemented
    );
    let gv = &t1.mappings[1];
    assert_eq!(
        (gv.label.as_deref(), gv.counted),
        (Some("GOVERN 1.1"), true)
    );
    assert_eq!(framework(&r, "nist-ai-rmf-1.0"), (72, 1, 1.4));
    assert_eq!(
        item(&r, "owasp-nhi-top10-2025", "NHI1:2025").0,
        CoverageStatus::Implemented
    );
    // The MAESTRO "T1" citation is flagged, never counted.
    let unresolved: Vec<_> = r
        .gaps
        .iter()
        .filter(|g| g.code == "mapping.unresolved")
        .collect();
    assert_eq!(unresolved.len(), 1);
    assert!(unresolved[0]
        .hint
        .contains("T1 (owasp-agentic-threats-mitigations)"));
    assert_eq!(framework(&r, "csa-maestro").1, 0);
    // `mandate check` warns about both, at their lines.
    let check = s.check();
    let warned: Vec<_> = check
        .findings
        .iter()
        .filter(|f| f.code.starts_with("controls::mapping"))
        .map(|f| (f.code.as_str(), f.line))
        .collect();
    assert_eq!(
        warned,
        [
            ("controls::mapping_variant", 16),
            ("controls::mapping_unresolved", 36)
        ]
    );
    assert_eq!(framework(&r, "owasp-agentic-top10-2026"), (10, 0, 0.0));

    // Drop T-3's mapping: ASI03 rests on T-1 alone and is implemented.
    s.set_control_mappings("T-3", &[], "tester@example.com")
        .unwrap();
    let r = s.coverage(at(NOW)).unwrap();
    assert_eq!(
        item(&r, "owasp-agentic-top10-2026", "ASI03"),
        (CoverageStatus::Implemented, vec!["T-1".to_owned()])
    );
    assert_eq!(framework(&r, "owasp-agentic-top10-2026"), (10, 1, 10.0));

    // Map T-1 to ASI10 too, and mark ASI09 not applicable.
    let t1_mappings = vec![
        Mapping {
            framework: "owasp-agentic-top10-2026".into(),
            item: "ASI03".into(),
            relevance: "r1".into(),
            cited: None,
        },
        Mapping {
            framework: "owasp-agentic-top10-2026".into(),
            item: "ASI10".into(),
            relevance: "inactive rogue agents are denied".into(),
            cited: None,
        },
    ];
    s.set_control_mappings("T-1", &t1_mappings, "tester@example.com")
        .unwrap();
    s.set_not_applicable(
        "owasp-agentic-top10-2026",
        "ASI09",
        Some("our agents never talk to end users"),
        "tester@example.com",
    )
    .unwrap();
    let r = s.coverage(at(NOW)).unwrap();
    assert_eq!(framework(&r, "owasp-agentic-top10-2026"), (9, 2, 22.2));
    assert_eq!(
        item(&r, "owasp-agentic-top10-2026", "ASI09").0,
        CoverageStatus::NotApplicable
    );
    // The GOVERN 1.1 mapping was replaced with the new list.
    assert_eq!(framework(&r, "nist-ai-rmf-1.0").1, 0);

    let text = std::fs::read_to_string(ws.path().join("controls/controls.toml")).unwrap();
    assert!(text.starts_with("# Test controls; this comment must survive edits."));
    assert!(text.contains("item = \"ASI10\""));
    assert!(text.contains("justification = \"our agents never talk to end users\""));
    let audit = s.audit_log(10).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "controls.edit" && e.actor == "tester@example.com")
            .count(),
        3
    );

    // Months later, the traffic evidence is stale: T-1 no longer counts.
    let r = s.coverage(at("2027-06-01T00:00:00Z")).unwrap();
    assert_eq!(control(&r, "T-1"), CoverageStatus::Planned);
    assert!(r.gaps.iter().any(|g| g.code == "evidence.stale"));
    assert!(r.gaps.iter().any(|g| g.code == "attestation.expired"));
}

#[test]
fn bad_mappings_and_a_broken_controls_file_are_refused_with_located_problems() {
    let ws = workspace();
    let s = Session::open(ws.path()).unwrap();
    let before = std::fs::read_to_string(ws.path().join("controls/controls.toml")).unwrap();
    let bad = vec![
        Mapping {
            framework: "nope".into(),
            item: "X".into(),
            relevance: String::new(),
            cited: None,
        },
        Mapping {
            framework: "csa-maestro".into(),
            item: "T1".into(),
            relevance: String::new(),
            cited: None,
        },
    ];
    let e = s
        .set_control_mappings("T-1", &bad, "tester@example.com")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ControlsInvalid);
    let messages: Vec<_> = e.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "mapping 1: unknown framework `nope`",
            "mapping 2: `T1` is not an item of `csa-maestro`"
        ]
    );
    let e = s
        .set_control_mappings("NOPE-1", &[], "tester@example.com")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    let e = s
        .set_not_applicable("owasp-agentic-top10-2026", "ASI09", Some("  "), "t")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ControlsInvalid);
    assert_eq!(
        std::fs::read_to_string(ws.path().join("controls/controls.toml")).unwrap(),
        before,
        "nothing was written"
    );

    std::fs::write(
        ws.path().join("controls/controls.toml"),
        "[[controls]]\nid = \"A\"\ntitle = \"t\"\nstatement = \"s\"\nmapings = []\n",
    )
    .unwrap();
    let e = s.coverage(at(NOW)).unwrap_err();
    assert_eq!(e.code, ErrorCode::ControlsInvalid);
    assert_eq!(
        (e.diagnostics[0].file.as_str(), e.diagnostics[0].line),
        ("controls/controls.toml", 5)
    );
}

#[test]
fn the_cli_prints_coverage_filters_a_framework_and_gates_on_a_percentage() {
    let ws = workspace();
    let p = ws.path().to_str().unwrap();
    let out = mandate()
        .args(["--workspace", p, "--format", "json", "coverage"])
        .args(["--framework", "owasp-nhi-top10-2025"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: CoverageReport = serde_json::from_slice(&out).unwrap();
    assert_eq!(r.frameworks.len(), 1);
    assert_eq!(r.frameworks[0].applicable, 10);
    assert!(r.gaps.iter().all(|g| g
        .framework
        .as_deref()
        .is_none_or(|f| f == "owasp-nhi-top10-2025")));

    let out = mandate()
        .args(["--workspace", p, "coverage", "--framework", "csa-maestro"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("L7: Agent Tool Misuse"), "{text}");
    // MAESTRO's threats have no ids: Mandate's internal keys never show.
    assert!(!text.contains("L7/agent-tool-misuse"), "{text}");

    // Some framework is below 100%: the gate fails with exit 1.
    mandate()
        .args(["--workspace", p, "coverage", "--fail-under", "100"])
        .assert()
        .code(1);
    mandate()
        .args(["--workspace", p, "coverage", "--fail-under", "0"])
        .assert()
        .success();
    let e = mandate()
        .args(["--workspace", p, "coverage", "--framework", "owasp-top10"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let e = String::from_utf8(e).unwrap();
    assert!(e.contains("no framework `owasp-top10`"), "{e}");
    assert!(e.contains("nist-ai-rmf-1.0"), "{e}");
    mandate()
        .args(["--workspace", p, "coverage", "--fail-under", "120"])
        .assert()
        .code(2);
}

const MISSPELT: &str = r#"[[controls]]
id = "T-1"
title = "Tools are scoped"
statement = "s"
checks = ["identity.shard"]
insights = ["scope.tool", "scope.model", "chain.sytems"]

[[controls.attestations]]
statement = "reviewed by hand"
by = "dana@acme.example"
date = "15 Oct 2026"
expires = "2027-04-15"

[[controls.mappings]]
framework = "owasp-agentic-top10-2025"
item = "ASI02"
relevance = "a framework id that does not exist"
"#;

#[test]
fn misspelt_codes_bad_dates_and_unknown_frameworks_are_located_and_never_count() {
    let ws = workspace();
    std::fs::write(ws.path().join("controls/controls.toml"), MISSPELT).unwrap();
    let s = Session::open(ws.path()).unwrap();

    // `mandate check` locates each, as an error, with a hint.
    let check = s.check();
    let found: Vec<_> = check
        .findings
        .iter()
        .filter(|f| f.file == "controls/controls.toml")
        .map(|f| (f.code.as_str(), f.line, f.severity, f.help.as_str()))
        .collect();
    let sev = mandate::diagnostics::Severity::Error;
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(
        found[0],
        (
            "controls::unknown_check",
            5,
            sev,
            "did you mean `identity.shared`?"
        )
    );
    assert_eq!(
        found[1],
        (
            "controls::unknown_insight",
            6,
            sev,
            "did you mean `chain.systems`?"
        )
    );
    assert_eq!((found[2].0, found[2].1), ("controls::attestation_date", 11));
    assert_eq!(
        (found[3].0, found[3].1, found[3].2),
        ("controls::unknown_framework", 15, sev)
    );
    assert!(
        found[3]
            .3
            .starts_with("did you mean `owasp-agentic-top10-2026`? known frameworks:"),
        "{}",
        found[3].3
    );

    // Coverage still computes: the misspelt codes and the bad attestation fail, the scope
    // insight whose attempts were all denied holds, the one with an allowed attempt fails.
    let r = s.coverage(at(NOW)).unwrap();
    let t1 = r.controls.iter().find(|c| c.id == "T-1").unwrap();
    let states: Vec<_> = t1
        .evidence
        .iter()
        .map(|e| (e.subject.as_str(), e.state))
        .collect();
    use mandate::frameworks::coverage::EvidenceState as St;
    assert_eq!(
        states,
        [
            ("identity.shard", St::Failing),
            ("scope.tool", St::Holds),
            ("scope.model", St::Failing),
            ("chain.sytems", St::Failing),
            ("reviewed by hand", St::Failing),
        ]
    );
    let tool = &t1.evidence[1].detail;
    assert!(tool.ends_with("all denied"), "{tool}");
    let model = &t1.evidence[2].detail;
    assert!(model.contains(" attempt(s) allowed ("), "{model}");
    assert!(!model.starts_with("0 of"), "{model}");
    // It operates (the scope insights see it), with failures: partial.
    assert_eq!(t1.status, CoverageStatus::Partial);
    let located: Vec<_> = r
        .gaps
        .iter()
        .filter(|g| g.control.as_deref() == Some("T-1"))
        .filter(|g| g.line.is_some())
        .map(|g| (g.code.as_str(), g.line))
        .collect();
    assert_eq!(
        located,
        [
            ("control.unknown_evidence", Some(5)),
            ("control.unknown_evidence", Some(6)),
            ("attestation.invalid", Some(8)),
            // A misspelt check enforces nothing: only insights and attestations are left.
            ("control.no_enforcement", Some(1)),
            ("mapping.unresolved", Some(15)),
        ]
    );
    // The unknown framework is never resolved in the real one: nothing counts.
    assert!(t1.mappings.iter().all(|m| !m.counted && m.key.is_none()));
    assert_eq!(
        item(&r, "owasp-agentic-top10-2026", "ASI02").0,
        CoverageStatus::Uncovered
    );
}

#[test]
fn every_structural_problem_of_the_controls_file_is_reported() {
    let ws = workspace();
    std::fs::write(
        ws.path().join("controls/controls.toml"),
        "[[controls]]\nid = \"A\"\ntitle = \"t\"\nstatement = \"s\"\nchecks = \"identity.shared\"\n\n\
         [[controls]]\nid = \"A\"\ntitle = \"t\"\nstatement = \"s\"\nowner = \"x\"\n\n\
         [[controls]]\nid = \"C\"\nstatement = \"s\"\n",
    )
    .unwrap();
    let s = Session::open(ws.path()).unwrap();
    let e = s.coverage(at(NOW)).unwrap_err();
    assert_eq!(e.code, ErrorCode::ControlsInvalid);
    assert_eq!(
        e.message,
        "the controls or framework files have 4 problem(s)"
    );
    let found: Vec<_> = e
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.line))
        .collect();
    assert_eq!(
        found,
        [
            ("controls::parse", 5),
            ("controls::duplicate_id", 8),
            ("controls::unknown_field", 11),
            ("controls::parse", 13),
        ]
    );
}

#[test]
fn an_empty_inventory_leaves_the_checks_nothing_to_show() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    mandate()
        .args(["init", ws.to_str().unwrap()])
        .assert()
        .success();
    let s = Session::open(&ws).unwrap();
    let r = s.coverage(at(NOW)).unwrap();
    let checks: Vec<_> = r
        .controls
        .iter()
        .flat_map(|c| &c.evidence)
        .filter(|e| e.kind == mandate::frameworks::coverage::EvidenceKind::Check)
        .collect();
    assert!(!checks.is_empty());
    for e in checks {
        assert_eq!(
            (e.state, e.detail.as_str()),
            (
                mandate::frameworks::coverage::EvidenceState::Missing,
                "no agents to check"
            ),
            "{}",
            e.subject
        );
    }
    // Nothing operates yet: every control is planned, nothing counts.
    assert!(
        r.controls
            .iter()
            .all(|c| c.status == CoverageStatus::Planned),
        "{:?}",
        r.controls
            .iter()
            .map(|c| (&c.id, c.status))
            .collect::<Vec<_>>()
    );
    assert!(r
        .frameworks
        .iter()
        .all(|f| f.implemented == 0 && f.partial == 0));
}
