//! Accountability checks: where ownership is missing or authority is broader than it should
//! be. Each finding has a stable code, the agent (or record) it is about, the file and line
//! of the field that fixes it, and a hint.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{find_key, Agent, AgentRecord, Index, Inventory, Lifecycle, RiskTier};
use crate::diagnostics::{LineIndex, Severity};
use crate::workspace::TtlCeilings;

/// One accountability gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Finding {
    /// Stable code, e.g. `accountable.missing`; the UI and scripts match on it.
    pub code: String,
    pub severity: Severity,
    /// What it is about: `agent:<id>`, `human:<id>`, `team:<id>`.
    pub subject: String,
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// Workspace-relative file holding the field to fix.
    pub file: String,
    /// 1-based line of that field (1 when the field is absent).
    pub line: u32,
    /// The field that fixes it (e.g. `accountable`), for the UI to focus.
    pub field: Option<String>,
}

/// Every check code, with its severity and one-line description (for docs and the UI).
pub const CHECKS: &[(&str, Severity, &str)] = &[
    (
        "accountable.missing",
        Severity::Error,
        "agent has no accountable human",
    ),
    (
        "accountable.unknown",
        Severity::Error,
        "accountable human is not defined in people.toml",
    ),
    (
        "accountable.departed",
        Severity::Error,
        "accountable human has left the organisation",
    ),
    (
        "escalation.missing",
        Severity::Error,
        "high or critical agent has no escalation contact",
    ),
    (
        "recertification.overdue",
        Severity::Warning,
        "recertification date has passed",
    ),
    (
        "approval.self_approved",
        Severity::Error,
        "approver or sponsor is the accountable human on a high or critical agent",
    ),
    (
        "identity.shared",
        Severity::Error,
        "two agents share one workload identity",
    ),
    (
        "identity.missing",
        Severity::Error,
        "active agent has no workload identity",
    ),
    (
        "lifecycle.never_approved",
        Severity::Error,
        "active or suspended agent was never approved",
    ),
    (
        "credentials.no_attestation",
        Severity::Error,
        "high or critical agent does not require attestation",
    ),
    (
        "credentials.ttl_above_ceiling",
        Severity::Error,
        "max TTL is above the ceiling for the agent's tier",
    ),
    (
        "environment.mismatch",
        Severity::Error,
        "agent is granted a tool or dataset of another environment",
    ),
    (
        "delegation.cycle",
        Severity::Error,
        "delegation forms a cycle",
    ),
    (
        "delegation.to_higher_risk",
        Severity::Error,
        "agent delegates to a higher-risk agent",
    ),
    (
        "reference.unknown",
        Severity::Error,
        "a team, human, tool, dataset, model or agent is referenced but not defined",
    ),
    (
        "policy.names_retired_agent",
        Severity::Warning,
        "a policy still names a retired agent",
    ),
];

/// What the checks need besides the inventory.
#[derive(Debug, Clone)]
pub struct CheckContext<'a> {
    /// "Today", injected so tests control it.
    pub today: NaiveDate,
    pub ceilings: TtlCeilings,
    /// `(path, text)` of the workspace's policy files, for the retired-agent check.
    pub policies: &'a [(String, String)],
    /// Cedar namespace, for recognising `Ns::Agent::"id"` in policies.
    pub namespace: &'a str,
}

/// Runs every check; findings sorted by subject, then code.
pub fn check(inventory: &Inventory, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let index = inventory.index();
    let mut out = Vec::new();
    for record in &inventory.agents {
        check_agent(record, &index, ctx, &mut out);
    }
    shared_identities(inventory, &mut out);
    delegation_cycles(inventory, &index, &mut out);
    human_teams(inventory, &index, &mut out);
    retired_in_policies(inventory, ctx, &mut out);
    out.sort_by(|a, b| (&a.subject, &a.code, &a.message).cmp(&(&b.subject, &b.code, &b.message)));
    out
}

fn ceiling(c: &TtlCeilings, tier: RiskTier) -> u64 {
    match tier {
        RiskTier::Low => c.low,
        RiskTier::Medium => c.medium,
        RiskTier::High => c.high,
        RiskTier::Critical => c.critical,
    }
}

/// Builds findings about one agent record, located at `field` in its file.
struct AgentFindings<'r> {
    record: &'r AgentRecord,
    lines: LineIndex<'r>,
}

