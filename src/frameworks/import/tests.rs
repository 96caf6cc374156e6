use super::*;

const OSCAL: &str = include_str!("../../../tests/fixtures/frameworks/acme-agent-catalog.json");
const CSV: &str = include_str!("../../../tests/fixtures/frameworks/acme-ai-policy.csv");
const BAD_CSV: &str = include_str!("../../../tests/fixtures/frameworks/bad-framework.csv");

fn src<'a>(file: &'a str, text: &'a str) -> Source<'a> {
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    Source { file, stem, text }
}

fn read_ok(file: &str, text: &str) -> Framework {
    match read(&src(file, text), None, &Overrides::default()) {
        Ok((f, _)) => f,
        Err(problems) => panic!("{problems:#?}"),
    }
}

/// Every problem as (line, column, message).
fn problems(file: &str, text: &str, format: Option<FrameworkFormat>) -> Vec<(u32, u32, String)> {
    let e = read(&src(file, text), format, &Overrides::default()).unwrap_err();
    assert!(
        e.iter()
            .all(|d| d.file == file && d.code == CODE && d.help.is_some()),
        "{e:#?}"
    );
    e.into_iter()
        .map(|d| (d.line, d.column, d.message))
        .collect()
}

fn lines(p: &[(u32, u32, String)]) -> Vec<u32> {
    p.iter().map(|(l, _, _)| *l).collect()
}

#[test]
fn formats_are_detected_by_extension_then_content() {
    use FrameworkFormat::*;
    assert_eq!(FrameworkFormat::detect("x.csv", "{}"), Csv);
    assert_eq!(FrameworkFormat::detect("x.json", OSCAL), Oscal);
    assert_eq!(FrameworkFormat::detect("x.txt", OSCAL), Oscal);
    assert_eq!(FrameworkFormat::detect("x.json", "{\"items\": []}"), Json);
    assert_eq!(FrameworkFormat::detect("x.json", "not json"), Json);
    assert_eq!(FrameworkFormat::detect("x", "\u{feff}id,title\n"), Csv);
}

#[test]
fn slugs_make_framework_ids_from_file_names() {
    assert_eq!(slug("acme-ai-policy"), "acme-ai-policy");
    assert_eq!(
        slug("NIST_SP-800-53 rev5 catalog"),
        "nist-sp-800-53-rev5-catalog"
    );
    assert_eq!(slug("2026 Acme Policy v1.2"), "acme-policy-v1.2");
    assert_eq!(slug("---"), "");
    assert!(catalog::valid_framework_id(&slug(&"Long name ".repeat(20))));
}

