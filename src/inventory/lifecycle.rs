//! Lifecycle transitions of an agent: draft → approved → active ⇄ suspended → retired.
//!
//! [`transition`] checks the guards and returns the updated agent; the caller writes the
//! file and the audit entry. Guards: approving needs a known, current human as approver —
//! not the accountable human for high and critical agents; activating needs an approval
//! and a workload identity; retired is final; every transition needs a reason.

use chrono::NaiveDate;

use super::{Agent, Index, Lifecycle};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum TransitionError {
    #[error("agent `{agent}` cannot go from {from} to {to}")]
    #[diagnostic(
        code(mandate::lifecycle::not_allowed),
        help(
            "allowed: draft → approved → active ⇄ suspended, and any state but retired → retired"
        )
    )]
    NotAllowed {
        agent: String,
        from: &'static str,
        to: &'static str,
    },

    #[error("a lifecycle change needs a reason")]
    #[diagnostic(
        code(mandate::lifecycle::no_reason),
        help("say why, e.g. `--reason \"security review passed\"`; it is kept in the audit log")
    )]
    NoReason,

    #[error("`{actor}` is not a current human in inventory/people.toml, so cannot approve agent `{agent}`")]
    #[diagnostic(code(mandate::lifecycle::unknown_approver), help("act as a person listed in people.toml (match by id or email: `--as`, settings, or `git config user.email`)"))]
    UnknownApprover { agent: String, actor: String },

    #[error("`{approver}` is the accountable human of {tier} agent `{agent}` and cannot also approve it")]
    #[diagnostic(
        code(mandate::lifecycle::self_approval),
        help("a high or critical agent is approved by a second person: ask its sponsor")
    )]
    SelfApproval {
        agent: String,
        approver: String,
        tier: &'static str,
    },

    #[error("agent `{agent}` has no workload identity, so it cannot be activated")]
    #[diagnostic(
        code(mandate::lifecycle::no_identity),
        help("set `spiffe_id` (or `oidc_issuer` + `oidc_subject`) first")
    )]
    NoIdentity { agent: String },

    #[error("agent `{agent}` was never approved, so it cannot be activated")]
    #[diagnostic(code(mandate::lifecycle::not_approved), help("approve it first"))]
    NotApproved { agent: String },
}

/// Whether `from → to` is an edge of the lifecycle.
pub fn allowed(from: Lifecycle, to: Lifecycle) -> bool {
    use Lifecycle::*;
    matches!(
        (from, to),
        (Draft, Approved) | (Approved, Active) | (Active, Suspended) | (Suspended, Active)
    ) || (from != Retired && to == Retired)
}

/// The states an agent may move to next.
pub fn next_states(from: Lifecycle) -> Vec<Lifecycle> {
    use Lifecycle::*;
    [Draft, Approved, Active, Suspended, Retired]
        .into_iter()
        .filter(|to| allowed(from, *to))
        .collect()
}

/// Finds the human an acting identity (id or email) names.
pub fn human_for<'a>(index: &Index<'a>, actor: &str) -> Option<&'a super::Human> {
    index.humans.get(actor).copied().or_else(|| {
        index
            .humans
            .values()
            .copied()
            .find(|h| h.email.eq_ignore_ascii_case(actor))
    })
}

/// Applies `to` to `agent` if the guards pass; `today` stamps an approval.
pub fn transition(
    agent: &Agent,
    to: Lifecycle,
    actor: &str,
    reason: &str,
    today: NaiveDate,
    index: &Index<'_>,
) -> Result<Agent, TransitionError> {
    let id = agent.id.clone();
    if !allowed(agent.lifecycle, to) {
        return Err(TransitionError::NotAllowed {
            agent: id,
            from: agent.lifecycle.as_str(),
            to: to.as_str(),
        });
    }
    if reason.trim().is_empty() {
        return Err(TransitionError::NoReason);
    }
    let mut next = agent.clone();
    match to {
        Lifecycle::Approved => {
            let approver = human_for(index, actor)
                .filter(|h| !h.departed)
                .ok_or_else(|| TransitionError::UnknownApprover {
                    agent: id.clone(),
                    actor: actor.to_owned(),
                })?;
            if agent.risk_tier.is_elevated()
                && agent.accountable.as_deref() == Some(approver.id.as_str())
            {
                return Err(TransitionError::SelfApproval {
                    agent: id,
                    approver: approver.id.clone(),
                    tier: agent.risk_tier.as_str(),
                });
            }
            next.approved_by = Some(approver.id.clone());
            next.approved_on = Some(today);
        }
        Lifecycle::Active => {
            if agent.approved_by.is_none() {
                return Err(TransitionError::NotApproved { agent: id });
            }
            if agent.spiffe_id.is_none() && agent.oidc_subject.is_none() {
                return Err(TransitionError::NoIdentity { agent: id });
            }
        }
        _ => {}
    }
    next.lifecycle = to;
    Ok(next)
}
