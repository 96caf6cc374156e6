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

    // A broken controls file is reported, every problem located, and the library still
    // shows: the id of the wrong type at its line, the missing title and statement at the
    // control's header.
    ws.write("controls/controls.toml", "[[controls]]\nid = 3\n");
    let view = session.controls();
    let mut found: Vec<(u32, String)> = view
        .diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d.file, "controls/controls.toml");
            (d.line, d.message.clone())
        })
        .collect();
    found.sort();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[0].0 == 1 && found[1].0 == 1, "{found:?}");
    let header = format!("{} {}", found[0].1, found[1].1);
    assert!(
        header.contains("no `statement`") && header.contains("no `title`"),
        "{found:?}"
    );
    assert_eq!(found[2].0, 2);
    assert!(
        found[2].1.contains("`id`") && found[2].1.contains("integer `3`"),
        "{found:?}"
    );
    assert!(view.controls.iter().all(|c| !c.in_workspace));
    assert!(!view.controls.is_empty());
}

/// Each file in `tests/bad-policies/` checked alone in a fresh workspace (namespace `Acme`,
/// the generated schema, the library's controls, an empty inventory): every diagnostic with
/// its location, code, message, help and the source text its span covers.
#[test]
fn bad_policies_snapshot() {
    insta::glob!("bad-policies/*.cedar", |path| {
        let ws = TempWorkspace::new();
        for entry in std::fs::read_dir(ws.file("policies")).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        let name = path.file_name().unwrap().to_str().unwrap();
        let rel = format!("policies/{name}");
        let text = std::fs::read_to_string(path).unwrap();
        ws.write(&rel, &text);
        let report = Session::open(ws.path()).unwrap().validate();
        assert!(
            !report.diagnostics.is_empty(),
            "{name}: a bad policy must be reported"
        );
        let mut out = String::new();
        for d in &report.diagnostics {
            assert_eq!(d.file, rel, "{name}: located in its own file");
            assert!(
                d.help.as_deref().is_some_and(|h| !h.is_empty()),
                "{name}: `{}` has no help",
                d.code
            );
            out.push_str(&format!(
                "{}:{}-{}:{} {} [{}]\n  message: {}\n  help: {}\n  span: {:?}\n",
                d.line,
                d.column,
                d.end_line,
                d.end_column,
                format!("{:?}", d.severity).to_lowercase(),
                d.code,
                d.message,
                d.help.as_deref().unwrap_or(""),
                span_text(&text, d.line, d.column, d.end_line, d.end_column),
            ));
        }
        insta::assert_snapshot!(out);
    });
}

/// The text between two 1-based (line, column) positions, columns counted in characters.
fn span_text(text: &str, line: u32, column: u32, end_line: u32, end_column: u32) -> String {
    let offset = |l: u32, c: u32| -> usize {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(l as usize - 1)
            .map(str::len)
            .sum();
        let rest = &text[line_start..];
        line_start
            + rest
                .char_indices()
                .nth(c as usize - 1)
                .map_or(rest.len(), |(i, _)| i)
    };
    let (start, end) = (offset(line, column), offset(end_line, end_column));
    text.get(start..end.max(start)).unwrap_or("").to_owned()
}
