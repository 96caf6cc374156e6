//! Access review: what one agent can do, and how a change moves it.
//!
//! The agent, its actions and the resources come from the inventory's entities, so they
//! are enumerated concretely: for every action the schema lets the agent's type perform
//! and every entity of the action's resource types, Cedar's partial evaluator decides the
//! request with the context left unknown. What it cannot decide is left as residual
//! conditions on the context; the solver then proves whether some context satisfies them
//! (with an example) or none does. Entries with the same residual conditions are asked
//! about once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cedar_policy::{
    Authorizer, Decision, Effect, Entities, EntityUid, Policy, PolicyId, PolicySet, Request,
    RequestEnv, Schema,
};
use cedar_policy_symcc::CompiledPolicySet;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{environments, problem, short_type, Cancelled, Options, Problem, Query, QueryError};

/// What an agent can do with one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum Access {
    /// Allowed whatever the context.
    Allowed,
    /// Allowed under some contexts (`when`), not others.
    Conditional,
    /// Denied whatever the context.
    Denied,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Conditional => "conditional",
            Self::Denied => "denied",
        }
    }
}

/// One action on one resource the agent can reach (or, in a change, could reach).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccessEntry {
    /// The action's id (`invoke_tool`).
    pub action: String,
    /// `Acme::Tool::"crm-read"`.
    pub resource: String,
    pub access: Access,
    /// The permits that grant it (satisfied, or satisfied under some context).
    pub permits: Vec<String>,
    /// For `conditional`: each granting permit's condition on the context (any one
    /// suffices), `context.…` as written after the agent's and the resource's attributes
    /// were filled in.
    pub when: Vec<String>,
    /// The forbids that apply under some context, with that condition (none may hold).
    pub unless: Vec<String>,
    /// For `conditional`: a context the solver found under which it is allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "Record<string, unknown>")]
    pub example_context: Option<serde_json::Value>,
}

/// What one agent can do under one policy set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentAccess {
    /// `Acme::Agent::"triage-bot"`.
    pub agent: String,
    /// Allowed or conditional entries, by action then resource.
    pub entries: Vec<AccessEntry>,
    /// (action, resource) pairs looked at.
    #[ts(type = "number")]
    pub checked: u64,
}

/// An entry whose access or conditions differ between the sides; `None` is denied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccessChange {
    pub action: String,
    pub resource: String,
    pub baseline: Option<AccessEntry>,
    pub candidate: Option<AccessEntry>,
    /// `gained` (denied before), `lost` (denied now) or `changed` (conditions moved).
    pub change: String,
}

/// One agent's access under the candidate, and the changes from the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentReview {
    pub agent: String,
    pub candidate: AgentAccess,
    /// Empty when there is no baseline.
    pub changes: Vec<AccessChange>,
}

/// The access review of some agents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccessReport {
    pub agents: Vec<AgentReview>,
    /// Conditions the solver could not settle (their entries stay `conditional`).
    pub problems: Vec<Problem>,
    #[ts(type = "number")]
    pub queries: u64,
}

/// A residual policy: its effect, id and condition on `context`.
type Residual = (Effect, String, String);
/// A residual question: the environment and its residual policies.
type Question = (RequestEnv, Vec<Residual>);
/// How a question is told apart from another: the environment's label and the residuals.
type QuestionKey = (String, Vec<(String, String, String)>);

/// A request decided up to its context.
struct Partial {
    env: RequestEnv,
    action: String,
    resource: String,
    decision: Option<Decision>,
    permits: Vec<String>,
    /// Residual policies (effect, id, condition on `context`), with the first satisfied
    /// permit as `true`.
    residuals: Vec<Residual>,
}

