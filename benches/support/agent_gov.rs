//! The agent-governance workload of the replay benchmarks, shared by `benches/replay.rs` and
//! `examples/replay_inputs.rs` (which writes it to files for `scripts/bench-replay`): an
//! organisation sized by the policy count, its entities, a policy set with a candidate that
//! turns some permits into forbids, and a deterministic request mix.

#![allow(dead_code, reason = "each includer uses part of the generator")]

/// A small deterministic generator (xorshift64*), so every run measures the same mix.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The organisation: its size grows with the policy count, as it would (more agents, more
/// tools, more policies naming them).
pub struct Org {
    pub agents: usize,
    pub teams: usize,
    pub humans: usize,
    pub tools: usize,
    pub tool_groups: usize,
    pub datasets: usize,
    pub models: usize,
}

impl Org {
    pub fn for_policies(n: usize) -> Org {
        Org {
            agents: n / 5,
            teams: 10 + n / 100,
            humans: n / 20,
            tools: n / 5,
            tool_groups: 10 + n / 100,
            datasets: n / 10,
            models: 5,
        }
    }
}

/// The seed every size starts from.
pub fn seed(n: usize) -> Rng {
    Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64)
}

pub fn entities_json(org: &Org, rng: &mut Rng) -> String {
    let uid = |ty: &str, id: String| serde_json::json!({"type": format!("Acme::{ty}"), "id": id});
    let mut out = Vec::new();
    for t in 0..org.teams {
        out.push(serde_json::json!({"uid": uid("Team", format!("team-{t}")), "attrs": {}, "parents": []}));
    }
    for h in 0..org.humans {
        out.push(serde_json::json!({
            "uid": uid("Human", format!("human-{h}")),
            "attrs": {"email": format!("h{h}@acme.example"), "departed": h % 17 == 0},
            "parents": [uid("Team", format!("team-{}", h % org.teams))],
        }));
    }
    for g in 0..org.tool_groups {
        out.push(serde_json::json!({"uid": uid("ToolGroup", format!("group-{g}")), "attrs": {}, "parents": []}));
    }
    let levels = ["low", "medium", "high", "critical"];
    for t in 0..org.tools {
        out.push(serde_json::json!({
            "uid": uid("Tool", format!("tool-{t}")),
            "attrs": {"system": format!("sys-{}", t % 13), "sensitivity": levels[t % 4], "environment": "prod"},
            "parents": [uid("ToolGroup", format!("group-{}", t % org.tool_groups))],
        }));
    }
    for d in 0..org.datasets {
        out.push(serde_json::json!({
            "uid": uid("Dataset", format!("data-{d}")),
            "attrs": {"classification": levels[d % 4], "environment": "prod"},
            "parents": [],
        }));
    }
    for m in 0..org.models {
        out.push(serde_json::json!({"uid": uid("Model", format!("model-{m}")), "attrs": {}, "parents": []}));
    }
    for a in 0..org.agents {
        let rank = 1 + a % 4;
        let tools: Vec<_> = (0..3)
            .map(|_| uid("Tool", format!("tool-{}", rng.below(org.tools))))
            .collect();
        out.push(serde_json::json!({
            "uid": uid("Agent", format!("agent-{a}")),
            "attrs": {
                "risk_tier": levels[rank - 1], "risk_rank": rank,
                "lifecycle": if a % 23 == 0 { "suspended" } else { "active" },
                "environment": "prod", "max_ttl_seconds": 300 * rank,
                "attestation_required": rank >= 3,
                "accountable": uid("Human", format!("human-{}", a % org.humans)),
                "allowed_tools": tools, "allowed_datasets": [], "allowed_models": [],
                "delegates": [uid("Agent", format!("agent-{}", (a + 1) % org.agents))],
                "step_up_actions": ["request_credential"],
            },
            "parents": [uid("Team", format!("team-{}", a % org.teams))],
        }));
    }
    serde_json::Value::Array(out).to_string()
}

/// Unconstrained or broadly scoped policies, in every (or most) slices.
pub const BROAD: [&str; 6] = [
    r#"forbid (principal is Acme::Agent, action, resource) unless { principal.lifecycle == "active" };"#,
    r#"forbid (principal, action, resource) when { context.env == "prod" && context has attested && !context.attested };"#,
    r#"forbid (principal is Acme::Agent, action == Acme::Action::"delegate", resource is Acme::Agent) when { resource.risk_rank > principal.risk_rank };"#,
    r#"forbid (principal is Acme::Agent, action == Acme::Action::"request_credential", resource) unless { context has ttl_seconds && context.ttl_seconds <= principal.max_ttl_seconds };"#,
    r#"permit (principal is Acme::Agent, action == Acme::Action::"invoke_tool", resource is Acme::Tool) when { principal.allowed_tools.contains(resource) && context.env == "prod" };"#,
    r#"forbid (principal is Acme::Agent, action == Acme::Action::"invoke_model", resource) when { principal.risk_rank >= 4 && !(context has step_up_approved && context.step_up_approved) };"#,
];

