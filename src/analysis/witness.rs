//! A concrete request the solver produced (a counterexample or a fail-open witness), in the
//! shapes people and tools read: entity references in Cedar's string form, context and
//! entities as Cedar JSON.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A request with the entities it is decided against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Witness {
    /// `Acme::Agent::"a"`.
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// The context record, as Cedar JSON.
    #[ts(type = "Record<string, unknown>")]
    pub context: serde_json::Value,
    /// The entities, as Cedar's entities JSON (an array of `{uid, attrs, parents}`).
    #[ts(type = "Array<unknown>")]
    pub entities: serde_json::Value,
}

impl Witness {
    pub fn of(env: &cedar_policy_symcc::Env) -> Self {
        let uid =
            |u: Option<&cedar_policy::EntityUid>| u.map(ToString::to_string).unwrap_or_default();
        Self {
            principal: uid(env.request.principal()),
            action: uid(env.request.action()),
            resource: uid(env.request.resource()),
            context: env
                .request
                .context()
                .and_then(|c| c.to_json_value().ok())
                .unwrap_or_else(|| serde_json::json!({})),
            entities: env
                .entities
                .to_json_value()
                .unwrap_or_else(|_| serde_json::json!([])),
        }
    }
}
