//! Inventory actions: list, check, save, lifecycle, schema and entities, import and export.

use chrono::{NaiveDate, Utc};
use serde_json::json;

use super::{dto, ApiError, ApiResult, Session};
use crate::diagnostics::{Diagnostic, Severity};
use crate::error::ErrorCode;
use crate::inventory::checks::{self, CheckContext, Finding};
use crate::inventory::lifecycle::{self, TransitionError};
use crate::inventory::transfer;
use crate::inventory::{self, Agent, Environment, Inventory, Lifecycle, RiskTier, Sources};
use crate::store::NewAuditEntry;
use crate::workspace;

/// Whether a save creates a new agent or updates an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    Create,
    Update,
}

impl Session {
    /// Today's date for checks and approvals: `MANDATE_TODAY` (YYYY-MM-DD, for tests and
    /// reproducible reports) or the local date.
    pub fn today(&self) -> NaiveDate {
        std::env::var("MANDATE_TODAY")
            .ok()
            .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    pub(super) fn load_inventory(&self) -> (Inventory, Vec<Diagnostic>) {
        inventory::load(self.root())
    }

    fn policy_texts(&self) -> Vec<(String, String)> {
        crate::policy::policy_paths(self.root())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(rel, path)| {
                // `read_text` refuses links out of the workspace and oversized files; the
                // check reports those, so its problems are not repeated here.
                crate::diagnostics::read_text(&rel, &path, false, &mut Vec::new()).map(|t| (rel, t))
            })
            .collect()
    }

    pub(super) fn findings_of(&self, inv: &Inventory) -> Vec<Finding> {
        let policies = self.policy_texts();
        let config = self.workspace.config();
        let ctx = CheckContext {
            today: self.today(),
            ceilings: config.ttl_ceilings,
            policies: &policies,
            namespace: &config.namespace,
        };
        checks::check(inv, &ctx)
    }

    /// The whole inventory with its accountability findings and load problems.
    pub fn inventory(&self) -> dto::InventoryView {
        let (inv, diagnostics) = self.load_inventory();
        let findings = self.findings_of(&inv);
        let agent_revisions = inv
            .agents
            .iter()
            .map(|r| (r.agent.id.clone(), self.agent_revision(r)))
            .collect();
        dto::InventoryView {
            agents: inv.agents.into_iter().map(|r| r.agent).collect(),
            people: inv.people,
            resources: inv.resources,
            findings,
            diagnostics,
            transitions: lifecycle_edges(),
            agent_revisions,
        }
    }

    /// The revision of the file a save of this agent writes (`inventory/agents/<id>.toml`):
    /// from the text the record was loaded from, so it matches what the caller was shown.
    fn agent_revision(&self, record: &inventory::AgentRecord) -> String {
        let rel = inventory::agent_path(&record.agent.id);
        if record.file == rel {
            return workspace::revision(record.text.as_bytes());
        }
        // An agent in a file not named after its id: a save writes the named file.
        self.workspace
            .revision_of(&rel)
            .unwrap_or_else(|_| workspace::ABSENT.to_owned())
    }

    /// One agent by id.
    pub fn agent(&self, id: &str) -> ApiResult<Agent> {
        let (inv, _) = self.load_inventory();
        inv.agent(id)
            .map(|r| r.agent.clone())
            .ok_or_else(|| not_found(id))
    }

    /// Everything `mandate check` reports: inventory load problems, accountability findings,
    /// and policy validation problems, as findings.
    pub fn check(&self) -> dto::CheckReport {
        let (inv, diagnostics) = self.load_inventory();
        let mut findings: Vec<Finding> = diagnostics.iter().map(finding_from_diagnostic).collect();
        findings.extend(self.findings_of(&inv));
        findings.extend(
            self.validate()
                .diagnostics
                .iter()
                .map(finding_from_diagnostic),
        );
        findings.extend(self.controls_problems().iter().map(finding_from_diagnostic));
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        dto::CheckReport {
            agent_count: u32::try_from(inv.agents.len()).unwrap_or(u32::MAX),
            error_count: u32::try_from(errors).unwrap_or(u32::MAX),
            warning_count: u32::try_from(warnings).unwrap_or(u32::MAX),
            findings,
        }
    }

    /// Problems the agent would have if saved (for a form's inline validation); nothing
    /// is written.
    pub fn validate_agent_draft(&self, agent: &Agent, mode: SaveMode) -> Vec<Diagnostic> {
        self.proposed(agent, mode)
            .map_or_else(|e| e.diagnostics, |_| Vec::new())
    }

