//! Coverage exports (issue #8) on a copy of the demo workspace with the controls of
//! `tests/fixtures/frameworks-export` (mappings to every built-in framework, a citation that
//! names no official item, an attestation, not-applicable items) and the demo's recorded
//! traffic, at a fixed clock: the alignment CSV, a slice of the matrix, the Markdown report
//! and the OSCAL component-definition are snapshots; the OSCAL ids, the matrix's official
//! ids and the JSON round trip are checked by assertion. Through the real api and CLI.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use mandate::api::dto::{ExportRequest, ExportResult};
use mandate::api::Session;
use mandate::frameworks::coverage::CoverageReport;
use mandate::ErrorCode;
use predicates::prelude::*;
use serde_json::Value;

use crate::support::{demo, mandate};

/// Two days after the demo traffic's last recorded request (Sunday 22 November 2026).
const NOW: &str = "2026-11-24T00:00:00Z";

fn now() -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(NOW)
            .unwrap()
            .with_timezone(&Utc),
    )
}

/// The demo with the fixture's controls and its traffic imported.
fn workspace() -> (tempfile::TempDir, Session) {
    let dir = demo();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/frameworks-export/controls.toml"),
        dir.path().join("controls/controls.toml"),
    )
    .unwrap();
    let session = Session::open(dir.path()).unwrap();
    session
        .import_requests(
            &dir.path().join("requests/traffic.jsonl"),
            "demo",
            false,
            "tester@example.com",
            &mut |_| {},
        )
        .unwrap();
    (dir, session)
}

fn export(
    session: &Session,
    out: &Path,
    format: &str,
    framework: Option<&str>,
    table: Option<&str>,
) -> ExportResult {
    session
        .export_coverage(
            &ExportRequest {
                format: format.into(),
                framework: framework.map(Into::into),
                table: table.map(Into::into),
                out: out.display().to_string(),
            },
            now(),
        )
        .unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// CSV as the snapshot shows it: RFC 4180's CRLF checked, then dropped.
fn csv_lines(text: &str) -> String {
    assert!(text.ends_with("\r\n"), "records end with CRLF");
    assert!(
        !text.replace("\r\n", "").contains('\r'),
        "no bare CR between records"
    );
    text.replace("\r\n", "\n")
}

fn csv_rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// Every `id` and `control-id` of an OSCAL document.
fn ids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "id" || k == "control-id" {
                    out.push(x.as_str().unwrap().to_owned());
                }
                ids(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| ids(x, out)),
        _ => {}
    }
}

fn control_ids(v: &Value, out: &mut HashSet<String>) {
    if let Some(controls) = v.get("controls").and_then(Value::as_array) {
        for c in controls {
            out.insert(c["id"].as_str().unwrap().to_owned());
            control_ids(c, out);
        }
    }
    if let Some(groups) = v.get("groups").and_then(Value::as_array) {
        for g in groups {
            control_ids(g, out);
        }
    }
}

