//! Lifecycle transitions of an agent: draft → approved → active ⇄ suspended → retired.
//!
//! [`transition`] checks the guards and returns the updated agent; the caller writes the
//! file and the audit entry. Guards: approving needs a known, current human as approver —
//! not the accountable human for high and critical agents; activating needs an approval
//! and a workload identity; retired is final; every transition needs a reason. A suspended
//! agent that was never approved (an active one found without approval and suspended) may
//! be approved, which is how such a gap is closed.

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

    #[error("agent `{agent}` is already approved")]
    #[diagnostic(
        code(mandate::lifecycle::already_approved),
        help("activate it instead")
    )]
    AlreadyApproved { agent: String },

    #[error("agent `{agent}` was never approved, so it cannot be activated")]
    #[diagnostic(code(mandate::lifecycle::not_approved), help("approve it first"))]
    NotApproved { agent: String },
}

/// Whether `from → to` is an edge of the lifecycle.
pub fn allowed(from: Lifecycle, to: Lifecycle) -> bool {
    use Lifecycle::*;
    matches!(
        (from, to),
        (Draft, Approved)
            | (Approved, Active)
            | (Active, Suspended)
            | (Suspended, Active)
            | (Suspended, Approved)
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
            if agent.lifecycle == Lifecycle::Suspended && agent.approved_by.is_some() {
                return Err(TransitionError::AlreadyApproved { agent: id });
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{load_sources, Inventory, Sources};

    fn fixture(agent_extra: &str) -> Inventory {
        let agent = format!("id = \"bot\"\nname = \"Bot\"\nowner_team = \"t\"\naccountable = \"dana\"\nrisk_tier = \"high\"\nenvironment = \"prod\"\nmax_ttl_seconds = 60\n{agent_extra}");
        let (inv, problems) = load_sources(Sources {
            agents: vec![("inventory/agents/bot.toml".into(), agent)],
            people: Some("[[humans]]\nid = \"dana\"\nname = \"D\"\nemail = \"dana@acme.example\"\n\n[[humans]]\nid = \"lee\"\nname = \"L\"\nemail = \"lee@acme.example\"\n\n[[humans]]\nid = \"gone\"\nname = \"G\"\nemail = \"g@acme.example\"\ndeparted = true\n".into()),
            resources: None,
        });
        assert_eq!(problems, vec![]);
        inv
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn go(
        inv: &Inventory,
        to: Lifecycle,
        actor: &str,
        reason: &str,
    ) -> Result<Agent, TransitionError> {
        transition(
            &inv.agents[0].agent,
            to,
            actor,
            reason,
            today(),
            &inv.index(),
        )
    }

    #[test]
    fn edges() {
        use Lifecycle::*;
        assert_eq!(next_states(Draft), vec![Approved, Retired]);
        assert_eq!(next_states(Active), vec![Suspended, Retired]);
        assert_eq!(next_states(Suspended), vec![Approved, Active, Retired]);
        assert_eq!(next_states(Retired), vec![]);
    }

    #[test]
    fn approval_records_the_approver_found_by_email_and_refuses_self_approval() {
        let inv = fixture("lifecycle = \"draft\"\nspiffe_id = \"spiffe://a/b\"\n");
        let ok = go(&inv, Lifecycle::Approved, "LEE@acme.example", "reviewed").unwrap();
        assert_eq!(
            (ok.lifecycle, ok.approved_by.as_deref(), ok.approved_on),
            (Lifecycle::Approved, Some("lee"), Some(today()))
        );
        assert!(matches!(
            go(&inv, Lifecycle::Approved, "dana", "mine"),
            Err(TransitionError::SelfApproval { .. })
        ));
        assert!(matches!(
            go(&inv, Lifecycle::Approved, "gone", "x"),
            Err(TransitionError::UnknownApprover { .. })
        ));
        assert!(matches!(
            go(&inv, Lifecycle::Approved, "stranger@x", "x"),
            Err(TransitionError::UnknownApprover { .. })
        ));
        assert_eq!(
            go(&inv, Lifecycle::Approved, "lee", "  "),
            Err(TransitionError::NoReason)
        );
        assert!(matches!(
            go(&inv, Lifecycle::Active, "lee", "x"),
            Err(TransitionError::NotAllowed { .. })
        ));
    }

    #[test]
    fn activation_needs_approval_and_identity() {
        let inv = fixture("lifecycle = \"approved\"\napproved_by = \"lee\"\n");
        assert!(matches!(
            go(&inv, Lifecycle::Active, "lee", "go"),
            Err(TransitionError::NoIdentity { .. })
        ));
        let inv = fixture(
            "lifecycle = \"approved\"\napproved_by = \"lee\"\nspiffe_id = \"spiffe://a/b\"\n",
        );
        assert_eq!(
            go(&inv, Lifecycle::Active, "lee", "go").unwrap().lifecycle,
            Lifecycle::Active
        );
    }

    #[test]
    fn retired_is_final_and_a_suspended_unapproved_agent_can_be_approved() {
        let inv = fixture("lifecycle = \"retired\"\n");
        assert!(matches!(
            go(&inv, Lifecycle::Active, "lee", "back"),
            Err(TransitionError::NotAllowed { .. })
        ));
        let inv = fixture("lifecycle = \"suspended\"\n");
        assert_eq!(
            go(&inv, Lifecycle::Approved, "lee", "late review")
                .unwrap()
                .approved_by
                .as_deref(),
            Some("lee")
        );
        let inv = fixture("lifecycle = \"suspended\"\napproved_by = \"lee\"\n");
        assert!(matches!(
            go(&inv, Lifecycle::Approved, "lee", "again"),
            Err(TransitionError::AlreadyApproved { .. })
        ));
    }
}