/// The access review of `agents` under `candidate` (and the change from `baseline`), with
/// the inventory's `entities`. `options.solver` settles residual conditions; with `None`
/// they stay `conditional` and a problem says why.
pub fn review(
    schema: &Schema,
    entities: &Entities,
    agents: &[EntityUid],
    baseline: Option<&PolicySet>,
    candidate: &PolicySet,
    options: Option<&Options>,
) -> Result<AccessReport, Cancelled> {
    let envs = environments(schema);
    let decide = |set: &PolicySet| -> Vec<Vec<Partial>> {
        agents
            .iter()
            .map(|agent| partials(agent, &envs, entities, set))
            .collect()
    };
    let candidate_partials = decide(candidate);
    let baseline_partials = baseline.map(decide);
    // Every distinct residual question once, across agents and sides.
    let mut questions: BTreeMap<QuestionKey, usize> = BTreeMap::new();
    let mut asked: Vec<Question> = Vec::new();
    let all = candidate_partials
        .iter()
        .chain(baseline_partials.iter().flatten());
    for p in all.flatten().filter(|p| p.decision.is_none()) {
        let key = question_key(p);
        questions.entry(key).or_insert_with(|| {
            asked.push((p.env.clone(), p.residuals.clone()));
            asked.len() - 1
        });
    }
    let (answers, problems, queries) = match options {
        Some(options) => settle(schema, &asked, options)?,
        None => (
            vec![None; asked.len()],
            if asked.is_empty() {
                Vec::new()
            } else {
                vec![problem(
                    "every environment",
                    "access conditions",
                    format!(
                        "{} condition(s) on the context were not checked: no solver",
                        asked.len()
                    ),
                    "install one (`bash scripts/deps.sh`) or name it (`--solver`, `$CVC5`, `[analysis] solver`)".into(),
                )]
            },
            0,
        ),
    };
    let answer = |p: &Partial| -> Option<&Settled> {
        questions
            .get(&question_key(p))
            .and_then(|&i| answers[i].as_ref())
    };
    let entries = |partials: &[Partial]| -> Vec<AccessEntry> {
        partials
            .iter()
            .filter_map(|p| entry(p, answer(p)))
            .collect()
    };
    let mut out = Vec::new();
    for (i, agent) in agents.iter().enumerate() {
        let candidate = AgentAccess {
            agent: agent.to_string(),
            entries: entries(&candidate_partials[i]),
            checked: candidate_partials[i].len() as u64,
        };
        let changes = baseline_partials
            .as_ref()
            .map(|b| changes(&entries(&b[i]), &candidate.entries))
            .unwrap_or_default();
        out.push(AgentReview {
            agent: agent.to_string(),
            candidate,
            changes,
        });
    }
    Ok(AccessReport {
        agents: out,
        problems,
        queries,
    })
}

fn question_key(p: &Partial) -> QuestionKey {
    (
        super::env_label(&p.env),
        p.residuals
            .iter()
            .map(|(e, id, c)| (format!("{e:?}"), id.clone(), c.clone()))
            .collect(),
    )
}

/// The agent's requests in every environment whose principal type is the agent's,
/// decided with the context unknown.
fn partials(
    agent: &EntityUid,
    envs: &[RequestEnv],
    entities: &Entities,
    set: &PolicySet,
) -> Vec<Partial> {
    let authorizer = Authorizer::new();
    let mut out = Vec::new();
    for env in envs.iter().filter(|e| e.principal() == agent.type_name()) {
        let mut resources: Vec<EntityUid> = entities
            .iter()
            .map(cedar_policy::Entity::uid)
            .filter(|u| u.type_name() == env.resource())
            .collect();
        resources.sort_by_key(ToString::to_string);
        for resource in resources {
            let request = Request::builder()
                .principal(agent.clone())
                .action(env.action().clone())
                .resource(resource.clone())
                .build();
            let response = authorizer.is_authorized_partial(&request, set, entities);
            let permits: Vec<String> = response
                .definitely_satisfied()
                .filter(|p| p.effect() == Effect::Permit)
                .map(|p| p.id().to_string())
                .collect();
            let mut residuals: Vec<Residual> = response
                .nontrivial_residuals()
                .map(|p| (p.effect(), p.id().to_string(), condition(&p)))
                .collect();
            // A satisfied permit grants under every context: the solver must see it.
            if let Some(first) = permits.first() {
                residuals.push((Effect::Permit, first.clone(), "true".into()));
            }
            residuals.sort_by(|a, b| (a.1.as_str(), a.2.as_str()).cmp(&(b.1.as_str(), &b.2)));
            out.push(Partial {
                env: env.clone(),
                action: env.action().id().unescaped().to_owned(),
                resource: resource.to_string(),
                decision: response.decision(),
                permits,
                residuals,
            });
        }
    }
    out
}

/// A residual policy's condition, the unknown context written as `context` and the
/// `true && (…)` the evaluator leaves of settled conjuncts dropped.
fn condition(residual: &Policy) -> String {
    let text = residual
        .to_string()
        .replace("unknown(\"context\")", "context");
    let body = match (text.find("when {"), text.rfind('}')) {
        (Some(i), Some(j)) if j > i + 6 => text[i + 6..j].trim().to_owned(),
        _ => text,
    };
    simplify(&body)
}

fn simplify(s: &str) -> String {
    let mut s = s.trim();
    loop {
        if let Some(rest) = s.strip_prefix("true && ") {
            s = rest.trim();
        } else if s.starts_with("!(") && s.ends_with(')') && wraps(&s[1..]) {
            return format!("!({})", simplify(&s[2..s.len() - 1]));
        } else if s.starts_with('(') && s.ends_with(')') && wraps(s) {
            s = s[1..s.len() - 1].trim();
        } else {
            return s.to_owned();
        }
    }
}

