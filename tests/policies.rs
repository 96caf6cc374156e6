//! Policy authoring through `mandate::api`: controls, the library, test requests.

use mandate::api::Session;

use crate::support::TempWorkspace;

#[test]
fn controls_merge_the_workspace_file_with_the_library_and_name_their_policies() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let view = session.controls();
    assert!(view.diagnostics.is_empty(), "{:?}", view.diagnostics);
    let cred = view
        .controls
        .iter()
        .find(|c| c.id == "MND-CRED-01")
        .unwrap();
    assert!(cred.in_workspace);
    assert_eq!(cred.library_policies, ["credential-ttl-within-ceiling"]);
    assert_eq!(cred.enforced_by.len(), 1);
    assert_eq!(cred.enforced_by[0].id, "credential-ttl-within-ceiling");
    assert_eq!(cred.enforced_by[0].file, "policies/credentials.cedar");
    assert!(cred.enforced_by[0].line > 1);
    let ids: Vec<&str> = view.controls.iter().map(|c| c.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "sorted by id");

    // An organisation's own control, enforced by its own policy; the library's controls
    // the file no longer lists stay visible as library-only.
    ws.write(
        "controls/controls.toml",
        "[[controls]]\nid = \"ORG-1\"\ntitle = \"Own\"\nstatement = \"s\"\npolicies = [\"own\"]\n",
    );
    ws.write(
        "policies/own.cedar",
        "@id(\"own\")\n@control(\"ORG-1\")\nforbid (principal, action, resource);\n",
    );
    std::fs::remove_file(ws.file("policies/credentials.cedar")).unwrap();
    let view = session.controls();
    let own = view.controls.iter().find(|c| c.id == "ORG-1").unwrap();
    assert!(own.in_workspace);
    assert!(own.library_policies.is_empty());
    assert_eq!(own.enforced_by[0].file, "policies/own.cedar");
    assert_eq!(own.enforced_by[0].line, 1);
    let cred = view
        .controls
        .iter()
        .find(|c| c.id == "MND-CRED-01")
        .unwrap();
    assert!(!cred.in_workspace);
    assert!(cred.enforced_by.is_empty());
    assert_eq!(cred.library_policies, ["credential-ttl-within-ceiling"]);

    // A broken controls file is reported, located, and the library still shows.
    ws.write("controls/controls.toml", "[[controls]]\nid = 3\n");
    let view = session.controls();
    assert_eq!(view.diagnostics.len(), 1);
    assert_eq!(view.diagnostics[0].file, "controls/controls.toml");
    assert_eq!(view.diagnostics[0].line, 2);
    assert!(view.controls.iter().all(|c| !c.in_workspace));
    assert!(!view.controls.is_empty());
}
