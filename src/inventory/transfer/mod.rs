//! Bulk onboarding and export: agents and people as CSV or JSON, tools from an MCP server's
//! `tools/list` answer. Parsing reports every bad row (`file:line: message`); planning
//! compares incoming records with the inventory as adds, changes, conflicts and unchanged.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::{Agent, Environment, Human, Inventory, RiskTier, Tool};
use crate::diagnostics::{Diagnostic, Severity};

/// The columns of the agents CSV, in order. List cells are `;`-separated.
pub const AGENT_COLUMNS: [&str; 24] = [
    "id",
    "name",
    "purpose",
    "spiffe_id",
    "oidc_issuer",
    "oidc_subject",
    "owner_team",
    "accountable",
    "sponsor",
    "escalation",
    "risk_tier",
    "environment",
    "lifecycle",
    "approved_by",
    "approved_on",
    "tools",
    "datasets",
    "models",
    "delegates",
    "max_ttl_seconds",
    "attestation_required",
    "step_up_actions",
    "recertify_by",
    "tags",
];

/// The columns of the people CSV (an HR export): `departed` (true/false) or `status`
/// (`active`, or `departed`/`left`/`terminated`/`inactive`) marks leavers.
pub const PEOPLE_COLUMNS: [&str; 6] = ["id", "name", "email", "team", "departed", "departed_on"];

const LIST_COLUMNS: [&str; 6] = [
    "tools",
    "datasets",
    "models",
    "delegates",
    "step_up_actions",
    "tags",
];
const NUMBER_COLUMNS: [&str; 1] = ["max_ttl_seconds"];
const BOOL_COLUMNS: [&str; 2] = ["attestation_required", "departed"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    /// By file extension: `.csv` is CSV, anything else JSON.
    pub fn of_path(path: &str) -> Self {
        if path.to_ascii_lowercase().ends_with(".csv") {
            Self::Csv
        } else {
            Self::Json
        }
    }
}

fn problem(file: &str, line: u32, message: String, help: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line,
        column: 1,
        end_line: line,
        end_column: 1,
        severity: Severity::Error,
        code: "import::invalid".into(),
        message,
        help: Some(help.to_owned()),
        field: None,
    }
}

/// A text cell as the JSON value its column holds: lists split on `separator`, whole
/// numbers, booleans (true/false, yes/no, 1/0), else text. An empty cell is `None`.
pub fn typed_cell(name: &str, cell: &str, separator: char) -> Result<Option<Value>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    let value = if LIST_COLUMNS.contains(&name) {
        Value::Array(
            cell.split(separator)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.into()))
                .collect(),
        )
    } else if NUMBER_COLUMNS.contains(&name) {
        Value::from(
            cell.parse::<u64>()
                .map_err(|_| format!("`{name}` is not a whole number: `{cell}`"))?,
        )
    } else if BOOL_COLUMNS.contains(&name) {
        match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "y" => Value::Bool(true),
            "false" | "no" | "0" | "n" => Value::Bool(false),
            _ => return Err(format!("`{name}` is not true or false: `{cell}`")),
        }
    } else {
        Value::String(cell.to_owned())
    };
    Ok(Some(value))
}

/// Replaces records with the same id and appends new ones, keeping the list's order.
pub fn merge_by_id<T>(
    list: &mut Vec<T>,
    incoming: BTreeMap<String, T>,
    id_of: impl Fn(&T) -> &String,
) {
    for record in incoming.into_values() {
        match list.iter_mut().find(|x| id_of(x) == id_of(&record)) {
            Some(existing) => *existing = record,
            None => list.push(record),
        }
    }
}

