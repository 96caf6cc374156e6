//! The `mandate` binary end to end: init, validate, exit codes, output shapes.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{mandate, TempWorkspace};

#[test]
fn init_creates_the_layout_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("acme");
    mandate()
        .args([
            "init",
            ws.to_str().unwrap(),
            "--name",
            "Acme",
            "--namespace",
            "Acme",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "created workspace `Acme` (namespace Acme)",
        ));
    for rel in [
        "mandate.toml",
        "schema.cedarschema",
        "inventory/people.toml",
        "inventory/resources.toml",
        "controls/controls.toml",
        "policies/credentials.cedar",
        ".gitignore",
        ".mandate/mandate.db",
    ] {
        assert!(ws.join(rel).is_file(), "missing {rel}");
    }
    assert_eq!(
        std::fs::read_to_string(ws.join(".gitignore")).unwrap(),
        ".mandate/\n.mandate-tmp-*\n"
    );
    let policy = std::fs::read_to_string(ws.join("policies/credentials.cedar")).unwrap();
    assert!(policy.contains("Acme::Action::\"request_credential\""));
    assert!(!policy.contains("Mandate::"));

    let before = std::fs::read_to_string(ws.join("mandate.toml")).unwrap();
    mandate()
        .args(["init", ws.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("already holds a Mandate workspace")
                .and(predicate::str::contains("help:")),
        );
    assert_eq!(
        std::fs::read_to_string(ws.join("mandate.toml")).unwrap(),
        before
    );
}

#[test]
fn validate_exits_0_on_a_clean_workspace() {
    let ws = TempWorkspace::new();
    mandate()
        .args(["--workspace", ws.path().to_str().unwrap(), "validate"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "0 errors, 0 warnings (strict validation against schema.cedarschema)",
        ));
}

#[test]
fn validate_exits_1_and_reports_every_error_with_location_and_help() {
    let ws = TempWorkspace::new();
    ws.write("policies/z-typo.cedar", "permit(principal is Acme::Agent, action, resource)\nwhen { principal.lifecycl == \"active\" };\n");
    ws.write(
        "policies/z-syntax.cedar",
        "forbid(principal, action, resource)\nwhen { 1 + };\n",
    );
    let shown = ws.path().to_str().unwrap();
    let out = mandate()
        .args(["--workspace", shown, "validate"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(&format!(
            "{shown}/policies/z-syntax.cedar:2:12: error: unexpected token `}}` [cedar::parse]"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("{shown}/policies/z-typo.cedar:2:8: error:")),
        "{text}"
    );
    assert!(text.contains("help: did you mean `lifecycle`?"), "{text}");
    assert!(text.contains(": 2 errors, 1 warning "), "{text}");
    assert!(
        text.contains("z-typo.cedar:1:1: warning: policy `policy11` has no `@id`"),
        "{text}"
    );
}

#[test]
fn validate_json_reports_files_policies_and_diagnostics() {
    let ws = TempWorkspace::new();
    ws.write(
        "policies/z-dup.cedar",
        "@id(\"deny-inactive-agents\")\nforbid(principal, action, resource);\n",
    );
    let out = mandate()
        .args([
            "--workspace",
            ws.path().to_str().unwrap(),
            "--format",
            "json",
            "validate",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["error_count"], 1);
    assert_eq!(v["schema_used"], true);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "policy::duplicate_id");
    assert_eq!(d["file"], "policies/z-dup.cedar");
    assert_eq!(d["line"], 1);
    assert_eq!(
        d["message"],
        "duplicate policy id `deny-inactive-agents`: also at policies/lifecycle.cedar:3"
    );
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = files.clone();
    sorted.sort_unstable();
    assert_eq!(files, sorted);
    let lifecycle = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "policies/lifecycle.cedar")
        .unwrap();
    assert_eq!(lifecycle["policies"][0]["id"], "deny-inactive-agents");
    assert_eq!(lifecycle["policies"][0]["control"], "MND-LIFECYCLE-01");
}

#[test]
fn validate_exits_2_outside_a_workspace_with_a_coded_json_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = mandate()
        .args([
            "--workspace",
            dir.path().to_str().unwrap(),
            "--error-format",
            "json",
            "validate",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["code"], "workspace_not_found");
    assert!(v["help"].as_str().unwrap().contains("mandate init"));
}

#[test]
fn validate_finds_the_workspace_from_a_subfolder() {
    let ws = TempWorkspace::new();
    mandate()
        .current_dir(ws.file("policies"))
        .arg("validate")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("policies in 4 files"));
}

