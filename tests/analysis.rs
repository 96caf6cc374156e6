//! `mandate analyze`: the symbolic diff per environment with counterexamples replayed
//! concretely, the findings on one policy set, and solver problems. These run the real
//! solver that `scripts/deps.sh` installs (cvc5 1.4 under target/solver-venv).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{demo_in_git, mandate};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/analysis")
        .join(name)
}

/// Runs `analyze` on loose fixture files and returns (exit code, JSON).
fn analyze(args: &[&str]) -> (i32, Value) {
    let schema = fixture("schema.cedarschema");
    let out = mandate()
        .args(["analyze", "--format", "json", "--schema"])
        .arg(&schema)
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

fn diff(baseline: &str, candidate: &str) -> Value {
    let (b, c) = (fixture(baseline), fixture(candidate));
    let (code, json) = analyze(&[
        "--no-findings",
        "--baseline",
        b.to_str().unwrap(),
        "--candidate",
        c.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["problems"], Value::Array(vec![]), "{json}");
    json
}

fn env<'a>(json: &'a Value, action: &str) -> &'a Value {
    json["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no environment for {action} in {json}"))
}

/// The entity `uid` of a counterexample, with its attributes.
fn entity<'a>(cex: &'a Value, ty: &str) -> &'a Value {
    cex["request"]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["uid"]["type"] == ty)
        .unwrap_or_else(|| panic!("no {ty} entity in {cex}"))
}

#[test]
fn each_relation_is_proved_with_counterexamples_that_replay_as_predicted() {
    let cases = [
        ("base.cedar", "equivalent.cedar", "equivalent", vec![]),
        (
            "base.cedar",
            "more.cedar",
            "more-permissive",
            vec!["candidate-allows"],
        ),
        (
            "base.cedar",
            "less.cedar",
            "less-permissive",
            vec!["candidate-denies"],
        ),
        (
            "base.cedar",
            "incomparable.cedar",
            "incomparable",
            vec!["candidate-allows", "candidate-denies"],
        ),
    ];
    for (baseline, candidate, relation, directions) in cases {
        let json = diff(baseline, candidate);
        let read = env(&json, "read");
        assert_eq!(read["relation"], relation, "{candidate}: {read}");
        assert_eq!(read["principal_type"], "User");
        assert_eq!(read["resource_type"], "Doc");
        // The write environment has no policy on either side.
        assert_eq!(env(&json, "write")["relation"], "equivalent");
        let cexs = read["counterexamples"].as_array().unwrap();
        let got: Vec<&str> = cexs
            .iter()
            .map(|c| c["direction"].as_str().unwrap())
            .collect();
        assert_eq!(got, directions, "{candidate}: {read}");
        for c in cexs {
            // Replayed through the scope index: the decisions differ the way the proof says.
            assert_eq!(c["confirmed"], true, "{c}");
            let (b, k) = (&c["baseline"]["decision"], &c["candidate"]["decision"]);
            if c["direction"] == "candidate-allows" {
                assert_eq!(
                    (b.as_str(), k.as_str()),
                    (Some("deny"), Some("allow")),
                    "{c}"
                );
            } else {
                assert_eq!(
                    (b.as_str(), k.as_str()),
                    (Some("allow"), Some("deny")),
                    "{c}"
                );
            }
            assert_eq!(c["request"]["action"], "Action::\"read\"");
        }
    }
    // The more-permissive counterexample is a document nobody owns with a low classification:
    // what `read-unclassified` adds.
    let json = diff("base.cedar", "more.cedar");
    let cex = &env(&json, "read")["counterexamples"][0];
    assert_eq!(
        cex["candidate"]["reasons"],
        serde_json::json!(["read-unclassified"])
    );
    let doc = entity(cex, "Doc");
    assert!(
        doc["attrs"]["classification"].as_i64().unwrap() < 2,
        "{doc}"
    );
    assert_ne!(
        doc["attrs"]["owner"]["__entity"]["id"],
        cex["request"]["principal"]
    );
}