#[test]
fn exports_for_compliance_teams() {
    let (_dir, session) = workspace();
    let out = tempfile::tempdir().unwrap();

    // JSON: the report itself, round-tripping.
    let path = out.path().join("coverage.json");
    let written = export(&session, &path, "json", None, None);
    assert_eq!(written.files, [path.display().to_string()]);
    let parsed: CoverageReport = serde_json::from_str(&read(&path)).unwrap();
    assert_eq!(parsed, session.coverage(now()).unwrap());
    assert_eq!(parsed.generated_at, NOW);

    // The alignment table.
    let path = out.path().join("alignment.csv");
    export(&session, &path, "csv", None, Some("alignment"));
    let alignment = read(&path);
    assert!(alignment.starts_with("Framework,Control / Reference,Relevance\r\n"));
    // Relevance texts a spreadsheet would run as formulas are defused.
    for guarded in ["'=Credential", "'@owner", "'-Per-agent"] {
        assert!(alignment.contains(guarded), "{guarded}");
    }
    // The citation that names no official item is never counted, so never aligned.
    assert!(!alignment.contains("MND-DELEG-02"));
    insta::assert_snapshot!("alignment_csv", csv_lines(&alignment));

    // The matrix: every assessable item of every framework, MAESTRO without official ids.
    let path = out.path().join("matrix.csv");
    export(&session, &path, "csv", None, None);
    let rows = csv_rows(&read(&path));
    let items: HashSet<(&str, &str)> = rows
        .iter()
        .map(|r| (r["Framework"].as_str(), r["Item"].as_str()))
        .collect();
    assert_eq!(items.len(), 10 + 17 + 10 + 56 + 72);
    let maestro: Vec<_> = rows
        .iter()
        .filter(|r| r["Framework"] == "CSA MAESTRO")
        .collect();
    assert!(!maestro.is_empty());
    for r in &maestro {
        assert_eq!(r["Official ID"], "", "{}", r["Item"]);
    }
    assert!(rows.iter().all(|r| !r["Official ID"].contains('/')));
    let uncovered = rows.iter().find(|r| r["Item"] == "ASI01").unwrap();
    assert_eq!(
        (uncovered["Status"].as_str(), uncovered["Control"].as_str()),
        ("uncovered", "")
    );
    let na = rows.iter().find(|r| r["Item"] == "ASI05").unwrap();
    assert_eq!(na["Status"], "not-applicable");
    assert!(na["Justification"].starts_with("No agent of ours"));

    // A stable slice of the matrix: one framework.
    let path = out.path().join("asi.csv");
    export(
        &session,
        &path,
        "csv",
        Some("owasp-agentic-top10-2026"),
        Some("matrix"),
    );
    insta::assert_snapshot!("matrix_csv_asi", csv_lines(&read(&path)));

    // The Markdown report.
    let path = out.path().join("coverage.md");
    export(&session, &path, "md", None, None);
    insta::assert_snapshot!("report_md", read(&path));

    // The HTML report: self-contained, escaped, print-ready.
    let path = out.path().join("coverage.html");
    export(&session, &path, "html", None, None);
    let html = read(&path);
    for remote in [
        "<script",
        "http-equiv",
        "src=",
        "url(",
        "@import",
        "href=\"http",
    ] {
        assert!(!html.contains(remote), "{remote}");
    }
    assert_eq!(html.matches("<section class=\"framework\">").count(), 5 + 1);
    assert_eq!(html.matches("<section class=\"controls\">").count(), 1);
    for rule in [
        "section.framework, section.controls { break-before: page; }",
        "thead { display: table-header-group; }",
        "tr, li, div.head { break-inside: avoid; }",
        "@page",
        "@media print",
    ] {
        assert!(html.contains(rule), "{rule}");
    }
    assert!(html.contains("&quot;even&quot;") && !html.contains("\"even\""));
    assert!(html.contains("MND-CRED-01 → NHI7:2025 Long-Lived Secrets"));
    check_html_report(&html, &parsed);

    // One framework's HTML report, whole.
    let path = out.path().join("nhi.html");
    export(&session, &path, "html", Some("owasp-nhi-top10-2025"), None);
    insta::assert_snapshot!("report_html_nhi", read(&path));

    // OSCAL: a component-definition and, beside it, one derived catalog per framework.
    let path = out.path().join("acme.oscal.json");
    let written = export(&session, &path, "oscal", None, None);
    let names: Vec<String> = written
        .files
        .iter()
        .map(|f| {
            Path::new(f)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "acme.oscal.json",
            "acme.oscal.owasp-agentic-top10-2026.catalog.json",
            "acme.oscal.owasp-agentic-threats-mitigations.catalog.json",
            "acme.oscal.owasp-nhi-top10-2025.catalog.json",
            "acme.oscal.csa-maestro.catalog.json",
            "acme.oscal.nist-ai-rmf-1.0.catalog.json",
        ]
    );
    let component = read(&path);
    insta::assert_snapshot!("oscal_component_definition", component);
    let cd: Value = serde_json::from_str(&component).unwrap();
    let cd = &cd["component-definition"];
    assert_eq!(cd["metadata"]["oscal-version"], "1.2.1");
    assert_eq!(
        cd["components"][0]["title"],
        "Acme agent governance agent controls"
    );
    let resources: HashMap<&str, &Value> = cd["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["uuid"].as_str().unwrap(), r))
        .collect();
    let mut requirements = 0;
    for ci in cd["components"][0]["control-implementations"]
        .as_array()
        .unwrap()
    {
        let source = ci["source"].as_str().unwrap().strip_prefix('#').unwrap();
        let href = resources[source]["rlinks"][0]["href"].as_str().unwrap();
        let catalog: Value = serde_json::from_str(&read(&out.path().join(href))).unwrap();
        let mut defined = HashSet::new();
        control_ids(&catalog["catalog"], &mut defined);
        for ir in ci["implemented-requirements"].as_array().unwrap() {
            requirements += 1;
            let id = ir["control-id"].as_str().unwrap();
            assert!(defined.contains(id), "{id} is not in {href}");
        }
    }
    assert_eq!(requirements, 18);
    for file in &written.files {
        let doc: Value = serde_json::from_str(&read(Path::new(file))).unwrap();
        let mut all = Vec::new();
        ids(&doc, &mut all);
        assert!(!all.is_empty());
        for id in all {
            assert!(
                !id.contains(' ')
                    && !id.contains(':')
                    && mandate::frameworks::export::oscal::is_token(&id),
                "{file}: `{id}` is not an OSCAL token"
            );
        }
    }
    // The minted ids the issue names, with the official labels beside them.
    let nist = read(&out.path().join("acme.oscal.nist-ai-rmf-1.0.catalog.json"));
    assert!(nist.contains("\"id\": \"nist-ai-rmf-govern-1.1\""));
    assert!(nist.contains("\"value\": \"GOVERN 1.1\""));
    assert!(nist.contains("(derived by Mandate from"));
    let maestro = read(&out.path().join("acme.oscal.csa-maestro.catalog.json"));
    assert!(maestro.contains("\"id\": \"csa-maestro-l7-agent-tool-misuse\""));
    assert!(maestro.contains("\"value\": \"L7: Agent Tool Misuse\""));
    let nhi = read(
        &out.path()
            .join("acme.oscal.owasp-nhi-top10-2025.catalog.json"),
    );
    assert!(nhi.contains("\"id\": \"owasp-nhi-2025-nhi1\""));
    assert!(nhi.contains("\"value\": \"NHI1:2025\""));

    // Deterministic: exporting again writes the same bytes (UUIDs from stable names).
    let again = out.path().join("again").join("acme.oscal.json");
    export(&session, &again, "oscal", None, None);
    assert_eq!(read(&again), component);

    // One framework: its catalog only.
    let path = out.path().join("nist.json");
    let written = export(&session, &path, "oscal", Some("nist-ai-rmf-1.0"), None);
    assert_eq!(written.files.len(), 2);
    let one: Value = serde_json::from_str(&read(&path)).unwrap();
    let cis = one["component-definition"]["components"][0]["control-implementations"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(cis, 1);
}

/// The part of `html` from `start` to the next `end` (or the end).
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let rest = &html[from..];
    let to = rest[start.len()..]
        .find(end)
        .map_or(rest.len(), |n| n + start.len());
    &rest[..to]
}

/// The cells of each `<tr>` of `html` (tags stripped, entities decoded), header rows left
/// out.
fn rows(html: &str) -> Vec<Vec<String>> {
    html.split("<tr")
        .skip(1)
        .filter(|r| !r.contains("<th"))
        .map(|r| {
            let r = &r[..r.find("</tr>").unwrap()];
            r.split("<td")
                .skip(1)
                .map(|c| {
                    let c = &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()];
                    let mut text = String::new();
                    let mut tag = false;
                    for ch in c.chars() {
                        match ch {
                            '<' => tag = true,
                            '>' => tag = false,
                            ch if !tag => text.push(ch),
                            _ => {}
                        }
                    }
                    text.replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&#39;", "'")
                        .replace("&amp;", "&")
                })
                .collect()
        })
        .collect()
}