#[test]
fn csv_groups_are_parents_and_leaves_are_assessable() {
    let f = read_ok("frameworks/acme-ai-policy.csv", CSV);
    assert_eq!(f.id, "acme-ai-policy");
    assert_eq!(f.title, "acme-ai-policy");
    assert_eq!(f.origin, Origin::Custom);
    assert_eq!(f.source, "imported from `acme-ai-policy.csv`");
    let items: Vec<(&str, &str, Option<&str>, bool)> = f
        .items
        .iter()
        .map(|i| {
            (
                i.key.as_str(),
                i.kind.as_str(),
                i.parent.as_deref(),
                i.assessable,
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("ACME-1", "group", None, false),
            ("ACME-1.1", "item", Some("ACME-1"), true),
            ("ACME-1.2", "item", Some("ACME-1"), true),
            ("ACME-2", "group", None, false),
            ("ACME-2.1", "item", Some("ACME-2"), true),
        ]
    );
    let i = f.item("ACME-1.2").unwrap();
    assert_eq!(
        i.text,
        "Agents never share credentials, even within a team."
    );
    assert_eq!(i.official_id.as_deref(), Some("ACME-1.2"));
    assert_eq!(i.label, "ACME-1.2");
    assert!(i.text_is_official);
    // What the import writes is what the workspace loader reads.
    let text = serde_json::to_string_pretty(&f).unwrap();
    assert_eq!(
        catalog::parse_custom("frameworks/acme-ai-policy.json", &text),
        Ok(f)
    );
}

#[test]
fn csv_options_columns_and_overrides() {
    let text = "\u{feff}ID, Title ,Label,Kind,Assessable,Parent\nG,Group,,,,\nG.1,One,G-ONE,control,,G\n,,,,,\nG.2,Two,,,no,G\nX,Standalone,,group,yes,\n";
    let overrides = Overrides {
        id: Some("acme-2026".into()),
        title: Some("Acme AI policy".into()),
        version: Some("2026.1".into()),
        publisher: Some("Acme".into()),
    };
    let (f, format) = read(&src("In House.csv", text), None, &overrides).unwrap();
    assert_eq!(format, FrameworkFormat::Csv);
    assert_eq!(
        (
            f.id.as_str(),
            f.title.as_str(),
            f.short_title.as_str(),
            f.version.as_str(),
            f.publisher.as_str()
        ),
        (
            "acme-2026",
            "Acme AI policy",
            "Acme AI policy",
            "2026.1",
            "Acme"
        )
    );
    // The blank row carries nothing and is not an item.
    assert_eq!(f.items.len(), 4);
    let g1 = f.item("G.1").unwrap();
    assert_eq!((g1.label.as_str(), g1.kind.as_str()), ("G-ONE", "control"));
    assert_eq!(g1.official_id.as_deref(), Some("G-ONE"));
    assert!(!f.item("G.2").unwrap().assessable);
    assert!(f.item("X").unwrap().assessable);
    // Without --id the file name is the id when it makes a slug.
    let f = read_ok("In House.csv", text);
    assert_eq!((f.id.as_str(), f.title.as_str()), ("in-house", "In House"));
}

#[test]
fn every_bad_csv_row_is_reported_with_its_line() {
    let p = problems("bad-framework.csv", BAD_CSV, None);
    assert_eq!(
        p,
        [
            (4, 1, "row has no `id` (title `No id`)".to_owned()),
            (
                5,
                1,
                "item `A-1.1` appears twice: also at line 3".to_owned()
            ),
            (
                6,
                1,
                "item `A-2` names parent `Z-9`, which is not an item of this file".to_owned()
            ),
            (7, 1, "row has 2 cells; the header has 4".to_owned()),
        ]
    );
}

#[test]
fn csv_header_problems_and_bad_cells() {
    let p = problems("x.csv", "id,title,section,title\nA,a,1,b\n", None);
    assert_eq!(
        p,
        [
            (
                1,
                1,
                "column `title` appears twice (columns 2 and 4)".to_owned()
            ),
            (1, 1, "unknown column `section` (column 3)".to_owned()),
        ]
    );
    let p = problems("x.csv", "name,title\nA,a\n", None);
    assert_eq!(
        p,
        [
            (1, 1, "no `id` column".to_owned()),
            (1, 1, "unknown column `name` (column 1)".to_owned())
        ]
    );
    let p = problems("x.csv", "id,title,\nA,a,\n", None);
    assert_eq!(p, [(1, 1, "column 3 has no name".to_owned())]);
    let p = problems("x.csv", "", None);
    assert_eq!(p, [(1, 1, "the file has no header row".to_owned())]);
    let p = problems("x.csv", "id,assessable\nA,maybe\nB,true\n", None);
    assert_eq!(
        p,
        [(
            2,
            1,
            "`assessable` of `A` is not true or false: `maybe`".to_owned()
        )]
    );
    // A quoted cell spanning lines: the next row's line is still right.
    let p = problems(
        "x.csv",
        "id,text,parent\nA,\"two\nlines\",\nB,b,A\nB,b,A\n",
        None,
    );
    assert_eq!(lines(&p), [5]);
}

#[test]
fn parent_cycles_are_reported_instead_of_looping() {
    let p = problems("x.csv", "id,parent\nA,B\nB,A\nC,C\nD,\n", None);
    assert_eq!(
        p,
        [
            (2, 1, "item `A` sits under itself: A → B → A".to_owned()),
            (3, 1, "item `B` sits under itself: B → A → B".to_owned()),
            (4, 1, "item `C` sits under itself: C → C".to_owned()),
        ]
    );
}

#[test]
fn ids_that_are_no_slug_or_a_framework_of_groups_only_are_refused() {
    let p = problems("2026.csv", "id\nA\n", None);
    assert_eq!(
        p,
        [(
            1,
            1,
            "no framework id: the file name `2026` makes none".to_owned()
        )]
    );
    let e = read(
        &src("x.csv", "id\nA\n"),
        None,
        &Overrides {
            id: Some("Acme AI".into()),
            ..Overrides::default()
        },
    )
    .unwrap_err();
    assert_eq!(e[0].message, "framework id `Acme AI` is not a slug");
    let p = problems("x.csv", "id,kind\nA,group\n", None);
    assert_eq!(
        p,
        [(
            1,
            1,
            "framework `x` has no assessable items (every item is a group)".to_owned()
        )]
    );
    let p = problems("x.csv", "id,title\n", None);
    assert_eq!(p, [(1, 1, "framework `x` has no items".to_owned())]);
}

#[test]
fn simple_json_reads_items_and_locates_each_bad_one() {
    let text = r#"{
  "id": "acme-ai",
  "title": "Acme AI policy",
  "version": "1",
  "publisher": "Acme",
  "items": [
    { "id": "G", "title": "Governance" },
    { "id": "G.1", "title": "Owner", "text": "Each agent has an owner.", "parent": "G" },
    { "id": "G.2", "title": "Review", "parent": null, "kind": "practice" }
  ]
}"#;
    let f = read_ok("acme.json", text);
    assert_eq!(
        (f.id.as_str(), f.version.as_str(), f.publisher.as_str()),
        ("acme-ai", "1", "Acme")
    );
    assert_eq!(f.items.len(), 3);
    assert!(!f.item("G").unwrap().assessable);
    assert_eq!(f.item("G.2").unwrap().kind, "practice");
    assert!(f.item("G.2").unwrap().assessable);

    let bad = r#"{
  "id": "acme-ai",
  "owner": "someone",
  "items": [
    { "id": "G", "title": "Governance" },
    { "id": "G.1", "titel": "Owner" },
    { "id": 7 },
    { "title": "No id" },
    { "id": "G", "title": "Again" },
    { "id": "G.3", "parent": "H" }
  ]
}"#;
    let p = problems("acme.json", bad, None);
    assert_eq!(
        p,
        [
            (3, 9, "unknown field `owner`, expected one of `id`, `title`, `short_title`, `version`, `publisher`, `license`, `url`, `items`".to_owned()),
            (6, 26, "item 2: unknown field `titel`, expected one of `id`, `title`, `text`, `parent`, `kind`, `label`, `assessable`".to_owned()),
            (7, 13, "item 3: invalid type: integer `7`, expected a string".to_owned()),
            (8, 24, "item 4: missing field `id`".to_owned()),
            (9, 5, "item `G` appears twice: also at line 5".to_owned()),
            (10, 5, "item `G.3` names parent `H`, which is not an item of this file".to_owned()),
        ]
    );
}

