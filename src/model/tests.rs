use super::*;
use crate::inventory::{load_sources, Sources};
use crate::workspace::{SchemaMapping, SchemaMode};

fn inventory() -> Inventory {
    let (inv, problems) = load_sources(Sources {
        agents: vec![(
            "inventory/agents/bot.toml".into(),
            "id = \"bot\"\nname = \"Bot\"\nowner_team = \"billing\"\naccountable = \"dana\"\nrisk_tier = \"high\"\nenvironment = \"prod\"\nlifecycle = \"draft\"\ntools = [\"stripe.refund\"]\ndelegates = [\"bot2\"]\nmax_ttl_seconds = 300\nstep_up_actions = [\"invoke_tool\"]\n".into(),
        )],
        people: Some("[[teams]]\nid = \"billing\"\nname = \"Billing\"\n\n[[humans]]\nid = \"dana\"\nname = \"Dana\"\nemail = \"dana@acme.example\"\nteam = \"billing\"\n".into()),
        resources: Some("[[tool_groups]]\nid = \"payments\"\nname = \"Payments\"\n\n[[tools]]\nid = \"stripe.refund\"\nsystem = \"stripe\"\nsensitivity = \"high\"\nenvironment = \"prod\"\ngroup = \"payments\"\n".into()),
    });
    assert_eq!(problems, vec![]);
    inv
}

#[test]
fn generated_schema_parses_and_converts_to_json() {
    let text = generated_schema("Acme");
    assert!(cedar_policy::Schema::from_cedarschema_str(&text).is_ok());
    let json = schema_json(&text).unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    let agent = &v["Acme"]["entityTypes"]["Agent"];
    assert_eq!(agent["memberOfTypes"], json!(["Team"]));
    assert!(v["Acme"]["actions"]["request_credential"].is_object());
}

#[test]
fn entities_are_deterministic_and_valid_against_the_generated_schema() {
    let config = Config::new("t", "Acme");
    let e = entities(&inventory(), &config);
    assert_eq!(e, entities(&inventory(), &config));
    assert_eq!(validate_entities(&e, &generated_schema("Acme")), vec![]);
    insta::assert_json_snapshot!("entities_generated", e);
}

#[test]
fn file_mode_maps_kinds_and_attributes_onto_the_teams_schema() {
    let schema = "namespace Jans {\n  entity Workload { tier: String, owner?: Person };\n  entity Person;\n  action act appliesTo { principal: [Workload], resource: [Workload] };\n}\n";
    let mut config = Config::new("t", "Acme");
    config.schema.mode = SchemaMode::File;
    config.schema.mapping.insert(
        "agent".into(),
        SchemaMapping {
            entity_type: "Jans::Workload".into(),
            attributes: [
                ("risk_tier".into(), "tier".into()),
                ("accountable".into(), "owner".into()),
            ]
            .into(),
        },
    );
    config.schema.mapping.insert(
        "human".into(),
        SchemaMapping {
            entity_type: "Jans::Person".into(),
            attributes: Default::default(),
        },
    );
    let e = entities(&inventory(), &config);
    assert_eq!(
        e,
        json!([
            { "uid": { "type": "Jans::Person", "id": "dana" }, "attrs": {}, "parents": [] },
            { "uid": { "type": "Jans::Workload", "id": "bot" }, "attrs": { "owner": { "__entity": { "type": "Jans::Person", "id": "dana" } }, "tier": "high" }, "parents": [] }
        ])
    );
    assert_eq!(validate_entities(&e, schema), vec![]);
    // A mapping that names an attribute the schema lacks is reported, per entity.
    config
        .schema
        .mapping
        .get_mut("agent")
        .unwrap()
        .attributes
        .insert("lifecycle".into(), "state".into());
    let problems = validate_entities(&entities(&inventory(), &config), schema);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].message.contains("Jans::Workload"),
        "{}",
        problems[0].message
    );
}
