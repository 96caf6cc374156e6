//! Keys and trust: private keys never leave the key store (not in any output, workspace file,
//! bundle or the database), the store refuses to live inside a workspace, and the audit log
//! cannot be rewritten even by a process that opens the database file directly.

use std::path::Path;

use base64::Engine as _;

use crate::support::{bundle_fixture, mandate_as};

/// Every form a private key could leak in: its PEM body, and its 32-byte seed as hex and as
/// base64 (standard and URL-safe).
fn secret_forms(keys: &Path) -> Vec<String> {
    let mut forms = Vec::new();
    for entry in walkdir::WalkDir::new(keys) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "pem") {
            continue;
        }
        let pem = std::fs::read_to_string(entry.path()).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(&body)
            .unwrap();
        // PKCS#8 for Ed25519 (RFC 8410): the seed is the OCTET STRING at byte 16 (a v2 key
        // then carries the public key, which may and does appear in bundles).
        assert_eq!(&der[14..16], &[0x04, 0x20], "an Ed25519 PKCS#8 key");
        let seed = &der[16..48];
        forms.push(body);
        forms.push(seed.iter().map(|b| format!("{b:02x}")).collect());
        forms.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(seed));
        forms.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(seed));
    }
    assert_eq!(forms.len(), 8, "two keys, four forms each");
    forms
}

fn assert_no_secret(what: &str, bytes: &[u8], forms: &[String]) {
    for form in forms {
        let needle = form.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{what} holds private key material"
        );
    }
}

#[test]
fn private_keys_never_reach_outputs_the_workspace_a_bundle_or_the_database() {
    let f = bundle_fixture();
    // One approval at every tier, so bob's approval publishes.
    let config = f.path().join("mandate.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("high = 2, critical = 2", "high = 1, critical = 1");
    std::fs::write(&config, text).unwrap();
    let mut outputs = Vec::new();
    let mut run = |who: &str, args: &[&str]| {
        let out = f.command(who, args).output().unwrap();
        assert!(
            out.status.success() || args[0] == "bundle" && args[1] == "verify",
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push((
            format!("mandate {}", args.join(" ")),
            out.stdout,
            out.stderr,
        ));
    };
    run(
        "dana",
        &[
            "bundle",
            "build",
            "--summary",
            "first",
            "--accept-more-permissive",
            "first release",
        ],
    );
    let draft = f.path().join(".mandate/drafts/1.0.0");
    let d = draft.to_str().unwrap();
    run("bob", &["bundle", "approve", d, "--comment", "checked"]);
    run("dana", &["bundle", "publish", d]);
    run(
        "dana",
        &["bundle", "verify", "bundles/1.0.0", "--format", "json"],
    );
    run("dana", &["keys", "list", "--format", "json"]);
    run("bob", &["keys", "list"]);

    let forms = secret_forms(f.keys.path());
    for (what, stdout, stderr) in &outputs {
        assert_no_secret(&format!("stdout of `{what}`"), stdout, &forms);
        assert_no_secret(&format!("stderr of `{what}`"), stderr, &forms);
    }
    // Every byte of the workspace: policies, bundles, drafts, the database and its WAL.
    let mut files = 0;
    for entry in walkdir::WalkDir::new(f.path()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            files += 1;
            let bytes = std::fs::read(entry.path()).unwrap();
            assert_no_secret(&entry.path().display().to_string(), &bytes, &forms);
            assert!(
                entry.path().extension().is_none_or(|e| e != "pem"),
                "a key file in the workspace: {}",
                entry.path().display()
            );
        }
    }
    assert!(f.path().join("bundles/1.0.0/signatures.json").is_file());
    assert!(files > 50, "the walk saw the workspace ({files} files)");
}

#[test]
fn a_key_store_inside_the_workspace_is_refused() {
    let f = bundle_fixture();
    let out = mandate_as(
        f.path(),
        f.path(),
        "eve",
        &["keys", "generate", "--owner", "eve@acme.example"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("private keys must never be committed"),
        "{err}"
    );
    assert!(!f.path().join("eve").exists(), "nothing was written");
}

#[test]
fn the_audit_log_cannot_be_rewritten_through_the_database_file() {
    let f = bundle_fixture();
    let session = mandate::api::Session::open(f.path()).unwrap();
    let before = session.audit_log(10_000).unwrap();
    assert!(
        before.len() >= 5,
        "the fixture's trust, import and review steps are audited"
    );
    let db = rusqlite::Connection::open(f.path().join(".mandate/mandate.db")).unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'mallory@acme.example'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
        "INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log LIMIT 1",
        "REPLACE INTO audit_log (id, at, actor, action, subject) SELECT id, at, 'mallory', action, subject FROM audit_log",
    ] {
        let err = db.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "`{sql}` was not refused: {err}");
    }
    let after = session.audit_log(10_000).unwrap();
    assert_eq!(
        serde_json::to_value(&after).unwrap(),
        serde_json::to_value(&before).unwrap(),
        "the log is unchanged"
    );
}

