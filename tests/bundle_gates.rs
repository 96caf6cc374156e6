//! Each publish gate failing on a real workspace of its own, through the real CLI: the draft
//! is built from the working copy (or published first), one thing is changed, and
//! `bundle publish --dry-run` must fail that gate, naming what failed, while the gates the
//! change does not touch keep their result. (`tests/bundles.rs` drives the review,
//! approvals, permissive and version gates; the gate logic is unit-tested in
//! `src/bundle/gates.rs`.)

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{bundle_fixture as fixture, BundleFixture as Fixture};

fn gate<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["gates"]
        .as_array()
        .unwrap_or_else(|| panic!("no gates in {report}"))
        .iter()
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("no gate {id} in {report}"))
}

/// `bundle publish --dry-run` of `draft` as dana: (exit code, the gates report).
fn dry_run(f: &Fixture, draft: &Path) -> (i32, Value) {
    let (code, out, err) = f.run(
        "dana",
        &[
            "--format",
            "json",
            "bundle",
            "publish",
            "--dry-run",
            draft.to_str().unwrap(),
        ],
    );
    let report = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, report)
}

fn failed<'a>(report: &'a Value, id: &str) -> &'a str {
    let g = gate(report, id);
    assert_eq!(g["passed"], false, "gate {id} should fail: {g}");
    assert_eq!(g["skipped"], false, "gate {id} is skipped: {g}");
    g["detail"].as_str().unwrap()
}

fn passed(report: &Value, id: &str) {
    let g = gate(report, id);
    assert_eq!(g["passed"], true, "gate {id} should pass: {g}");
}

/// Rewrites `mandate.toml`'s `[gates]` lines with `edit`.
fn edit_config(f: &Fixture, edit: impl Fn(String) -> String) {
    let path = f.path().join("mandate.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
}

/// Builds the working copy as dana (the first release's wider access acknowledged).
fn build(f: &Fixture, version: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "bundle",
        "build",
        "--version",
        version,
        "--summary",
        "gate fixture",
        "--accept-more-permissive",
        "the fixture's grants are intended",
    ];
    args.extend_from_slice(extra);
    f.json("dana", &args);
    f.path().join(".mandate/drafts").join(version)
}

fn add_policy(f: &Fixture, file: &str, text: &str) {
    std::fs::write(f.path().join("policies").join(file), text).unwrap();
}

#[test]
fn configuration_gates_fail_on_the_demo_as_it_is() {
    // The fixture turns off the two gates the demo fails on purpose; turning each back on
    // fails it on the same draft, for the demo's own reason.
    let f = fixture();
    let draft = build(&f, "1.0.0", &[]);
    let (_, before) = dry_run(&f, &draft);
    assert_eq!(gate(&before, "replay_errors")["skipped"], true, "{before}");
    assert_eq!(gate(&before, "accountability")["skipped"], true, "{before}");
    passed(&before, "validation");
    passed(&before, "integrity");

    edit_config(&f, |t| t.replace("allow_replay_errors = true\n", ""));
    let (code, report) = dry_run(&f, &draft);
    assert_eq!(code, 1, "{report}");
    let detail = failed(&report, "replay_errors");
    // The demo plants requests from an unregistered agent and for unknown tools.
    let errors: u64 = detail
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the detail counts the errors: {detail}"));
    assert!(errors > 0 && detail.contains("errored"), "{detail}");
    // The accountability gate is still off, so it is not what failed.
    assert_eq!(gate(&report, "accountability")["skipped"], true);

    edit_config(&f, |t| {
        t.replace("[gates]\n", "[gates]\nallow_replay_errors = true\n")
            .replace("require_accountable_human = false\n", "")
    });
    let (code, report) = dry_run(&f, &draft);
    assert_eq!(code, 1, "{report}");
    let detail = failed(&report, "accountability");
    // The demo's two planted gaps: faq-bot has no accountable human, churn-predictor's left.
    for agent in ["faq-bot", "churn-predictor"] {
        assert!(detail.contains(agent), "{agent} not named: {detail}");
    }
    assert_eq!(gate(&report, "replay_errors")["skipped"], true);
}

