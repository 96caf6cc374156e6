use super::*;
use cedar_policy::PolicyId;

const SCHEMA: &str = r#"
namespace Acme {
  entity Agent { lifecycle: String, max_ttl_seconds: Long };
  entity Tool;
  action invoke_tool appliesTo { principal: [Agent], resource: [Tool], context: { ttl_seconds?: Long } };
}
"#;

fn src(path: &str, text: &str) -> (String, String) {
    (path.to_owned(), text.to_owned())
}

fn ids(report: &PolicyReport) -> Vec<(String, String)> {
    report
        .files
        .iter()
        .flat_map(|f| f.statements.iter().map(|s| (f.path.clone(), s.id.clone())))
        .collect()
}

#[test]
fn ids_come_from_annotation_else_global_file_order() {
    let report = check_sources(
        vec![
            // Given out of order: loading sorts by path.
            src("policies/b.cedar", "permit(principal, action, resource);\n"),
            src(
                "policies/a.cedar",
                "@id(\"first\")\npermit(principal, action, resource);\nforbid(principal, action, resource);\n",
            ),
        ],
        None,
    );
    assert_eq!(report.diagnostics, vec![]);
    assert_eq!(
        ids(&report),
        vec![
            ("policies/a.cedar".into(), "first".into()),
            ("policies/a.cedar".into(), "policy1".into()),
            ("policies/b.cedar".into(), "policy2".into()),
        ]
    );
    let a = &report.files[0];
    assert_eq!((a.statements[0].line, a.statements[1].line), (1, 3));
    assert_eq!(a.statements[1].kind, StatementKind::Forbid);
    assert!(report.set.policy(&PolicyId::new("policy2")).is_some());
}

#[test]
fn duplicate_id_names_both_files() {
    let report = check_sources(
        vec![
            src(
                "policies/a.cedar",
                "@id(\"x\")\npermit(principal, action, resource);\n",
            ),
            src(
                "policies/b.cedar",
                "\n\n@id(\"x\")\nforbid(principal, action, resource);\n",
            ),
        ],
        None,
    );
    assert_eq!(report.diagnostics.len(), 1);
    let d = &report.diagnostics[0];
    assert_eq!(
        (d.file.as_str(), d.line, d.code.as_str()),
        ("policies/b.cedar", 3, "policy::duplicate_id")
    );
    assert_eq!(
        d.message,
        "duplicate policy id `x`: also at policies/a.cedar:1"
    );
    assert_eq!(report.set.policies().count(), 1);
}

#[test]
fn parse_errors_are_located_and_other_files_still_load() {
    let report = check_sources(
        vec![
            src(
                "policies/bad.cedar",
                "permit(principal, action, resource)\nwhen { 1 + };\n",
            ),
            src(
                "policies/good.cedar",
                "permit(principal, action, resource);\n",
            ),
        ],
        None,
    );
    assert_eq!(report.error_count(), 1, "{:?}", report.diagnostics);
    let d = &report.diagnostics[0];
    assert_eq!(
        (d.file.as_str(), d.line, d.code.as_str()),
        ("policies/bad.cedar", 2, "cedar::parse")
    );
    assert!(d.column > 1);
    assert!(d.help.is_some());
    assert_eq!(report.set.policies().count(), 1);
    assert!(!report.files[0].parsed);
    assert!(report.files[1].parsed);
}

#[test]
fn validation_errors_point_into_the_right_file_and_all_are_reported() {
    let report = check_sources(
        vec![
            src("policies/a.cedar", "permit(principal is Acme::Agent, action, resource);\n"),
            src(
                "policies/b.cedar",
                "@id(\"p\")\npermit(principal is Acme::Agent, action == Acme::Action::\"invoke_tool\", resource)\nwhen { principal.lifecycl == \"active\" };\n\
                 @id(\"q\")\nforbid(principal is Acme::Agent, action == Acme::Action::\"invoke_tool\", resource)\nwhen { context.ttl_seconds > 5 };\n",
            ),
        ],
        Some(SCHEMA),
    );
    assert!(report.schema_used);
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 2, "{:#?}", report.diagnostics);
    assert_eq!(
        (errors[0].file.as_str(), errors[0].line),
        ("policies/b.cedar", 3)
    );
    assert!(
        errors[0].message.contains("lifecycl"),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[0].code, "cedar::validation");
    // `context.ttl_seconds` is optional: reading it without `has` fails strict validation.
    assert_eq!(
        (errors[1].file.as_str(), errors[1].line),
        ("policies/b.cedar", 6)
    );
    assert!(
        errors[1].message.contains("ttl_seconds"),
        "{}",
        errors[1].message
    );
}

