//! Reading and writing the inventory files, with every problem located.

use std::collections::HashMap;
use std::path::Path;

use serde::de::DeserializeOwned;

use super::{
    validate_agent, Agent, AgentRecord, Inventory, People, Resources, AGENTS_DIR, PEOPLE_FILE,
    RESOURCES_FILE,
};
use crate::diagnostics::{self, duplicate_ids, Diagnostic, Severity};
use crate::workspace::relative_to;

/// The inventory files' texts, as read from disk or as an edit proposes them.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `(workspace-relative path, text)` of each agent file.
    pub agents: Vec<(String, String)>,
    pub people: Option<String>,
    pub resources: Option<String>,
}

impl Sources {
    /// Reads the inventory files of the workspace at `root`. Unreadable files become
    /// diagnostics; missing people/resources files are empty inventories.
    pub fn read(root: &Path) -> (Self, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        let mut read = |rel: &str| -> Option<String> {
            crate::diagnostics::read_text(rel, &root.join(rel), true, &mut problems)
        };
        let people = read(PEOPLE_FILE);
        let resources = read(RESOURCES_FILE);
        let mut paths: Vec<String> = std::fs::read_dir(root.join(AGENTS_DIR))
            .into_iter()
            .flatten()
            .flatten()
            // Links too: reading refuses one that leads out of the workspace.
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
            .filter_map(|e| relative_to(root, &e.path()))
            .filter(|p| {
                p.ends_with(".toml") && !p.rsplit('/').next().unwrap_or("").starts_with('.')
            })
            .collect();
        paths.sort();
        let agents = paths
            .into_iter()
            .filter_map(|p| read(&p).map(|t| (p, t)))
            .collect();
        (
            Self {
                agents,
                people,
                resources,
            },
            problems,
        )
    }
}

/// Loads and validates the inventory of the workspace at `root`.
pub fn load(root: &Path) -> (Inventory, Vec<Diagnostic>) {
    let (sources, mut problems) = Sources::read(root);
    let (inventory, more) = load_sources(sources);
    problems.extend(more);
    diagnostics::sort(&mut problems);
    (inventory, problems)
}

/// Parses and validates inventory texts; everything that parsed is kept.
pub fn load_sources(sources: Sources) -> (Inventory, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut inventory = Inventory::default();

    if let Some(text) = sources.people {
        if let Some(people) = parse::<People>(PEOPLE_FILE, &text, &mut problems) {
            duplicate_ids(
                PEOPLE_FILE,
                &text,
                "inventory::duplicate_id",
                "team",
                people.teams.iter().map(|t| t.id.as_str()),
                &mut problems,
            );
            duplicate_ids(
                PEOPLE_FILE,
                &text,
                "inventory::duplicate_id",
                "human",
                people.humans.iter().map(|h| h.id.as_str()),
                &mut problems,
            );
            for h in &people.humans {
                if !super::is_slug(&h.id) {
                    problems.push(at_value(
                        PEOPLE_FILE,
                        &text,
                        &h.id,
                        format!("human id `{}` is not a slug", h.id),
                        "use lowercase letters, digits and `-`",
                    ));
                }
                if !h.email.contains('@') {
                    problems.push(at_value(
                        PEOPLE_FILE,
                        &text,
                        &h.email,
                        format!("email `{}` of `{}` is not an email address", h.email, h.id),
                        "e.g. `dana@acme.example`",
                    ));
                }
            }
            for t in &people.teams {
                if !super::is_slug(&t.id) {
                    problems.push(at_value(
                        PEOPLE_FILE,
                        &text,
                        &t.id,
                        format!("team id `{}` is not a slug", t.id),
                        "use lowercase letters, digits and `-`",
                    ));
                }
            }
            inventory.people = people;
        }
        inventory.people_text = text;
    }
    if let Some(text) = sources.resources {
        if let Some(resources) = parse::<Resources>(RESOURCES_FILE, &text, &mut problems) {
            duplicate_ids(
                RESOURCES_FILE,
                &text,
                "inventory::duplicate_id",
                "tool group",
                resources.tool_groups.iter().map(|t| t.id.as_str()),
                &mut problems,
            );
            duplicate_ids(
                RESOURCES_FILE,
                &text,
                "inventory::duplicate_id",
                "tool",
                resources.tools.iter().map(|t| t.id.as_str()),
                &mut problems,
            );
            duplicate_ids(
                RESOURCES_FILE,
                &text,
                "inventory::duplicate_id",
                "dataset",
                resources.datasets.iter().map(|d| d.id.as_str()),
                &mut problems,
            );
            duplicate_ids(
                RESOURCES_FILE,
                &text,
                "inventory::duplicate_id",
                "model",
                resources.models.iter().map(|m| m.id.as_str()),
                &mut problems,
            );
            for t in &resources.tools {
                if t.id.is_empty()
                    || t.id
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control() || c == '"')
                {
                    problems.push(at_value(
                        RESOURCES_FILE,
                        &text,
                        &t.id,
                        format!(
                            "tool id `{}` is empty or holds spaces, quotes or control characters",
                            t.id
                        ),
                        "use the tool's name as the server reports it, e.g. `stripe.refund`",
                    ));
                }
                if let Some(schema) = &t.input_schema {
                    if let Err(e) = serde_json::from_str::<serde_json::Value>(schema) {
                        problems.push(at_value(
                            RESOURCES_FILE,
                            &text,
                            &t.id,
                            format!("`input_schema` of tool `{}` is not JSON: {e}", t.id),
                            "store the schema as JSON text",
                        ));
                    }
                }
            }
            inventory.resources = resources;
        }
        inventory.resources_text = text;
    }

    let mut first_file: HashMap<String, String> = HashMap::new();
    for (file, text) in sources.agents {
        let Some(agent) = parse::<Agent>(&file, &text, &mut problems) else {
            continue;
        };
        problems.extend(validate_agent(&agent, &file, &text));
        if let Some(other) = first_file.get(&agent.id) {
            let (start, end) = super::find_key(&text, "id", 0).unwrap_or((0, 0));
            problems.push(Diagnostic::at_span(
                &file,
                &text,
                start,
                end,
                Severity::Error,
                "inventory::duplicate_id",
                format!("duplicate agent id `{}`: also in {other}", agent.id),
                Some("agent ids are unique; rename one (and its file)".to_owned()),
            ));
            continue;
        }
        first_file.insert(agent.id.clone(), file.clone());
        inventory.agents.push(AgentRecord { agent, file, text });
    }
    inventory.agents.sort_by(|a, b| a.agent.id.cmp(&b.agent.id));
    diagnostics::sort(&mut problems);
    (inventory, problems)
}