/// The status `keys list` gives `id`.
fn status_of(keys: &serde_json::Value, id: &str) -> String {
    keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed: {keys}"))["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A key for eve, generated on her machine (not trusted by the workspace).
fn eve_key(f: &crate::support::BundleFixture) -> String {
    f.json("eve", &["keys", "generate", "--owner", "eve@acme.example"])["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn moving_first_to_another_key_by_hand_trusts_nothing() {
    let f = bundle_fixture();
    let eve = eve_key(&f);
    let config = f.path().join("mandate.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    assert_eq!(original.matches("first = true").count(), 1, "{original}");
    let keys = f.json("dana", &["keys", "list"]);
    assert_eq!(status_of(&keys, &f.dana), "first");
    assert!(keys.get("problems").is_none(), "{keys}");

    // Move the flag from dana's entry onto a hand-made entry for eve.
    let moved = format!(
        "{}\n[[trusted_keys]]\nid = \"{eve}\"\nowner = \"eve@acme.example\"\nfirst = true\n",
        original.replace("first = true\n", "")
    );
    std::fs::write(&config, &moved).unwrap();
    let line = moved.lines().position(|l| l == "first = true").unwrap() + 1;
    let keys = f.report("dana", &["keys", "list"]);
    assert_eq!(status_of(&keys, &eve), "unapproved", "{keys}");
    // The log still anchors dana as the root, and bob's approval by her still holds.
    assert_eq!(status_of(&keys, &f.dana), "first", "{keys}");
    assert_eq!(status_of(&keys, &f.bob), "trusted", "{keys}");
    let problems = keys["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{keys}");
    assert_eq!(problems[0]["file"], "mandate.toml");
    assert_eq!(problems[0]["line"], line, "{}", problems[0]);
    assert_eq!(problems[0]["code"], "keys::first_flag");
    let message = problems[0]["message"].as_str().unwrap();
    assert!(message.contains(&eve), "{message}");
    assert!(
        message.contains("records `ed25519:") && message.contains("`dana@acme.example`"),
        "{message}"
    );
    assert!(
        problems[0]["help"]
            .as_str()
            .unwrap()
            .starts_with("remove this line"),
        "{}",
        problems[0]
    );
    // The human list prints it at its line and exits 1.
    let (code, out, _) = f.run("dana", &["keys", "list"]);
    assert_eq!(code, 1, "{out}");
    let want = format!(
        "{}:{line}:1: error: `first = true` on key `{eve}`",
        f.path().join("mandate.toml").display()
    );
    assert!(out.contains(&want), "{want}\n{out}");

    // Eve's key counts for nothing: she cannot approve a trust change.
    let (code, _, err) = f.run(
        "eve",
        &["keys", "trust", &f.bob, "--remove", "--comment", "mine now"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not trusted here"), "{err}");

    // The flag on bob (trusted through approvals) does not make him the root either.
    let on_bob = original.replace("first = true\n", "").replace(
        &format!("id = \"{}\"\n", f.bob),
        &format!("id = \"{}\"\nfirst = true\n", f.bob),
    );
    assert_ne!(on_bob, original);
    std::fs::write(&config, &on_bob).unwrap();
    let keys = f.report("dana", &["keys", "list"]);
    assert_eq!(status_of(&keys, &f.dana), "first", "{keys}");
    assert_eq!(status_of(&keys, &f.bob), "trusted", "{keys}");
    assert_eq!(keys["problems"].as_array().unwrap().len(), 1, "{keys}");
    // A flag added beside dana's: the workspace still opens, and only the stray is reported.
    let both = original.replace(
        &format!("id = \"{}\"\n", f.bob),
        &format!("id = \"{}\"\nfirst = true\n", f.bob),
    );
    assert_eq!(both.matches("first = true").count(), 2);
    std::fs::write(&config, &both).unwrap();
    let keys = f.report("dana", &["keys", "list"]);
    assert_eq!(status_of(&keys, &f.dana), "first", "{keys}");
    assert_eq!(status_of(&keys, &f.bob), "trusted", "{keys}");
    let problems = keys["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{keys}");
    assert!(
        problems[0]["message"].as_str().unwrap().contains(&f.bob),
        "{keys}"
    );

    // Removing dana's entry by hand untrusts her; `keys trust` lists her again, as the log
    // already trusts her, marked first.
    let without_dana: String = {
        let start = original.find(&format!("id = \"{}\"", f.dana)).unwrap();
        let table = original[..start].rfind("[[trusted_keys]]").unwrap();
        let end = original[start..]
            .find("[[trusted_keys]]")
            .map_or(original.len(), |e| start + e);
        format!("{}{}", &original[..table], &original[end..])
    };
    assert!(!without_dana.contains(&f.dana));
    std::fs::write(&config, &without_dana).unwrap();
    let keys = f.json("dana", &["keys", "list"]);
    assert!(
        keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["id"] != f.dana.as_str()),
        "{keys}"
    );
    let out = f.json("dana", &["keys", "trust", &f.dana.clone()]);
    assert_eq!(out["applied"], true, "{out}");
    let keys = f.json("dana", &["keys", "list"]);
    assert_eq!(status_of(&keys, &f.dana), "first", "{keys}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert_eq!(text.matches("first = true").count(), 1, "{text}");
}

#[test]
fn a_key_listed_by_hand_under_another_owner_is_trusted_under_the_logged_one() {
    let f = bundle_fixture();
    let eve = eve_key(&f);
    // Listed by hand under an old address.
    let config = f.path().join("mandate.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[[trusted_keys]]\nid = \"{eve}\"\nowner = \"eve-old@acme.example\"\n"),
    )
    .unwrap();
    // Dana and bob approve her key under the address she holds it by.
    let mut outcome = serde_json::Value::Null;
    for who in ["dana", "bob"] {
        outcome = f.json(
            who,
            &[
                "keys",
                "trust",
                &eve,
                "--owner",
                "eve@acme.example",
                "--comment",
                "joins",
            ],
        );
    }
    assert_eq!(outcome["applied"], true, "{outcome}");
    let keys = f.json("dana", &["keys", "list"]);
    assert_eq!(status_of(&keys, &eve), "trusted", "{keys}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("owner = \"eve@acme.example\""), "{text}");
    assert!(!text.contains("eve-old@acme.example"), "{text}");
}
