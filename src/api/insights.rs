//! Traffic insights over a stored request set: findings, charts, a task's timeline, and an
//! agent's recent activity with its findings.

use std::collections::HashMap;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use super::replay::time_bound;
use super::{dto, ApiError, ApiResult, Session};
use crate::error::ErrorCode;
use crate::insights::grants::{self, GrantInputs};
use crate::insights::{self, InsightsReport, Scan, ScanInputs, TaskStep, TaskTimeline};
use crate::inventory::Lifecycle;
use crate::replay::simulate::{Replayer, ResultItem};
use crate::store::{RequestWindow, StoredRequest};

/// Newest requests shown on an agent's page.
const RECENT: u32 = 20;

/// The last report computed, by what it was computed from.
#[derive(Debug, Default)]
pub(crate) struct InsightsCache {
    key: String,
    report: Option<Arc<InsightsReport>>,
}

impl Session {
    /// The set named, else the one imported most recently.
    fn insights_set(&self, set: Option<&str>) -> ApiResult<(String, i64)> {
        let db = self.db()?;
        let name = match set.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.to_owned(),
            None => db.newest_request_set()?.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    "there are no recorded requests yet",
                    Some("import traffic first: `mandate requests import FILE --set NAME`"),
                )
            })?,
        };
        let Some(id) = db.request_set_id(&name)? else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no request set `{name}`"),
                Some("`mandate requests list` shows the sets"),
            ));
        };
        Ok((name, id))
    }

    /// Insights over a stored set (`query.set`, else the newest) within a time window. The
    /// last report is kept: asking again with the same set contents, window, inventory,
    /// policies and thresholds returns it without rescanning.
    pub fn insights(&self, query: &dto::InsightsQuery) -> ApiResult<Arc<InsightsReport>> {
        let since = blank(query.since.as_deref())
            .map(|s| time_bound("--since", s))
            .transpose()?;
        let until = blank(query.until.as_deref())
            .map(|s| time_bound("--until", s))
            .transpose()?;
        let (set, set_id) = self.insights_set(query.set.as_deref())?;
        let db = self.db()?;
        let (inventory, problems) = self.load_inventory_for_insights();
        if !problems.is_empty() {
            return Err(ApiError {
                code: ErrorCode::InventoryInvalid,
                message: format!("the inventory has {} problem(s)", problems.len()),
                help: Some("fix them first (`mandate check`): insights join the traffic with the inventory".into()),
                diagnostics: problems,
            });
        }
        let policies = self.working_copy()?;
        let config = self.workspace.config().clone();
        let lifecycle_since = self.lifecycle_since(&inventory)?;

        let key = {
            let mut h = Sha256::new();
            for part in [
                set.as_str(),
                since.as_deref().unwrap_or(""),
                until.as_deref().unwrap_or(""),
                &db.request_set_signature(set_id)?,
                &super::replay::policy_digest(&policies),
                &inventory.people_text,
                &inventory.resources_text,
                &format!("{:?}{:?}", config.insights, config.ttl_ceilings),
                &format!("{lifecycle_since:?}"),
            ] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            for a in &inventory.agents {
                h.update(a.text.as_bytes());
                h.update([0]);
            }
            format!("{:x}", h.finalize())
        };
        if let Ok(cache) = self.insights_cache.lock() {
            if cache.key == key {
                if let Some(report) = &cache.report {
                    return Ok(Arc::clone(report));
                }
            }
        }

        let context_fields = insights::context_fields(&policies);
        let mut scan = Scan::new(ScanInputs {
            set: &set,
            since: since.as_deref(),
            until: until.as_deref(),
            inventory: &inventory,
            ceilings: config.ttl_ceilings,
            thresholds: config.insights,
            lifecycle_since,
            context_fields,
        });
        let window = RequestWindow {
            since: since.as_deref(),
            until: until.as_deref(),
        };
        db.for_each_traffic_row(set_id, &window, |row| scan.add(row))?;

        let mut notes = Vec::new();
        let grant_findings = match self
            .replay_schema()
            .and_then(|schema| self.replay_entities(&schema).map(|e| (schema, e)))
        {
            Ok((schema, entities)) => {
                let (found, grant_notes) = grants::unused_grants(
                    &GrantInputs {
                        inventory: &inventory,
                        schema: &schema,
                        entities: &entities,
                        policies: &policies,
                        namespace: &config.namespace,
                        ceilings: config.ttl_ceilings,
                    },
                    &|agent, action, ty, resource| scan.used(agent, action, ty, resource),
                );
                notes.extend(grant_notes);
                found
            }
            Err(e) => {
                notes.push(format!("unused grants were not computed: {}", e.message));
                Vec::new()
            }
        };
        let report = Arc::new(scan.finish(grant_findings, notes));
        if let Ok(mut cache) = self.insights_cache.lock() {
            cache.key = key;
            cache.report = Some(Arc::clone(&report));
        }
        Ok(report)
    }

    fn load_inventory_for_insights(
        &self,
    ) -> (
        crate::inventory::Inventory,
        Vec<crate::diagnostics::Diagnostic>,
    ) {
        let (inv, diagnostics) = crate::inventory::load(self.root());
        let errors = diagnostics
            .into_iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            .collect();
        (inv, errors)
    }

    /// When each inactive agent entered its current state, from the audit log (only when
    /// the newest lifecycle change there is to the state the inventory holds).
    fn lifecycle_since(
        &self,
        inventory: &crate::inventory::Inventory,
    ) -> ApiResult<HashMap<String, String>> {
        let changes = self.db()?.latest_lifecycle_changes()?;
        Ok(inventory
            .agents
            .iter()
            .filter(|a| a.agent.lifecycle != Lifecycle::Active)
            .filter_map(|a| {
                let (state, at) = changes.get(&a.agent.id)?;
                (state == a.agent.lifecycle.as_str()).then(|| (a.agent.id.clone(), at.clone()))
            })
            .collect())
    }

    /// One task's requests in time order, with the recorded decision and what the current
    /// policies decide, its agents, delegation hops, systems and environments, and the
    /// findings about it.
    pub fn task_timeline(&self, set: Option<&str>, task: &str) -> ApiResult<TaskTimeline> {
        let (set, set_id) = self.insights_set(set)?;
        let rows = self.db()?.task_requests(set_id, task)?;
        if rows.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no requests with task id `{task}` in set `{set}`"),
                Some("task ids are the `task_id` of recorded requests; `mandate insights` lists tasks with findings"),
            ));
        }
        let (inventory, _) = self.load_inventory_for_insights();
        let steps = self.steps(rows, &inventory);
        let mut agents: Vec<String> = Vec::new();
        let mut hops = Vec::new();
        let mut systems: Vec<String> = Vec::new();
        let mut environments: Vec<String> = Vec::new();
        for s in &steps {
            if !agents.contains(&s.agent) {
                agents.push(s.agent.clone());
            }
            if s.action == "delegate" {
                hops.push(format!("{} → {}", s.agent, s.resource));
            }
            if let Some(sys) = s.system.as_ref().filter(|x| !systems.contains(x)) {
                systems.push(sys.clone());
            }
            if let Some(env) = s.environment.as_ref().filter(|x| !environments.contains(x)) {
                environments.push(env.clone());
            }
        }
        let findings = match self.insights(&dto::InsightsQuery {
            set: Some(set.clone()),
            since: None,
            until: None,
        }) {
            Ok(report) => report
                .findings
                .iter()
                .filter(|f| {
                    f.tasks.iter().any(|t| t == task)
                        || (f.subject_kind == insights::SubjectKind::Task && f.subject == task)
                        || f.examples
                            .iter()
                            .any(|id| steps.iter().any(|s| &s.id == id))
                })
                .cloned()
                .collect(),
            Err(_) => Vec::new(),
        };
        Ok(TaskTimeline {
            set,
            task: task.to_owned(),
            steps,
            agents,
            hops,
            systems,
            environments,
            findings,
        })
    }

    /// An agent's newest requests and the findings about it, from the set imported most
    /// recently (none when nothing was imported).
    pub fn agent_insights(&self, agent: &str) -> ApiResult<dto::AgentInsights> {
        let (set, set_id) = match self.insights_set(None) {
            Ok(found) => found,
            Err(e) if e.code == ErrorCode::NotFound => {
                return Ok(dto::AgentInsights::default());
            }
            Err(e) => return Err(e),
        };
        let report = self.insights(&dto::InsightsQuery {
            set: Some(set.clone()),
            since: None,
            until: None,
        })?;
        let rows = self.db()?.agent_requests(set_id, agent, RECENT)?;
        let (inventory, _) = self.load_inventory_for_insights();
        Ok(dto::AgentInsights {
            set: Some(set),
            activity: report
                .agent_activity
                .iter()
                .find(|a| a.agent == agent)
                .cloned(),
            findings: report
                .findings
                .iter()
                .filter(|f| f.agent.as_deref() == Some(agent))
                .cloned()
                .collect(),
            recent: self.steps(rows, &inventory),
        })
    }

    /// Stored requests as timeline steps, each re-evaluated on the working copy.
    fn steps(
        &self,
        rows: Vec<StoredRequest>,
        inventory: &crate::inventory::Inventory,
    ) -> Vec<TaskStep> {
        let current = self.current_decisions(&rows);
        rows.into_iter()
            .map(|row| {
                let r = row.request;
                let context: serde_json::Value = r
                    .context
                    .as_deref()
                    .and_then(|c| serde_json::from_str(c).ok())
                    .unwrap_or_default();
                let kind = r.resource.0.rsplit("::").next().unwrap_or("");
                let tool = (kind == "Tool")
                    .then(|| {
                        inventory
                            .resources
                            .tools
                            .iter()
                            .find(|t| t.id == r.resource.1)
                    })
                    .flatten();
                let dataset = (kind == "Dataset")
                    .then(|| {
                        inventory
                            .resources
                            .datasets
                            .iter()
                            .find(|d| d.id == r.resource.1)
                    })
                    .flatten();
                let environment = tool
                    .map(|t| t.environment.as_str().to_owned())
                    .or_else(|| dataset.map(|d| d.environment.as_str().to_owned()))
                    .or_else(|| {
                        context
                            .get("env")
                            .and_then(|e| e.as_str())
                            .map(str::to_owned)
                    });
                let sensitivity = tool
                    .map(|t| t.sensitivity.as_str().to_owned())
                    .or_else(|| dataset.map(|d| d.classification.as_str().to_owned()));
                let on_behalf_of = context.get("on_behalf_of").map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other
                        .get("id")
                        .or_else(|| other.get("__entity").and_then(|e| e.get("id")))
                        .and_then(|id| id.as_str())
                        .map_or_else(|| other.to_string(), str::to_owned),
                });
                let id = r.rid.clone().unwrap_or_else(|| format!("line:{}", row.row));
                let (now, now_reasons, now_error) = match current.get(&row.row) {
                    Some(Ok((d, reasons))) => (Some(d.clone()), reasons.clone(), None),
                    Some(Err(e)) => (None, Vec::new(), Some(e.clone())),
                    None => (None, Vec::new(), None),
                };
                TaskStep {
                    id,
                    time: r.time,
                    agent: r.principal.1,
                    action: r.action.1,
                    resource_type: r.resource.0,
                    resource: r.resource.1,
                    system: tool.map(|t| t.system.clone()),
                    environment,
                    sensitivity,
                    delegation_depth: context.get("delegation_depth").and_then(|d| d.as_i64()),
                    on_behalf_of,
                    recorded: r.decision,
                    recorded_reasons: r
                        .reasons
                        .as_deref()
                        .and_then(|t| serde_json::from_str(t).ok())
                        .unwrap_or_default(),
                    current: now,
                    current_reasons: now_reasons,
                    current_error: now_error,
                }
            })
            .collect()
    }

    /// What the working copy decides for each stored request, by row: the decision and
    /// reasons, or why it could not be evaluated.
    fn current_decisions(
        &self,
        rows: &[StoredRequest],
    ) -> HashMap<i64, Result<(String, Vec<String>), String>> {
        let mut out = HashMap::new();
        let setup = self.working_copy().and_then(|p| {
            let schema = self.replay_schema()?;
            let entities = self.replay_entities(&schema)?;
            Ok((p, schema, entities))
        });
        let (policies, schema, entities) = match setup {
            Ok(s) => s,
            Err(e) => {
                for r in rows {
                    out.insert(r.row, Err(e.message.clone()));
                }
                return out;
            }
        };
        let namespace = self.workspace.config().namespace.clone();
        let mut decided: Vec<(i64, String, Vec<String>)> = Vec::new();
        let mut each = |item: &ResultItem<'_>| -> std::io::Result<()> {
            decided.push((
                i64::try_from(item.line).unwrap_or(0),
                item.result.baseline.decision.clone(),
                item.result.baseline.reasons.clone(),
            ));
            Ok(())
        };
        let outcome = Replayer::new(
            &schema, &entities, &policies, &policies, &namespace, &mut each,
        )
        .and_then(|mut replayer| {
            for r in rows {
                replayer.record(u64::try_from(r.row).unwrap_or(0), r.request.clone())?;
            }
            replayer.finish()
        });
        match outcome {
            Ok(replayed) => {
                for e in replayed.summary.errors {
                    out.insert(i64::try_from(e.line).unwrap_or(0), Err(e.message));
                }
            }
            Err(e) => {
                for r in rows {
                    out.insert(r.row, Err(e.to_string()));
                }
            }
        }
        for (row, decision, reasons) in decided {
            out.insert(row, Ok((decision, reasons)));
        }
        out
    }
}

fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The report as the terminal shows it: every finding worst first with its fix.
pub fn insights_text(report: &InsightsReport) -> String {
    insights::human(report)
}

/// The report as CSV, one row per finding.
pub fn insights_csv(report: &InsightsReport) -> ApiResult<String> {
    insights::csv(report)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("cannot write CSV: {e}"), None))
}

/// The report as one self-contained HTML page (no script, no external resource).
pub fn insights_html(report: &InsightsReport) -> String {
    insights::html(report)
}