/// `n` policies: the broad ones plus policies naming specific agents, teams, tools, groups
/// and datasets with `==` and `in`. With `edit_every = Some(k)` (the candidate), every
/// `k`-th policy that is a permit becomes a forbid under the same id.
pub fn policies_text(n: usize, org: &Org, rng: &mut Rng, edit_every: Option<usize>) -> String {
    let mut out = String::new();
    for (i, p) in BROAD.iter().enumerate() {
        out.push_str(&format!("@id(\"broad-{i}\")\n{p}\n"));
    }
    for i in BROAD.len()..n {
        let agent = format!("Acme::Agent::\"agent-{}\"", rng.below(org.agents));
        let team = format!("Acme::Team::\"team-{}\"", rng.below(org.teams));
        let tool = format!("Acme::Tool::\"tool-{}\"", rng.below(org.tools));
        let group = format!("Acme::ToolGroup::\"group-{}\"", rng.below(org.tool_groups));
        let data = format!("Acme::Dataset::\"data-{}\"", rng.below(org.datasets));
        let model = format!("Acme::Model::\"model-{}\"", rng.below(org.models));
        let other = format!("Acme::Agent::\"agent-{}\"", rng.below(org.agents));
        let body = match rng.below(20) {
            0..=7 => format!("permit (principal == {agent}, action == Acme::Action::\"invoke_tool\", resource == {tool}) when {{ context.env == \"prod\" }};"),
            8..=10 => format!("permit (principal == {agent}, action in [Acme::Action::\"read_data\", Acme::Action::\"write_data\"], resource == {data}) when {{ resource.classification != \"critical\" }};"),
            11..=12 => format!("permit (principal in {team}, action == Acme::Action::\"invoke_tool\", resource in {group}) when {{ resource.sensitivity != \"critical\" }};"),
            13..=14 => format!("forbid (principal == {agent}, action == Acme::Action::\"request_credential\", resource) unless {{ context has attested && context.attested }};"),
            15..=16 => format!("permit (principal == {agent}, action == Acme::Action::\"delegate\", resource == {other}) when {{ context has delegation_depth && context.delegation_depth < 3 }};"),
            17 => format!("permit (principal is Acme::Agent in {team}, action == Acme::Action::\"invoke_model\", resource == {model});"),
            18 => format!("permit (principal == {agent}, action == Acme::Action::\"request_credential\", resource in {group}) when {{ context has ttl_seconds && context.ttl_seconds <= 300 }};"),
            _ => format!("forbid (principal, action == Acme::Action::\"invoke_tool\", resource == {tool}) when {{ context has task_id && context.task_id == \"blocked\" }};"),
        };
        let body = match (body.strip_prefix("permit"), edit_every) {
            (Some(rest), Some(k)) if i % k == 0 => format!("forbid{rest}"),
            _ => body,
        };
        out.push_str(&format!("@id(\"p-{i}\")\n{body}\n"));
    }
    out
}

/// One request of the mix: Cedar JSON entity references (`{"type", "id"}`) and a context.
pub struct RequestSpec {
    pub principal: serde_json::Value,
    pub action: serde_json::Value,
    pub resource: serde_json::Value,
    pub context: serde_json::Value,
}

/// The next request of the mix: half tool calls, then data reads, credentials, delegation
/// and model calls.
pub fn request(org: &Org, rng: &mut Rng) -> RequestSpec {
    let uid = |ty: &str, id: String| serde_json::json!({"type": format!("Acme::{ty}"), "id": id});
    let principal = uid("Agent", format!("agent-{}", rng.below(org.agents)));
    let (action, resource) = match rng.below(10) {
        0..=4 => (
            "invoke_tool",
            uid("Tool", format!("tool-{}", rng.below(org.tools))),
        ),
        5..=6 => (
            "read_data",
            uid("Dataset", format!("data-{}", rng.below(org.datasets))),
        ),
        7 => (
            "request_credential",
            uid("Tool", format!("tool-{}", rng.below(org.tools))),
        ),
        8 => (
            "delegate",
            uid("Agent", format!("agent-{}", rng.below(org.agents))),
        ),
        _ => (
            "invoke_model",
            uid("Model", format!("model-{}", rng.below(org.models))),
        ),
    };
    let task = rng.below(1000);
    let ttl = 60 * (1 + rng.below(10));
    let attested = rng.below(10) != 0;
    let depth = rng.below(3);
    RequestSpec {
        principal,
        action: uid("Action", action.to_owned()),
        resource,
        context: serde_json::json!({
            "task_id": format!("t-{task}"),
            "env": "prod",
            "ttl_seconds": ttl,
            "attested": attested,
            "delegation_depth": depth,
        }),
    }
}
