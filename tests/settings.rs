//! App settings through the core: the acting identity a shell reads for every audited
//! action is the one set last, at once, and is checked against the workspace's people.

use mandate::api::dto::Lifecycle;
use mandate::api::{settings, Session};

use crate::support::TempWorkspace;

const PEOPLE: &str = r#"
[[teams]]
id = "sre"
name = "Incident Response"

[[humans]]
id = "rhea"
name = "Rhea Castillo"
email = "rhea@acme.example"
team = "sre"

[[humans]]
id = "sam"
name = "Sam Okafor"
email = "sam@acme.example"
team = "sre"
"#;

const DRAFT_AGENT: &str = r#"
id = "triage-bot"
name = "Triage bot"
purpose = "Sorts incoming alerts"
spiffe_id = "spiffe://acme.example/prod/sre/triage-bot"
owner_team = "sre"
accountable = "sam"
sponsor = "rhea"
escalation = "rhea"
risk_tier = "low"
environment = "prod"
lifecycle = "draft"
max_ttl_seconds = 900
attestation_required = false
"#;

fn workspace() -> (TempWorkspace, Session) {
    let ws = TempWorkspace::new();
    ws.write("inventory/people.toml", PEOPLE);
    ws.write("inventory/agents/triage-bot.toml", DRAFT_AGENT);
    let session = Session::open(ws.path()).unwrap();
    let problems = session.inventory().diagnostics;
    assert!(problems.is_empty(), "{problems:#?}");
    (ws, session)
}

#[test]
fn the_identity_set_in_settings_names_the_next_audited_action_and_approval() {
    let cfg = tempfile::tempdir().unwrap();
    let (_ws, session) = workspace();

    // The shell asks `settings::actor` for each action, as src-tauri's `actor()` does.
    settings::set_actor(cfg.path(), Some("rhea")).unwrap();
    let approved = session
        .agent_lifecycle(
            "triage-bot",
            Lifecycle::Approved,
            "reviewed its tools",
            &settings::actor(cfg.path()),
        )
        .unwrap();
    assert_eq!(approved.approved_by.as_deref(), Some("rhea"));

    settings::set_actor(cfg.path(), Some("sam@acme.example")).unwrap();
    session
        .save_policy(
            "policies/extra.cedar",
            "@id(\"extra\")\nforbid(principal, action, resource) when { false };\n",
            None,
            &settings::actor(cfg.path()),
        )
        .unwrap();

    let log = session.audit_log(10).unwrap();
    let newest: Vec<(&str, &str)> = log
        .iter()
        .take(2)
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(newest[0], ("sam@acme.example", "policy.save"));
    assert_eq!(newest[1].0, "rhea");
    assert!(newest[1].1.starts_with("agent."), "{newest:?}");

    // Cleared, the default (MANDATE_ACTOR, git, login) applies again.
    settings::set_actor(cfg.path(), None).unwrap();
    assert_eq!(settings::actor(cfg.path()), settings::default_actor().0);
}

#[test]
fn the_settings_view_checks_the_identity_against_the_workspace_people() {
    let cfg = tempfile::tempdir().unwrap();
    let (ws, session) = workspace();
    settings::remember_workspace(cfg.path(), ws.path()).unwrap();

    settings::set_actor(cfg.path(), Some("RHEA@acme.example")).unwrap();
    let view = settings::view(cfg.path(), Some(&session));
    assert_eq!(view.actor.source, settings::ActorSource::Settings);
    let person = view.actor.person.unwrap();
    assert_eq!(person.id.as_deref(), Some("rhea"));
    assert_eq!(person.warning, None);
    assert!(view.recent[0].open);
    assert_eq!(view.recent[0].name.as_deref(), Some("Test workspace"));

    // Saved all the same, with a warning and the closest id first.
    settings::set_actor(cfg.path(), Some("rhae")).unwrap();
    let person = settings::view(cfg.path(), Some(&session))
        .actor
        .person
        .unwrap();
    assert_eq!(person.id, None);
    assert!(person.warning.unwrap().contains("not a person"));
    assert_eq!(person.suggestions.first().map(String::as_str), Some("rhea"));
}

#[test]
fn a_broken_settings_file_never_stops_the_app_and_is_reported() {
    let cfg = tempfile::tempdir().unwrap();
    std::fs::write(cfg.path().join(settings::SETTINGS_FILE), "{ \"actor\": ").unwrap();
    let (_ws, session) = workspace();
    let view = settings::view(cfg.path(), Some(&session));
    assert_eq!(view.problems.len(), 1);
    assert_eq!(view.problems[0].code, "settings::syntax");
    assert_eq!(view.theme, settings::Theme::System);
    // Audited actions still run, as the default identity.
    assert_eq!(settings::actor(cfg.path()), settings::default_actor().0);
}