/// Reads records of type `T` from CSV (typed by column) or JSON (an array, or an object
/// whose one array field holds them). Every bad row is reported; good rows are kept.
fn parse_records<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    format: Format,
) -> (Vec<(u32, T)>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .flexible(false)
                .from_reader(text.as_bytes());
            let headers = match reader.headers() {
                Ok(h) => h.clone(),
                Err(e) => {
                    return (
                        out,
                        vec![problem(
                            file,
                            1,
                            format!("cannot read the CSV header: {e}"),
                            "the first row names the columns",
                        )],
                    )
                }
            };
            for record in reader.records() {
                let (line, record) = match record {
                    Ok(r) => (
                        r.position()
                            .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX)),
                        r,
                    ),
                    Err(e) => {
                        let line = e
                            .position()
                            .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
                        problems.push(problem(
                            file,
                            line,
                            format!("bad CSV row: {e}"),
                            "every row needs as many cells as the header",
                        ));
                        continue;
                    }
                };
                let mut obj = serde_json::Map::new();
                let before = problems.len();
                for (name, cell) in headers.iter().zip(record.iter()) {
                    if cell.is_empty() {
                        continue;
                    }
                    if name == "status" {
                        let departed = matches!(
                            cell.to_ascii_lowercase().as_str(),
                            "departed" | "left" | "terminated" | "inactive"
                        );
                        obj.insert("departed".into(), Value::Bool(departed));
                        continue;
                    }
                    let value = match typed_cell(name, cell, ';') {
                        Ok(Some(v)) => v,
                        Ok(None) => continue,
                        Err(message) => {
                            problems.push(problem(
                                file,
                                line,
                                message,
                                "fix the cell; the README lists the columns and their types",
                            ));
                            continue;
                        }
                    };
                    obj.insert(name.to_owned(), value);
                }
                if problems.len() > before {
                    // The cell errors say what is wrong; a missing-field error would repeat it.
                    continue;
                }
                match serde_json::from_value::<T>(Value::Object(obj)) {
                    Ok(v) => out.push((line, v)),
                    Err(e) => problems.push(problem(
                        file,
                        line,
                        e.to_string(),
                        "check the row against the columns the README lists",
                    )),
                }
            }
        }
        Format::Json => {
            let value: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    let line = u32::try_from(e.line()).unwrap_or(0);
                    return (
                        out,
                        vec![problem(
                            file,
                            line,
                            format!("not JSON: {e}"),
                            "the file must be a JSON array of records",
                        )],
                    );
                }
            };
            let items = match value {
                Value::Array(items) => items,
                Value::Object(map) => match map.into_iter().find_map(|(_, v)| {
                    if let Value::Array(a) = v {
                        Some(a)
                    } else {
                        None
                    }
                }) {
                    Some(items) => items,
                    None => {
                        return (
                            out,
                            vec![problem(
                                file,
                                1,
                                "no array of records found".into(),
                                "give a JSON array, or an object with one array field",
                            )],
                        )
                    }
                },
                _ => {
                    return (
                        out,
                        vec![problem(
                            file,
                            1,
                            "expected a JSON array of records".into(),
                            "give a JSON array",
                        )],
                    )
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                // JSON has no line per record here; report the 1-based record number.
                let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                match serde_json::from_value::<T>(item) {
                    Ok(v) => out.push((n, v)),
                    Err(e) => problems.push(problem(
                        file,
                        n,
                        format!("record {n}: {e}"),
                        "check the record against the agent fields the README lists",
                    )),
                }
            }
        }
    }
    (out, problems)
}

/// Agents from a CSV or JSON file.
pub fn parse_agents(
    file: &str,
    text: &str,
    format: Format,
) -> (Vec<(u32, Agent)>, Vec<Diagnostic>) {
    parse_records(file, text, format)
}

/// Humans from an HR export (CSV or JSON).
pub fn parse_people(
    file: &str,
    text: &str,
    format: Format,
) -> (Vec<(u32, Human)>, Vec<Diagnostic>) {
    parse_records(file, text, format)
}

/// Tools from an MCP `tools/list` result (`{"tools":[{name, description, inputSchema}]}`,
/// or the JSON-RPC response around it). Ids are `<server>.<name>`.
pub fn parse_mcp_tools(
    file: &str,
    text: &str,
    server: &str,
    sensitivity: RiskTier,
    environment: Environment,
) -> (Vec<(u32, Tool)>, Vec<Diagnostic>) {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return (
                vec![],
                vec![problem(
                    file,
                    u32::try_from(e.line()).unwrap_or(0),
                    format!("not JSON: {e}"),
                    "save the server's `tools/list` response as JSON",
                )],
            )
        }
    };
    let tools = value
        .pointer("/result/tools")
        .or_else(|| value.get("tools"))
        .and_then(Value::as_array);
    let Some(tools) = tools else {
        return (
            vec![],
            vec![problem(
                file,
                1,
                "no `tools` array (nor `result.tools`)".into(),
                "this must be an MCP `tools/list` result",
            )],
        );
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, t) in tools.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let Some(name) = t
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
        else {
            problems.push(problem(
                file,
                n,
                format!("tool {n} has no `name`"),
                "every MCP tool has a name",
            ));
            continue;
        };
        out.push((
            n,
            Tool {
                id: format!("{server}.{name}"),
                description: t
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                system: server.to_owned(),
                sensitivity,
                environment,
                group: None,
                input_schema: t.get("inputSchema").map(Value::to_string),
            },
        ));
    }
    (out, problems)
}

/// One record that an import would change, with the fields that differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordChange {
    pub id: String,
    pub fields: Vec<String>,
}

/// A record an import will not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Conflict {
    pub id: String,
    pub reason: String,
}

/// What an import does (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportPlan {
    pub adds: Vec<String>,
    pub changes: Vec<RecordChange>,
    pub conflicts: Vec<Conflict>,
    pub unchanged: u32,
    /// Rows that could not be read; with any, nothing is written.
    pub problems: Vec<Diagnostic>,
}