#[test]
fn a_bundle_whose_policies_do_not_validate_fails_the_validation_gate() {
    // `bundle build` refuses a working copy that does not validate, so the fixture is a
    // bundle changed after an unsigned build: a policy added to one of its files, the
    // manifest's hash of that file updated (RFC 8785: sorted keys, no spaces), then signed
    // by its author. Its integrity holds; its policies no longer validate on its own schema.
    let f = fixture();
    let draft = build(&f, "1.0.0", &["--no-sign"]);
    let rel = "policies/tools.cedar";
    let target = draft.join(rel);
    let mut text = std::fs::read_to_string(&target).unwrap();
    text.push_str(
        "\n@id(\"reads-a-missing-attribute\")\npermit(principal is Acme::Agent, action == Acme::Action::\"invoke_tool\", resource is Acme::Tool)\nwhen { principal.no_such_attribute == 1 };\n",
    );
    std::fs::write(&target, &text).unwrap();
    let manifest_path = draft.join("manifest.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let entry = &mut manifest["files"][rel];
    assert!(entry["sha256"].is_string(), "{manifest}");
    entry["sha256"] = Value::from(format!("sha256:{}", sha256_hex(text.as_bytes())));
    entry["size"] = Value::from(text.len());
    // serde_json's map is ordered by key, and `to_string` writes no whitespace.
    std::fs::write(&manifest_path, serde_json::to_string(&manifest).unwrap()).unwrap();
    f.ok("dana", &["bundle", "sign", draft.to_str().unwrap()]);

    let (code, report) = dry_run(&f, &draft);
    assert_eq!(code, 1, "{report}");
    passed(&report, "integrity");
    let detail = failed(&report, "validation");
    assert!(
        detail.contains("no_such_attribute") || detail.contains("reads-a-missing-attribute"),
        "the detail names the problem: {detail}"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_new_forbid_that_can_error_fails_the_fail_open_gate() {
    let f = fixture();
    // Long overflow makes the condition error, and Cedar skips an erroring forbid: the
    // delegation it should stop goes through. The solver proves it.
    add_policy(
        &f,
        "zz-fail-open.cedar",
        "@id(\"depth-times-a-billion\")\nforbid(principal is Acme::Agent, action == Acme::Action::\"delegate\", resource is Acme::Agent)\nwhen { context has delegation_depth && context.delegation_depth * 1000000000000 > 3000000000000 };\n",
    );
    let draft = build(&f, "1.0.0", &[]);
    let (code, report) = dry_run(&f, &draft);
    assert_eq!(code, 1, "{report}");
    let detail = failed(&report, "fail_open");
    assert!(
        detail.contains("depth-times-a-billion"),
        "the detail names the forbid: {detail}"
    );
    passed(&report, "validation");
}

#[test]
fn an_altered_draft_fails_the_integrity_gate_naming_the_file() {
    let f = fixture();
    let draft = build(&f, "1.0.0", &[]);
    let target = draft.join("policies/tools.cedar");
    let mut bytes = std::fs::read(&target).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x20;
    std::fs::write(&target, bytes).unwrap();
    let (code, report) = dry_run(&f, &draft);
    assert_eq!(code, 1, "{report}");
    let detail = failed(&report, "integrity");
    assert!(
        detail.contains("policies/tools.cedar"),
        "the detail names the file: {detail}"
    );
}

#[test]
fn lower_coverage_than_the_published_bundle_fails_the_coverage_gate_until_accepted() {
    let f = fixture();
    edit_config(&f, |t| {
        t.replace("high = 2, critical = 2", "high = 1, critical = 1")
    });
    let first = build(&f, "1.0.0", &[]);
    f.ok("bob", &["bundle", "approve", first.to_str().unwrap()]);
    f.ok("dana", &["bundle", "publish", first.to_str().unwrap()]);
    let published: Value = serde_json::from_slice(
        &std::fs::read(f.path().join("bundles/1.0.0/evidence/coverage.json")).unwrap(),
    )
    .unwrap();
    let implemented: u64 = published["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|fw| fw["implemented"].as_u64().unwrap())
        .sum();
    assert!(
        implemented > 0,
        "the published bundle implements something: {published}"
    );

    // The working copy drops every control: nothing is implemented any more.
    std::fs::write(
        f.path().join("controls/controls.toml"),
        "# every control removed\n",
    )
    .unwrap();
    let second = build(&f, "1.1.0", &[]);
    let (code, report) = dry_run(&f, &second);
    assert_eq!(code, 1, "{report}");
    let detail = failed(&report, "coverage");
    let dropped = published["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|fw| fw["implemented"].as_u64().unwrap() > 0)
        .unwrap();
    let title = dropped["framework"].as_str().unwrap();
    assert!(detail.contains(title), "the detail names {title}: {detail}");

    // Accepted with a reason, the same change passes the gate and the reason is shown.
    let accepted = build(
        &f,
        "1.2.0",
        &["--accept-coverage-drop", "controls move to the new library"],
    );
    let (_, report) = dry_run(&f, &accepted);
    passed(&report, "coverage");
    assert!(
        gate(&report, "coverage")["detail"]
            .as_str()
            .unwrap()
            .contains("controls move to the new library"),
        "{report}"
    );
}
