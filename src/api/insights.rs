//! Traffic insights over a stored request set: findings, charts, a task's timeline, and an
//! agent's recent activity with its findings.

use std::collections::HashMap;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use super::progress::{Steps, ROWS_PER_REPORT};
use super::replay::time_bound;
use super::{dto, ApiError, ApiResult, OperationHooks, Session};
use crate::error::ErrorCode;
use crate::insights::grants::{self, GrantInputs};
use crate::insights::{self, InsightsReport, Scan, ScanInputs, TaskStep, TaskTimeline};
use crate::inventory::Lifecycle;
use crate::replay::simulate::{Replayer, ResultItem};
use crate::store::{RequestWindow, StoredRequest};

/// Newest requests shown on an agent's page.
const RECENT: u32 = 20;

/// Reports kept per session: the Insights page's window, the whole set (timelines, an
/// agent's page, coverage, the dashboard) and a spare, so moving between them never rescans.
const CACHED_REPORTS: usize = 3;

/// The reports computed last, newest first, each by what it was computed from.
#[derive(Debug, Default)]
pub(crate) struct InsightsCache {
    reports: Vec<(String, Arc<InsightsReport>)>,
}

impl InsightsCache {
    fn get(&mut self, key: &str) -> Option<Arc<InsightsReport>> {
        let at = self.reports.iter().position(|(k, _)| k == key)?;
        let hit = self.reports.remove(at);
        let report = Arc::clone(&hit.1);
        self.reports.insert(0, hit);
        Some(report)
    }

    fn put(&mut self, key: String, report: &Arc<InsightsReport>) {
        self.reports.retain(|(k, _)| *k != key);
        self.reports.insert(0, (key, Arc::clone(report)));
        self.reports.truncate(CACHED_REPORTS);
    }
}

