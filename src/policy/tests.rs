use super::*;

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