#[test]
fn a_unary_minus_on_the_smallest_long_is_found_and_replayed() {
    // `-c > -2` is `c < 2` except where negating overflows: the solver must find
    // classification = i64::MIN, where the candidate's permit errors and denies.
    let json = diff("incomparable.cedar", "negated.cedar");
    let read = env(&json, "read");
    assert_eq!(read["relation"], "less-permissive", "{read}");
    let cex = &read["counterexamples"][0];
    assert_eq!(
        entity(cex, "Doc")["attrs"]["classification"],
        i64::MIN,
        "{cex}"
    );
    assert_eq!(cex["confirmed"], true);
    assert_eq!(
        cex["candidate"]["errors"],
        serde_json::json!(["read-unclassified"])
    );
    // The human rendering shows the entity whose value decides it.
    let out = mandate()
        .args(["analyze", "--no-findings", "--schema"])
        .arg(fixture("schema.cedarschema"))
        .arg("--baseline")
        .arg(fixture("incomparable.cedar"))
        .arg("--candidate")
        .arg(fixture("negated.cedar"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(r#"entity Doc::"" {classification: -9223372036854775808, owner: User::""}"#),
        "{text}"
    );
}

#[test]
fn every_finding_kind_fires_on_its_fixture_and_none_on_the_clean_one() {
    let f = fixture("findings.cedar");
    let (code, json) = analyze(&["--findings-only", "--candidate", f.to_str().unwrap()]);
    assert_eq!(code, 1, "a fail-open forbid exits 1: {json}");
    let mut got: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["policy"].as_str().unwrap().to_owned(),
                f["other"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("always-matches", "permit-all-reads", ""),
        ("equivalent", "read-own", "read-own-again"),
        ("fail-open", "forbid-large-delta", ""),
        ("never-matches", "write-impossible", ""),
        ("overridden-permit", "write-low", "forbid-write-below-five"),
        ("shadowed-permit", "read-own", "permit-all-reads"),
        ("shadowed-permit", "read-own-again", "permit-all-reads"),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(got, want, "{json}");
    let fail_open = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "fail-open")
        .unwrap();
    assert_eq!(fail_open["severity"], "error");
    assert_eq!(
        fail_open["line"], 12,
        "located at the forbid's line: {fail_open}"
    );
    assert!(fail_open["file"]
        .as_str()
        .unwrap()
        .ends_with("findings.cedar"));
    assert_eq!(
        fail_open["environments"],
        serde_json::json!(["User × write × Doc"])
    );
    // The witness makes `context.delta + 1` overflow, and the replay engine agrees.
    assert_eq!(
        fail_open["witness"]["context"]["delta"],
        i64::MAX,
        "{fail_open}"
    );
    assert_eq!(fail_open["confirmed"], true);
    assert_eq!(
        fail_open["outcome"]["errors"],
        serde_json::json!(["forbid-large-delta"])
    );

    let clean = fixture("clean.cedar");
    let (code, json) = analyze(&["--findings-only", "--candidate", clean.to_str().unwrap()]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["findings"], Value::Array(vec![]), "{json}");
    assert_eq!(json["problems"], Value::Array(vec![]), "{json}");
    assert!(json["queries"].as_u64().unwrap() > 0);
}

#[test]
fn a_missing_solver_is_a_coded_error_naming_what_was_tried() {
    let clean = fixture("clean.cedar");
    let out = mandate()
        .env("CVC5", "/nonexistent/cvc5")
        .args([
            "analyze",
            "--error-format",
            "json",
            "--findings-only",
            "--schema",
        ])
        .arg(fixture("schema.cedarschema"))
        .args(["--candidate", clean.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["code"], "solver_unavailable", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("`/nonexistent/cvc5` ($CVC5): not found"),
        "{err}"
    );
    assert!(err["help"].as_str().unwrap().contains("scripts/deps.sh"));
}

#[test]
fn a_query_the_solver_cannot_answer_is_a_problem_and_the_rest_still_runs() {
    // z3 has no theory of finite sets: the demo's set-based policies fail on it, named by
    // environment with what to do, while the rest still runs: the findings' queries that
    // need no set are proved. (Every action of the demo has a set-based permit, and the
    // entities' set attributes leave z3's counterexamples unreadable, so no environment of
    // the diff against nothing is decided.)
    let z3 = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/solver-venv/bin/z3");
    assert!(
        z3.is_file(),
        "scripts/deps.sh installs z3 at {}",
        z3.display()
    );
    let dir = demo_in_git();
    let out = mandate()
        .arg("--workspace")
        .arg(dir.path())
        .args([
            "analyze",
            "--format",
            "json",
            "--baseline",
            "@none",
            "--solver",
        ])
        .arg(&z3)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["solver"]["kind"], "z3");
    let problems = json["problems"].as_array().unwrap();
    assert!(!problems.is_empty(), "{json}");
    for p in problems {
        assert!(p["environment"].as_str().unwrap().contains(" × "), "{p}");
        assert!(p["help"].as_str().unwrap().contains("cvc5"), "{p}");
    }
    let envs = json["environments"].as_array().unwrap();
    let unknown = envs.iter().filter(|e| e["relation"] == "unknown").count();
    let proved = json["proved"].as_array().unwrap().len();
    assert!(unknown > 0 && proved > 0, "{json}");
}

#[test]
fn the_demo_change_from_nothing_is_more_permissive_where_it_grants_access() {
    let dir = demo_in_git();
    let out = mandate()
        .arg("--workspace")
        .arg(dir.path())
        .args([
            "analyze",
            "--format",
            "json",
            "--baseline",
            "@none",
            "--fail-on-permissive",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "--fail-on-permissive");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["problems"], Value::Array(vec![]), "{json}");
    assert_eq!(json["baseline"], "@none");
    assert_eq!(json["candidate"], "working copy");
    let relation = |action: &str, resource: &str| {
        json["environments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| {
                e["action"] == action && e["resource_type"].as_str().unwrap().ends_with(resource)
            })
            .unwrap()["relation"]
            .clone()
    };
    assert_eq!(relation("invoke_tool", "Tool"), "more-permissive");
    assert_eq!(relation("delegate", "Agent"), "more-permissive");
    // Every counterexample is allowed by the demo's policies and replays so.
    for e in json["environments"].as_array().unwrap() {
        for c in e["counterexamples"].as_array().unwrap() {
            assert_eq!(c["confirmed"], true, "{c}");
        }
    }
    // Analysing the working copy against itself proves every environment equivalent.
    let out = mandate()
        .arg("--workspace")
        .arg(dir.path())
        .args([
            "analyze",
            "--format",
            "json",
            "--no-findings",
            "--fail-on-permissive",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["environments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["relation"] == "equivalent"),
        "{json}"
    );
}

/// `mandate access ARGS --format json` on `dir`: the exit code and the JSON.
fn access(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = mandate()
        .arg("--workspace")
        .arg(dir)
        .arg("access")
        .args(args)
        .args(["--format", "json", "--error-format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| serde_json::from_slice(&out.stderr).unwrap_or(Value::Null));
    (out.status.code().unwrap(), json)
}

/// The `tools = [...]` of an inventory agent file.
fn inventory_tools(dir: &Path, agent: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(format!("inventory/agents/{agent}.toml"))).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    doc["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_agents_access_is_its_inventory_tools_under_the_context_the_forbids_leave() {
    let dir = demo_in_git();
    let (code, json) = access(dir.path(), &["alert-router", "--no-diff"]);
    assert_eq!(code, 0, "{json}");
    let agent = &json["agents"][0];
    assert_eq!(agent["id"], "alert-router");
    assert_eq!(agent["risk_tier"], "medium");
    let entries = agent["candidate"]["entries"].as_array().unwrap();
    // The tools it may invoke are exactly those its inventory file lists.
    let mut tools: Vec<String> = entries
        .iter()
        .filter(|e| e["action"] == "invoke_tool")
        .map(|e| {
            let r = e["resource"].as_str().unwrap();
            r.trim_start_matches("Acme::Tool::\"")
                .trim_end_matches('"')
                .to_owned()
        })
        .collect();
    tools.sort();
    let mut listed = inventory_tools(dir.path(), "alert-router");
    listed.sort();
    assert_eq!(tools, listed);
    assert!(agent["candidate"]["checked"].as_u64().unwrap() > entries.len() as u64);
    // Each is allowed only in production (the environment-separation forbid), and the
    // solver's example context, made small, says so.
    for e in entries.iter().filter(|e| e["action"] == "invoke_tool") {
        assert_eq!(e["access"], "conditional", "{e}");
        assert_eq!(e["permits"], serde_json::json!(["permit-allowed-tools"]));
        assert!(
            e["unless"].as_array().unwrap().contains(&Value::from(
                "environment-separation: !(context.env == \"prod\")"
            )),
            "{e}"
        );
        assert_eq!(
            e["example_context"],
            serde_json::json!({"env": "prod"}),
            "{e}"
        );
    }
    // A named solver that does not run is an error, not a silent fallback.
    let (code, err) = access(
        dir.path(),
        &["alert-router", "--no-diff", "--solver", "/nonexistent/cvc5"],
    );
    assert_eq!(code, 2);
    assert_eq!(err["code"], "solver_unavailable", "{err}");
    // An unknown agent is a coded error with a hint.
    let (code, err) = access(dir.path(), &["no-such-agent"]);
    assert_eq!(code, 2);
    assert_eq!(err["code"], "not_found", "{err}");
    assert!(
        err["help"].as_str().unwrap().contains("alert-router"),
        "{err}"
    );
}

#[test]
fn a_grant_in_the_working_copy_shows_as_gained_access_and_a_contradiction_grants_nothing() {
    let dir = demo_in_git();
    // Nothing changed yet: no agent's access moved, and the gate passes.
    let (code, json) = access(dir.path(), &["--fail-on-gained"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["agents"].as_array().unwrap().len(), 33);
    assert!(json["agents"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["changes"].as_array().unwrap().is_empty()));
    std::fs::write(
        dir.path().join("policies/extra.cedar"),
        r#"@id("grant-logs")
permit (principal == Acme::Agent::"alert-router", action == Acme::Action::"invoke_tool", resource == Acme::Tool::"datadog.logs.search")
when { context has task_id && context.task_id != "" };

@id("grant-contradiction")
permit (principal == Acme::Agent::"alert-router", action == Acme::Action::"invoke_tool", resource == Acme::Tool::"github.pr.comment")
when { context.env == "prod" && context.env == "dev" };
"#,
    )
    .unwrap();
    let (code, json) = access(dir.path(), &["--fail-on-gained"]);
    assert_eq!(code, 1, "{json}");
    let changed: Vec<&Value> = json["agents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["changes"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(changed.len(), 1, "{json}");
    assert_eq!(changed[0]["id"], "alert-router");
    let changes = changed[0]["changes"].as_array().unwrap();
    // Only the satisfiable grant: the solver proves no context satisfies the other.
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = &changes[0];
    assert_eq!(c["change"], "gained");
    assert_eq!(c["resource"], "Acme::Tool::\"datadog.logs.search\"");
    assert_eq!(c["baseline"], Value::Null);
    let after = &c["candidate"];
    assert_eq!(after["access"], "conditional");
    assert_eq!(after["permits"], serde_json::json!(["grant-logs"]));
    assert_eq!(
        after["when"],
        serde_json::json!(["(context has task_id) && (!(context.task_id == \"\"))"])
    );
    let example = &after["example_context"];
    assert_eq!(example["env"], "prod", "{example}");
    assert_ne!(example["task_id"], "", "{example}");
}

/// The evidence entry of `policy` under control `control` in `mandate coverage --format json`.
fn policy_evidence(dir: &Path, policy: &str) -> Value {
    let out = mandate()
        .arg("--workspace")
        .arg(dir)
        .args(["coverage", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["evidence"].as_array().unwrap().iter())
        .find(|e| e["kind"] == "policy" && e["subject"] == policy)
        .cloned()
        .unwrap_or_else(|| panic!("no evidence for {policy}: {json}"))
}

#[test]
fn an_analysis_of_the_working_copy_is_coverage_evidence_until_the_policy_changes() {
    let dir = demo_in_git();
    // No recorded traffic: nothing shows the tool grant working.
    let before = policy_evidence(dir.path(), "permit-allowed-tools");
    assert_eq!(before["state"], "missing", "{before}");
    let (code, _) = {
        let out = mandate()
            .arg("--workspace")
            .arg(dir.path())
            .args(["analyze", "--findings-only", "--format", "json"])
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            json["proved"]
                .as_array()
                .unwrap()
                .contains(&Value::from("permit-allowed-tools")),
            "{json}"
        );
        (out.status.code(), json)
    };
    assert_eq!(code, Some(0));
    let after = policy_evidence(dir.path(), "permit-allowed-tools");
    assert_eq!(after["state"], "holds", "{after}");
    assert_eq!(after["detail"], "proved by analysis");
    // Once the policy's text changes, the proof no longer counts.
    let path = dir.path().join("policies/tools.cedar");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replace(
        "when { principal.allowed_tools.contains(resource) }",
        "when { principal.allowed_tools.contains(resource) && context.env == \"prod\" }",
    );
    assert_ne!(text, edited);
    std::fs::write(&path, edited).unwrap();
    let edited = policy_evidence(dir.path(), "permit-allowed-tools");
    assert_eq!(edited["state"], "missing", "{edited}");
}

#[test]
fn simulate_with_analyze_shows_the_symbolic_diff_beside_the_replay() {
    let dir = demo_in_git();
    let run = |args: &[&str]| {
        mandate()
            .arg("--workspace")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let traffic = dir.path().join("requests/traffic.jsonl");
    let import = run(&[
        "requests",
        "import",
        traffic.to_str().unwrap(),
        "--set",
        "prod",
    ]);
    assert_eq!(import.status.code(), Some(0), "{import:?}");
    let out = run(&[
        "simulate",
        "--set",
        "prod",
        "--baseline",
        "@none",
        "--analyze",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The replay saw decisions change; the analysis names where and proves it.
    assert!(
        json["summary"]["deny_to_allow"].as_u64().unwrap() > 0,
        "{json}"
    );
    let envs = json["analysis"]["environments"].as_array().unwrap();
    let tools = envs.iter().find(|e| e["action"] == "invoke_tool").unwrap();
    assert_eq!(tools["relation"], "more-permissive");
    assert_eq!(tools["counterexamples"][0]["confirmed"], true);
    assert_eq!(json["analysis"]["baseline"], "@none");
    // The HTML report carries the same section; without --analyze there is none.
    let html = run(&[
        "simulate",
        "--set",
        "prod",
        "--baseline",
        "@none",
        "--analyze",
        "--format",
        "html",
    ]);
    let page = String::from_utf8(html.stdout).unwrap();
    assert!(page.contains("<h2>Symbolic analysis</h2>"));
    assert!(page.contains("<td><b>more-permissive</b></td>"));
    let plain = run(&[
        "simulate",
        "--set",
        "prod",
        "--baseline",
        "@none",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(json.get("analysis"), None);
}