    /// Validates an agent edit against the whole inventory; returns the file text to write.
    fn proposed(&self, agent: &Agent, mode: SaveMode) -> ApiResult<(String, Option<Agent>)> {
        let (inv, _) = self.load_inventory();
        let existing = inv.agent(&agent.id).map(|r| r.agent.clone());
        let rel = inventory::agent_path(&agent.id);
        match (mode, &existing) {
            (SaveMode::Create, Some(_)) => {
                return Err(invalid(
                    &rel,
                    "id",
                    format!("agent `{}` already exists", agent.id),
                    "choose another id",
                ));
            }
            (SaveMode::Create, None)
                if agent.lifecycle != Lifecycle::Draft || agent.approved_by.is_some() =>
            {
                return Err(invalid(
                    &rel,
                    "lifecycle",
                    "a new agent starts as a draft".into(),
                    "create it as `draft`, then approve and activate it",
                ));
            }
            (SaveMode::Update, None) => return Err(not_found(&agent.id)),
            (SaveMode::Update, Some(old))
                if old.lifecycle != agent.lifecycle
                    || old.approved_by != agent.approved_by
                    || old.approved_on != agent.approved_on =>
            {
                return Err(invalid(
                    &rel,
                    "lifecycle",
                    "lifecycle and approval change only through a transition".into(),
                    "use the lifecycle buttons or `mandate agents lifecycle`",
                ));
            }
            _ => {}
        }
        if !inventory::is_slug(&agent.id) {
            return Err(invalid(
                &rel,
                "id",
                format!("agent id `{}` is not a slug", agent.id),
                "use lowercase letters, digits and `-`, e.g. `billing-bot`",
            ));
        }
        let text = inventory::render_agent(agent).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("cannot write agent `{}`: {e}", agent.id),
                None,
            )
        })?;
        let (sources, _) = Sources::read(self.root());
        let mut sources = sources;
        sources.agents.retain(|(p, _)| *p != rel);
        sources.agents.push((rel.clone(), text.clone()));
        let (_, problems) = inventory::load_sources(sources);
        let mine: Vec<Diagnostic> = problems
            .into_iter()
            .filter(|d| d.file == rel && d.severity == Severity::Error)
            .collect();
        if !mine.is_empty() {
            return Err(ApiError {
                code: ErrorCode::InventoryInvalid,
                message: format!(
                    "agent `{}` has {} problem(s); nothing was saved",
                    agent.id,
                    mine.len()
                ),
                help: mine.first().and_then(|d| d.help.clone()),
                diagnostics: mine,
            });
        }
        Ok((text, existing))
    }

    /// Creates or updates an agent file atomically, after validating it against the whole
    /// inventory; audited with the before and after state. With `expected` (the revision of
    /// `inventory/agents/<id>.toml` the form was loaded from, `absent` to create), a file
    /// that changed on disk since is refused with `edit_conflict` and left as it is; `None`
    /// writes whatever is there (the CLI, which reads and writes in one go).
    pub fn save_agent(
        &self,
        agent: &Agent,
        mode: SaveMode,
        expected: Option<&str>,
        actor: &str,
    ) -> ApiResult<dto::SavedAgent> {
        let (text, before) = self.proposed(agent, mode)?;
        let written = self.workspace.write_file_at(
            &inventory::agent_path(&agent.id),
            text.as_bytes(),
            expected,
        )?;
        let before = before.map(|b| serde_json::to_value(b).unwrap_or_default());
        let after = serde_json::to_value(agent).unwrap_or_default();
        self.db()?.audit(&NewAuditEntry {
            at: Utc::now(),
            actor,
            action: if mode == SaveMode::Create {
                "agent.create"
            } else {
                "agent.update"
            },
            subject: &format!("agent:{}", agent.id),
            before: before.as_ref(),
            after: Some(&after),
        })?;
        Ok(dto::SavedAgent {
            agent: agent.clone(),
            revision: written.after,
        })
    }

    /// Moves an agent through its lifecycle if the guards allow; writes the file and an
    /// audit entry with who, when, from, to and why.
    pub fn agent_lifecycle(
        &self,
        id: &str,
        to: Lifecycle,
        reason: &str,
        actor: &str,
    ) -> ApiResult<Agent> {
        let (inv, _) = self.load_inventory();
        let current = inv.agent(id).ok_or_else(|| not_found(id))?;
        let index = inv.index();
        let next = lifecycle::transition(&current.agent, to, actor, reason, self.today(), &index)
            .map_err(refused)?;
        let text = inventory::render_agent(&next).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("cannot write agent `{id}`: {e}"),
                None,
            )
        })?;
        // Over the very text the transition was computed from: an edit made meanwhile is
        // refused (`edit_conflict`), never overwritten.
        let read = workspace::revision(current.text.as_bytes());
        self.workspace
            .write_file_at(&current.file, text.as_bytes(), Some(&read))?;
        let before = json!({ "lifecycle": current.agent.lifecycle });
        let after = json!({ "lifecycle": to, "reason": reason, "approved_by": next.approved_by });
        self.db()?.audit(&NewAuditEntry {
            at: Utc::now(),
            actor,
            action: "agent.lifecycle",
            subject: &format!("agent:{id}"),
            before: Some(&before),
            after: Some(&after),
        })?;
        Ok(next)
    }

    /// The schema policies are validated against (Cedar text), generated or from the file.
    pub fn schema_text(&self) -> ApiResult<String> {
        // Through `read_file`, which refuses a link out of the workspace.
        let file = self.workspace.read_file(crate::workspace::SCHEMA_FILE).ok();
        crate::model::schema_text(self.workspace.config(), file.as_deref()).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidArgument,
                "schema mode is `file` but `schema.cedarschema` is missing",
                Some(
                    "add your schema file, or set `[schema] mode = \"generated\"` in mandate.toml",
                ),
            )
        })
    }

    /// [`Session::schema_text`] for Cedar's schema parser: refused when nested too deep
    /// for it (see `policy::guard`).
    pub(crate) fn guarded_schema_text(&self) -> ApiResult<String> {
        use crate::policy::guard;
        let text = self.schema_text()?;
        guard::check(&text, guard::Syntax::Schema).map_err(|deep| ApiError {
            code: ErrorCode::PolicyInvalid,
            message: "the schema does not parse".into(),
            help: Some(deep.help.to_owned()),
            diagnostics: vec![crate::policy::too_deep(
                crate::workspace::SCHEMA_FILE,
                &deep,
            )],
        })?;
        Ok(text)
    }

    /// The schema as Cedar JSON schema.
    pub fn schema_json(&self) -> ApiResult<String> {
        crate::model::schema_json(&self.schema_text()?).map_err(|diagnostics| ApiError {
            code: ErrorCode::PolicyInvalid,
            message: "the schema does not parse".into(),
            help: Some("run `mandate validate` to see every problem".into()),
            diagnostics,
        })
    }

    /// The inventory as Cedar entities JSON, checked against the schema.
    pub fn entities(&self) -> ApiResult<serde_json::Value> {
        let (inv, problems) = self.load_inventory();
        let errors: Vec<Diagnostic> = problems
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(ApiError {
                code: ErrorCode::InventoryInvalid,
                message: format!("the inventory has {} problem(s)", errors.len()),
                help: Some("fix them (`mandate check` lists them); entities are generated from a clean inventory".into()),
                diagnostics: errors,
            });
        }
        let entities = crate::model::entities(&inv, self.workspace.config());
        let problems = crate::model::validate_entities(&entities, &self.schema_text()?);
        if !problems.is_empty() {
            return Err(ApiError {
                code: ErrorCode::InventoryInvalid,
                message: format!(
                    "{} generated entit(ies) do not match the schema",
                    problems.len()
                ),
                help: Some("check `[schema.mapping]` in mandate.toml against your schema".into()),
                diagnostics: problems,
            });
        }
        Ok(entities)
    }
}

