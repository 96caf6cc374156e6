use super::*;

const AGENT: &str = r#"id = "billing-bot"
name = "Billing refunds agent"
spiffe_id = "spiffe://acme.example/agents/billing-bot"
owner_team = "billing"
accountable = "dana"
risk_tier = "high"
environment = "prod"
lifecycle = "active"
tools = ["stripe.refund"]
max_ttl_seconds = 300
attestation_required = true
recertify_by = 2027-03-01
"#;

fn agents(list: &[(&str, &str)]) -> Sources {
    Sources {
        agents: list
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect(),
        ..Sources::default()
    }
}

#[test]
fn an_agent_file_loads_with_toml_dates_and_round_trips() {
    let (inv, problems) = load_sources(agents(&[("inventory/agents/billing-bot.toml", AGENT)]));
    assert_eq!(problems, vec![]);
    let a = &inv.agents[0].agent;
    assert_eq!(a.recertify_by, chrono::NaiveDate::from_ymd_opt(2027, 3, 1));
    assert_eq!(a.risk_tier, super::super::RiskTier::High);
    let written = render_agent(a).unwrap();
    assert!(
        written.contains("\nrecertify_by = 2027-03-01\n"),
        "{written}"
    );
    let (again, problems) =
        load_sources(agents(&[("inventory/agents/billing-bot.toml", &written)]));
    assert_eq!(problems, vec![]);
    assert_eq!(&again.agents[0].agent, a);
    // Keys are written in the pinned order.
    let keys: Vec<&str> = written
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
        .collect();
    assert_eq!(keys[..4], ["id", "name", "spiffe_id", "owner_team"]);
}

#[test]
fn unknown_key_and_bad_values_are_located() {
    let text = AGENT.replace(
        "lifecycle = \"active\"",
        "lifecycle = \"active\"\ncolour = \"blue\"",
    );
    let (inv, problems) = load_sources(agents(&[("inventory/agents/billing-bot.toml", &text)]));
    assert!(inv.agents.is_empty());
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (problems[0].line, problems[0].code.as_str()),
        (9, "inventory::parse")
    );
    assert!(
        problems[0].message.contains("colour"),
        "{}",
        problems[0].message
    );

    let text = AGENT
        .replace(
            "spiffe://acme.example/agents/billing-bot",
            "spiffe://ACME/agents",
        )
        .replace("max_ttl_seconds = 300", "max_ttl_seconds = 0");
    let (inv, problems) = load_sources(agents(&[("inventory/agents/billing-bot.toml", &text)]));
    assert_eq!(
        inv.agents.len(),
        1,
        "a semantically bad agent still loads, so checks can run"
    );
    let found: Vec<(u32, bool)> = problems
        .iter()
        .map(|d| {
            (
                d.line,
                d.message.contains("SPIFFE") || d.message.contains("max_ttl"),
            )
        })
        .collect();
    assert_eq!(found, vec![(3, true), (10, true)]);
    assert!(problems[0].message.contains("`spiffe://ACME/agents`"));
}

#[test]
fn duplicate_ids_and_misnamed_files_are_reported() {
    let other = AGENT;
    let (inv, problems) = load_sources(agents(&[
        ("inventory/agents/billing-bot.toml", AGENT),
        ("inventory/agents/copy.toml", other),
    ]));
    assert_eq!(inv.agents.len(), 1);
    let codes: Vec<&str> = problems.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, vec!["inventory::invalid", "inventory::duplicate_id"]);
    assert!(problems[0]
        .message
        .contains("does not match its file name `copy.toml`"));
    assert_eq!(
        problems[1].message,
        "duplicate agent id `billing-bot`: also in inventory/agents/billing-bot.toml"
    );

    let people = "[[humans]]\nid = \"dana\"\nname = \"D\"\nemail = \"d@x\"\n\n[[humans]]\nid = \"dana\"\nname = \"D2\"\nemail = \"nope\"\n";
    let (_, problems) = load_sources(Sources {
        people: Some(people.into()),
        ..Sources::default()
    });
    let msgs: Vec<(u32, &str)> = problems
        .iter()
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert_eq!(
        msgs,
        vec![
            (7, "duplicate human id `dana`: also at line 2"),
            (9, "email `nope` of `dana` is not an email address")
        ]
    );
}
