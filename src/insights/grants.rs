//! Unused grants (least privilege): what the current policies permit each active agent over
//! the inventory's resources, evaluated by Cedar through the scope index, that no request in
//! the window used.
//!
//! Each agent × resource × action the schema allows is asked under a *compliant* context
//! (the agent's environment, a short attested workload credential, step-up approved, no
//! delegation): the most any policy could grant it. What is permitted and never requested
//! is a grant to narrow.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use cedar_policy::{
    Context, Entities, EntityId, EntityTypeName, EntityUid, PolicySet, Request, Schema,
};
use rayon::prelude::*;

use super::scan::agent_ttl_limit;
use super::{control_of, Cancelled, Finding, Fix, Level, SubjectKind};
use crate::inventory::Inventory;
use crate::inventory::{Agent, Classification, Lifecycle};
use crate::replay::{Decision, ScopeIndex};
use crate::workspace::TtlCeilings;

/// Grants listed per finding; the rest are counted.
const LISTED: usize = 50;
/// Evaluations above this are not attempted (a note says so).
pub const MAX_EVALUATIONS: usize = 2_000_000;

/// The actions of the agent-governance schema and the resource kind each applies to.
const ACTIONS: &[(&str, &str)] = &[
    ("invoke_tool", "Tool"),
    ("request_credential", "Tool"),
    ("read_data", "Dataset"),
    ("write_data", "Dataset"),
    ("request_credential", "Dataset"),
    ("invoke_model", "Model"),
    ("request_credential", "Model"),
    ("delegate", "Agent"),
];

/// What the grant analysis needs.
pub struct GrantInputs<'a> {
    pub inventory: &'a Inventory,
    pub schema: &'a Schema,
    pub entities: &'a Entities,
    pub policies: &'a PolicySet,
    pub namespace: &'a str,
    pub ceilings: TtlCeilings,
}

/// One permitted (action, resource) of an agent.
struct Grant {
    action: &'static str,
    kind: &'static str,
    resource: String,
    reasons: Vec<String>,
    declared: bool,
    sensitive: bool,
}

/// Active agents evaluated (in parallel) between two progress reports and cancel checks,
/// per worker thread: small enough to stop soon, large enough to keep every core busy.
const AGENTS_PER_THREAD: usize = 2;

/// One finding per active agent with grants no request used; `used(agent, action,
/// resource type, resource)` says whether the traffic used one. Also returns notes on what
/// could not be evaluated. `progress(done, total)` counts active agents; a set `cancel`
/// stops between groups of agents.
pub fn unused_grants(
    inputs: &GrantInputs<'_>,
    used: &(dyn Fn(&str, &str, &str, &str) -> bool + Sync),
    progress: &mut dyn FnMut(usize, usize),
    cancel: Option<&AtomicBool>,
) -> Result<(Vec<Finding>, Vec<String>), Cancelled> {
    let mut notes = Vec::new();
    let inv = inputs.inventory;
    let active: Vec<&Agent> = inv
        .agents
        .iter()
        .map(|a| &a.agent)
        .filter(|a| a.lifecycle == Lifecycle::Active)
        .collect();
    let per_agent = inv.resources.tools.len() * 2
        + inv.resources.datasets.len() * 3
        + inv.resources.models.len() * 2
        + inv.agents.len();
    if active.len().saturating_mul(per_agent) > MAX_EVALUATIONS {
        notes.push(format!(
            "unused grants were not computed: {} active agents × {per_agent} resource-actions is over {MAX_EVALUATIONS} evaluations",
            active.len()
        ));
        return Ok((Vec::new(), notes));
    }
    let index = match ScopeIndex::new(inputs.policies) {
        Ok(i) => i,
        Err(e) => {
            notes.push(format!("unused grants were not computed: {e}"));
            return Ok((Vec::new(), notes));
        }
    };
    let ty = |name: &str| EntityTypeName::from_str(&qualify(inputs.namespace, name)).ok();
    let (Some(agent_ty), Some(action_ty)) = (ty("Agent"), ty("Action")) else {
        notes.push(format!(
            "unused grants were not computed: `{}` is not a Cedar namespace",
            inputs.namespace
        ));
        return Ok((Vec::new(), notes));
    };
    let uid = |t: &EntityTypeName, id: &str| {
        EntityUid::from_type_name_and_id(t.clone(), EntityId::new(id))
    };
    // Which actions the schema lets us ask with a compliant context (a hand-written schema
    // may declare other context attributes).
    let probe_agent = active.first().copied();
    let mut askable: Vec<(&'static str, &'static str)> = Vec::new();
    let mut refused: BTreeSet<String> = BTreeSet::new();
    for &(action, kind) in ACTIONS {
        let Some(agent) = probe_agent else { break };
        match context_for(agent, inputs, &uid(&action_ty, action)) {
            Ok(_) => askable.push((action, kind)),
            Err(e) => {
                refused.insert(format!("`{action}`: {e}"));
            }
        }
    }
    for r in refused {
        notes.push(format!(
            "unused grants skip {r} (the schema's context differs from the generated one)"
        ));
    }

    let resources = |kind: &str| -> Vec<(String, bool)> {
        match kind {
            "Tool" => inv
                .resources
                .tools
                .iter()
                .map(|t| (t.id.clone(), t.sensitivity.rank() >= 3))
                .collect(),
            "Dataset" => inv
                .resources
                .datasets
                .iter()
                .map(|d| {
                    (
                        d.id.clone(),
                        matches!(
                            d.classification,
                            Classification::Confidential | Classification::Restricted
                        ),
                    )
                })
                .collect(),
            "Model" => inv
                .resources
                .models
                .iter()
                .map(|m| (m.id.clone(), false))
                .collect(),
            _ => inv
                .agents
                .iter()
                .map(|a| (a.agent.id.clone(), a.agent.risk_tier.is_elevated()))
                .collect(),
        }
    };
    let by_kind: Vec<(&str, Vec<(String, bool)>)> = ["Tool", "Dataset", "Model", "Agent"]
        .iter()
        .map(|k| (*k, resources(k)))
        .collect();

    let of_agent = |agent: &&Agent| -> Option<Finding> {
        let principal = uid(&agent_ty, &agent.id);
        let mut grants = Vec::new();
        for &(action, kind) in &askable {
            let action_uid = uid(&action_ty, action);
            let Ok(context) = context_for(agent, inputs, &action_uid) else {
                continue;
            };
            let Some(resource_ty) = ty(kind) else {
                continue;
            };
            let Some((_, list)) = by_kind.iter().find(|(k, _)| *k == kind) else {
                continue;
            };
            for (resource, sensitive) in list {
                if kind == "Agent" && *resource == agent.id {
                    continue;
                }
                if used(&agent.id, action, kind, resource) {
                    continue;
                }
                let Ok(request) = Request::new(
                    principal.clone(),
                    action_uid.clone(),
                    uid(&resource_ty, resource),
                    context.clone(),
                    Some(inputs.schema),
                ) else {
                    continue;
                };
                let outcome = index.evaluate(&request, inputs.entities);
                if outcome.decision != Decision::Allow {
                    continue;
                }
                let declared = match kind {
                    "Tool" => &agent.tools,
                    "Dataset" => &agent.datasets,
                    "Model" => &agent.models,
                    _ => &agent.delegates,
                }
                .iter()
                .any(|d| d == resource);
                grants.push(Grant {
                    action,
                    kind,
                    resource: resource.clone(),
                    reasons: outcome.reasons,
                    declared,
                    sensitive: *sensitive,
                });
            }
        }
        (!grants.is_empty()).then(|| finding(agent, inv, grants))
    };
    let step = rayon::current_num_threads().max(1) * AGENTS_PER_THREAD;
    let mut findings = Vec::new();
    progress(0, active.len());
    for (n, group) in active.chunks(step).enumerate() {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Cancelled);
        }
        findings.extend(group.par_iter().filter_map(of_agent).collect::<Vec<_>>());
        progress((n * step + group.len()).min(active.len()), active.len());
    }
    Ok((findings, notes))
}