/// Field names whose values differ between two records serialised to JSON objects.
fn changed_fields<T: Serialize>(old: &T, new: &T) -> Vec<String> {
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return vec!["*".into()];
    };
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// Compares incoming records (by id) with existing ones. `guard` names a reason to refuse
/// a change (e.g. a lifecycle change, which must go through a transition).
fn plan<T: Serialize + Clone + PartialEq>(
    existing: &HashMap<String, T>,
    incoming: Vec<(u32, T)>,
    id_of: impl Fn(&T) -> &str,
    guard: impl Fn(Option<&T>, &T) -> Option<String>,
) -> (ImportPlan, BTreeMap<String, T>) {
    let mut plan = ImportPlan::default();
    let mut accepted: BTreeMap<String, T> = BTreeMap::new();
    let mut seen: HashMap<String, (u32, T)> = HashMap::new();
    for (line, record) in incoming {
        let id = id_of(&record).to_owned();
        if let Some((first, earlier)) = seen.get(&id) {
            if *earlier != record {
                plan.conflicts.push(Conflict {
                    id: id.clone(),
                    reason: format!("row {line} differs from row {first} with the same id"),
                });
                accepted.remove(&id);
            }
            continue;
        }
        seen.insert(id.clone(), (line, record.clone()));
        let old = existing.get(&id);
        if let Some(reason) = guard(old, &record) {
            plan.conflicts.push(Conflict { id, reason });
            continue;
        }
        match old {
            None => {
                plan.adds.push(id.clone());
                accepted.insert(id, record);
            }
            Some(old) if *old == record => plan.unchanged += 1,
            Some(old) => {
                plan.changes.push(RecordChange {
                    id: id.clone(),
                    fields: changed_fields(old, &record),
                });
                accepted.insert(id, record);
            }
        }
    }
    let conflicted: std::collections::HashSet<&String> =
        plan.conflicts.iter().map(|c| &c.id).collect();
    plan.adds.retain(|id| !conflicted.contains(id));
    plan.changes.retain(|c| !conflicted.contains(&c.id));
    (plan, accepted)
}

/// Plans an agents import: lifecycle and approval never change through an import, and a
/// new agent arrives as a draft.
pub fn plan_agents(
    inventory: &Inventory,
    incoming: Vec<(u32, Agent)>,
) -> (ImportPlan, BTreeMap<String, Agent>) {
    let existing: HashMap<String, Agent> = inventory
        .agents
        .iter()
        .map(|r| (r.agent.id.clone(), r.agent.clone()))
        .collect();
    plan(
        &existing,
        incoming,
        |a| a.id.as_str(),
        |old, new| {
            match old {
        None if new.lifecycle != super::Lifecycle::Draft || new.approved_by.is_some() => {
            Some(format!("new agent arrives as `{}`; import new agents as drafts and approve them in Mandate", new.lifecycle.as_str()))
        }
        Some(old) if old.lifecycle != new.lifecycle || old.approved_by != new.approved_by => Some(format!(
            "import would move the lifecycle from {} to {}; use `mandate agents lifecycle`",
            old.lifecycle.as_str(),
            new.lifecycle.as_str()
        )),
        _ => None,
    }
        },
    )
}

/// Plans a people import (an HR export): adds new humans, updates changed ones (a
/// departure among them).
pub fn plan_people(
    inventory: &Inventory,
    incoming: Vec<(u32, Human)>,
) -> (ImportPlan, BTreeMap<String, Human>) {
    let existing: HashMap<String, Human> = inventory
        .people
        .humans
        .iter()
        .map(|h| (h.id.clone(), h.clone()))
        .collect();
    plan(&existing, incoming, |h| h.id.as_str(), |_, _| None)
}

/// Plans a tools import.
pub fn plan_tools(
    inventory: &Inventory,
    incoming: Vec<(u32, Tool)>,
) -> (ImportPlan, BTreeMap<String, Tool>) {
    let existing: HashMap<String, Tool> = inventory
        .resources
        .tools
        .iter()
        .map(|t| (t.id.clone(), t.clone()))
        .collect();
    plan(&existing, incoming, |t| t.id.as_str(), |_, _| None)
}

/// Agents as CSV with [`AGENT_COLUMNS`].
pub fn agents_csv(agents: &[&Agent]) -> Result<String, String> {
    records_csv(&AGENT_COLUMNS, agents)
}

/// Humans as CSV with [`PEOPLE_COLUMNS`].
pub fn people_csv(humans: &[&Human]) -> Result<String, String> {
    records_csv(&PEOPLE_COLUMNS, humans)
}

fn records_csv<T: Serialize>(columns: &[&str], records: &[&T]) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns).map_err(|e| e.to_string())?;
    for r in records {
        let obj = serde_json::to_value(r).map_err(|e| e.to_string())?;
        let row: Vec<String> = columns
            .iter()
            .map(|c| match obj.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(";"),
                Some(v) => v.to_string(),
            })
            .collect();
        w.write_record(&row).map_err(|e| e.to_string())?;
    }
    String::from_utf8(w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
