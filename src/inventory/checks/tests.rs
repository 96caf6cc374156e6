//! One test per check: the clean fixture never triggers it, a one-line change does.

use chrono::NaiveDate;

use super::*;
use crate::inventory::{load_sources, Sources};

const PEOPLE: &str = r#"
[[teams]]
id = "billing"
name = "Billing"

[[humans]]
id = "dana"
name = "Dana"
email = "dana@acme.example"
team = "billing"

[[humans]]
id = "lee"
name = "Lee"
email = "lee@acme.example"
team = "billing"
"#;

const RESOURCES: &str = r#"
[[tools]]
id = "stripe.refund"
system = "stripe"
sensitivity = "high"
environment = "prod"

[[tools]]
id = "stripe.sandbox"
system = "stripe"
sensitivity = "low"
environment = "dev"

[[datasets]]
id = "invoices"
classification = "confidential"
environment = "prod"

[[models]]
id = "gpt-large"
"#;

const BOT: &str = r#"id = "bot"
name = "Billing bot"
spiffe_id = "spiffe://acme.example/agents/bot"
owner_team = "billing"
accountable = "dana"
sponsor = "lee"
escalation = "lee"
risk_tier = "high"
environment = "prod"
lifecycle = "active"
approved_by = "lee"
tools = ["stripe.refund"]
datasets = ["invoices"]
models = ["gpt-large"]
delegates = ["helper"]
max_ttl_seconds = 300
attestation_required = true
recertify_by = 2027-01-01
"#;

const HELPER: &str = r#"id = "helper"
name = "Helper"
spiffe_id = "spiffe://acme.example/agents/helper"
owner_team = "billing"
accountable = "lee"
risk_tier = "low"
environment = "prod"
lifecycle = "active"
approved_by = "dana"
max_ttl_seconds = 600
"#;

const POLICY: &str = "permit(principal == Acme::Agent::\"bot\", action, resource);\n";

fn run_with(bot: &str, helper: &str, people: &str, policies: &[(String, String)]) -> Vec<Finding> {
    let (inv, problems) = load_sources(Sources {
        agents: vec![
            ("inventory/agents/bot.toml".into(), bot.into()),
            ("inventory/agents/helper.toml".into(), helper.into()),
        ],
        people: Some(people.into()),
        resources: Some(RESOURCES.into()),
    });
    assert_eq!(problems, vec![], "fixture must load cleanly");
    let ctx = CheckContext {
        today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        ceilings: TtlCeilings::default(),
        policies,
        namespace: "Acme",
    };
    check(&inv, &ctx)
}

fn run(bot: &str) -> Vec<Finding> {
    run_with(
        bot,
        HELPER,
        PEOPLE,
        &[("policies/p.cedar".into(), POLICY.into())],
    )
}

/// Asserts exactly one finding, with `code`, about `subject`, at `line` of its file.
fn only(findings: &[Finding], code: &str, subject: &str, line: u32) -> Finding {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = findings[0].clone();
    assert_eq!(
        (f.code.as_str(), f.subject.as_str(), f.line),
        (code, subject, line),
        "{f:#?}"
    );
    assert!(!f.help.is_empty());
    f
}

#[test]
fn clean_fixture_has_no_findings() {
    assert_eq!(run(BOT), vec![]);
}

#[test]
fn every_code_is_listed_once() {
    let mut codes: Vec<&str> = CHECKS.iter().map(|(c, _, _)| *c).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), CHECKS.len());
}

#[test]
fn accountable_missing() {
    let f = only(
        &run(&BOT.replace("accountable = \"dana\"\n", "")),
        "accountable.missing",
        "agent:bot",
        1,
    );
    assert_eq!(f.field.as_deref(), Some("accountable"));
}

#[test]
fn accountable_unknown() {
    only(
        &run(&BOT.replace("accountable = \"dana\"", "accountable = \"nobody\"")),
        "accountable.unknown",
        "agent:bot",
        5,
    );
}

#[test]
fn accountable_departed() {
    let people = PEOPLE.replace(
        "team = \"billing\"\n\n[[humans]]\nid = \"lee\"",
        "team = \"billing\"\ndeparted = true\n\n[[humans]]\nid = \"lee\"",
    );
    let f = run_with(BOT, HELPER, &people, &[]);
    only(&f, "accountable.departed", "agent:bot", 5);
}

#[test]
fn escalation_missing() {
    only(
        &run(&BOT.replace("escalation = \"lee\"\n", "")),
        "escalation.missing",
        "agent:bot",
        1,
    );
}

#[test]
fn recertification_overdue() {
    let f = only(
        &run(&BOT.replace("2027-01-01", "2026-06-30")),
        "recertification.overdue",
        "agent:bot",
        18,
    );
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("2026-06-30"));
}

