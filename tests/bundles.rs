//! Bundles end to end through the real CLI: keys and trust, build with evidence, the
//! two-person rule, gates, publish into `bundles/`, verify (every flipped byte named), the
//! parent chain, `@published` as a replay side, diffs, exports and hostile archives.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{bundle_fixture as fixture, copy_dir, mandate, BundleFixture as Fixture};

fn draft(f: &Fixture, version: &str) -> PathBuf {
    f.path().join(".mandate/drafts").join(version)
}

fn gate<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("no gate {id} in {report}"))
}

/// Dana builds the first release, accepting that it is more permissive than nothing.
fn build_first_release(f: &Fixture) -> Value {
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
    )
}

/// Builds, approves as bob, publishes 1.0.0 (one approval needed at every tier).
fn publish_first(f: &Fixture) -> PathBuf {
    let config = f.path().join("mandate.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("high = 2, critical = 2", "high = 1, critical = 1");
    std::fs::write(&config, text).unwrap();
    build_first_release(f);
    let d = draft(f, "1.0.0");
    f.ok(
        "bob",
        &[
            "bundle",
            "approve",
            d.to_str().unwrap(),
            "--comment",
            "checked",
        ],
    );
    f.ok("dana", &["bundle", "publish", d.to_str().unwrap()]);
    f.path().join("bundles/1.0.0")
}

#[test]
fn build_approve_publish_verify_then_a_second_bundle_chains_to_the_first() {
    let f = fixture();
    let built = f.json("dana", &["bundle", "build", "--summary", "first release"]);
    let bundle = &built["bundle"];
    assert_eq!(bundle["manifest"]["version"], "1.0.0");
    assert_eq!(bundle["manifest"]["parent"], Value::Null);
    assert_eq!(bundle["manifest"]["author"]["key"], f.dana.as_str());
    assert_eq!(bundle["verification"]["author"]["valid"], true);
    // The replay against nothing published touches the agents with allows; the demo's
    // highest touched tier needs two approvals by default.
    let scope = &bundle["scope"];
    assert_eq!(scope["required_approvals"], 2, "{scope}");
    assert!(bundle["replay"]["summary"]["changed"].as_u64().unwrap() > 0);
    assert_eq!(bundle["review"]["name"], "first");
    let files = bundle["manifest"]["files"].as_object().unwrap();
    for want in [
        "schema.cedarschema",
        "entities.json",
        "controls.json",
        "policies/tools.cedar",
        "policies/links.toml",
        "evidence/validation.json",
        "evidence/replay.json",
        "evidence/coverage.json",
        "evidence/scope.json",
    ] {
        assert!(
            files.contains_key(want),
            "{want} not in the manifest: {files:?}"
        );
    }
    assert!(!files.contains_key("signatures.json") && !files.contains_key("manifest.json"));
    assert_eq!(gate(&built["gates"], "approvals")["passed"], false);
    // The symbolic analysis against nothing published: the demo's grants are more
    // permissive, proved per environment, and the gate wants them acknowledged.
    let analysis: Value = serde_json::from_slice(
        &std::fs::read(draft(&f, "1.0.0").join("evidence/analysis.json")).unwrap(),
    )
    .unwrap();
    assert!(files.contains_key("evidence/analysis.json"));
    assert_eq!(analysis["not_run"], Value::Null, "{analysis}");
    assert!(
        analysis["solver"].as_str().unwrap().starts_with("cvc5"),
        "{analysis}"
    );
    let envs = analysis["more_permissive"].as_array().unwrap();
    assert!(
        envs.contains(&Value::from("Agent × invoke_tool × Tool (more-permissive)")),
        "{analysis}"
    );
    // The agents whose access it finds changed include the incident commander, whose
    // grant link opens a tool group to it.
    assert!(
        analysis["touched"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["agent"] == "incident-commander" && t["tier"] == "high"),
        "{analysis}"
    );
    let permissive = gate(&built["gates"], "permissive");
    assert_eq!(permissive["passed"], false, "{permissive}");
    assert!(
        permissive["detail"]
            .as_str()
            .unwrap()
            .contains("Agent × invoke_tool × Tool (more-permissive)"),
        "{permissive}"
    );
    // Acknowledged at build time, it passes and says why.
    let built = build_first_release(&f);
    let permissive = gate(&built["gates"], "permissive");
    assert_eq!(permissive["passed"], true, "{permissive}");
    assert!(
        permissive["detail"]
            .as_str()
            .unwrap()
            .starts_with("acknowledged (the first release grants what the demo allows)"),
        "{permissive}"
    );

    let d = draft(&f, "1.0.0");
    // Every bundle carries its approvals file from the build on, empty; it verifies.
    assert_eq!(
        std::fs::read_to_string(d.join("approvals.json")).unwrap(),
        "[]\n"
    );
    let v = f.json("dana", &["bundle", "verify", d.to_str().unwrap()]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["verification"]["approvals"], serde_json::json!([]));
    let d = d.to_str().unwrap();
    // Publishing without approvals fails on that gate alone, and writes nothing.
    let (code, out, _) = f.run("dana", &["bundle", "publish", d]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("✗ Required approvals present and valid") && out.contains("0 of 2"),
        "{out}"
    );
    assert!(out.contains("not published: 1 gate(s) failed"), "{out}");
    assert!(!f.path().join("bundles").exists());

    // The two-person rule.
    let (code, _, err) = f.run("dana", &["bundle", "approve", d]);
    assert_eq!(code, 2);
    assert!(
        err.contains("an author cannot approve their own bundle"),
        "{err}"
    );
    f.ok(
        "bob",
        &[
            "bundle",
            "approve",
            d,
            "--comment",
            "checked the TTL change",
        ],
    );
    // `approve` appended to the list the build wrote.
    let approvals: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(draft(&f, "1.0.0").join("approvals.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(approvals.len(), 1);
    let (code, _, err) = f.run("bob", &["bundle", "approve", d]);
    assert_eq!(code, 2);
    assert!(err.contains("already approved"), "{err}");
    // Still one short: required 2, and one approval per person counts.
    let report = f.report("dana", &["bundle", "publish", "--dry-run", d]);
    assert_eq!(
        gate(&report, "approvals")["detail"],
        "1 of 2 required approval(s)"
    );

    // Lower the tier's count in the config: publishing takes the higher of the recorded
    // count and today's, so it stays at 2.
    let config = f.path().join("mandate.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("high = 2, critical = 2", "high = 1, critical = 1");
    std::fs::write(&config, text).unwrap();
    let report = f.report("dana", &["bundle", "publish", "--dry-run", d]);
    assert_eq!(gate(&report, "approvals")["passed"], false);

    // A fresh build at the lowered count needs one; bob approves; it publishes.
    build_first_release(&f);
    f.ok("bob", &["bundle", "approve", d]);
    let published = f.json(
        "dana",
        &[
            "bundle",
            "publish",
            d,
            "--to",
            f.keys.path().to_str().unwrap(),
        ],
    );
    assert_eq!(published["path"], "bundles/1.0.0");
    let copy = PathBuf::from(published["copied_to"].as_str().unwrap());
    assert!(
        copy.to_string_lossy()
            .ends_with("acme-agent-governance-1.0.0.mandate-bundle"),
        "{copy:?}"
    );
    assert!(f.path().join("bundles/1.0.0/manifest.json").is_file());
    // The copy verifies as the same bundle.
    let v = f.json(
        "dana",
        &[
            "bundle",
            "verify",
            copy.to_str().unwrap(),
            "--require-approved",
        ],
    );
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["verification"]["hash"], published["hash"]);
    assert_eq!(v["chain"], "root");

    let list = f.json("dana", &["bundle", "list"]);
    assert_eq!(list[0]["version"], "1.0.0");
    assert_eq!(list[0]["verified"], true, "{list}");
    assert_eq!(list[0]["published_by"], "dana@acme.example");
    assert_eq!(list[0]["approvals"], 1);
    let needed = |f: &Fixture| {
        let shown = f.json("dana", &["bundle", "show", "1.0.0"]);
        let list = f.report("dana", &["bundle", "list"]);
        let path = f.path().join("bundles/1.0.0");
        let verify = f.report("dana", &["bundle", "verify", path.to_str().unwrap()]);
        (
            shown["required_approvals"].clone(),
            list[0]["required_approvals"].clone(),
            verify["required_approvals"].clone(),
        )
    };
    assert_eq!(needed(&f), (1.into(), 1.into(), 1.into()));
    // Raising today's count for the tier raises it everywhere, the list's verdict included.
    let config = f.path().join("mandate.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("high = 1, critical = 1"), "{text}");
    std::fs::write(
        &config,
        text.replace("high = 1, critical = 1", "high = 3, critical = 3"),
    )
    .unwrap();
    assert_eq!(needed(&f), (3.into(), 3.into(), 3.into()));
    let list = f.report("dana", &["bundle", "list"]);
    assert_eq!(list[0]["verified"], false, "{list}");
    assert!(
        list[0]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "1 of 3 approval(s)"),
        "{list}"
    );
    std::fs::write(&config, text).unwrap();

    // Version order.
    let (code, _, err) = f.run("dana", &["bundle", "build", "--version", "1.0.0"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not greater than the last published 1.0.0"),
        "{err}"
    );

    // Build metadata does not make a version newer; only publish writes into bundles/.
    let (code, _, err) = f.run("dana", &["bundle", "build", "--version", "1.0.0+hotfix"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not greater than the last published 1.0.0"),
        "{err}"
    );
    let (code, _, err) = f.run(
        "dana",
        &[
            "bundle",
            "build",
            "--version",
            "9.9.9",
            "--out",
            "bundles/9.9.9",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("is inside `bundles/`"), "{err}");
    assert!(!f.path().join("bundles/9.9.9").exists());

    // A second bundle: tighter TTLs. Its evidence replays against @published.
    let path = f.path().join("policies/credentials.cedar");
    let text = std::fs::read_to_string(&path).unwrap();
    let tighter = text.replace(
        "context.ttl_seconds <= principal.max_ttl_seconds",
        "context.ttl_seconds <= principal.max_ttl_seconds && context.ttl_seconds <= 600",
    );
    assert_ne!(text, tighter);
    std::fs::write(&path, tighter).unwrap();
    let second = f.json("dana", &["bundle", "build", "--summary", "TTL cap"]);
    let b = &second["bundle"];
    assert_eq!(b["manifest"]["version"], "1.1.0");
    assert_eq!(b["manifest"]["parent"], published["hash"]);
    assert!(
        b["replay"]["baseline"]
            .as_str()
            .unwrap()
            .starts_with("@published (1.0.0"),
        "{}",
        b["replay"]["baseline"]
    );
    assert!(b["replay"]["summary"]["changed"].as_u64().unwrap() > 0);
    assert_eq!(
        b["review"],
        Value::Null,
        "no review approves the new policies yet"
    );
    assert_eq!(gate(&second["gates"], "review")["passed"], false);
    // A TTL cap only takes access away: the analysis proves nothing more permissive, so
    // no acknowledgement is needed.
    let permissive = gate(&second["gates"], "permissive");
    assert_eq!(permissive["passed"], true, "{permissive}");
    assert!(
        permissive["detail"]
            .as_str()
            .unwrap()
            .starts_with("the analysis proves no environment more permissive"),
        "{permissive}"
    );
    assert_eq!(
        gate(&second["gates"], "version")["detail"],
        "1.1.0 follows 1.0.0"
    );
    let v = f.json(
        "dana",
        &["bundle", "verify", draft(&f, "1.1.0").to_str().unwrap()],
    );
    assert_eq!(v["chain"], "linked", "{v}");
    assert_eq!(v["approved"], false);
    assert_eq!(
        v["ok"], true,
        "intact and signed; approvals count only with --require-approved"
    );
    let (code, _, _) = f.run(
        "dana",
        &[
            "bundle",
            "verify",
            draft(&f, "1.1.0").to_str().unwrap(),
            "--require-approved",
        ],
    );
    assert_eq!(code, 1);

    // The policy diff names the one changed policy, line by line.
    let diff = f.json(
        "dana",
        &[
            "bundle",
            "diff",
            "1.0.0",
            draft(&f, "1.1.0").to_str().unwrap(),
        ],
    );
    let changes = diff["policies"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{diff}");
    assert_eq!(changes[0]["id"], "credential-ttl-within-ceiling");
    let added: Vec<&str> = changes[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "+")
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(added.len(), 1);
    assert!(added[0].contains("context.ttl_seconds <= 600"));

    // `@published` is a replay side.
    let sim = f.json(
        "dana",
        &["simulate", "--set", "prod", "--baseline", "@published"],
    );
    assert_eq!(sim["summary"]["changed"], b["replay"]["summary"]["changed"]);

    // A review of the new policies against anything but the published ones reviewed another
    // change: the bundle's evidence does not name it and the gate does not accept it.
    for (name, baseline) in [("wrong-baseline", "@none"), ("ttl-cap", "@published")] {
        f.ok(
            "dana",
            &[
                "review",
                "open",
                "--set",
                "prod",
                "--baseline",
                baseline,
                "--name",
                name,
            ],
        );
        f.ok(
            "dana",
            &["review", "ack", name, "--all", "--comment", "TTL cap"],
        );
        f.ok("bob", &["review", "verdict", name, "approve"]);
        let rebuilt = f.json(
            "dana",
            &[
                "bundle",
                "build",
                "--version",
                "1.1.0",
                "--summary",
                "TTL cap",
            ],
        );
        let review = gate(&rebuilt["gates"], "review");
        if baseline == "@none" {
            assert_eq!(rebuilt["bundle"]["review"], Value::Null, "{rebuilt}");
            assert_eq!(review["passed"], false, "{review}");
        } else {
            assert_eq!(rebuilt["bundle"]["review"]["name"], name, "{rebuilt}");
            assert_eq!(review["passed"], true, "{review}");
            assert!(review["detail"].as_str().unwrap().contains("`ttl-cap`"));
        }
    }
}

#[test]
fn flipping_any_byte_of_any_bundle_file_fails_verification_naming_the_file() {
    let f = fixture();
    let published = publish_first(&f);
    let session = mandate::api::Session::open(f.path()).unwrap();
    let clean = session.bundle_verify(&published, true).unwrap();
    assert!(clean.ok, "{:?}", clean.problems);
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&published) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&published)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(entry.path()).unwrap();
        for at in [0, bytes.len() / 2, bytes.len() - 1] {
            let copy = tempfile::tempdir().unwrap();
            let target = copy.path().join("b");
            copy_dir(&published, &target);
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x01;
            std::fs::write(target.join(&rel), &flipped).unwrap();
            // Any altered byte fails, whether or not approvals are required: an altered
            // approval or signature is not merely "not counted".
            for require_approved in [true, false] {
                let report = session.bundle_verify(&target, require_approved).unwrap();
                assert!(
                    !report.ok,
                    "flipping byte {at} of {rel} went unnoticed (require_approved {require_approved})"
                );
                assert!(
                    report.problems.iter().any(|p| p.file == rel),
                    "flipping byte {at} of {rel} (require_approved {require_approved}): problems name {:?}",
                    report.problems.iter().map(|p| &p.file).collect::<Vec<_>>()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 3 * 12, "only {checked} flips");

    // One character of bob's approval signature: the CLI fails without
    // `--require-approved`, says why, and names the file inside the bundle.
    let copy = tempfile::tempdir().unwrap();
    let target = copy.path().join("b");
    copy_dir(&published, &target);
    let path = target.join("approvals.json");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let at = text.find("\"sig\": \"").unwrap() + 12;
    let swap = if &text[at..=at] == "A" { "B" } else { "A" };
    text.replace_range(at..=at, swap);
    std::fs::write(&path, text).unwrap();
    let (code, out, _) = f.run("dana", &["bundle", "verify", target.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "✗ {}/approvals.json: approval 1 (key `{}",
            target.display(),
            &f.bob[..20]
        )) && out.contains("does not verify: the statement or the signature was altered"),
        "{out}"
    );
    assert!(out.contains("verification FAILED"), "{out}");
}

#[test]
fn keys_listed_by_hand_do_not_count_and_untrusted_signers_fail() {
    let f = fixture();
    let published = publish_first(&f);
    // A key added to mandate.toml by hand, without approvals.
    let eve = f.json("eve", &["keys", "generate", "--owner", "eve@acme.example"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let config = f.path().join("mandate.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "\n[[trusted_keys]]\nid = \"{eve}\"\nowner = \"eve@acme.example\"\n"
    ));
    std::fs::write(&config, text).unwrap();
    let keys = f.json("dana", &["keys", "list"]);
    let listed = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == eve.as_str())
        .unwrap();
    assert_eq!(listed["status"], "unapproved", "{keys}");
    // Eve's approval does not count.
    f.ok(
        "dana",
        &[
            "bundle",
            "build",
            "--version",
            "1.0.1",
            "--summary",
            "again",
        ],
    );
    let d = draft(&f, "1.0.1");
    let (code, _, err) = f.run("eve", &["bundle", "approve", d.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("is not trusted in this workspace"), "{err}");

    // Trusting eve properly: with two trusted people, two approvals are needed.
    let out = f.json(
        "dana",
        &["keys", "trust", &eve, "--owner", "eve@acme.example"],
    );
    assert_eq!(out["applied"], false, "{out}");
    assert_eq!(out["needed"], 2);
    // Eve cannot approve her own key.
    let (code, _, err) = f.run("eve", &["keys", "trust", &eve]);
    assert_eq!(code, 2);
    assert!(
        err.contains("is not trusted here") || err.contains("its own"),
        "{err}"
    );
    let out = f.json("bob", &["keys", "trust", &eve]);
    assert_eq!(out["applied"], true, "{out}");
    let keys = f.json("dana", &["keys", "list"]);
    let listed: Vec<&Value> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["id"] == eve.as_str())
        .collect();
    assert_eq!(listed.len(), 1, "the hand-made entry, now approved: {keys}");
    assert_eq!(listed[0]["status"], "trusted");
    assert_eq!(
        listed[0]["approvals"],
        serde_json::json!(["bob@acme.example", "dana@acme.example"])
    );

    // Removing eve takes two approvals too; an old approval never counts again.
    let out = f.json("dana", &["keys", "trust", &eve, "--remove"]);
    assert_eq!(out["applied"], false, "{out}");
    let (code, _, err) = f.run("dana", &["keys", "trust", &eve, "--remove"]);
    assert_eq!(code, 2, "a second approval by dana");
    assert!(err.contains("already approved"), "{err}");
    let out = f.json("bob", &["keys", "trust", &eve, "--remove"]);
    assert_eq!(out["applied"], true, "{out}");
    assert!(!std::fs::read_to_string(&config).unwrap().contains(&eve));
    // Dana alone cannot bring eve back with bob's earlier approval.
    let out = f.json(
        "dana",
        &["keys", "trust", &eve, "--owner", "eve@acme.example"],
    );
    assert_eq!(out["applied"], false, "{out}");
    assert_eq!(out["approvals"], 1);
    // Re-listing her by hand does not trust her either.
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "\n[[trusted_keys]]\nid = \"{eve}\"\nowner = \"eve@acme.example\"\n"
    ));
    std::fs::write(&config, text).unwrap();
    let keys = f.json("dana", &["keys", "list"]);
    let listed = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == eve.as_str())
        .unwrap();
    assert_eq!(listed["status"], "unapproved", "{keys}");
    // An edited log is refused, naming the entry.
    let log = f.path().join("keys/trust.json");
    let mut entries: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    entries.swap(1, 2);
    std::fs::write(&log, serde_json::to_string(&entries).unwrap()).unwrap();
    let (code, _, err) = f.run("dana", &["keys", "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("entry 2 does not follow entry 1"), "{err}");
    entries.swap(1, 2);
    std::fs::write(&log, serde_json::to_string(&entries).unwrap()).unwrap();

    // A workspace that trusts neither: the published bundle's author fails.
    let other = crate::support::demo();
    let v = mandate()
        .env("MANDATE_KEYS_DIR", f.keys.path().join("eve"))
        .args([
            "--workspace",
            other.path().to_str().unwrap(),
            "--format",
            "json",
            "bundle",
            "verify",
            published.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&v.stdout).unwrap();
    assert!(
        report["verification"]["author"]["problem"]
            .as_str()
            .unwrap()
            .contains("not trusted"),
        "{report}"
    );
    assert_eq!(report["chain"], "root");
}

#[test]
fn hostile_archives_are_refused_before_anything_is_written() {
    use std::io::Write as _;
    let f = fixture();
    let evil = f.keys.path().join("evil.mandate-bundle");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&evil).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("manifest.json", opts).unwrap();
        zip.write_all(b"{}").unwrap();
        zip.start_file("../../escaped.cedar", opts).unwrap();
        zip.write_all(b"permit(principal, action, resource);")
            .unwrap();
        zip.start_file("/etc/evil", opts).unwrap();
        zip.write_all(b"x").unwrap();
        zip.finish().unwrap();
    }
    let before = walkdir::WalkDir::new(f.path()).into_iter().count();
    let (code, _, err) = f.run(
        "dana",
        &[
            "--error-format",
            "json",
            "bundle",
            "publish",
            evil.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    let e: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(e["code"], "bundle_invalid");
    let diagnostics = e["diagnostics"].as_array().unwrap();
    let named: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    // Named inside the archive, with no position: not files the user has.
    let inside = |entry: &str| format!("{}!/{entry}", evil.display());
    assert!(
        named.contains(&inside("../../escaped.cedar").as_str())
            && named.contains(&inside("/etc/evil").as_str()),
        "{named:?}"
    );
    assert!(diagnostics.iter().all(|d| d["line"] == 0), "{e}");
    // The human text says the same, and never points into the workspace.
    let (code, _, err) = f.run("dana", &["bundle", "publish", evil.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "\n{}: error: unsafe path: has a `..` component",
            inside("../../escaped.cedar")
        )),
        "{err}"
    );
    let ws = f.path().display().to_string();
    assert!(
        !err.contains(&format!("{ws}/../")) && !err.contains(":1:1:"),
        "a workspace path or an invented position:\n{err}"
    );
    // A folder bundle names its entries under the folder.
    let folder = f.keys.path().join("linked");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("manifest.json"), b"{}").unwrap();
    std::os::unix::fs::symlink(
        f.path().join("schema.cedarschema"),
        folder.join("schema.cedarschema"),
    )
    .unwrap();
    let (code, _, err) = f.run("dana", &["bundle", "publish", folder.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "\n{}/schema.cedarschema: error: is a symbolic link",
            folder.display()
        )),
        "{err}"
    );
    assert!(
        !err.contains(&format!("{ws}/schema.cedarschema")) && !err.contains(":1:1:"),
        "{err}"
    );
    assert!(
        !f.keys.path().join("escaped.cedar").exists() && !f.path().join("escaped.cedar").exists()
    );
    // Verifying it fails (exit 1) with every refused entry named.
    let (code, out, _) = f.run("dana", &["bundle", "verify", evil.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "✗ {}: unsafe path: has a `..` component",
            inside("../../escaped.cedar")
        )),
        "{out}"
    );
    let (code, out, _) = f.run(
        "dana",
        &[
            "--format",
            "json",
            "bundle",
            "verify",
            evil.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["ok"], false);
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["file"] == "../../escaped.cedar"),
        "{report}"
    );
    let after = walkdir::WalkDir::new(f.path()).into_iter().count();
    assert_eq!(before, after, "nothing written");
}

#[test]
fn exports_run_on_other_engines() {
    let f = fixture();
    publish_first(&f);
    let out = f.keys.path().join("export");
    // A folder the cedar CLI validates: policies parse with their ids and validate strictly.
    let dir = out.join("cedar");
    f.ok(
        "dana",
        &[
            "bundle",
            "export",
            "1.0.0",
            "--format",
            "cedar-dir",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    let schema_text = std::fs::read_to_string(dir.join("schema.cedarschema")).unwrap();
    let schema = cedar_policy::Schema::from_cedarschema_str(&schema_text)
        .unwrap()
        .0;
    let policies: cedar_policy::PolicySet = std::fs::read_to_string(dir.join("policies.cedar"))
        .unwrap()
        .parse()
        .unwrap();
    let result = cedar_policy::Validator::new(schema.clone())
        .validate(&policies, cedar_policy::ValidationMode::Strict);
    assert!(
        result.validation_passed(),
        "{:?}",
        result.validation_errors().collect::<Vec<_>>()
    );
    let published = f.json("dana", &["bundle", "show", "1.0.0"]);
    let statements = published["validation"]["statements"].as_u64().unwrap();
    let ids = policies.policies().count() + policies.templates().count();
    assert!(
        ids as u64 >= statements - 1,
        "{ids} policies and templates of {statements} statements"
    );
    cedar_policy::Entities::from_json_str(
        &std::fs::read_to_string(dir.join("entities.json")).unwrap(),
        Some(&schema),
    )
    .unwrap();

    let avp = out.join("avp.json");
    f.ok(
        "dana",
        &[
            "bundle",
            "export",
            "--format",
            "avp",
            "--out",
            avp.to_str().unwrap(),
        ],
    );
    let template: Value = serde_json::from_str(&std::fs::read_to_string(&avp).unwrap()).unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let count = |t: &str| resources.values().filter(|r| r["Type"] == t).count();
    assert_eq!(count("AWS::VerifiedPermissions::PolicyStore"), 1);
    assert!(
        count("AWS::VerifiedPermissions::Policy") >= 10,
        "{}",
        resources.len()
    );

    let cjar = out.join("store.cjar");
    f.ok(
        "dana",
        &[
            "bundle",
            "export",
            "--format",
            "cedarling",
            "--out",
            cjar.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&cjar).unwrap();
    let names: Vec<String> = ["metadata.json", "schema.cedarschema"]
        .iter()
        .filter(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()))
        .map(|n| (*n).to_owned())
        .collect();
    assert_eq!(
        names,
        ["metadata.json", "schema.cedarschema"],
        "entry names in the .cjar"
    );
    assert_eq!(&bytes[..4], b"PK\x03\x04", "a zip");

    let (code, _, err) = f.run(
        "dana",
        &["bundle", "export", "--format", "csv", "--out", "x"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("cedarling, avp or cedar-dir"), "{err}");
}