#[test]
fn schema_errors_are_reported_in_the_schema_file() {
    let report = check_sources(
        vec![src(
            "policies/a.cedar",
            "permit(principal, action, resource);\n",
        )],
        Some("namespace Acme {\n  entity Agent { x: Strin };\n}\n"),
    );
    assert!(!report.schema_used);
    assert_eq!(report.error_count(), 1, "{:#?}", report.diagnostics);
    assert_eq!(report.diagnostics[0].file, "schema.cedarschema");
    assert_eq!(report.diagnostics[0].line, 2);
}

#[test]
fn library_policies_validate_against_the_starter_schema() {
    let sources = crate::workspace::POLICY_LIBRARY
        .iter()
        .map(|(name, text)| (format!("policies/{name}"), (*text).to_owned()))
        .collect();
    let schema = include_str!("../model/agent-governance.cedarschema");
    let report = check_sources(sources, Some(schema));
    assert!(report.schema_used);
    assert_eq!(report.diagnostics, vec![]);
    assert!(report.statement_count() >= 10);
    assert!(report
        .files
        .iter()
        .flat_map(|f| &f.statements)
        .all(|s| s.control.is_some() && s.rationale.is_some()));
}

const LINK_SCHEMA: &str = r#"
namespace Acme {
  entity Human { name: String };
  entity Team { lead: Human };
  entity Agent { team: Team };
  entity ToolGroup;
  entity Tool in [ToolGroup];
  action invoke_tool appliesTo { principal: [Agent], resource: [Tool] };
}
"#;

const TEMPLATE: &str = "@id(\"agent-may-use-group\")\npermit (principal == ?principal, action == Acme::Action::\"invoke_tool\", resource in ?resource);\n";

fn with_links(files: Vec<(String, String)>, links: &str, schema: Option<&str>) -> PolicyReport {
    Checker::default().check(
        Sources {
            files,
            links: Some(links.to_owned()),
            problems: Vec::new(),
        },
        &Settings {
            schema,
            namespace: Some("Acme"),
            ..Settings::default()
        },
    )
}

#[test]
fn links_instantiate_templates_and_the_linked_policy_authorizes() {
    let links = "[[links]]\nid = \"billing-bot-billing\"\ntemplate = \"agent-may-use-group\"\nprincipal = 'Agent::\"billing-bot\"'\nresource = 'ToolGroup::\"billing\"'\n";
    let report = with_links(
        vec![src("policies/t.cedar", TEMPLATE)],
        links,
        Some(LINK_SCHEMA),
    );
    assert_eq!(report.diagnostics, vec![]);
    assert_eq!(report.links.len(), 1);
    assert_eq!(report.links[0].line, 1);
    assert_eq!(report.statement_count(), 2);
    let linked = report
        .set
        .policy(&PolicyId::new("billing-bot-billing"))
        .unwrap();
    assert_eq!(
        linked.template_id(),
        Some(&PolicyId::new("agent-may-use-group"))
    );

    let entities = cedar_policy::Entities::from_json_str(
        r#"[{"uid":{"type":"Acme::Tool","id":"stripe-refund"},"attrs":{},"parents":[{"type":"Acme::ToolGroup","id":"billing"}]},
            {"uid":{"type":"Acme::ToolGroup","id":"billing"},"attrs":{},"parents":[]}]"#,
        None,
    )
    .unwrap();
    let decide = |principal: &str| {
        let request = cedar_policy::Request::new(
            format!("Acme::Agent::\"{principal}\"").parse().unwrap(),
            "Acme::Action::\"invoke_tool\"".parse().unwrap(),
            "Acme::Tool::\"stripe-refund\"".parse().unwrap(),
            cedar_policy::Context::empty(),
            None,
        )
        .unwrap();
        cedar_policy::Authorizer::new()
            .is_authorized(&request, &report.set, &entities)
            .decision()
    };
    assert_eq!(decide("billing-bot"), cedar_policy::Decision::Allow);
    assert_eq!(decide("support-bot"), cedar_policy::Decision::Deny);
}

