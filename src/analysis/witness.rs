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
        Self::new(&env.request, &env.entities)
    }

    pub fn new(request: &cedar_policy::Request, entities: &cedar_policy::Entities) -> Self {
        let uid =
            |u: Option<&cedar_policy::EntityUid>| u.map(ToString::to_string).unwrap_or_default();
        Self {
            principal: uid(request.principal()),
            action: uid(request.action()),
            resource: uid(request.resource()),
            context: request
                .context()
                .and_then(|c| c.to_json_value().ok())
                .unwrap_or_else(|| serde_json::json!({})),
            entities: entities
                .to_json_value()
                .unwrap_or_else(|_| serde_json::json!([])),
        }
    }
}

/// The solver's request with a smaller context where the decisions still hold: optional
/// attributes dropped, numbers brought to 0, 1, -1 or a small power of ten, strings emptied,
/// each step kept only while the request is valid for `schema` and `keeps` says the request still shows what it must. Returns
/// the request with that context (the solver's own when nothing could be made smaller).
pub(crate) fn minimise(
    request: &cedar_policy::Request,
    schema: &cedar_policy::Schema,
    keeps: impl Fn(&cedar_policy::Request) -> bool,
) -> cedar_policy::Request {
    use serde_json::Value;
    let Some(Value::Object(mut context)) = request.context().and_then(|c| c.to_json_value().ok())
    else {
        return request.clone();
    };
    let build = |context: &serde_json::Map<String, Value>| -> Option<cedar_policy::Request> {
        let action = request.action()?;
        let ctx = cedar_policy::Context::from_json_value(
            Value::Object(context.clone()),
            Some((schema, action)),
        )
        .ok()?;
        // Checked against the schema: a context without a required attribute is no request.
        cedar_policy::Request::new(
            request.principal()?.clone(),
            action.clone(),
            request.resource()?.clone(),
            ctx,
            Some(schema),
        )
        .ok()
    };
    let try_with = |context: &serde_json::Map<String, Value>| build(context).filter(|r| keeps(r));
    let keys: Vec<String> = context.keys().cloned().collect();
    for key in keys {
        let mut without = context.clone();
        without.remove(&key);
        if try_with(&without).is_some() {
            context = without;
            continue;
        }
        let smaller: Vec<Value> = match &context[&key] {
            Value::Number(n) if n.as_i64() != Some(0) => [0i64, 1, -1, 10, 100, 1000, 10_000]
                .into_iter()
                .map(Value::from)
                .collect(),
            Value::String(s) if !s.is_empty() => vec![Value::from("")],
            _ => Vec::new(),
        };
        for v in smaller {
            let mut next = context.clone();
            next.insert(key.clone(), v);
            if try_with(&next).is_some() {
                context = next;
                break;
            }
        }
    }
    build(&context).unwrap_or_else(|| request.clone())
}

/// The solver's entities without those the request does not need: each entity other than
/// the principal, the resource and actions is dropped while `keeps` still holds.
pub(crate) fn minimise_entities(
    request: &cedar_policy::Request,
    entities: &cedar_policy::Entities,
    keeps: impl Fn(&cedar_policy::Entities) -> bool,
) -> cedar_policy::Entities {
    let fixed = [request.principal(), request.resource()];
    let mut current = entities.clone();
    let uids: Vec<cedar_policy::EntityUid> = entities
        .iter()
        .map(|e| e.uid())
        .filter(|u| !fixed.contains(&Some(u)) && !u.type_name().basename().ends_with("Action"))
        .collect();
    for uid in uids {
        if let Ok(fewer) = current.clone().remove_entities([uid]) {
            if keeps(&fewer) {
                current = fewer;
            }
        }
    }
    current
}