/// Whether the parenthesis opening `s` closes at its end (outside string literals).
fn wraps(s: &str) -> bool {
    let (mut depth, mut quoted, mut escaped) = (0i32, false, false);
    for (i, c) in s.char_indices() {
        if quoted {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i + 1 < s.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// The solver's answer to one residual question: a context that allows, or none does.
#[derive(Clone)]
enum Settled {
    Allows(serde_json::Value),
    Never,
}

type SettleOutcome = (Vec<Option<Settled>>, Vec<Problem>, u64);

/// Asks the solver each residual question, on the pool.
fn settle(
    schema: &Schema,
    asked: &[Question],
    options: &Options,
) -> Result<SettleOutcome, Cancelled> {
    let options = Arc::new(options.clone());
    let shared = Arc::new((schema.clone(), asked.to_vec()));
    let rt = super::runtime(options.jobs).map_err(|_| Cancelled)?;
    let workers = super::workers(options.jobs);
    let results = rt.block_on(async {
        // One worker per slice of the questions, each with its own solver.
        let mut tasks = Vec::new();
        for w in 0..workers {
            let (shared, options) = (shared.clone(), options.clone());
            tasks.push(tokio::spawn(async move {
                let (schema, asked) = &*shared;
                let mut worker = super::Worker::new(options);
                let mut out = Vec::new();
                for (i, (env, residuals)) in asked.iter().enumerate() {
                    if i % workers != w {
                        continue;
                    }
                    out.push((i, ask(&mut worker, schema, env, residuals).await));
                }
                (out, worker.queries)
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await);
        }
        out
    });
    let mut answers = vec![None; asked.len()];
    let mut problems = Vec::new();
    let mut queries = 0;
    for r in results {
        let Ok((answered, q)) = r else {
            return Err(Cancelled);
        };
        queries += q;
        for (i, a) in answered {
            match a {
                Ok(s) => answers[i] = Some(s),
                Err(QueryError::Cancelled) => return Err(Cancelled),
                Err(QueryError::Failed(message, help)) => {
                    let (env, residuals) = &asked[i];
                    let ids: Vec<&str> = residuals.iter().map(|r| r.1.as_str()).collect();
                    problems.push(problem(
                        &super::env_label(env),
                        &format!("access conditions of {}", ids.join(", ")),
                        message,
                        help,
                    ));
                }
            }
        }
    }
    Ok((answers, problems, queries))
}

/// Whether some context makes the residual policies allow.
async fn ask(
    worker: &mut super::Worker,
    schema: &Schema,
    env: &RequestEnv,
    residuals: &[Residual],
) -> Result<Settled, QueryError> {
    let mut set = PolicySet::new();
    for (effect, id, condition) in residuals {
        let head = match effect {
            Effect::Permit => "permit",
            Effect::Forbid => "forbid",
        };
        let text = format!("{head} (principal, action, resource) when {{ {condition} }};");
        let policy = Policy::parse(Some(PolicyId::new(id)), &text)
            .map_err(|e| {
                QueryError::Failed(
                    format!("the residual condition of `{id}` does not parse back: {e}"),
                    "report this as a bug, with the policy".into(),
                )
            })
            .and_then(|p| {
                set.add(p)
                    .map_err(|e| QueryError::Failed(e.to_string(), "report this as a bug".into()))
            });
        policy?;
    }
    let compiled = CompiledPolicySet::compile(&set, env, schema).map_err(|e| {
        QueryError::Failed(
            format!("the residual conditions do not compile: {e}"),
            "report this as a bug, with the policies".into(),
        )
    })?;
    Ok(match worker.witness(Query::Allows(&compiled)).await? {
        Some(w) => {
            // The residual conditions read only the context: the smallest context that
            // still allows is the example.
            let authorizer = Authorizer::new();
            let allows = |r: &Request| {
                authorizer.is_authorized(r, &set, &w.entities).decision() == Decision::Allow
            };
            let request = if allows(&w.request) {
                super::witness::minimise(&w.request, schema, allows)
            } else {
                w.request.clone()
            };
            Settled::Allows(
                request
                    .context()
                    .and_then(|c| c.to_json_value().ok())
                    .unwrap_or(serde_json::Value::Null),
            )
        }
        None => Settled::Never,
    })
}

/// The entry of a decided request, `None` when it is denied.
fn entry(p: &Partial, settled: Option<&Settled>) -> Option<AccessEntry> {
    let residual = |effect: Effect| -> Vec<&Residual> {
        p.residuals.iter().filter(|r| r.0 == effect).collect()
    };
    let (access, example_context) = match (p.decision, settled) {
        (Some(Decision::Allow), _) => (Access::Allowed, None),
        (Some(Decision::Deny), _) | (None, Some(Settled::Never)) => return None,
        (None, Some(Settled::Allows(ctx))) => (Access::Conditional, Some(ctx.clone())),
        (None, None) => (Access::Conditional, None),
    };
    let mut permits = p.permits.clone();
    permits.extend(residual(Effect::Permit).iter().map(|r| r.1.clone()));
    // (a satisfied permit is among the residuals as `true`; it is named once)
    permits.sort();
    permits.dedup();
    let when = if p.permits.is_empty() {
        residual(Effect::Permit)
            .iter()
            .map(|r| r.2.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    let unless = residual(Effect::Forbid)
        .iter()
        .map(|r| format!("{}: {}", r.1, r.2))
        .collect();
    Some(AccessEntry {
        action: p.action.clone(),
        resource: p.resource.clone(),
        access,
        permits,
        when,
        unless,
        example_context,
    })
}

/// Entries whose access or conditions differ, by action then resource.
fn changes(baseline: &[AccessEntry], candidate: &[AccessEntry]) -> Vec<AccessChange> {
    let key = |e: &AccessEntry| (e.action.clone(), e.resource.clone());
    let before: BTreeMap<_, _> = baseline.iter().map(|e| (key(e), e)).collect();
    let after: BTreeMap<_, _> = candidate.iter().map(|e| (key(e), e)).collect();
    let keys: BTreeSet<_> = before.keys().chain(after.keys()).cloned().collect();
    let mut out = Vec::new();
    for k in keys {
        let (b, c) = (before.get(&k).copied(), after.get(&k).copied());
        let change = match (b, c) {
            (None, Some(_)) => "gained",
            (Some(_), None) => "lost",
            (Some(b), Some(c))
                if b.access != c.access || b.when != c.when || b.unless != c.unless =>
            {
                "changed"
            }
            _ => continue,
        };
        out.push(AccessChange {
            action: k.0,
            resource: k.1,
            baseline: b.cloned(),
            candidate: c.cloned(),
            change: change.into(),
        });
    }
    out
}

/// `Tool::"crm"` for `Acme::Tool::"crm"`: how entries are printed.
pub fn short_uid(uid: &str) -> String {
    match uid.split_once("::\"") {
        Some((ty, rest)) => format!("{}::\"{rest}", short_type(ty)),
        None => uid.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplify_drops_settled_conjuncts_and_outer_parentheses_only() {
        assert_eq!(
            simplify("true && (true && ((context.env == \"prod\") && (context has ttl_seconds)))"),
            "(context.env == \"prod\") && (context has ttl_seconds)"
        );
        assert_eq!(simplify("(a) && (b)"), "(a) && (b)");
        assert_eq!(
            simplify("!(true && (context.env == \"prod\"))"),
            "!(context.env == \"prod\")"
        );
        assert_eq!(simplify("(context.x == \")(\")"), "context.x == \")(\"");
    }

    #[test]
    fn short_uid_keeps_the_id_and_the_last_type_segment() {
        assert_eq!(short_uid("Acme::Tool::\"crm::x\""), "Tool::\"crm::x\"");
        assert_eq!(short_uid("Tool::\"a\""), "Tool::\"a\"");
    }

    fn entry(action: &str, resource: &str, access: Access, when: &[&str]) -> AccessEntry {
        AccessEntry {
            action: action.into(),
            resource: resource.into(),
            access,
            permits: vec!["p".into()],
            when: when.iter().map(|s| (*s).to_owned()).collect(),
            unless: Vec::new(),
            example_context: None,
        }
    }

    #[test]
    fn changes_name_gained_lost_and_moved_conditions() {
        let before = [
            entry("read", "A", Access::Allowed, &[]),
            entry(
                "read",
                "B",
                Access::Conditional,
                &["context.env == \"prod\""],
            ),
            entry("read", "C", Access::Allowed, &[]),
        ];
        let after = [
            entry(
                "read",
                "B",
                Access::Conditional,
                &["context.env == \"dev\""],
            ),
            entry("read", "C", Access::Allowed, &[]),
            entry("write", "A", Access::Allowed, &[]),
        ];
        let got: Vec<(String, String, String)> = changes(&before, &after)
            .into_iter()
            .map(|c| (c.action, c.resource, c.change))
            .collect();
        let want = [
            ("read", "A", "lost"),
            ("read", "B", "changed"),
            ("write", "A", "gained"),
        ];
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(a, r, c)| ((*a).into(), (*r).into(), (*c).into()))
            .collect();
        assert_eq!(got, want);
    }
}