fn lifecycle_edges() -> Vec<dto::LifecycleEdge> {
    use Lifecycle::*;
    [Draft, Approved, Active, Suspended, Retired]
        .into_iter()
        .flat_map(|from| {
            lifecycle::next_states(from)
                .into_iter()
                .map(move |to| dto::LifecycleEdge { from, to })
        })
        .collect()
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("no agent `{id}`"),
        Some("`mandate agents list` shows the agents"),
    )
}

fn invalid(file: &str, field: &str, message: String, help: &str) -> ApiError {
    let d = Diagnostic::whole_file(
        file,
        Severity::Error,
        "inventory::invalid",
        message.clone(),
        Some(help.to_owned()),
    )
    .with_field(field);
    ApiError {
        code: ErrorCode::InventoryInvalid,
        message,
        help: Some(help.to_owned()),
        diagnostics: vec![d],
    }
}

fn refused(e: TransitionError) -> ApiError {
    let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
    ApiError {
        code: ErrorCode::LifecycleRefused,
        message: e.to_string(),
        help,
        diagnostics: Vec::new(),
    }
}

fn finding_from_diagnostic(d: &Diagnostic) -> Finding {
    Finding {
        code: d.code.clone(),
        severity: d.severity,
        subject: format!("file:{}", d.file),
        message: d.message.clone(),
        help: d.help.clone().unwrap_or_default(),
        file: d.file.clone(),
        line: d.line,
        field: d.field.clone(),
    }
}