#[test]
fn every_link_problem_is_reported_at_its_line() {
    let links = "\
[[links]]
id = \"a\"
template = \"nope\"
principal = 'Agent::\"x\"'

[[links]]
id = \"b\"
template = \"agent-may-use-group\"
principal = 'Agent::\"x\"'

[[links]]
id = \"c\"
template = \"agent-may-use-group\"
principal = 'Agent::\"x\"'
resource = 'ToolGroup::'

[[links]]
id = \"agent-may-use-group\"
template = \"agent-may-use-group\"
principal = 'Agent::\"x\"'
resource = 'ToolGroup::\"g\"'

[[links]]
id = \"e\"
template = \"agent-may-use-group\"
principal = 'Tool::\"x\"'
resource = 'ToolGroup::\"g\"'

[[links]]
id = \"e\"
template = \"agent-may-use-group\"
principal = 'Agent::\"y\"'
resource = 'ToolGroup::\"g\"'
";
    let report = with_links(
        vec![src("policies/t.cedar", TEMPLATE)],
        links,
        Some(LINK_SCHEMA),
    );
    let got: Vec<(u32, &str)> = report
        .diagnostics
        .iter()
        .map(|d| (d.line, d.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, "links::unknown_template"),
            (6, "links::missing_slot"),
            (15, "links::invalid_entity"),
            (18, "links::duplicate_id"),
            (23, "cedar::validation_warning"),
            (30, "links::duplicate_id"),
        ],
        "{:#?}",
        report.diagnostics
    );
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.file == LINKS_FILE && d.help.is_some()));
    assert!(report.diagnostics[0]
        .help
        .as_deref()
        .unwrap()
        .contains("agent-may-use-group"));
    assert!(report.diagnostics[3].message.contains("policies/t.cedar:1"));
    // Only the one good link (`e`, first) made it in.
    assert_eq!(
        report
            .links
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>(),
        ["e"]
    );

    let broken = with_links(
        vec![src("policies/t.cedar", TEMPLATE)],
        "[[links]]\nid = 1\n",
        None,
    );
    assert_eq!(broken.diagnostics.len(), 1);
    assert_eq!(
        (
            broken.diagnostics[0].line,
            broken.diagnostics[0].code.as_str()
        ),
        (2, "links::parse")
    );
}

#[test]
fn level_validation_runs_only_when_configured() {
    let policy = "@id(\"deep\")\npermit (principal is Acme::Agent, action == Acme::Action::\"invoke_tool\", resource)\nwhen { principal.team.lead.name == \"dana\" };\n";
    let check = |level| {
        Checker::default().check(
            Sources {
                files: vec![src("policies/p.cedar", policy)],
                ..Sources::default()
            },
            &Settings {
                schema: Some(LINK_SCHEMA),
                max_deref_level: level,
                namespace: None,
            },
        )
    };
    assert_eq!(check(None).diagnostics, vec![]);
    assert_eq!(check(Some(3)).diagnostics, vec![]);
    let report = check(Some(2));
    assert_eq!(report.error_count(), 1, "{:#?}", report.diagnostics);
    let d = &report.diagnostics[0];
    assert_eq!(
        (d.file.as_str(), d.line, d.code.as_str()),
        ("policies/p.cedar", 3, "cedar::validation")
    );
    assert!(d.message.contains("level"), "{}", d.message);
}

#[test]
fn a_cached_check_reports_exactly_what_a_fresh_check_does_through_a_run_of_edits() {
    let base = vec![
        src("policies/a.cedar", "@id(\"a1\")\npermit(principal is Acme::Agent, action == Acme::Action::\"invoke_tool\", resource);\npermit(principal, action, resource);\n"),
        src("policies/b.cedar", "forbid(principal is Acme::Agent, action, resource) when { principal.lifecycle == \"retired\" };\n"),
        src("policies/c.cedar", "@id(\"c1\")\nforbid(principal is Acme::Agent, action == Acme::Action::\"invoke_tool\", resource) when { context.ttl_seconds > 5 };\n"),
    ];
    let other_schema = SCHEMA.replace("lifecycle: String", "lifecycle: Long");
    // Each step: the files as they are now, and the schema.
    let mut steps: Vec<(Vec<(String, String)>, &str)> = Vec::new();
    steps.push((base.clone(), SCHEMA));
    let mut s = base.clone();
    s[0].1
        .push_str("@id(\"c1\")\npermit(principal, action, resource);\n"); // clashes with c.cedar
    steps.push((s.clone(), SCHEMA));
    s[0].1 = "permit(principal, action,".into(); // parse error: later anonymous ids shift
    steps.push((s.clone(), SCHEMA));
    s[0].1 = base[0].1.clone();
    steps.push((s.clone(), SCHEMA));
    steps.push((s.clone(), other_schema.as_str())); // b.cedar now fails to type-check
    s.remove(2);
    steps.push((s.clone(), other_schema.as_str()));
    steps.push((base.clone(), SCHEMA));

    let mut cached = Checker::default();
    for (i, (files, schema)) in steps.into_iter().enumerate() {
        let fresh = check_sources(files.clone(), Some(schema));
        let warm = cached.check(
            Sources {
                files,
                ..Sources::default()
            },
            &Settings {
                schema: Some(schema),
                ..Settings::default()
            },
        );
        assert_eq!(warm.diagnostics, fresh.diagnostics, "step {i}");
        assert_eq!(ids(&warm), ids(&fresh), "step {i}");
        assert_eq!(
            warm.set.policies().count(),
            fresh.set.policies().count(),
            "step {i}"
        );
    }
}