impl<'r> AgentFindings<'r> {
    fn finding(&self, code: &str, field: &str, message: String, help: &str) -> Finding {
        let line = find_key(&self.record.text, field, 0)
            .map_or(1, |(start, _)| self.lines.position(start).0);
        Finding {
            code: code.to_owned(),
            severity: severity_of(code),
            subject: format!("agent:{}", self.record.agent.id),
            message,
            help: help.to_owned(),
            file: self.record.file.clone(),
            line,
            field: Some(field.to_owned()),
        }
    }
}

fn severity_of(code: &str) -> Severity {
    CHECKS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or(Severity::Error, |(_, s, _)| *s)
}

fn check_agent(
    record: &AgentRecord,
    index: &Index<'_>,
    ctx: &CheckContext<'_>,
    out: &mut Vec<Finding>,
) {
    let a: &Agent = &record.agent;
    let f = AgentFindings {
        record,
        lines: LineIndex::new(&record.text),
    };
    let id = &a.id;
    let live = !matches!(a.lifecycle, Lifecycle::Retired);

    match &a.accountable {
        None => out.push(f.finding(
            "accountable.missing",
            "accountable",
            format!("agent `{id}` has no accountable human"),
            "set `accountable` to the id of the one person who answers for this agent",
        )),
        Some(h) => match index.humans.get(h.as_str()) {
            None => out.push(f.finding(
                "accountable.unknown",
                "accountable",
                format!("accountable human `{h}` of agent `{id}` is not defined"),
                "add the person to inventory/people.toml or fix the id",
            )),
            Some(human) if human.departed && live => out.push(f.finding(
                "accountable.departed",
                "accountable",
                format!("accountable human `{h}` of agent `{id}` has left the organisation"),
                "hand the agent to a current owner: change `accountable`",
            )),
            Some(_) => {}
        },
    }
    for (field, value) in [
        ("sponsor", &a.sponsor),
        ("escalation", &a.escalation),
        ("approved_by", &a.approved_by),
    ] {
        if let Some(h) = value {
            if !index.humans.contains_key(h.as_str()) {
                out.push(f.finding(
                    "reference.unknown",
                    field,
                    format!("`{field}` of agent `{id}` names `{h}`, who is not defined"),
                    "add the person to inventory/people.toml or fix the id",
                ));
            }
        }
    }
    if !index.teams.contains_key(a.owner_team.as_str()) {
        out.push(f.finding(
            "reference.unknown",
            "owner_team",
            format!(
                "owner team `{}` of agent `{id}` is not defined",
                a.owner_team
            ),
            "add the team to inventory/people.toml or fix the id",
        ));
    }
    let elevated = a.risk_tier.is_elevated();
    if elevated && a.escalation.is_none() && live {
        out.push(f.finding(
            "escalation.missing",
            "escalation",
            format!(
                "{} agent `{id}` has no escalation contact",
                a.risk_tier.as_str()
            ),
            "set `escalation` to the human to call when the agent misbehaves",
        ));
    }
    if let Some(due) = a.recertify_by {
        if due < ctx.today && live {
            out.push(f.finding(
                "recertification.overdue",
                "recertify_by",
                format!("agent `{id}` was due for recertification on {due}"),
                "review the agent's purpose, grants and owner, then move `recertify_by` forward",
            ));
        }
    }
    if elevated {
        for (field, value) in [("sponsor", &a.sponsor), ("approved_by", &a.approved_by)] {
            if value.is_some() && *value == a.accountable {
                out.push(f.finding(
                    "approval.self_approved",
                    field,
                    format!("`{field}` of {} agent `{id}` is its accountable human", a.risk_tier.as_str()),
                    "a high or critical agent needs a second person: choose a different sponsor or approver",
                ));
            }
        }
    }
    if a.lifecycle == Lifecycle::Active && a.spiffe_id.is_none() && a.oidc_subject.is_none() {
        out.push(f.finding(
            "identity.missing",
            "spiffe_id",
            format!("active agent `{id}` has no workload identity"),
            "set `spiffe_id` (or `oidc_issuer` + `oidc_subject`): per-agent authorization needs an identity",
        ));
    }
    if matches!(a.lifecycle, Lifecycle::Active | Lifecycle::Suspended) && a.approved_by.is_none() {
        out.push(f.finding(
            "lifecycle.never_approved",
            "lifecycle",
            format!(
                "agent `{id}` is {} but was never approved",
                a.lifecycle.as_str()
            ),
            "approve it (`mandate agents lifecycle {id} approved`) or suspend it until it is",
        ));
    }
    if elevated && !a.attestation_required && live {
        out.push(f.finding(
            "credentials.no_attestation",
            "attestation_required",
            format!(
                "{} agent `{id}` gets credentials without attestation",
                a.risk_tier.as_str()
            ),
            "set `attestation_required = true`",
        ));
    }
    let max = ceiling(&ctx.ceilings, a.risk_tier);
    if a.max_ttl_seconds > max {
        out.push(f.finding(
            "credentials.ttl_above_ceiling",
            "max_ttl_seconds",
            format!(
                "max TTL {} s of agent `{id}` is above the {} ceiling of {max} s",
                a.max_ttl_seconds,
                a.risk_tier.as_str()
            ),
            "lower `max_ttl_seconds` (ceilings are in mandate.toml under [ttl_ceilings])",
        ));
    }
    for tool in &a.tools {
        match index.tools.get(tool.as_str()) {
            None => out.push(f.finding(
                "reference.unknown",
                "tools",
                format!("tool `{tool}` granted to agent `{id}` is not defined"),
                "add it to inventory/resources.toml or remove the grant",
            )),
            Some(t) if t.environment != a.environment => out.push(f.finding(
                "environment.mismatch",
                "tools",
                format!(
                    "{} agent `{id}` is granted {} tool `{tool}`",
                    a.environment.as_str(),
                    t.environment.as_str()
                ),
                "grant the tool of the agent's own environment; keep dev, test and prod apart",
            )),
            Some(_) => {}
        }
    }
    for ds in &a.datasets {
        match index.datasets.get(ds.as_str()) {
            None => out.push(f.finding(
                "reference.unknown",
                "datasets",
                format!("dataset `{ds}` granted to agent `{id}` is not defined"),
                "add it to inventory/resources.toml or remove the grant",
            )),
            Some(d) if d.environment != a.environment => out.push(f.finding(
                "environment.mismatch",
                "datasets",
                format!(
                    "{} agent `{id}` is granted {} dataset `{ds}`",
                    a.environment.as_str(),
                    d.environment.as_str()
                ),
                "grant the dataset of the agent's own environment",
            )),
            Some(_) => {}
        }
    }
    for m in &a.models {
        if !index.models.contains_key(m.as_str()) {
            out.push(f.finding(
                "reference.unknown",
                "models",
                format!("model `{m}` granted to agent `{id}` is not defined"),
                "add it to inventory/resources.toml or remove the grant",
            ));
        }
    }
    for d in &a.delegates {
        match index.agents.get(d.as_str()) {
            None => out.push(f.finding(
                "reference.unknown",
                "delegates",
                format!("delegate `{d}` of agent `{id}` is not defined"),
                "register the agent or remove it from `delegates`",
            )),
            Some(other) if other.risk_tier > a.risk_tier => out.push(f.finding(
                "delegation.to_higher_risk",
                "delegates",
                format!(
                    "{} agent `{id}` delegates to {} agent `{d}`",
                    a.risk_tier.as_str(),
                    other.risk_tier.as_str()
                ),
                "delegation must narrow authority: remove the delegate or raise this agent's tier (with its controls)",
            )),
            Some(_) => {}
        }
    }
}