/// What to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportKind {
    Agents,
    People,
    /// An MCP server's `tools/list`, registered as tools of `server`.
    McpTools {
        server: String,
        sensitivity: RiskTier,
        environment: Environment,
    },
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Agents,
    People,
}

impl Session {
    /// Imports agents, people or MCP tools from a CSV or JSON file. With `dry_run`, or when
    /// any row is unreadable, or when the result would not validate, nothing is written.
    /// Conflicts (e.g. a lifecycle change) are reported and skipped.
    pub fn import(
        &self,
        kind: &ImportKind,
        path: &std::path::Path,
        dry_run: bool,
        actor: &str,
    ) -> ApiResult<dto::ImportReport> {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ApiError::new(
                ErrorCode::Io,
                format!("cannot read `{label}`: {e}"),
                Some("check the path; the file must be UTF-8 CSV or JSON"),
            )
        })?;
        let format = transfer::Format::of_path(&label);
        let (inv, _) = self.load_inventory();
        let (sources, _) = Sources::read(self.root());
        let mut proposed = sources.clone();
        let mut writes: Vec<(String, String)> = Vec::new();
        let ser = |e: toml::ser::Error| {
            ApiError::new(
                ErrorCode::Internal,
                format!("cannot write the inventory: {e}"),
                None,
            )
        };
        let (mut plan, kind_name) = match kind {
            ImportKind::Agents => {
                let (rows, problems) = transfer::parse_agents(&label, &text, format);
                let (mut plan, accepted) = transfer::plan_agents(&inv, rows);
                plan.problems = problems;
                for agent in accepted.values() {
                    let rel = inventory::agent_path(&agent.id);
                    let body = inventory::render_agent(agent).map_err(ser)?;
                    proposed.agents.retain(|(p, _)| *p != rel);
                    proposed.agents.push((rel.clone(), body.clone()));
                    writes.push((rel, body));
                }
                (plan, "agents")
            }
            ImportKind::People => {
                let (rows, problems) = transfer::parse_people(&label, &text, format);
                let (mut plan, accepted) = transfer::plan_people(&inv, rows);
                plan.problems = problems;
                if !accepted.is_empty() {
                    let mut people = inv.people.clone();
                    transfer::merge_by_id(&mut people.humans, accepted, |h| &h.id);
                    let body = inventory::render_people(&people).map_err(ser)?;
                    proposed.people = Some(body.clone());
                    writes.push((inventory::PEOPLE_FILE.to_owned(), body));
                }
                (plan, "people")
            }
            ImportKind::McpTools {
                server,
                sensitivity,
                environment,
            } => {
                let (rows, problems) =
                    transfer::parse_mcp_tools(&label, &text, server, *sensitivity, *environment);
                let (mut plan, accepted) = transfer::plan_tools(&inv, rows);
                plan.problems = problems;
                if !accepted.is_empty() {
                    let mut resources = inv.resources.clone();
                    transfer::merge_by_id(&mut resources.tools, accepted, |t| &t.id);
                    let body = inventory::render_resources(&resources).map_err(ser)?;
                    proposed.resources = Some(body.clone());
                    writes.push((inventory::RESOURCES_FILE.to_owned(), body));
                }
                (plan, "tools")
            }
        };
        // The imported records must leave the files they touch valid.
        let touched: std::collections::HashSet<&str> =
            writes.iter().map(|(p, _)| p.as_str()).collect();
        let (_, problems) = inventory::load_sources(proposed);
        plan.problems.extend(
            problems
                .into_iter()
                .filter(|d| touched.contains(d.file.as_str()) && d.severity == Severity::Error),
        );
        let applied = !dry_run && plan.problems.is_empty() && !writes.is_empty();
        if applied {
            for (rel, body) in &writes {
                self.workspace.write_file(rel, body.as_bytes())?;
            }
            let after = json!({
                "kind": kind_name,
                "file": label,
                "adds": plan.adds,
                "changes": plan.changes.iter().map(|c| &c.id).collect::<Vec<_>>(),
            });
            self.db()?.audit(&NewAuditEntry {
                at: Utc::now(),
                actor,
                action: "inventory.import",
                subject: &format!("inventory:{kind_name}"),
                before: None,
                after: Some(&after),
            })?;
        }
        Ok(dto::ImportReport {
            kind: kind_name.to_owned(),
            dry_run,
            applied,
            plan,
        })
    }

    /// The agents or people as CSV or JSON (`format` `csv` or `json`).
    pub fn export(&self, kind: ExportKind, csv: bool) -> ApiResult<String> {
        let (inv, _) = self.load_inventory();
        let failed =
            |e: String| ApiError::new(ErrorCode::Internal, format!("cannot export: {e}"), None);
        match (kind, csv) {
            (ExportKind::Agents, true) => {
                transfer::agents_csv(&inv.agents.iter().map(|r| &r.agent).collect::<Vec<_>>())
                    .map_err(failed)
            }
            (ExportKind::People, true) => {
                transfer::people_csv(&inv.people.humans.iter().collect::<Vec<_>>()).map_err(failed)
            }
            (ExportKind::Agents, false) => serde_json::to_string_pretty(
                &inv.agents.iter().map(|r| &r.agent).collect::<Vec<_>>(),
            )
            .map_err(|e| failed(e.to_string())),
            (ExportKind::People, false) => {
                serde_json::to_string_pretty(&inv.people).map_err(|e| failed(e.to_string()))
            }
        }
    }
}

