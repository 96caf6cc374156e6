//! The Cedar model of a workspace: its schema and the entities generated from the inventory.
//!
//! Schema mode `generated` uses Mandate's agent-governance schema (entity types `Agent`,
//! `Human`, `Team`, `Tool`, `ToolGroup`, `Dataset`, `Model`; six actions with a typed
//! context) in the workspace namespace. Mode `file` uses the team's own
//! `schema.cedarschema`, and `[schema.mapping]` says which of its entity types and
//! attributes each inventory kind fills. Generation is deterministic: same inventory,
//! same bytes.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::diagnostics::{Diagnostic, Severity};
use crate::inventory::Inventory;
use crate::workspace::{Config, SchemaMode, SCHEMA_FILE};

const GOVERNANCE_SCHEMA: &str = include_str!("agent-governance.cedarschema");
const TEMPLATE_NAMESPACE: &str = "Mandate";

/// The generated schema text for `namespace`.
pub fn generated_schema(namespace: &str) -> String {
    GOVERNANCE_SCHEMA.replacen(
        &format!("namespace {TEMPLATE_NAMESPACE} {{"),
        &format!("namespace {namespace} {{"),
        1,
    )
}

/// The schema policies are validated against: generated, or the workspace's file. `None`
/// in file mode when the file is missing.
pub fn schema_text(config: &Config, file_text: Option<&str>) -> Option<String> {
    match config.schema.mode {
        SchemaMode::Generated => Some(generated_schema(&config.namespace)),
        SchemaMode::File => file_text.map(str::to_owned),
    }
}

/// Refuses schema text too deep for Cedar's parser (see [`crate::policy::guard`]).
fn guard_schema(text: &str) -> Result<(), Vec<Diagnostic>> {
    use crate::policy::guard;
    guard::check(text, guard::Syntax::Schema)
        .map_err(|deep| vec![crate::policy::too_deep(SCHEMA_FILE, &deep)])
}

/// The schema as Cedar JSON schema text.
pub fn schema_json(text: &str) -> Result<String, Vec<Diagnostic>> {
    guard_schema(text)?;
    let (fragment, _) = cedar_policy::SchemaFragment::from_cedarschema_str(text).map_err(|e| {
        crate::policy::from_miette(
            &e,
            SCHEMA_FILE,
            text,
            Severity::Error,
            "cedar::schema",
            "fix the schema",
        )
    })?;
    let json = fragment.to_json_value().map_err(|e| {
        vec![Diagnostic::whole_file(
            SCHEMA_FILE,
            Severity::Error,
            "cedar::schema",
            e.to_string(),
            None,
        )]
    })?;
    serde_json::to_string_pretty(&json).map_err(|e| {
        vec![Diagnostic::whole_file(
            SCHEMA_FILE,
            Severity::Error,
            "cedar::schema",
            e.to_string(),
            None,
        )]
    })
}

/// Inventory kinds, as `[schema.mapping.<kind>]` names them.
pub const KINDS: [&str; 7] = [
    "agent",
    "human",
    "team",
    "tool",
    "tool_group",
    "dataset",
    "model",
];