fn parse<T: DeserializeOwned>(file: &str, text: &str, problems: &mut Vec<Diagnostic>) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim_end().to_owned();
            let help = if message.contains("unknown field") {
                "remove the key or fix its spelling; the README lists the inventory keys"
            } else if message.contains("missing field") {
                "add the required key"
            } else if message.contains("unknown variant") {
                "use one of the values the message lists"
            } else {
                "fix the TOML at this line"
            };
            problems.push(Diagnostic::at_span(
                file,
                text,
                span.start,
                span.end,
                Severity::Error,
                "inventory::parse",
                message,
                Some(help.to_owned()),
            ));
            None
        }
    }
}

/// A diagnostic at the first `id = "<value>"` (or any quoted `value`) in the text.
fn at_value(file: &str, text: &str, value: &str, message: String, help: &str) -> Diagnostic {
    let needle = toml::Value::String(value.to_owned()).to_string();
    let start = text.find(&needle).unwrap_or(0);
    Diagnostic::at_span(
        file,
        text,
        start,
        start + needle.len(),
        Severity::Error,
        "inventory::invalid",
        message,
        Some(help.to_owned()),
    )
}

/// An agent file's text: keys in the pinned order, dates bare, with a header.
pub fn render_agent(agent: &Agent) -> Result<String, toml::ser::Error> {
    Ok(format!(
        "# Agent `{}`.\n{}",
        agent.id,
        bare_dates(&toml::to_string(agent)?)
    ))
}

pub fn render_people(people: &People) -> Result<String, toml::ser::Error> {
    Ok(format!(
        "# Humans and teams who own, approve and answer for agents.\n\n{}",
        bare_dates(&toml::to_string(people)?)
    ))
}

pub fn render_resources(resources: &Resources) -> Result<String, toml::ser::Error> {
    Ok(format!(
        "# Tools, tool groups, datasets and models that agents use.\n\n{}",
        toml::to_string(resources)?
    ))
}

/// `key = "2027-03-01"` → `key = 2027-03-01` for the date keys: a TOML date reads better
/// and both forms load.
fn bare_dates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let rewritten = ["recertify_by", "approved_on", "departed_on"]
            .iter()
            .find_map(|key| {
                let value = body
                    .strip_prefix(key)?
                    .strip_prefix(" = \"")?
                    .strip_suffix('"')?;
                chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
                Some(format!("{key} = {value}"))
            });
        match rewritten {
            Some(r) => {
                out.push_str(&r);
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests;