#[test]
fn json_syntax_errors_and_wrong_shapes_are_located() {
    let p = problems(
        "x.json",
        "{\n  \"items\": [\n    {\"id\": \"A\",}\n  ]\n}",
        None,
    );
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].0, p[0].1), (3, 16));
    assert!(p[0].2.starts_with("not JSON: trailing comma"), "{p:?}");
    assert_eq!(
        problems("x.json", "[1, 2]", None),
        [(1, 1, "expected a JSON object with `items`".to_owned())]
    );
    assert_eq!(
        problems("x.json", "{\"id\": \"x\",\n \"items\": {}}", None),
        [(2, 10, "invalid type: map, expected a sequence".to_owned())]
    );
    assert_eq!(
        problems("x.json", OSCAL, Some(FrameworkFormat::Json)),
        [(
            1,
            1,
            "this is an OSCAL catalog, read as a framework JSON".to_owned()
        )]
    );
}

#[test]
fn mandates_own_format_round_trips_with_a_new_id() {
    let nist = catalog::builtin()
        .iter()
        .find(|f| f.id == "nist-ai-rmf-1.0")
        .unwrap();
    let text = serde_json::to_string_pretty(nist).unwrap();
    let (f, format) = read(
        &src("nist.json", &text),
        None,
        &Overrides {
            id: Some("nist-ai-rmf-copy".into()),
            ..Overrides::default()
        },
    )
    .unwrap();
    assert_eq!(format, FrameworkFormat::Json);
    assert_eq!(f.id, "nist-ai-rmf-copy");
    assert_eq!(f.origin, Origin::Custom);
    assert_eq!(f.items, nist.items);
    assert_eq!(f.assessable().count(), 72);

    // Its items are checked one by one too.
    let bad = "{\"id\": \"x\", \"title\": \"t\", \"short_title\": \"t\", \"version\": \"1\", \"publisher\": \"p\",\n \"items\": [\n  {\"key\": \"A\", \"label\": \"A\", \"kind\": \"item\"},\n  {\"key\": \"B\", \"label\": \"B\"}\n ]}";
    let p = problems("x.json", bad, None);
    assert_eq!(p, [(4, 28, "item 2: missing field `kind`".to_owned())]);
}

