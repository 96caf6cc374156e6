//! The inventory: agents, people and resources, kept as TOML files in the workspace.
//!
//! `inventory/agents/<id>.toml` (one file per agent), `inventory/people.toml` (teams and
//! humans) and `inventory/resources.toml` (tool groups, tools, datasets, models). Loading
//! reports every problem in every file — unknown keys, bad values, duplicate ids — with
//! file and line, and keeps whatever loaded. Saving validates first and writes nothing
//! when the edit is invalid.

pub mod checks;
pub mod lifecycle;
mod load;
mod model;
pub mod transfer;
mod validate;

use std::collections::HashMap;

pub use load::{load, load_sources, render_agent, render_people, render_resources, Sources};
pub use model::{
    Agent, Classification, Dataset, Environment, Human, Lifecycle, Model, People, Resources,
    RiskTier, Team, Tool, ToolGroup,
};
pub use validate::{is_slug, validate_agent, validate_spiffe_id};

pub const AGENTS_DIR: &str = "inventory/agents";
pub const PEOPLE_FILE: &str = "inventory/people.toml";
pub const RESOURCES_FILE: &str = "inventory/resources.toml";

/// Workspace-relative path of an agent's file.
pub fn agent_path(id: &str) -> String {
    format!("{AGENTS_DIR}/{id}.toml")
}

/// A loaded agent and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRecord {
    pub agent: Agent,
    /// Workspace-relative path.
    pub file: String,
    /// The file's text, for locating fields in findings.
    pub text: String,
}

/// Everything the inventory files hold.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Sorted by id.
    pub agents: Vec<AgentRecord>,
    pub people: People,
    pub resources: Resources,
    pub people_text: String,
    pub resources_text: String,
}

impl Inventory {
    pub fn agent(&self, id: &str) -> Option<&AgentRecord> {
        self.agents
            .binary_search_by(|a| a.agent.id.as_str().cmp(id))
            .ok()
            .and_then(|i| self.agents.get(i))
    }

    /// Lookup tables by id, built once per check run.
    pub fn index(&self) -> Index<'_> {
        Index {
            agents: self
                .agents
                .iter()
                .map(|a| (a.agent.id.as_str(), &a.agent))
                .collect(),
            humans: self
                .people
                .humans
                .iter()
                .map(|h| (h.id.as_str(), h))
                .collect(),
            teams: self
                .people
                .teams
                .iter()
                .map(|t| (t.id.as_str(), t))
                .collect(),
            tools: self
                .resources
                .tools
                .iter()
                .map(|t| (t.id.as_str(), t))
                .collect(),
            tool_groups: self
                .resources
                .tool_groups
                .iter()
                .map(|t| (t.id.as_str(), t))
                .collect(),
            datasets: self
                .resources
                .datasets
                .iter()
                .map(|d| (d.id.as_str(), d))
                .collect(),
            models: self
                .resources
                .models
                .iter()
                .map(|m| (m.id.as_str(), m))
                .collect(),
        }
    }
}

/// Id → record maps over an [`Inventory`].
pub struct Index<'a> {
    pub agents: HashMap<&'a str, &'a Agent>,
    pub humans: HashMap<&'a str, &'a Human>,
    pub teams: HashMap<&'a str, &'a Team>,
    pub tools: HashMap<&'a str, &'a Tool>,
    pub tool_groups: HashMap<&'a str, &'a ToolGroup>,
    pub datasets: HashMap<&'a str, &'a Dataset>,
    pub models: HashMap<&'a str, &'a Model>,
}

/// Byte span of `key = …` in a TOML text (the first one at or after `from`), for locating a
/// field in a finding; `None` when the key is absent.
pub fn find_key(text: &str, key: &str, from: usize) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if start < from {
            continue;
        }
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                let s = start + (line.len() - trimmed.len());
                return Some((s, start + line.trim_end().len()));
            }
        }
    }
    None
}
