use super::*;
use crate::inventory::{load_sources, Lifecycle, Sources};

fn inventory() -> Inventory {
    let (inv, problems) = load_sources(Sources {
        agents: vec![(
            "inventory/agents/bot.toml".into(),
            "id = \"bot\"\nname = \"Bot\"\nowner_team = \"billing\"\nrisk_tier = \"low\"\nenvironment = \"prod\"\nlifecycle = \"active\"\napproved_by = \"dana\"\nmax_ttl_seconds = 300\ntools = [\"a\", \"b\"]\n".into(),
        )],
        people: Some("[[humans]]\nid = \"dana\"\nname = \"Dana\"\nemail = \"dana@acme.example\"\n".into()),
        resources: None,
    });
    assert_eq!(problems, vec![]);
    inv
}

#[test]
fn agents_csv_round_trips_and_reports_bad_rows_by_line() {
    let inv = inventory();
    let csv = agents_csv(&[&inv.agents[0].agent]).unwrap();
    assert!(csv.starts_with("id,name,purpose,"));
    assert!(csv.contains(",a;b,"), "{csv}");
    let (rows, problems) = parse_agents("a.csv", &csv, Format::Csv);
    assert_eq!(problems, vec![]);
    assert_eq!(rows[0].1, inv.agents[0].agent);
    let (plan, accepted) = plan_agents(&inv, rows);
    assert_eq!(
        (
            plan.adds.len(),
            plan.changes.len(),
            plan.conflicts.len(),
            plan.unchanged
        ),
        (0, 0, 0, 1)
    );
    assert!(accepted.is_empty());

    let bad = format!("{csv}new,New,,,,,billing,,,,low,prod,draft,,,,,,,lots,,,,\nx,X,,,,,t,,,,extreme,prod,draft,,,,,,,60,,,,\n");
    let (rows, problems) = parse_agents("a.csv", &bad, Format::Csv);
    assert_eq!(rows.len(), 1, "the good row is kept");
    let lines: Vec<u32> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4]);
    assert_eq!(
        problems[0].message,
        "`max_ttl_seconds` is not a whole number: `lots`"
    );
    assert!(
        problems[1].message.contains("extreme"),
        "{}",
        problems[1].message
    );
}

#[test]
fn plan_sorts_adds_changes_and_conflicts() {
    let inv = inventory();
    let mut changed = inv.agents[0].agent.clone();
    changed.name = "Renamed".into();
    changed.max_ttl_seconds = 60;
    let mut new = changed.clone();
    new.id = "new".into();
    new.lifecycle = Lifecycle::Draft;
    new.approved_by = None;
    let mut sneaky = new.clone();
    sneaky.id = "sneaky".into();
    sneaky.lifecycle = Lifecycle::Active;
    let (plan, accepted) = plan_agents(&inv, vec![(2, changed), (3, new), (4, sneaky)]);
    assert_eq!(plan.adds, vec!["new".to_owned()]);
    assert_eq!(
        plan.changes,
        vec![RecordChange {
            id: "bot".into(),
            fields: vec!["max_ttl_seconds".into(), "name".into()]
        }]
    );
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.conflicts[0].id, "sneaky");
    assert!(plan.conflicts[0].reason.contains("drafts"));
    assert_eq!(accepted.keys().collect::<Vec<_>>(), vec!["bot", "new"]);
}

#[test]
fn lifecycle_change_through_import_is_a_conflict() {
    let inv = inventory();
    let mut suspended = inv.agents[0].agent.clone();
    suspended.lifecycle = Lifecycle::Suspended;
    let (plan, accepted) = plan_agents(&inv, vec![(2, suspended)]);
    assert_eq!(
        plan.conflicts[0].reason,
        "import would move the lifecycle from active to suspended; use `mandate agents lifecycle`"
    );
    assert!(accepted.is_empty());
}

#[test]
fn hr_export_marks_departures_from_a_status_column() {
    let inv = inventory();
    let csv = "id,name,email,team,status\ndana,Dana,dana@acme.example,billing,terminated\nsam,Sam,sam@acme.example,support,active\n";
    let (rows, problems) = parse_people("hr.csv", csv, Format::Csv);
    assert_eq!(problems, vec![]);
    assert!(rows[0].1.departed);
    assert!(!rows[1].1.departed);
    let (plan, _) = plan_people(&inv, rows);
    assert_eq!(plan.adds, vec!["sam".to_owned()]);
    assert_eq!(
        plan.changes,
        vec![RecordChange {
            id: "dana".into(),
            fields: vec!["departed".into(), "team".into()]
        }]
    );
}

#[test]
fn mcp_tools_list_becomes_tools() {
    let json = r#"{"jsonrpc":"2.0","id":1,"result":{"tools":[
        {"name":"create_issue","description":"Create an issue","inputSchema":{"type":"object"}},
        {"description":"nameless"}]}}"#;
    let (tools, problems) = parse_mcp_tools(
        "tools.json",
        json,
        "github",
        RiskTier::Medium,
        Environment::Prod,
    );
    assert_eq!(tools.len(), 1);
    let t = &tools[0].1;
    assert_eq!(
        (t.id.as_str(), t.system.as_str(), t.description.as_str()),
        ("github.create_issue", "github", "Create an issue")
    );
    assert_eq!(t.input_schema.as_deref(), Some(r#"{"type":"object"}"#));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 2);
}

#[test]
fn json_import_reports_record_numbers() {
    let (rows, problems) = parse_agents("a.json", r#"[{"id":"x"}, {"bogus": 1}]"#, Format::Json);
    assert!(rows.is_empty());
    assert_eq!(
        problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(
        problems[0].message.starts_with("record 1: missing field"),
        "{}",
        problems[0].message
    );
}
