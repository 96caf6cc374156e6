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
    // demo's two agents sharing a workload identity.
    assert_eq!(control(&r, "T-1"), CoverageStatus::Implemented);
    let t1 = r.controls.iter().find(|c| c.id == "T-1").unwrap();
    assert!(
        t1.evidence[0].detail.starts_with("decided "),
        "{:?}",
        t1.evidence
    );
    assert_eq!(control(&r, "T-2"), CoverageStatus::Implemented);
    assert_eq!(control(&r, "T-3"), CoverageStatus::Planned);

    // ASI03 has an implemented and a planned control: partial.
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
