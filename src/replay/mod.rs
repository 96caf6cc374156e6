//! Replay evaluation: recorded requests against one policy set, or a baseline and a candidate,
//! through a scope index, on all cores.
//!
//! Cedar's `Authorizer` evaluates every policy of a set for every request, so its cost grows
//! with the set (about a millisecond per request at 1,000 policies). A [`ScopeIndex`] files
//! each policy by what its scope names — the principal or resource uid of `==`, `in` and
//! `is … in`, the actions of `action ==` / `action in [..]`, the type of `is`, or nothing —
//! and, per request, gathers only the policies whose scope *can* match: those filed under
//! the request's principal, resource or action or one of their ancestors in the request's
//! entities, under their types, or under nothing, each then checked on all three scopes.
//! Cedar's own `Authorizer` evaluates that slice. Built slices are cached by their sorted
//! catalog indices, so requests of the same shape share one pre-built `PolicySet`.
//!
//! Decisions, reasons and errors are identical to evaluating the whole set; the tests check
//! that on Cedar's conformance corpus and on generated policy sets. The pitfalls that
//! guarantee rests on:
//! - a policy with an unconstrained scope is in every slice;
//! - leaving out a policy whose scope cannot match is safe even if its condition would error:
//!   Cedar checks the scope first, and scope checks cannot error;
//! - slices are built from the `Policy` objects, which keep their ids; re-parsing policy text
//!   would renumber `policyN`;
//! - a request entity's own uid and type are kept apart from its ancestors: `==` and `is`
//!   look only at the entity, `in` at the entity and its ancestors, `is … in` at both;
//! - ancestors come from the same `Entities` Cedar evaluates with, so `in` uses the same
//!   transitive closure, an entity missing from the store is `in` only itself, and
//!   `action in` sees the action groups the entities carry (the schema's action entities when
//!   the entities were parsed with the schema, else those in the entities file);
//! - a template-linked policy enters a slice as its template plus `link()`;
//! - with two sides, a policy is shared only when its id, meaning and text are the same on
//!   both; a policy with the same `@id` and different text is side-specific. A request whose
//!   slice is all shared policies is evaluated once for both sides;
//! - a request with an unknown component (partial evaluation) is not sliced: it is evaluated
//!   against the whole side.

pub mod explain;
pub mod html;
pub mod import;
mod index;
pub mod report;
pub mod simulate;

#[cfg(test)]
mod tests;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use cedar_policy::{AuthorizationError, Entities, Request, Response};

use crate::error::ErrorCode;

pub use index::ScopeIndex;

/// An authorization decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allow,
    Deny,
}

/// What one side decided for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub decision: Decision,
    /// Ids of the policies that determined the decision, sorted.
    pub reasons: Vec<String>,
    /// `(policy id, message)` of each policy whose evaluation failed, sorted.
    pub errors: Vec<(String, String)>,
}

impl Outcome {
    /// Deny with no reasons and no errors: Cedar's answer when no policy applies.
    fn default_deny() -> Self {
        Self {
            decision: Decision::Deny,
            reasons: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Cedar's response in sorted, owned form.
    pub fn from_response(response: &Response) -> Self {
        let decision = match response.decision() {
            cedar_policy::Decision::Allow => Decision::Allow,
            cedar_policy::Decision::Deny => Decision::Deny,
        };
        let mut reasons: Vec<String> = response
            .diagnostics()
            .reason()
            .map(ToString::to_string)
            .collect();
        reasons.sort_unstable();
        let mut errors: Vec<(String, String)> = response
            .diagnostics()
            .errors()
            .map(|e| match e {
                AuthorizationError::PolicyEvaluationError(e) => {
                    (e.policy_id().to_string(), e.inner().to_string())
                }
            })
            .collect();
        errors.sort_unstable();
        Self {
            decision,
            reasons,
            errors,
        }
    }
}

/// One request's outcome on each side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomePair {
    pub baseline: Outcome,
    pub candidate: Outcome,
}

impl OutcomePair {
    /// Whether the sides differ in decision, reasons or errors.
    pub fn changed(&self) -> bool {
        self.baseline != self.candidate
    }
}

/// Why a scope index could not be built.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReplayError {
    #[error("template-linked policy `{policy}` names template `{template}`, which is not in its policy set")]
    #[diagnostic(
        code(mandate::replay::missing_template),
        help("a policy set keeps the template of every linked policy; this is a bug in how the set was built")
    )]
    MissingTemplate { policy: String, template: String },
}

impl ReplayError {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::MissingTemplate { .. } => ErrorCode::Internal,
        }
    }
}

/// Evaluates each request against the index's baseline (its only set when built with
/// [`ScopeIndex::new`]) on all cores; outcomes are in request order.
pub fn evaluate_batch(index: &ScopeIndex, requests: &[(Request, &Entities)]) -> Vec<Outcome> {
    requests
        .par_iter()
        .map(|(request, entities)| index.evaluate(request, entities))
        .collect()
}

/// [`evaluate_batch`] on the calling thread.
pub fn evaluate_batch_sequential(
    index: &ScopeIndex,
    requests: &[(Request, &Entities)],
) -> Vec<Outcome> {
    requests
        .iter()
        .map(|(request, entities)| index.evaluate(request, entities))
        .collect()
}

/// Evaluates each request against both sides of the index on all cores; outcomes are in
/// request order.
pub fn compare_batch(index: &ScopeIndex, requests: &[(Request, &Entities)]) -> Vec<OutcomePair> {
    requests
        .par_iter()
        .map(|(request, entities)| index.compare(request, entities))
        .collect()
}