#[test]
fn approval_self_approved() {
    only(
        &run(&BOT.replace("sponsor = \"lee\"", "sponsor = \"dana\"")),
        "approval.self_approved",
        "agent:bot",
        6,
    );
}

#[test]
fn identity_shared() {
    let helper = HELPER.replace("agents/helper", "agents/bot");
    let f = run_with(BOT, &helper, PEOPLE, &[]);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(f
        .iter()
        .all(|x| x.code == "identity.shared" && x.message.contains("`bot`, `helper`")));
    assert_eq!(f[0].subject, "agent:bot");
    assert_eq!(f[1].subject, "agent:helper");
}

#[test]
fn identity_missing() {
    only(
        &run(&BOT.replace("spiffe_id = \"spiffe://acme.example/agents/bot\"\n", "")),
        "identity.missing",
        "agent:bot",
        1,
    );
}

#[test]
fn lifecycle_never_approved() {
    only(
        &run(&BOT.replace("approved_by = \"lee\"\n", "")),
        "lifecycle.never_approved",
        "agent:bot",
        10,
    );
}

#[test]
fn credentials_no_attestation() {
    only(
        &run(&BOT.replace(
            "attestation_required = true",
            "attestation_required = false",
        )),
        "credentials.no_attestation",
        "agent:bot",
        17,
    );
}

#[test]
fn credentials_ttl_above_ceiling() {
    let f = only(
        &run(&BOT.replace("max_ttl_seconds = 300", "max_ttl_seconds = 301")),
        "credentials.ttl_above_ceiling",
        "agent:bot",
        16,
    );
    assert_eq!(
        f.message,
        "max TTL 301 s of agent `bot` is above the high ceiling of 300 s"
    );
}

#[test]
fn environment_mismatch() {
    only(
        &run(&BOT.replace(
            "tools = [\"stripe.refund\"]",
            "tools = [\"stripe.sandbox\"]",
        )),
        "environment.mismatch",
        "agent:bot",
        12,
    );
}

#[test]
fn delegation_cycle_reported_once() {
    let helper = HELPER.replace(
        "max_ttl_seconds = 600",
        "delegates = [\"bot\"]\nmax_ttl_seconds = 600",
    );
    // helper (low) → bot (high) is also a delegation to a higher-risk agent.
    let f = run_with(BOT, &helper, PEOPLE, &[]);
    let codes: Vec<&str> = f.iter().map(|x| x.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["delegation.cycle", "delegation.to_higher_risk"],
        "{f:#?}"
    );
    assert_eq!(f[0].message, "delegation cycle: `bot` → `helper` → `bot`");
}

#[test]
fn delegation_to_higher_risk() {
    let helper = HELPER
        .replace(
            "risk_tier = \"low\"",
            "risk_tier = \"critical\"\nattestation_required = true\nescalation = \"dana\"",
        )
        .replace("600", "60");
    let f = run_with(BOT, &helper, PEOPLE, &[]);
    only(&f, "delegation.to_higher_risk", "agent:bot", 15);
}

#[test]
fn reference_unknown_for_each_kind() {
    for (from, to, line) in [
        ("owner_team = \"billing\"", "owner_team = \"ghosts\"", 4),
        ("tools = [\"stripe.refund\"]", "tools = [\"nope\"]", 12),
        ("datasets = [\"invoices\"]", "datasets = [\"nope\"]", 13),
        ("models = [\"gpt-large\"]", "models = [\"nope\"]", 14),
        ("delegates = [\"helper\"]", "delegates = [\"nope\"]", 15),
        ("escalation = \"lee\"", "escalation = \"nope\"", 7),
    ] {
        only(
            &run(&BOT.replace(from, to)),
            "reference.unknown",
            "agent:bot",
            line,
        );
    }
    let people = PEOPLE.replace(
        "email = \"lee@acme.example\"\nteam = \"billing\"",
        "email = \"lee@acme.example\"\nteam = \"ghosts\"",
    );
    let f = run_with(BOT, HELPER, &people, &[]);
    let f = only(&f, "reference.unknown", "human:lee", 13);
    assert_eq!(f.file, "inventory/people.toml");
}

#[test]
fn policy_names_retired_agent() {
    let bot = BOT.replace("lifecycle = \"active\"", "lifecycle = \"retired\"");
    let f = only(&run(&bot), "policy.names_retired_agent", "agent:bot", 1);
    assert_eq!(f.file, "policies/p.cedar");
    // A live agent named by a policy is fine (clean fixture), and so is a retired one no
    // policy names.
    assert_eq!(run_with(&bot, HELPER, PEOPLE, &[]), vec![]);
}