/// A workload identity shared by several agents defeats per-agent authorization.
fn shared_identities(inventory: &Inventory, out: &mut Vec<Finding>) {
    let mut by_identity: BTreeMap<String, Vec<&AgentRecord>> = BTreeMap::new();
    for r in &inventory.agents {
        if let Some(s) = &r.agent.spiffe_id {
            by_identity
                .entry(format!("SPIFFE ID `{s}`"))
                .or_default()
                .push(r);
        }
        if let (Some(iss), Some(sub)) = (&r.agent.oidc_issuer, &r.agent.oidc_subject) {
            by_identity
                .entry(format!("OIDC identity `{iss}` / `{sub}`"))
                .or_default()
                .push(r);
        }
    }
    for (identity, records) in by_identity.into_iter().filter(|(_, r)| r.len() > 1) {
        let ids: Vec<&str> = records.iter().map(|r| r.agent.id.as_str()).collect();
        for r in &records {
            let f = AgentFindings {
                record: r,
                lines: LineIndex::new(&r.text),
            };
            let field = if identity.starts_with("SPIFFE") {
                "spiffe_id"
            } else {
                "oidc_subject"
            };
            out.push(f.finding(
                "identity.shared",
                field,
                format!(
                        "{identity} is shared by agents {}",
                        ids.iter()
                            .map(|i| format!("`{i}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                "give each agent its own workload identity, or one agent can act as another",
            ));
        }
    }
}

/// Each delegation cycle, reported once on its smallest agent id.
fn delegation_cycles(inventory: &Inventory, index: &Index<'_>, out: &mut Vec<Finding>) {
    // Iterative DFS with colours: 0 unvisited, 1 on stack, 2 done.
    let mut colour: HashMap<&str, u8> = HashMap::new();
    let mut reported: std::collections::BTreeSet<Vec<String>> = Default::default();
    for start in inventory.agents.iter().map(|r| r.agent.id.as_str()) {
        if colour.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        let mut path: Vec<&str> = vec![start];
        colour.insert(start, 1);
        while let Some((node, next)) = stack.last().copied() {
            let delegates = index
                .agents
                .get(node)
                .map(|a| a.delegates.as_slice())
                .unwrap_or(&[]);
            if let Some(d) = delegates.get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                let d = d.as_str();
                if !index.agents.contains_key(d) {
                    continue;
                }
                match colour.get(d).copied().unwrap_or(0) {
                    0 => {
                        colour.insert(d, 1);
                        stack.push((d, 0));
                        path.push(d);
                    }
                    1 => {
                        let from = path.iter().position(|p| *p == d).unwrap_or(0);
                        let mut cycle: Vec<String> = path
                            .get(from..)
                            .unwrap_or(&[])
                            .iter()
                            .map(|s| (*s).to_owned())
                            .collect();
                        // Canonical rotation so each cycle is reported once.
                        let min = cycle
                            .iter()
                            .enumerate()
                            .min_by(|a, b| a.1.cmp(b.1))
                            .map_or(0, |(i, _)| i);
                        cycle.rotate_left(min);
                        reported.insert(cycle);
                    }
                    _ => {}
                }
            } else {
                colour.insert(node, 2);
                stack.pop();
                path.pop();
            }
        }
    }
    for cycle in reported {
        let Some(first) = cycle.first().and_then(|id| inventory.agent(id)) else {
            continue;
        };
        let f = AgentFindings {
            record: first,
            lines: LineIndex::new(&first.text),
        };
        let mut shown = cycle.clone();
        shown.push(cycle[0].clone());
        out.push(f.finding(
            "delegation.cycle",
            "delegates",
            format!(
                    "delegation cycle: {}",
                    shown
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            "break the cycle: an agent must never be able to reach itself through delegates",
        ));
    }
}

/// Humans whose team is not defined.
fn human_teams(inventory: &Inventory, index: &Index<'_>, out: &mut Vec<Finding>) {
    let lines = LineIndex::new(&inventory.people_text);
    for h in &inventory.people.humans {
        if let Some(team) = &h.team {
            if !index.teams.contains_key(team.as_str()) {
                let needle = format!("id = {}", toml::Value::String(h.id.clone()));
                let line = inventory
                    .people_text
                    .find(&needle)
                    .map_or(1, |i| lines.position(i).0);
                out.push(Finding {
                    code: "reference.unknown".into(),
                    severity: Severity::Error,
                    subject: format!("human:{}", h.id),
                    message: format!("team `{team}` of human `{}` is not defined", h.id),
                    help: "add the team to inventory/people.toml or fix the id".into(),
                    file: super::PEOPLE_FILE.into(),
                    line,
                    field: Some("team".into()),
                });
            }
        }
    }
}

/// A retired agent named in a policy: the policy is dead weight or, worse, the agent is
/// not really retired.
fn retired_in_policies(inventory: &Inventory, ctx: &CheckContext<'_>, out: &mut Vec<Finding>) {
    for r in inventory
        .agents
        .iter()
        .filter(|r| r.agent.lifecycle == Lifecycle::Retired)
    {
        let needle = format!("{}::Agent::\"{}\"", ctx.namespace, r.agent.id);
        for (path, text) in ctx.policies {
            if let Some(pos) = text.find(&needle) {
                let line = LineIndex::new(text).position(pos).0;
                out.push(Finding {
                    code: "policy.names_retired_agent".into(),
                    severity: severity_of("policy.names_retired_agent"),
                    subject: format!("agent:{}", r.agent.id),
                    message: format!(
                        "retired agent `{}` is still named by {path}:{line}",
                        r.agent.id
                    ),
                    help:
                        "remove the agent from the policy, or bring the agent back if it still runs"
                            .into(),
                    file: path.clone(),
                    line,
                    field: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