/// The HTML report's item tables and a known control's evidence and mappings.
fn check_html_report(html: &str, report: &CoverageReport) {
    // Every assessable item of the Agentic Top 10, in catalog order, with its status and
    // the controls mapped to it; the item marked not applicable says why.
    let asi = between(html, "<h2>OWASP Agentic Top 10 2026</h2>", "</section>");
    let items = rows(between(asi, "<table class=\"items\">", "</table>"));
    let labels: Vec<&str> = items.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        labels,
        [
            "ASI01", "ASI02", "ASI03", "ASI04", "ASI05", "ASI06", "ASI07", "ASI08", "ASI09",
            "ASI10"
        ]
    );
    assert_eq!(
        items[0],
        ["ASI01", "Agent Goal Hijack", "uncovered", ""].map(String::from)
    );
    assert_eq!(
        items[2][0..3],
        ["ASI03", "Identity and Privilege Abuse", "partial"]
    );
    assert_eq!(items[2][3], "MND-CRED-01 (partial), MND-OWN-01 (partial)");
    assert!(
        items[4][2].starts_with("not applicable: No agent of ours generates or runs code"),
        "{:?}",
        items[4]
    );
    assert!(asi.contains("<a href=\"#control-MND-CRED-01\">MND-CRED-01</a>"));

    // NIST: 72 subcategories under 4 functions and 19 categories; labels, never keys.
    let nist = between(html, "<h2>NIST AI RMF 1.0</h2>", "</section>");
    let table = between(nist, "<table class=\"items\">", "</table>");
    assert_eq!(table.matches("<tr class=\"group d0\">").count(), 4);
    assert_eq!(table.matches("<tr class=\"group d1\">").count(), 19);
    let nist_rows = rows(table);
    assert_eq!(nist_rows.len(), 4 + 19 + 72);
    let govern17 = nist_rows.iter().find(|r| r[0] == "GOVERN 1.7").unwrap();
    assert_eq!(govern17[2], "partial");
    assert_eq!(govern17[3], "MND-LIFECYCLE-01 (partial)");
    // Item texts (NIST's items have no title) are cut at a word, never inside one.
    let texts: HashMap<&str, &str> = report
        .frameworks
        .iter()
        .find(|f| f.id == "nist-ai-rmf-1.0")
        .unwrap()
        .items
        .iter()
        .map(|i| (i.label.as_str(), i.text.as_str()))
        .collect();
    let mut cut = 0;
    for r in &nist_rows {
        let full = texts[r[0].as_str()];
        match r[1].strip_suffix('…') {
            Some(head) => {
                cut += 1;
                let rest = full
                    .strip_prefix(head)
                    .unwrap_or_else(|| panic!("{}", r[1]));
                assert!(
                    rest.starts_with(|c: char| c.is_whitespace() || ",;:.".contains(c)),
                    "cut inside a word: {}",
                    r[1]
                );
            }
            None => assert_eq!(r[1], full),
        }
    }
    assert!(cut > 0);
    // MAESTRO items under their layers, by label.
    let maestro = between(html, "<h2>CSA MAESTRO</h2>", "</section>");
    let maestro_rows = rows(between(maestro, "<table class=\"items\">", "</table>"));
    let tool_misuse = maestro_rows
        .iter()
        .find(|r| r[0] == "L7: Agent Tool Misuse")
        .unwrap();
    assert_eq!(tool_misuse[2], "partial");
    assert!(
        !maestro.contains("L7/"),
        "MAESTRO's internal keys stay internal"
    );

    // A control: its status, statement, every piece of evidence and its mappings.
    let cred = between(
        html,
        "<div class=\"control\" id=\"control-MND-CRED-01\">",
        "<div class=\"control\"",
    );
    assert!(cred.contains("<h3>MND-CRED-01 Credential lifetime within the tier ceiling</h3>"));
    assert!(cred.contains("Status: <span class=\"st st-partial\">partial</span>"));
    assert!(cred.contains("A credential lives no longer than the ceiling"));
    let evidence = rows(between(cred, "<table class=\"evidence\">", "</table>"));
    assert_eq!(
        evidence,
        [
            [
                "policy",
                "credential-ttl-within-ceiling",
                "holds",
                "decided 18 recorded request(s)",
                "2026-11-22T17:58:38Z",
                "policies/credentials.cedar:20"
            ],
            [
                "check",
                "credentials.ttl_above_ceiling",
                "failing",
                "1 finding(s): agent:invoice-reconciler",
                NOW,
                ""
            ]
        ]
        .map(|r| r.map(String::from))
    );
    let mappings = rows(between(cred, "<table class=\"mappings\">", "</table>"));
    assert_eq!(mappings.len(), 3);
    assert_eq!(
        mappings[1][0..2],
        ["OWASP NHI Top 10 2025", "NHI7:2025 Long-Lived Secrets"]
    );
    // The citation naming no official item is listed, marked as not counted.
    let deleg = between(
        html,
        "<div class=\"control\" id=\"control-MND-DELEG-02\">",
        "<div class=\"control\"",
    );
    let unresolved = rows(between(deleg, "<table class=\"mappings\">", "</table>"));
    assert!(
        unresolved
            .iter()
            .any(|r| r[1].starts_with("CSA MAESTRO T1 — not counted: ")),
        "{unresolved:?}"
    );
}