/// Agents as CSV (the columns of `mandate agents export --format csv`).
pub fn agents_csv(agents: &[&Agent]) -> ApiResult<String> {
    transfer::agents_csv(agents)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("cannot write CSV: {e}"), None))
}

impl Session {
    /// Writes the generated schema to `schema.cedarschema` (generated mode only), so other
    /// Cedar tools see what Mandate validates against.
    pub fn write_generated_schema(&self) -> ApiResult<()> {
        let config = self.workspace.config();
        if config.schema.mode != crate::workspace::SchemaMode::Generated {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                "schema mode is `file`: `schema.cedarschema` is yours and is not overwritten",
                Some("drop `--write`, or set `[schema] mode = \"generated\"`"),
            ));
        }
        let text = crate::model::generated_schema(&config.namespace);
        self.workspace
            .write_file(crate::workspace::SCHEMA_FILE, text.as_bytes())?;
        Ok(())
    }
}

impl Session {
    /// Changes fields of an agent from `key=value` assignments (the agent file's keys; list
    /// values comma-separated; `key=` clears), then saves as [`Session::save_agent`] does.
    pub fn set_agent_fields(
        &self,
        id: &str,
        assignments: &[String],
        actor: &str,
    ) -> ApiResult<Agent> {
        let (inv, _) = self.load_inventory();
        let record = inv.agent(id).ok_or_else(|| not_found(id))?;
        let current = record.agent.clone();
        // Read, change and write in one go, yet never over an edit made in between.
        let read = self.agent_revision(record);
        let serde_json::Value::Object(mut obj) = serde_json::to_value(&current)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string(), None))?
        else {
            return Err(ApiError::new(
                ErrorCode::Internal,
                "agent is not an object",
                None,
            ));
        };
        for a in assignments {
            let Some((key, value)) = a.split_once('=') else {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("`{a}` is not KEY=VALUE"),
                    Some("e.g. `accountable=dana` or `tools=stripe.refund,github.pr.comment`"),
                ));
            };
            let key = key.trim();
            match transfer::typed_cell(key, value.trim(), ',') {
                Ok(Some(v)) => obj.insert(key.to_owned(), v),
                Ok(None) => obj.remove(key),
                Err(message) => {
                    return Err(ApiError::new(
                        ErrorCode::InvalidArgument,
                        message,
                        Some("check the value's type"),
                    ))
                }
            };
        }
        let updated: Agent = serde_json::from_value(serde_json::Value::Object(obj)).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidArgument,
                format!("cannot set: {e}"),
                Some("keys are the agent file's keys; `mandate agents show ID --format json` lists them"),
            )
        })?;
        Ok(self
            .save_agent(&updated, SaveMode::Update, Some(&read), actor)?
            .agent)
    }
}