#[test]
fn bad_config_is_reported_with_its_line_and_nothing_is_written() {
    let ws = TempWorkspace::new();
    let text = "name = \"x\"\nnamespace = \"Acme\"\n[schema]\nmode = \"generated\"\nflavour = \"strict\"\n";
    ws.write("mandate.toml", text);
    mandate()
        .args(["--workspace", ws.path().to_str().unwrap(), "validate"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("mandate.toml:5:1: error:")
                .and(predicate::str::contains("flavour")),
        );
    assert_eq!(
        std::fs::read_to_string(ws.file("mandate.toml")).unwrap(),
        text
    );
}

#[test]
fn terminal_output_escapes_control_characters_from_files() {
    let ws = TempWorkspace::new();
    // A hostile @id with an ANSI escape, duplicated so it appears in a message.
    let id = "x\u{1b}[2J";
    ws.write(
        "policies/a1.cedar",
        &format!("@id(\"{id}\")\npermit(principal, action, resource);\n"),
    );
    ws.write(
        "policies/a2.cedar",
        &format!("@id(\"{id}\")\npermit(principal, action, resource);\n"),
    );
    let out = mandate()
        .args(["--workspace", ws.path().to_str().unwrap(), "validate"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("x\\u{1b}[2J"), "{text}");
}

#[test]
fn fmt_formats_statement_by_statement_and_check_reports() {
    let ws = TempWorkspace::new();
    ws.write(
        "policies/messy.cedar",
        "// keep me\n@id(\"m\")\npermit(principal,action,resource)when{context.x==1};\n",
    );
    let p = ws.path().to_str().unwrap();
    mandate()
        .args(["--workspace", p, "fmt", "--check"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("would reformat").and(predicate::str::contains("messy.cedar")),
        );
    assert!(std::fs::read_to_string(ws.file("policies/messy.cedar"))
        .unwrap()
        .contains("when{"));
    mandate().args(["--workspace", p, "fmt"]).assert().success();
    assert_eq!(
        std::fs::read_to_string(ws.file("policies/messy.cedar")).unwrap(),
        "// keep me\n@id(\"m\")\npermit (principal, action, resource)\nwhen { context.x == 1 };\n"
    );
    // The library is already formatted, so now everything is.
    mandate()
        .args(["--workspace", p, "fmt", "--check"])
        .assert()
        .success();
    ws.write("policies/broken.cedar", "permit(principal,");
    mandate()
        .args(["--workspace", p, "fmt"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("skipped").and(predicate::str::contains("broken.cedar")));
}

#[test]
fn policy_add_instantiates_a_library_control_in_the_workspace_namespace() {
    let ws = TempWorkspace::new();
    let p = ws.path().to_str().unwrap();
    // `init` already holds the library: adding it again is refused, nothing written.
    mandate()
        .args([
            "--workspace",
            p,
            "policy",
            "add",
            "--control",
            "MND-CRED-01",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "already has the policies of `MND-CRED-01` (in policies/credentials.cedar)",
        ));
    std::fs::remove_file(ws.file("policies/credentials.cedar")).unwrap();
    mandate()
        .args(["--workspace", p, "policy", "add", "--control", "MND-CRED-01"])
        .assert()
        .success()
        .stdout("added policies/controls/mnd-cred-01.cedar (credential-ttl-within-ceiling) enforcing MND-CRED-01\n");
    let text = std::fs::read_to_string(ws.file("policies/controls/mnd-cred-01.cedar")).unwrap();
    assert!(
        text.contains("Acme::Action::\"request_credential\""),
        "{text}"
    );
    assert!(text.contains("@control(\"MND-CRED-01\")"));
    mandate()
        .args(["--workspace", p, "validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 errors, 0 warnings"));
    mandate()
        .args(["--workspace", p, "policy", "add", "--control", "MND-NOPE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no policy for control `MND-NOPE`"));
}

#[test]
fn validate_links_templates_from_links_toml_and_locates_bad_links() {
    let ws = TempWorkspace::new();
    let p = ws.path().to_str().unwrap();
    ws.write(
        "policies/grants.cedar",
        "@id(\"grant-tool-group\")\n@control(\"MND-AUTHZ-01\")\npermit (principal == ?principal, action == Acme::Action::\"invoke_tool\", resource in ?resource);\n",
    );
    ws.write(
        "policies/links.toml",
        "[[links]]\nid = \"grant-a\"\ntemplate = \"grant-tool-group\"\nprincipal = 'Agent::\"a\"'\nresource = 'ToolGroup::\"g\"'\n",
    );
    let out = mandate()
        .args(["--workspace", p, "validate", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["links"][0]["id"], "grant-a");
    assert_eq!(json["links"][0]["template"], "grant-tool-group");
    assert_eq!(json["error_count"], 0, "{json:#}");
    mandate()
        .args(["--workspace", p, "validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "in 5 files and 1 template link: 0 errors",
        ));

    ws.write(
        "policies/links.toml",
        "[[links]]\nid = \"grant-a\"\ntemplate = \"grant-tool-grup\"\nprincipal = 'Agent::\"a\"'\n\n[[links]]\nid = \"grant-b\"\ntemplate = \"grant-tool-group\"\nprincipal = 'Agent::\"b\"'\n",
    );
    mandate()
        .args(["--workspace", p, "validate"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains(
                "policies/links.toml:3:12: error: no template `grant-tool-grup`",
            )
            .and(predicate::str::contains(
                "help: templates in the workspace: grant-tool-group",
            ))
            .and(predicate::str::contains(
                "policies/links.toml:6:1: error: link `grant-b` does not fill `?resource`",
            )),
        );
}

#[test]
fn keys_generate_works_outside_any_workspace_and_nothing_else_does() {
    // A key belongs to a person: they make it once, on their machine, before any workspace
    // trusts it. Other workspace commands still say there is no workspace.
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let out = mandate()
        .current_dir(dir.path())
        .env("MANDATE_KEYS_DIR", &keys)
        .args([
            "--format",
            "json",
            "keys",
            "generate",
            "--owner",
            "zed@acme.example",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let key: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(key["owner"], "zed@acme.example");
    let id = key["id"].as_str().unwrap();
    assert!(id.starts_with("ed25519:") && id.len() == 8 + 64, "{id}");
    let pem = std::path::Path::new(key["path"].as_str().unwrap());
    assert!(pem.starts_with(&keys) && pem.is_file(), "{key}");
    mandate()
        .current_dir(dir.path())
        .env("MANDATE_KEYS_DIR", &keys)
        .args(["keys", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no `mandate.toml` in"));
}