/// Phases of an insights analysis, as progress names them.
const READING: &str = "Reading recorded requests";
const GRANTS: &str = "Checking grants no request used";
const CURRENT: &str = "Deciding the requests on the current policies";

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
    /// last reports are kept: asking again with the same set contents, window, inventory,
    /// policies and thresholds returns one without rescanning.
    pub fn insights(&self, query: &dto::InsightsQuery) -> ApiResult<Arc<InsightsReport>> {
        self.insights_in(query, &mut Steps::quiet(dto::Operation::Insights))
    }

    /// [`Session::insights`] as the app asks for it: progress (rows read, agents whose grants
    /// were checked) and stopped by `hooks.cancel` with [`ErrorCode::Cancelled`].
    pub fn insights_with(
        &self,
        query: &dto::InsightsQuery,
        hooks: OperationHooks<'_>,
    ) -> ApiResult<Arc<InsightsReport>> {
        self.insights_in(query, &mut Steps::new(dto::Operation::Insights, hooks))
    }

    /// [`Session::insights`] reporting to the steps of the operation it is part of.
    pub(crate) fn insights_in(
        &self,
        query: &dto::InsightsQuery,
        steps: &mut Steps<'_>,
    ) -> ApiResult<Arc<InsightsReport>> {
        steps.check()?;
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
        if let Some(report) = self
            .insights_cache
            .lock()
            .ok()
            .and_then(|mut c| c.get(&key))
        {
            return Ok(report);
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
        let total = db.count_requests(set_id, &window)?;
        steps.report(READING, 0, total);
        let mut done = 0u64;
        db.for_each_traffic_row(set_id, &window, |row| {
            scan.add(row);
            done += 1;
            if !done.is_multiple_of(ROWS_PER_REPORT) {
                return true;
            }
            steps.report(READING, done, total);
            !steps.is_cancelled()
        })?;
        steps.check()?;
        steps.report(READING, done, total);

        let mut notes = Vec::new();
        let grant_findings = match self
            .replay_schema()
            .and_then(|schema| self.replay_entities(&schema).map(|e| (schema, e)))
        {
            Ok((schema, entities)) => {
                let cancel = steps.shared_flag();
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
                    &mut |done, total| steps.report(GRANTS, done as u64, total as u64),
                    cancel.as_deref(),
                )
                .map_err(|insights::Cancelled| steps.cancelled())?;
                notes.extend(grant_notes);
                found
            }
            Err(e) => {
                notes.push(format!("unused grants were not computed: {}", e.message));
                Vec::new()
            }
        };
        steps.check()?;
        let report = Arc::new(scan.finish(grant_findings, notes));
        if let Ok(mut cache) = self.insights_cache.lock() {
            cache.put(key, &report);
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
        self.task_timeline_in(set, task, &mut Steps::quiet(dto::Operation::TaskTimeline))
    }

    /// [`Session::task_timeline`] with progress, stopped by `hooks.cancel` (the findings
    /// about the task come from the set's insights, which may need a full scan).
    pub fn task_timeline_with(
        &self,
        set: Option<&str>,
        task: &str,
        hooks: OperationHooks<'_>,
    ) -> ApiResult<TaskTimeline> {
        self.task_timeline_in(
            set,
            task,
            &mut Steps::new(dto::Operation::TaskTimeline, hooks),
        )
    }

    fn task_timeline_in(
        &self,
        set: Option<&str>,
        task: &str,
        steps: &mut Steps<'_>,
    ) -> ApiResult<TaskTimeline> {
        steps.check()?;
        let (set, set_id) = self.insights_set(set)?;
        steps.report("Finding the task's requests", 0, 0);
        let rows = self.db()?.task_requests(set_id, task)?;
        if rows.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no requests with task id `{task}` in set `{set}`"),
                Some("task ids are the `task_id` of recorded requests; `mandate insights` lists tasks with findings"),
            ));
        }
        steps.check()?;
        let (inventory, _) = self.load_inventory_for_insights();
        steps.report(CURRENT, 0, rows.len() as u64);
        let task_steps = self.steps(rows, &inventory);
        steps.report(CURRENT, task_steps.len() as u64, task_steps.len() as u64);
        let mut agents: Vec<String> = Vec::new();
        let mut hops = Vec::new();
        let mut systems: Vec<String> = Vec::new();
        let mut environments: Vec<String> = Vec::new();
        for s in &task_steps {
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
        let findings = match self.insights_in(
            &dto::InsightsQuery {
                set: Some(set.clone()),
                since: None,
                until: None,
            },
            steps,
        ) {
            Ok(report) => report
                .findings
                .iter()
                .filter(|f| {
                    f.tasks.iter().any(|t| t == task)
                        || (f.subject_kind == insights::SubjectKind::Task && f.subject == task)
                        || f.examples
                            .iter()
                            .any(|id| task_steps.iter().any(|s| &s.id == id))
                })
                .cloned()
                .collect(),
            Err(e) if e.code == ErrorCode::Cancelled => return Err(e),
            Err(_) => Vec::new(),
        };
        Ok(TaskTimeline {
            set,
            task: task.to_owned(),
            steps: task_steps,
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
        self.agent_insights_in(agent, &mut Steps::quiet(dto::Operation::AgentInsights))
    }

    /// [`Session::agent_insights`] with progress, stopped by `hooks.cancel`.
    pub fn agent_insights_with(
        &self,
        agent: &str,
        hooks: OperationHooks<'_>,
    ) -> ApiResult<dto::AgentInsights> {
        self.agent_insights_in(agent, &mut Steps::new(dto::Operation::AgentInsights, hooks))
    }

    fn agent_insights_in(
        &self,
        agent: &str,
        steps: &mut Steps<'_>,
    ) -> ApiResult<dto::AgentInsights> {
        steps.check()?;
        let (set, set_id) = match self.insights_set(None) {
            Ok(found) => found,
            Err(e) if e.code == ErrorCode::NotFound => {
                return Ok(dto::AgentInsights::default());
            }
            Err(e) => return Err(e),
        };
        let report = self.insights_in(
            &dto::InsightsQuery {
                set: Some(set.clone()),
                since: None,
                until: None,
            },
            steps,
        )?;
        steps.check()?;
        let rows = self.db()?.agent_requests(set_id, agent, RECENT)?;
        let (inventory, _) = self.load_inventory_for_insights();
        steps.report(CURRENT, 0, rows.len() as u64);
        let recent = self.steps(rows, &inventory);
        steps.report(CURRENT, recent.len() as u64, recent.len() as u64);
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
            recent,
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