#[test]
fn oscal_groups_controls_enhancements_labels_and_statements() {
    let f = read_ok("tests/acme-agent-catalog.json", OSCAL);
    assert_eq!(f.id, "acme-agent-catalog");
    assert_eq!(f.title, "Acme Agent Security Catalog");
    assert_eq!(f.version, "2.1");
    assert_eq!(f.publisher, "Acme Security Office");
    assert_eq!(
        f.source,
        "imported from `acme-agent-catalog.json` (OSCAL catalog 6a1c1a8e-52b5-4c39-9f6e-2f1d7c3b9a10)"
    );
    let items: Vec<(&str, &str, &str, Option<&str>, bool)> = f
        .items
        .iter()
        .map(|i| {
            (
                i.key.as_str(),
                i.label.as_str(),
                i.kind.as_str(),
                i.parent.as_deref(),
                i.assessable,
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("id", "ID", "group", None, false),
            ("id-1", "ID-1", "control", Some("id"), true),
            ("id-1.1", "ID-1(1)", "enhancement", Some("id-1"), true),
            ("id-2", "ID-2", "control", Some("id"), false),
            ("ac", "ac", "group", None, false),
            // A group without an id: Mandate's key, labelled by its title.
            ("group-1", "Delegation", "group", Some("ac"), false),
            ("ac-7", "ac-7", "control", Some("group-1"), true),
            ("ac-1", "AC-1", "control", Some("ac"), true),
        ]
    );
    assert_eq!(f.item("group-1").unwrap().official_id, None);
    assert_eq!(f.item("id-1").unwrap().official_id.as_deref(), Some("ID-1"));
    assert_eq!(f.item("id-1").unwrap().title, "Workload identity");
    // Only the statement, not the guidance.
    assert_eq!(
        f.item("id-1").unwrap().text,
        "Every agent has its own workload identity."
    );
    assert_eq!(
        f.item("id-1.1").unwrap().text,
        "The identity is issued only after attestation:\na. of the workload;\nb. of the node it runs on."
    );
    assert_eq!(f.item("id-2").unwrap().notes, "withdrawn");
    assert_eq!(f.assessable().count(), 4);
}

#[test]
fn every_bad_oscal_group_and_control_is_located() {
    let bad = r#"{"catalog": {
  "uuid": "u",
  "metadata": {"title": "T", "version": "1"},
  "groups": [
    {"id": "g", "title": "G", "controls": [
      {"id": "c-1", "title": "One"},
      {"id": "c-2"},
      {"id": "c-1", "title": "Again", "controls": [
        {"id": "c-1.1", "title": 5}
      ]}
    ]},
    {"id": "h"}
  ]
}}"#;
    let p = problems("bad.json", bad, None);
    assert_eq!(
        p,
        [
            (7, 19, "control: missing field `title`".to_owned()),
            (8, 7, "item `c-1` appears twice: also at line 6".to_owned()),
            (
                9,
                34,
                "control: invalid type: integer `5`, expected a string".to_owned()
            ),
            (12, 15, "group: missing field `title`".to_owned()),
        ]
    );
    let p = problems(
        "bad.json",
        "{\"catalog\": {\n  \"metadata\": {\"version\": \"1\"}}}",
        None,
    );
    assert_eq!(p, [(2, 30, "catalog: missing field `title`".to_owned())]);
    let p = problems("bad.json", "{\"items\": []}", Some(FrameworkFormat::Oscal));
    assert_eq!(p.len(), 1);
    assert!(p[0].2.starts_with("no OSCAL `catalog` object"), "{p:?}");
}
