//! Workspaces and the store through the api: init, open, audit log on a real file.

use mandate::api::{self, Session};
use mandate::ErrorCode;

use crate::support::TempWorkspace;

#[test]
fn init_records_itself_in_the_audit_log() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let log = session.audit_log(10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "workspace.init");
    assert_eq!(log[0].actor, "tester@example.com");
    assert_eq!(
        log[0].after.as_deref(),
        Some(r#"{"name":"Test workspace","namespace":"Acme"}"#)
    );
}

#[test]
fn saving_a_policy_is_atomic_audited_and_confined_to_the_workspace() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let text = "@id(\"p\")\npermit(principal, action, resource);\n";
    session
        .save_policy("policies/new.cedar", text, None, "dana@acme.example")
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(ws.file("policies/new.cedar")).unwrap(),
        text
    );
    let log = session.audit_log(1).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].subject.as_str()),
        ("policy.save", "policy:policies/new.cedar")
    );
    assert_eq!(log[0].before, None);

    for bad in ["../escape.cedar", "/etc/x.cedar", "policies/../../x.cedar"] {
        let err = session
            .save_policy(bad, text, None, "dana@acme.example")
            .unwrap_err();
        assert!(
            matches!(
                err.code,
                ErrorCode::PathOutsideWorkspace | ErrorCode::InvalidArgument
            ),
            "{bad}: {err:?}"
        );
    }
    assert_eq!(
        session
            .save_policy("mandate.toml", "x", None, "d")
            .unwrap_err()
            .code,
        ErrorCode::InvalidArgument
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_leaving_the_workspace_is_refused() {
    let ws = TempWorkspace::new();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), ws.file("policies/linked")).unwrap();
    let session = Session::open(ws.path()).unwrap();
    let err = session
        .save_policy(
            "policies/linked/x.cedar",
            "permit(principal, action, resource);",
            None,
            "d",
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::PathOutsideWorkspace);
    assert!(!outside.path().join("x.cedar").exists());
}

#[test]
fn open_reports_every_bad_config_value() {
    let ws = TempWorkspace::new();
    ws.write("mandate.toml", "name = \"\"\nnamespace = \"not valid\"\n");
    let err = Session::open(ws.path()).unwrap_err();
    assert_eq!(err.code, ErrorCode::ConfigInvalid);
    let lines: Vec<u32> = err.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![1, 2]);
    assert!(err.diagnostics.iter().all(|d| d.file == "mandate.toml"));
}

#[test]
fn validate_dir_counts_policies_in_the_starter_workspace() {
    let ws = TempWorkspace::new();
    let report = api::validate_dir(ws.path()).unwrap();
    assert_eq!(report.error_count, 0, "{:?}", report.diagnostics);
    assert!(report.schema_used);
    assert_eq!(report.files.len(), 4);
    assert_eq!(report.policy_count, 11);
}

#[test]
fn reload_info_sees_outside_config_edits_and_reports_breakage() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let config = std::fs::read_to_string(ws.file("mandate.toml")).unwrap();
    ws.write(
        "mandate.toml",
        &config.replace("name = \"Test workspace\"", "name = \"Renamed\""),
    );
    assert_eq!(session.info().name, "Test workspace");
    assert_eq!(session.reload_info().unwrap().name, "Renamed");
    ws.write("mandate.toml", "name = \"x\"\nbogus = 1\n");
    let err = session.reload_info().unwrap_err();
    assert_eq!(err.code, ErrorCode::ConfigInvalid);
    assert_eq!(err.diagnostics[0].line, 2);
}