#[test]
fn export_requests_are_checked() {
    let dir = demo();
    let session = Session::open(dir.path()).unwrap();
    let out = dir.path().join("out.csv").display().to_string();
    let req = |format: &str, framework: Option<&str>, table: Option<&str>| ExportRequest {
        format: format.into(),
        framework: framework.map(Into::into),
        table: table.map(Into::into),
        out: out.clone(),
    };
    let e = session
        .export_coverage(&req("pdf", None, None), now())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    let e = session
        .export_coverage(&req("csv", None, Some("rows")), now())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    let e = session
        .export_coverage(&req("md", None, Some("alignment")), now())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    let e = session
        .export_coverage(&req("csv", Some("owasp-llm-top10"), None), now())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    let help = e.help.unwrap();
    for id in [
        "owasp-agentic-top10-2026",
        "owasp-agentic-threats-mitigations",
        "owasp-nhi-top10-2025",
        "csa-maestro",
        "nist-ai-rmf-1.0",
    ] {
        assert!(help.contains(id), "{help}");
    }
    assert!(!Path::new(&out).exists(), "nothing written on an error");
}

#[test]
fn cli_export_prints_the_files_written() {
    let dir = demo();
    let ws = dir.path().to_str().unwrap();
    let out = dir.path().join("exports").join("mandate.json");
    mandate()
        .args(["-w", ws, "export", "--format", "oscal", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with(format!("wrote {}\n", out.display())).and(
                predicate::str::contains("mandate.nist-ai-rmf-1.0.catalog.json"),
            ),
        );
    assert!(out.is_file());
    // The default format is not an export format.
    mandate()
        .args(["-w", ws, "export", "--out", "x.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "use --format csv, json, oscal, md or html",
        ));
    mandate()
        .args([
            "-w",
            ws,
            "export",
            "--format",
            "md",
            "--framework",
            "nope",
            "--out",
            "x.md",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no framework `nope`")
                .and(predicate::str::contains("nist-ai-rmf-1.0")),
        );
    // Other commands refuse the export-only formats.
    mandate()
        .args(["-w", ws, "schema", "--format", "oscal"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not print this --format"));
}