/// One entity before naming: its kind, id, attributes (by inventory field name) and
/// parents (kind, id).
struct Draft {
    kind: &'static str,
    id: String,
    attrs: BTreeMap<&'static str, Attr>,
    parents: Vec<(&'static str, String)>,
}

enum Attr {
    Value(Value),
    Ref(&'static str, String),
    Refs(&'static str, Vec<String>),
}

fn drafts(inventory: &Inventory) -> Vec<Draft> {
    let mut out = Vec::new();
    for t in &inventory.people.teams {
        out.push(Draft {
            kind: "team",
            id: t.id.clone(),
            attrs: BTreeMap::new(),
            parents: vec![],
        });
    }
    for h in &inventory.people.humans {
        let attrs = BTreeMap::from([
            ("email", Attr::Value(json!(h.email))),
            ("departed", Attr::Value(json!(h.departed))),
        ]);
        out.push(Draft {
            kind: "human",
            id: h.id.clone(),
            attrs,
            parents: h.team.iter().map(|t| ("team", t.clone())).collect(),
        });
    }
    for g in &inventory.resources.tool_groups {
        out.push(Draft {
            kind: "tool_group",
            id: g.id.clone(),
            attrs: BTreeMap::new(),
            parents: vec![],
        });
    }
    for t in &inventory.resources.tools {
        let attrs = BTreeMap::from([
            ("system", Attr::Value(json!(t.system))),
            ("sensitivity", Attr::Value(json!(t.sensitivity.as_str()))),
            ("environment", Attr::Value(json!(t.environment.as_str()))),
        ]);
        out.push(Draft {
            kind: "tool",
            id: t.id.clone(),
            attrs,
            parents: t.group.iter().map(|g| ("tool_group", g.clone())).collect(),
        });
    }
    for d in &inventory.resources.datasets {
        let attrs = BTreeMap::from([
            (
                "classification",
                Attr::Value(json!(d.classification.as_str())),
            ),
            ("environment", Attr::Value(json!(d.environment.as_str()))),
        ]);
        out.push(Draft {
            kind: "dataset",
            id: d.id.clone(),
            attrs,
            parents: vec![],
        });
    }
    for m in &inventory.resources.models {
        out.push(Draft {
            kind: "model",
            id: m.id.clone(),
            attrs: BTreeMap::new(),
            parents: vec![],
        });
    }
    for r in &inventory.agents {
        let a = &r.agent;
        let mut attrs = BTreeMap::from([
            ("risk_tier", Attr::Value(json!(a.risk_tier.as_str()))),
            ("risk_rank", Attr::Value(json!(a.risk_tier.rank()))),
            ("lifecycle", Attr::Value(json!(a.lifecycle.as_str()))),
            ("environment", Attr::Value(json!(a.environment.as_str()))),
            // Cedar's Long is i64; a TTL beyond it is clamped (and far above any ceiling).
            (
                "max_ttl_seconds",
                Attr::Value(json!(i64::try_from(a.max_ttl_seconds).unwrap_or(i64::MAX))),
            ),
            (
                "attestation_required",
                Attr::Value(json!(a.attestation_required)),
            ),
            ("allowed_tools", Attr::Refs("tool", a.tools.clone())),
            (
                "allowed_datasets",
                Attr::Refs("dataset", a.datasets.clone()),
            ),
            ("allowed_models", Attr::Refs("model", a.models.clone())),
            ("delegates", Attr::Refs("agent", a.delegates.clone())),
            ("step_up_actions", Attr::Value(json!(a.step_up_actions))),
        ]);
        for (field, value) in [
            ("accountable", &a.accountable),
            ("sponsor", &a.sponsor),
            ("escalation", &a.escalation),
        ] {
            if let Some(h) = value {
                attrs.insert(field, Attr::Ref("human", h.clone()));
            }
        }
        out.push(Draft {
            kind: "agent",
            id: a.id.clone(),
            attrs,
            parents: vec![("team", a.owner_team.clone())],
        });
    }
    out
}

/// The Cedar entity type of an inventory kind (`agent` → `Acme::Agent`), as the
/// workspace's schema mode names it.
pub fn entity_type(config: &Config, kind: &str) -> Option<String> {
    Naming::of(config).types.get(kind).cloned()
}

/// Cedar type names per kind (with the mapped attribute names in file mode).
struct Naming {
    types: BTreeMap<&'static str, String>,
    /// kind → inventory attribute → entity attribute; `None` means keep every attribute
    /// under its own name (generated mode).
    attributes: Option<BTreeMap<&'static str, BTreeMap<String, String>>>,
}

impl Naming {
    fn of(config: &Config) -> Self {
        match config.schema.mode {
            SchemaMode::Generated => {
                let ns = &config.namespace;
                let names = [
                    ("agent", "Agent"),
                    ("human", "Human"),
                    ("team", "Team"),
                    ("tool", "Tool"),
                    ("tool_group", "ToolGroup"),
                    ("dataset", "Dataset"),
                    ("model", "Model"),
                ];
                Self {
                    types: names
                        .iter()
                        .map(|(k, t)| (*k, format!("{ns}::{t}")))
                        .collect(),
                    attributes: None,
                }
            }
            SchemaMode::File => {
                let mut types = BTreeMap::new();
                let mut attributes = BTreeMap::new();
                for kind in KINDS {
                    if let Some(m) = config.schema.mapping.get(kind) {
                        types.insert(kind, m.entity_type.clone());
                        attributes.insert(kind, m.attributes.clone());
                    }
                }
                Self {
                    types,
                    attributes: Some(attributes),
                }
            }
        }
    }

    fn uid(&self, kind: &str, id: &str) -> Option<Value> {
        self.types.get(kind).map(|t| json!({ "type": t, "id": id }))
    }

    fn attr_name<'a>(&'a self, kind: &str, field: &'a str) -> Option<&'a str> {
        match &self.attributes {
            None => Some(field),
            Some(map) => map.get(kind).and_then(|m| m.get(field)).map(String::as_str),
        }
    }
}

/// The inventory as Cedar entities JSON (an array), sorted by type then id.
pub fn entities(inventory: &Inventory, config: &Config) -> Value {
    let naming = Naming::of(config);
    let mut out: Vec<(String, String, Value)> = Vec::new();
    for d in drafts(inventory) {
        let Some(uid) = naming.uid(d.kind, &d.id) else {
            continue;
        };
        let mut attrs = Map::new();
        for (field, attr) in d.attrs {
            let Some(name) = naming.attr_name(d.kind, field) else {
                continue;
            };
            let value = match attr {
                Attr::Value(v) => Some(v),
                Attr::Ref(kind, id) => naming.uid(kind, &id).map(|u| json!({ "__entity": u })),
                Attr::Refs(kind, ids) => {
                    let refs: Option<Vec<Value>> = ids
                        .iter()
                        .map(|id| naming.uid(kind, id).map(|u| json!({ "__entity": u })))
                        .collect();
                    refs.map(Value::Array)
                }
            };
            if let Some(v) = value {
                attrs.insert(name.to_owned(), v);
            }
        }
        let parents: Vec<Value> = d
            .parents
            .iter()
            .filter_map(|(k, id)| naming.uid(k, id))
            .collect();
        let type_name = naming.types.get(d.kind).cloned().unwrap_or_default();
        out.push((
            type_name,
            d.id,
            json!({ "uid": uid, "attrs": attrs, "parents": parents }),
        ));
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Value::Array(out.into_iter().map(|(_, _, v)| v).collect())
}

/// Checks generated entities against the schema with Cedar itself; every problem reported.
pub fn validate_entities(entities: &Value, schema_text: &str) -> Vec<Diagnostic> {
    if let Err(d) = guard_schema(schema_text) {
        return d;
    }
    let schema = match cedar_policy::Schema::from_cedarschema_str(schema_text) {
        Ok((s, _)) => s,
        Err(e) => {
            return crate::policy::from_miette(
                &e,
                SCHEMA_FILE,
                schema_text,
                Severity::Error,
                "cedar::schema",
                "fix the schema",
            )
        }
    };
    if cedar_policy::Entities::from_json_value(entities.clone(), Some(&schema)).is_ok() {
        return Vec::new();
    }
    // Cedar stops at the first bad entity; check them one by one to report all.
    let mut out = Vec::new();
    for e in entities.as_array().into_iter().flatten() {
        if let Err(err) =
            cedar_policy::Entities::from_json_value(Value::Array(vec![e.clone()]), Some(&schema))
        {
            let uid = e.get("uid").map(Value::to_string).unwrap_or_default();
            out.push(Diagnostic::whole_file(
                "inventory",
                Severity::Error,
                "model::entity",
                format!("entity {uid} does not match the schema: {}", one_line(&err.to_string())),
                Some("in schema mode `file`, check `[schema.mapping]` in mandate.toml against your schema".to_owned()),
            ));
        }
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
