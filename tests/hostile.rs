//! The hostile-input suite: what an outsider can put in recorded traffic, workspace files from
//! git and bundles from elsewhere (`tests/fixtures/hostile/`, README there). Each input must
//! give a clear error naming the file (and line where there is one), never a crash, and
//! whatever reaches the terminal must have its control, bidi and zero-width characters
//! escaped.

use std::path::{Path, PathBuf};

use crate::support::{demo, mandate};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(rel)
}

/// Runs the CLI; returns (exit code, stdout, stderr). A crash (a signal, or Rust's panic
/// code 101) fails the test here.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = mandate().args(args).output().unwrap();
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "`mandate {}` was killed by a signal: {:?}",
            args.join(" "),
            out.status
        )
    });
    assert_ne!(
        code,
        101,
        "`mandate {}` panicked:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).expect("output is UTF-8");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_terminal_safe(&stdout, args);
    assert_terminal_safe(&stderr, args);
    (code, stdout, stderr)
}

/// No character that can move the cursor, recolour, retitle or reorder a terminal.
fn assert_terminal_safe(text: &str, args: &[&str]) {
    let bad: Vec<String> = text
        .chars()
        .filter(|c| {
            (c.is_control() && !matches!(c, '\n' | '\t'))
                || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(
        bad.is_empty(),
        "`mandate {}` printed raw {bad:?}:\n{text}",
        args.join(" ")
    );
}

/// `mandate requests import FILE --set SET` in the workspace `w`.
fn import(w: &str, file: &Path, set: &str) -> (i32, String, String) {
    run(&[
        "--workspace",
        w,
        "requests",
        "import",
        file.to_str().unwrap(),
        "--set",
        set,
    ])
}

fn ws_arg(dir: &Path) -> String {
    dir.display().to_string()
}

#[test]
fn hostile_request_lines_are_each_reported_and_the_good_lines_kept() {
    let ws = demo();
    let w = ws_arg(ws.path());
    let deep = fixture("requests/deep-nesting.jsonl");
    let (code, out, err) = import(&w, &deep, "deep");
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "deep-nesting.jsonl:2: not valid JSON: recursion limit exceeded at column 155"
        ),
        "{out}"
    );
    assert!(out.contains("2 kept, 0 duplicate(s), 1 skipped"), "{out}");

    let utf8 = fixture("requests/invalid-utf8.jsonl");
    let (code, out, _) = import(&w, &utf8, "utf8");
    assert_eq!(code, 1);
    assert!(
        out.contains("invalid-utf8.jsonl:2: not valid UTF-8 at column 42; save the file as UTF-8"),
        "{out}"
    );
    assert!(out.contains("2 kept, 0 duplicate(s), 1 skipped"), "{out}");

    // A 20 MB line is refused without being held, and the line after it still imports.
    let huge = ws.path().join("huge.jsonl");
    let good = String::from_utf8_lossy(&std::fs::read(&utf8).unwrap()).into_owned();
    let first = good.lines().next().unwrap();
    std::fs::write(
        &huge,
        format!("{{\"context\": \"{}\"}}\n{first}\n", "x".repeat(20 << 20)),
    )
    .unwrap();
    let (code, out, _) = import(&w, &huge, "huge");
    assert_eq!(code, 1);
    assert!(
        out.contains("huge.jsonl:1: a line of 20971535 bytes is longer than the 4 MiB"),
        "{out}"
    );
    assert!(out.contains("1 kept, 0 duplicate(s), 1 skipped"), "{out}");

    // Entities whose parents form a cycle (which the schema forbids): the request is skipped at
    // replay with the reason; the loose-file test below has a cycle the schema allows.
    let cyclic = fixture("requests/cyclic-entities.jsonl");
    import(&w, &cyclic, "cyclic");
    let (code, out, err) = run(&[
        "--workspace",
        &w,
        "simulate",
        "--set",
        "cyclic",
        "--baseline",
        "@none",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("`entities`: entity does not conform to the schema: `Acme::Team::\"a\"` is not allowed to have an ancestor of type `Acme::Team`"),
        "{out}"
    );
    assert!(out.contains("\n1 requests replayed"), "{out}");
}

#[test]
fn hidden_characters_in_traffic_and_inventory_are_escaped_on_the_terminal() {
    let ws = demo();
    let w = ws_arg(ws.path());
    let hidden = fixture("requests/hidden-characters.jsonl");
    let (code, _, _) = import(&w, &hidden, "hidden");
    assert_eq!(code, 0);
    let (_, out, _) = run(&[
        "--workspace",
        &w,
        "simulate",
        "--set",
        "hidden",
        "--baseline",
        "@none",
    ]);
    assert!(
        out.contains(r#"Acme::Agent::"evil\u{202e}exe\u{1b}[2J""#),
        "{out}"
    );
    assert!(out.contains(r"r\u{2066}-1"), "{out}");
    let (_, out, _) = run(&[
        "--workspace",
        &w,
        "explain",
        "--set",
        "hidden",
        "line:1",
        "--baseline",
        "@none",
    ]);
    assert!(out.contains(r"\u{202e}"), "{out}");

    // JSON escapes them too, and still decodes to the very same text.
    let (_, out, _) = run(&[
        "--workspace",
        &w,
        "simulate",
        "--set",
        "hidden",
        "--baseline",
        "@none",
        "--format",
        "jsonl",
    ]);
    assert!(
        out.contains(r#""id":"r\u2066-1""#) && !out.contains('\u{2066}'),
        "{out}"
    );
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "r\u{2066}-1", "the JSON value keeps the id");

    std::fs::copy(
        fixture("policies/hidden-characters.cedar"),
        ws.path().join("policies/hidden.cedar"),
    )
    .unwrap();
    let (code, out, _) = run(&["--workspace", &w, "validate"]);
    assert_eq!(code, 1);
    assert!(out.contains(r"policies/hidden.cedar:1:10: error: policy `evil\u{202e}\u{1b}[2J` contains the invisible character U+202E"), "{out}");
    std::fs::remove_file(ws.path().join("policies/hidden.cedar")).unwrap();

    std::fs::copy(
        fixture("inventory/hidden-characters.toml"),
        ws.path().join("inventory/agents/hidden.toml"),
    )
    .unwrap();
    let (code, out, _) = run(&["--workspace", &w, "check"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(r"agents/hidden.toml:1: error: agent id `hidden\u{202e}exe` is not a slug"),
        "{out}"
    );
    let (_, out, _) = run(&["--workspace", &w, "agents", "list"]);
    assert!(
        out.contains(r"Evil \u{1b}[31mred\u{1b}[0m \u{200b}zero-width"),
        "{out}"
    );
}

#[test]
fn hostile_inventory_files_are_each_located() {
    let ws = demo();
    let w = ws_arg(ws.path());
    let agents = ws.path().join("inventory/agents");
    for name in ["deep-nesting.toml", "invalid-utf8.toml"] {
        std::fs::copy(fixture(&format!("inventory/{name}")), agents.join(name)).unwrap();
    }
    // Two agents delegating to each other: cyclic parents in the delegation graph.
    let edit = |id: &str, to: &str| {
        let path = agents.join(format!("{id}.toml"));
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("delegates"))
            .collect();
        std::fs::write(
            &path,
            format!("{}\ndelegates = [\"{to}\"]\n", kept.join("\n")),
        )
        .unwrap();
    };
    edit("alert-router", "monitor-muter");
    edit("monitor-muter", "alert-router");
    let (code, out, _) = run(&["--workspace", &w, "check"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("agents/deep-nesting.toml:3: error: cannot recurse further"),
        "{out}"
    );
    assert!(
        out.contains(
            "agents/invalid-utf8.toml:2: error: file is not UTF-8 (invalid byte at offset 31)"
        ),
        "{out}"
    );
    assert!(
        out.contains("error: delegation cycle: `alert-router` → `monitor-muter` → `alert-router`"),
        "{out}"
    );
}

#[test]
fn policy_text_too_deep_for_cedars_parser_is_refused_at_its_line_and_column() {
    let ws = demo();
    let w = ws_arg(ws.path());
    for name in ["deep-nesting.cedar", "long-chain.cedar"] {
        std::fs::copy(
            fixture(&format!("policies/{name}")),
            ws.path().join("policies").join(name),
        )
        .unwrap();
    }
    let (code, out, _) = run(&["--workspace", &w, "validate"]);
    assert_eq!(code, 1);
    // `permit(…)` closes before `when {` opens level 1: the 100th `(` crosses 100.
    assert!(out.contains("policies/deep-nesting.cedar:2:143: error: nesting deeper than 100 levels [mandate::too_deep]"), "{out}");
    assert!(
        out.contains("policies/long-chain.cedar:2:")
            && out.contains("more than 2000 operators in one policy"),
        "{out}"
    );

    // Text just inside both limits parses, validates and replays: the threads that do Cedar
    // work have the stack the limits assume.
    for name in ["deep-nesting.cedar", "long-chain.cedar"] {
        std::fs::remove_file(ws.path().join("policies").join(name)).unwrap();
    }
    let at_limit = format!(
        "@id(\"at-limit\")\npermit(principal, action, resource) when {{ {}context.env == \"prod\"{}{} }};\n",
        "(".repeat(95),
        " && context.env == \"prod\"".repeat(600),
        ")".repeat(95)
    );
    std::fs::write(ws.path().join("policies/at-limit.cedar"), at_limit).unwrap();
    let (code, out, _) = run(&["--workspace", &w, "validate"]);
    assert_eq!(code, 0, "{out}");
    let traffic = ws.path().join("requests/traffic.jsonl");
    import(&w, &traffic, "t");
    let (code, out, err) = run(&[
        "--workspace",
        &w,
        "simulate",
        "--set",
        "t",
        "--baseline",
        "@none",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        report["summary"]["requests"].as_u64().unwrap() > 1_000,
        "{}",
        report["summary"]
    );
    // The solver's workers too (symcc typechecks recursively): this policy used to come back
    // as "not well typed" from their 2 MiB stacks, though Cedar validated it.
    let (code, out, err) = run(&[
        "--workspace",
        &w,
        "analyze",
        "--baseline",
        "@none",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("not well typed"), "{out}");
    let analysis: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(analysis["problems"].as_array().unwrap().len(), 0, "{out}");
    assert!(
        !analysis["environments"].as_array().unwrap().is_empty(),
        "{out}"
    );
}

#[test]
fn deep_schemas_and_cyclic_entities_in_loose_files_are_refused_with_the_reason() {
    let f = |rel: &str| fixture(rel).display().to_string();
    // The loose files of `cyclic/` with the schema `schema`.
    let simulate = |schema: &str| {
        let (policies, requests) = (f("cyclic/policies.cedar"), f("cyclic/requests.jsonl"));
        run(&[
            "simulate",
            "--schema",
            &f(schema),
            "--entities",
            &f("cyclic/entities.json"),
            "--baseline",
            &policies,
            "--candidate",
            &policies,
            "--requests",
            &requests,
        ])
    };
    let (code, _, err) = simulate("schema/deep.cedarschema");
    assert_eq!(code, 2);
    assert!(err.contains("deep.cedarschema` does not parse: line 2, column 415: type nesting deeper than 100 levels"), "{err}");
    let (code, _, err) = simulate("cyclic/schema.cedarschema");
    assert_eq!(code, 2);
    assert!(
        err.contains("entities.json` do not load")
            && err.contains("input graph has a cycle containing vertex `Group::"),
        "{err}"
    );
}

#[test]
fn a_ten_megabyte_policy_file_is_refused_before_it_is_read() {
    let ws = demo();
    let w = ws_arg(ws.path());
    let one =
        "@id(\"bulk\")\npermit(principal, action, resource) when { context.env == \"prod\" };\n";
    let huge = one.repeat(10_000_000 / one.len() + 1);
    assert!(huge.len() >= 10_000_000);
    std::fs::write(ws.path().join("policies/huge.cedar"), huge).unwrap();
    let (code, out, _) = run(&["--workspace", &w, "validate"]);
    assert_eq!(code, 1);
    assert!(out.contains("policies/huge.cedar:1:1: error: is 9.5 MiB, over the 4 MiB Mandate reads from one policy, schema or inventory file"), "{out}");
    // The rest of the workspace still validates: one bad file never hides the others.
    assert!(out.contains("18 policies in 8 files"), "{out}");
}

#[test]
fn links_out_of_the_workspace_are_never_followed() {
    let ws = demo();
    let w = ws_arg(ws.path());
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.cedar");
    std::fs::write(
        &secret,
        "permit(principal, action, resource) when { \"s3cr3t-token\" == \"x\" };\n",
    )
    .unwrap();
    std::fs::write(
        outside.path().join("more.cedar"),
        "s3cr3t-token not cedar\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, ws.path().join("policies/secret.cedar")).unwrap();
    std::os::unix::fs::symlink(outside.path(), ws.path().join("policies/shared")).unwrap();
    std::os::unix::fs::symlink(&secret, ws.path().join("inventory/agents/secret.toml")).unwrap();
    // A link that stays inside the workspace is an ordinary file.
    std::os::unix::fs::symlink(
        ws.path().join("policies/tools.cedar"),
        ws.path().join("policies/alias.cedar"),
    )
    .unwrap();

    let (code, out, _) = run(&["--workspace", &w, "check"]);
    assert_eq!(code, 1);
    for rel in [
        "policies/secret.cedar",
        "policies/shared",
        "inventory/agents/secret.toml",
    ] {
        assert!(
            out.contains(&format!("{rel}:1: error: is a link to `"))
                && out.contains("outside the workspace; it was not read"),
            "{rel}:\n{out}"
        );
    }
    // The alias was read (its policies duplicate `tools.cedar`'s ids).
    assert!(out.contains("policies/alias.cedar"), "{out}");
    assert!(
        !out.contains("s3cr3t"),
        "the linked file's text reached the output:\n{out}"
    );
}

#[test]
fn hostile_bundles_are_refused_before_anything_is_written() {
    let ws = demo();
    let w = ws_arg(ws.path());
    let cases = [
        ("zip-slip", "../../../../tmp/mandate-zip-slip: unsafe path: has a `..` component that climbs out of the bundle"),
        ("absolute-path", "/etc/cron.d/mandate: unsafe path: absolute (starts with `/`)"),
        ("symlink", "policies/link.cedar: is a symbolic link: bundles hold regular files only"),
        ("zip-bomb", "entities.json: compresses 1028:1, more than the limit of 100:1: this looks like a zip bomb"),
        ("duplicate-names", "policies/A.cedar: differs from `policies/a.cedar` only by case"),
    ];
    for (name, expected) in cases {
        let path = fixture(&format!("bundles/{name}.mandate-bundle"))
            .display()
            .to_string();
        let (code, out, _) = run(&["--workspace", &w, "bundle", "verify", &path]);
        assert_eq!(code, 1, "{name}");
        assert!(out.contains(expected), "{name}:\n{out}");
        assert!(out.contains("verification FAILED"), "{name}:\n{out}");
        let (code, _, err) = run(&["--workspace", &w, "bundle", "publish", &path]);
        assert_eq!(code, 2, "{name}");
        assert!(err.contains(expected), "{name}:\n{err}");
    }
    assert!(!Path::new("/tmp/mandate-zip-slip").exists());
    assert!(!ws.path().join("bundles").exists(), "nothing was published");
}