fn finding(agent: &Agent, inv: &Inventory, grants: Vec<Grant>) -> Finding {
    let file = inv
        .agents
        .iter()
        .find(|a| a.agent.id == agent.id)
        .map(|a| a.file.clone());
    let sensitive = grants.iter().filter(|g| g.sensitive).count();
    let undeclared = grants.iter().filter(|g| !g.declared).count();
    let policies: BTreeSet<String> = grants
        .iter()
        .flat_map(|g| g.reasons.iter().cloned())
        .collect();
    let mut items: Vec<String> = grants
        .iter()
        .take(LISTED)
        .map(|g| {
            let noun = g.kind.to_lowercase();
            let by = g.reasons.join(", ");
            if g.declared {
                let field = list_field(g.kind);
                format!(
                    "{} on {noun} `{}` (permitted by {by}): never requested — remove `{}` from `{field}` if the agent no longer needs it",
                    g.action, g.resource, g.resource
                )
            } else {
                format!(
                    "{} on {noun} `{}` (permitted by {by}): never requested and not declared — narrow {by} to the agent's declared {}",
                    g.action,
                    g.resource,
                    list_field(g.kind)
                )
            }
        })
        .collect();
    if grants.len() > LISTED {
        items.push(format!("… and {} more", grants.len() - LISTED));
    }
    let level = if sensitive > 0 {
        Level::Medium
    } else {
        Level::Low
    };
    let first_field = grants.first().map(|g| list_field(g.kind).to_owned());
    Finding {
        code: "grant.unused".into(),
        level,
        title: format!(
            "agent `{}` is permitted {} action(s) on resources it never requested in the window ({} on sensitive resources, {} not declared in its inventory)",
            agent.id,
            grants.len(),
            sensitive,
            undeclared
        ),
        subject_kind: SubjectKind::Agent,
        subject: agent.id.clone(),
        agent: Some(agent.id.clone()),
        team: Some(agent.owner_team.clone()),
        count: grants.len() as u64,
        allowed: 0,
        denied: 0,
        first_seen: None,
        last_seen: None,
        examples: Vec::new(),
        items,
        tasks: Vec::new(),
        fix: Fix {
            kind: if undeclared > 0 { "policy" } else { "inventory" }.into(),
            file,
            field: first_field,
            policies: policies.into_iter().collect(),
            control: control_of("grant.unused").map(str::to_owned),
            hint: "narrow what the agent may do to what it uses: remove unused entries from its declared lists, and narrow policies that grant beyond them".into(),
        },
    }
}

fn list_field(kind: &str) -> &'static str {
    match kind {
        "Tool" => "tools",
        "Dataset" => "datasets",
        "Model" => "models",
        _ => "delegates",
    }
}

fn qualify(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}::{name}")
    }
}

/// The compliant context of the generated schema for `agent`, checked against the schema.
fn context_for(
    agent: &Agent,
    inputs: &GrantInputs<'_>,
    action: &EntityUid,
) -> Result<Context, String> {
    let ttl = agent_ttl_limit(agent, inputs.ceilings).clamp(1, 60);
    let json = serde_json::json!({
        "task_id": "mandate-insights-probe",
        "env": agent.environment.as_str(),
        "ttl_seconds": ttl,
        "attested": true,
        "step_up_approved": true,
        "delegation_depth": 0,
        "issuance_path": "workload",
    });
    Context::from_json_value(json, Some((inputs.schema, action)))
        .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_owned())
}
