//! One recorded request, in any of the formats Mandate imports, normalised for the store.
//!
//! - **native** (DESIGN.md §4): `id`, `time`, `principal`, `action`, `resource`, `context`,
//!   `entities`, `decision`, `reasons`, `task_id`, `bundle`; entity references as
//!   `{"type","id"}`, `{"__entity":{…}}` or Cedar's `Type::"id"` string. A Cedar CLI request
//!   (`cedar authorize --request-json`) is a native record without the optional fields.
//! - **Cedar integration test** request entries: `description`, `reason` and `errors` too.
//! - **Cedarling decision logs**: `log_kind`/`log_type` = `Decision`; the principal comes from
//!   `workload_principal` (else `person_principal`, else `principal` when it is an entity),
//!   reasons from `diagnostics.reason[].id`. Other Cedarling records (System, Metric) are
//!   not requests and are ignored.
//!
//! Unqualified entity types get the workspace namespace. Every problem of a record is
//! reported, not only the first.

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::store::NewRequest;

pub use crate::store::requests::{GRADE_FULL, GRADE_IDS_ONLY, GRADE_NO_CONTEXT};

/// What a record turned into.
#[derive(Debug)]
pub enum Normalised {
    Request(Box<NewRequest>),
    /// Not a request (e.g. a Cedarling system log); counted, not an error.
    Ignored,
}

const NATIVE_KEYS: &[&str] = &[
    "id",
    "time",
    "principal",
    "action",
    "resource",
    "context",
    "entities",
    "decision",
    "reasons",
    "task_id",
    "bundle",
];
/// Keys of Cedar integration-test request entries, accepted besides the native ones.
const CEDAR_TEST_KEYS: &[&str] = &["description", "reason", "errors", "validation_errors"];

/// Normalises records; remembers which type names it has already checked.
#[derive(Debug, Clone)]
pub struct Normaliser {
    namespace: String,
    types: HashMap<String, Result<String, String>>,
}

impl Normaliser {
    /// `namespace` is added to unqualified entity types; empty keeps them as written.
    pub fn new(namespace: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            types: HashMap::new(),
        }
    }

    /// The fast path for the common case — a native record with an `id`, entity references
    /// as `{"type","id"}` objects and an RFC 3339 time: read straight from the text, the
    /// context and entities kept as written. `None` when the record is anything else (or
    /// has a problem); [`Normaliser::normalise`] then reads it fully and names every problem.
    pub fn normalise_fast(&mut self, text: &str) -> Option<NewRequest> {
        let r: FastNative<'_> = serde_json::from_str(text).ok()?;
        let rid = r.id?.into_owned();
        if rid.is_empty() {
            return None;
        }
        let time = match r.time {
            None => None,
            Some(t) => Some(
                DateTime::parse_from_rfc3339(&t)
                    .ok()?
                    .with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::Millis, true),
            ),
        };
        let mut entity = |e: FastRef<'_>| -> Option<(String, String)> {
            Some((self.qualify(&e.ty).ok()?, e.id.into_owned()))
        };
        let principal = entity(r.principal)?;
        let action = entity(r.action)?;
        let resource = entity(r.resource)?;
        let context = match r.context {
            None => None,
            Some(raw) if raw.get().trim_start().starts_with('{') => Some(raw.get().to_owned()),
            Some(_) => return None,
        };
        let entities = match r.entities {
            None => None,
            Some(raw) => {
                let t = raw.get().trim();
                if !t.starts_with('[') {
                    return None;
                }
                let inner = t[1..t.len().saturating_sub(1)].trim();
                (!inner.is_empty()).then(|| t.to_owned())
            }
        };
        let decision = match r.decision.as_deref() {
            None => None,
            Some(d) if d.eq_ignore_ascii_case("allow") => Some("allow".to_owned()),
            Some(d) if d.eq_ignore_ascii_case("deny") => Some("deny".to_owned()),
            Some(_) => return None,
        };
        let reasons = r.reasons.map(|mut list| {
            list.sort();
            Value::from(list.into_iter().map(|c| c.into_owned()).collect::<Vec<_>>()).to_string()
        });
        let grade = grade(&context, &entities, &decision, &time, &reasons);
        Some(NewRequest {
            key: format!("id:{rid}"),
            rid: Some(rid),
            time,
            principal,
            action,
            resource,
            context,
            entities,
            decision,
            reasons,
            task_id: r.task_id.map(Cow::into_owned),
            bundle: r.bundle.map(Cow::into_owned),
            grade,
        })
    }

    /// Normalises one record; `Err` lists every problem found in it.
    pub fn normalise(&mut self, value: Value) -> Result<Normalised, Vec<String>> {
        let Value::Object(obj) = value else {
            return Err(vec![format!(
                "expected a JSON object for a request, found {}",
                kind(&value)
            )]);
        };
        let log_kind = obj.get("log_kind").or_else(|| obj.get("log_type"));
        if let Some(kind) = log_kind {
            return if kind.as_str() == Some("Decision") {
                self.cedarling(&obj)
                    .map(|r| Normalised::Request(Box::new(r)))
            } else {
                Ok(Normalised::Ignored)
            };
        }
        self.native(&obj).map(|r| Normalised::Request(Box::new(r)))
    }

    fn native(&mut self, obj: &Map<String, Value>) -> Result<NewRequest, Vec<String>> {
        let mut problems = Vec::new();
        for key in obj.keys() {
            if !NATIVE_KEYS.contains(&key.as_str()) && !CEDAR_TEST_KEYS.contains(&key.as_str()) {
                problems.push(format!(
                    "unknown field `{key}` (expected {})",
                    NATIVE_KEYS.join(", ")
                ));
            }
        }
        let reasons = match (obj.get("reasons"), obj.get("reason")) {
            (Some(r), _) | (None, Some(r)) => string_list(r, "reasons", &mut problems),
            (None, None) => None,
        };
        let fields = Fields {
            rid: obj.get("id"),
            time: obj.get("time"),
            principal: obj.get("principal"),
            action: obj.get("action"),
            resource: obj.get("resource"),
            context: obj.get("context"),
            entities: obj.get("entities"),
            decision: obj.get("decision"),
            reasons,
            task_id: obj.get("task_id"),
            bundle: obj.get("bundle"),
        };
        self.build(&fields, problems)
    }

    fn cedarling(&mut self, obj: &Map<String, Value>) -> Result<NewRequest, Vec<String>> {
        let mut problems = Vec::new();
        let principal = ["workload_principal", "person_principal", "principal"]
            .iter()
            .filter_map(|k| obj.get(*k))
            .find(|v| v.as_str().is_some_and(|s| s.contains("::\"")) || v.is_object());
        if principal.is_none() {
            let shown = obj
                .get("principal")
                .map_or_else(|| "missing".to_owned(), |v| format!("`{}`", compact(v)));
            return Err(vec![format!(
                "Cedarling decision log without a principal entity (`principal` is {shown}); \
                 enable Cedarling's debug decision log so `workload_principal` is recorded"
            )]);
        }
        let diagnostics = obj
            .get("workload_diagnostics")
            .or_else(|| obj.get("diagnostics"))
            .or_else(|| obj.get("person_diagnostics"));
        let reasons = diagnostics.and_then(|d| d.get("reason")).map(|r| {
            let ids: Vec<Value> = r
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.get("id").cloned().or_else(|| x.as_str().map(Value::from)))
                .collect();
            Value::Array(ids)
        });
        let reasons = reasons.and_then(|r| string_list(&r, "diagnostics.reason", &mut problems));
        let decision = obj
            .get("decision")
            .or_else(|| obj.get("workload_decision"))
            .cloned()
            .or_else(|| {
                obj.get("authorized")
                    .and_then(Value::as_bool)
                    .map(|b| Value::from(if b { "allow" } else { "deny" }))
            });
        let fields = Fields {
            rid: obj.get("request_id").or_else(|| obj.get("id")),
            time: obj.get("timestamp").or_else(|| obj.get("time")),
            principal,
            action: obj.get("action"),
            resource: obj.get("resource"),
            context: obj.get("context"),
            entities: obj.get("entities"),
            decision: decision.as_ref(),
            reasons,
            task_id: None,
            bundle: obj
                .get("policystore_version")
                .filter(|v| v.as_str() != Some("undefined")),
        };
        self.build(&fields, problems)
    }

    fn build(
        &mut self,
        f: &Fields<'_>,
        mut problems: Vec<String>,
    ) -> Result<NewRequest, Vec<String>> {
        let rid = match f.rid {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                problems.push(format!(
                    "`id` must be a non-empty string, found {}",
                    kind(other)
                ));
                None
            }
        };
        let time = f.time.and_then(|t| match parse_time(t) {
            Ok(t) => t,
            Err(e) => {
                problems.push(e);
                None
            }
        });
        let mut entity = |field: &str, v: Option<&Value>, action: bool| match v {
            None | Some(Value::Null) => {
                problems.push(format!("`{field}` is missing"));
                None
            }
            Some(v) => match self.entity_ref(v, action) {
                Ok(r) => Some(r),
                Err(e) => {
                    problems.push(format!("`{field}`: {e}"));
                    None
                }
            },
        };
        let principal = entity("principal", f.principal, false);
        let action = entity("action", f.action, true);
        let resource = entity("resource", f.resource, false);
        let context = match f.context {
            None | Some(Value::Null) => None,
            Some(v @ Value::Object(_)) => Some(v.to_string()),
            Some(other) => {
                problems.push(format!(
                    "`context` must be a JSON object, found {}",
                    kind(other)
                ));
                None
            }
        };
        let entities = match f.entities {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) if a.is_empty() => None,
            Some(v @ Value::Array(_)) => Some(v.to_string()),
            Some(other) => {
                problems.push(format!(
                    "`entities` must be an array of Cedar entities, found {}",
                    kind(other)
                ));
                None
            }
        };
        let decision = match f.decision {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("allow") => Some("allow".to_owned()),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("deny") => Some("deny".to_owned()),
            Some(other) => {
                problems.push(format!(
                    "`decision` must be `allow` or `deny`, found `{}`",
                    compact(other)
                ));
                None
            }
        };
        let mut text = |field: &str, v: Option<&Value>| match v {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                problems.push(format!("`{field}` must be a string, found {}", kind(other)));
                None
            }
        };
        let task_id = text("task_id", f.task_id);
        let bundle = text("bundle", f.bundle);
        let (Some(principal), Some(action), Some(resource)) = (principal, action, resource) else {
            return Err(problems);
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let reasons = f.reasons.as_ref().map(|r| {
            let mut r = r.clone();
            r.sort();
            Value::from(r).to_string()
        });
        let grade = grade(&context, &entities, &decision, &time, &reasons);
        let mut request = NewRequest {
            key: String::new(),
            rid,
            time,
            principal,
            action,
            resource,
            context,
            entities,
            decision,
            reasons,
            task_id,
            bundle,
            grade,
        };
        request.key = match &request.rid {
            Some(id) => format!("id:{id}"),
            None => content_key(&request),
        };
        Ok(request)
    }

    /// `(qualified type, id)` from `{"type","id"}`, `{"__entity":{…}}` or `Type::"id"`; an
    /// action may also be a bare name (`invoke_tool`).
    fn entity_ref(&mut self, v: &Value, action: bool) -> Result<(String, String), String> {
        match v {
            Value::Object(o) => {
                let o = match o.get("__entity") {
                    Some(Value::Object(inner)) => inner,
                    _ => o,
                };
                let ty = o.get("type").and_then(Value::as_str);
                let id = o.get("id").and_then(Value::as_str);
                match (ty, id) {
                    (Some(ty), Some(id)) => Ok((self.qualify(ty)?, id.to_owned())),
                    _ => Err(format!(
                        "an entity reference needs string `type` and `id`, found `{}`",
                        compact(v)
                    )),
                }
            }
            Value::String(s) if action && !s.contains("::") => {
                Ok((self.qualify("Action")?, s.clone()))
            }
            Value::String(s) => {
                let Some((ty, rest)) = s.split_once("::\"") else {
                    return Err(format!(
                        "`{s}` is not an entity reference; write `Type::\"id\"` or {{\"type\": …, \"id\": …}}"
                    ));
                };
                let qualified = self.qualify(ty.trim())?;
                let uid = cedar_policy::EntityUid::from_str(&format!("{qualified}::\"{rest}"))
                    .map_err(|e| {
                        format!(
                            "`{s}` is not an entity reference: {}",
                            one_line(&e.to_string())
                        )
                    })?;
                Ok((qualified, uid.id().unescaped().to_owned()))
            }
            other => Err(format!(
                "expected an entity reference, found {}",
                kind(other)
            )),
        }
    }

    /// `Agent` → `Acme::Agent`; a qualified name is kept. Each name is checked once.
    fn qualify(&mut self, ty: &str) -> Result<String, String> {
        if let Some(known) = self.types.get(ty) {
            return known.clone();
        }
        let qualified = if ty.contains("::") || self.namespace.is_empty() {
            ty.to_owned()
        } else {
            format!("{}::{ty}", self.namespace)
        };
        let checked = cedar_policy::EntityTypeName::from_str(&qualified)
            .map(|_| qualified.clone())
            .map_err(|_| format!("`{ty}` is not a Cedar entity type name"));
        self.types.insert(ty.to_owned(), checked.clone());
        checked
    }
}

/// A native record in its common shape, borrowed from the line (see `normalise_fast`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FastNative<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    principal: FastRef<'a>,
    #[serde(borrow)]
    action: FastRef<'a>,
    #[serde(borrow)]
    resource: FastRef<'a>,
    #[serde(borrow)]
    context: Option<&'a RawValue>,
    #[serde(borrow)]
    entities: Option<&'a RawValue>,
    #[serde(borrow)]
    decision: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reasons: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    task_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    bundle: Option<Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FastRef<'a> {
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
}

struct Fields<'a> {
    rid: Option<&'a Value>,
    time: Option<&'a Value>,
    principal: Option<&'a Value>,
    action: Option<&'a Value>,
    resource: Option<&'a Value>,
    context: Option<&'a Value>,
    entities: Option<&'a Value>,
    decision: Option<&'a Value>,
    reasons: Option<Vec<String>>,
    task_id: Option<&'a Value>,
    bundle: Option<&'a Value>,
}

fn string_list(v: &Value, field: &str, problems: &mut Vec<String>) -> Option<Vec<String>> {
    match v {
        Value::Null => None,
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item.as_str() {
                    Some(s) => out.push(s.to_owned()),
                    None => {
                        problems.push(format!(
                            "`{field}` must list policy ids as strings, found {}",
                            kind(item)
                        ));
                        return None;
                    }
                }
            }
            Some(out)
        }
        other => {
            problems.push(format!("`{field}` must be an array, found {}", kind(other)));
            None
        }
    }
}

/// RFC 3339 text, or a Unix time in seconds (milliseconds when ≥ 10^11), as UTC with
/// milliseconds (so text order is time order).
fn parse_time(v: &Value) -> Result<Option<String>, String> {
    let at: DateTime<Utc> = match v {
        Value::Null => return Ok(None),
        Value::String(s) if s.is_empty() => return Ok(None),
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .map_err(|e| {
                format!("`time` `{s}` is not an RFC 3339 time ({e}); e.g. 2026-05-01T12:00:00Z")
            })?
            .with_timezone(&Utc),
        Value::Number(n) => {
            let raw = n
                .as_i64()
                .ok_or_else(|| format!("`time` `{n}` is not a whole number of seconds"))?;
            // `unsigned_abs`: `abs` of i64::MIN overflows (found by fuzzing).
            let millis = if raw.unsigned_abs() >= 100_000_000_000 {
                raw
            } else {
                raw.saturating_mul(1000)
            };
            Utc.timestamp_millis_opt(millis)
                .single()
                .ok_or_else(|| format!("`time` `{n}` is out of range"))?
        }
        other => {
            return Err(format!(
                "`time` must be RFC 3339 text or Unix seconds, found {}",
                kind(other)
            ))
        }
    };
    Ok(Some(at.to_rfc3339_opts(SecondsFormat::Millis, true)))
}

/// How fully a record can be replayed, from what it carries.
fn grade(
    context: &Option<String>,
    entities: &Option<String>,
    decision: &Option<String>,
    time: &Option<String>,
    reasons: &Option<String>,
) -> &'static str {
    if context.is_some() {
        GRADE_FULL
    } else if entities.is_some() || decision.is_some() || time.is_some() || reasons.is_some() {
        GRADE_NO_CONTEXT
    } else {
        GRADE_IDS_ONLY
    }
}

/// `sha256:` of the record's content, for records without an id.
fn content_key(r: &NewRequest) -> String {
    let canonical = serde_json::json!([
        r.time,
        r.principal,
        r.action,
        r.resource,
        r.context,
        r.entities,
        r.decision,
        r.reasons,
        r.task_id,
        r.bundle
    ]);
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value shown in a message: compact and at most 80 characters.
fn compact(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn norm(v: Value) -> Result<NewRequest, Vec<String>> {
        match Normaliser::new("Acme").normalise(v) {
            Ok(Normalised::Request(r)) => Ok(*r),
            Ok(Normalised::Ignored) => Err(vec!["ignored".into()]),
            Err(e) => Err(e),
        }
    }

    #[test]
    fn native_record_is_qualified_graded_and_keyed_by_id() {
        let r = norm(json!({"id": "r-1", "time": "2026-05-01T14:00:00+02:00",
            "principal": {"type": "Agent", "id": "billing-bot"},
            "action": {"type": "Action", "id": "invoke_tool"},
            "resource": "Acme::Tool::\"stripe.refund\"",
            "context": {"env": "prod"}, "decision": "ALLOW", "reasons": ["b", "a"]}))
        .unwrap();
        assert_eq!(r.key, "id:r-1");
        assert_eq!(r.time.as_deref(), Some("2026-05-01T12:00:00.000Z"));
        assert_eq!(r.principal, ("Acme::Agent".into(), "billing-bot".into()));
        assert_eq!(r.action, ("Acme::Action".into(), "invoke_tool".into()));
        assert_eq!(r.resource, ("Acme::Tool".into(), "stripe.refund".into()));
        assert_eq!(r.context.as_deref(), Some(r#"{"env":"prod"}"#));
        assert_eq!(r.decision.as_deref(), Some("allow"));
        assert_eq!(r.reasons.as_deref(), Some(r#"["a","b"]"#));
        assert_eq!(r.grade, GRADE_FULL);
    }

    #[test]
    fn the_fast_path_gives_what_the_full_path_gives_and_declines_the_rest() {
        let lines = [
            r#"{"id":"r-1","time":"2026-05-01T14:00:00+02:00","principal":{"type":"Agent","id":"a"},"action":{"type":"Action","id":"invoke_tool"},"resource":{"type":"Acme::Tool","id":"t"},"context":{"env":"prod","n":1},"decision":"DENY","reasons":["b","a"],"task_id":"t-1"}"#,
            r#"{"id":"r-2","principal":{"type":"Agent","id":"a"},"action":{"type":"Action","id":"x"},"resource":{"type":"Tool","id":"t"},"entities":[]}"#,
            r#"{"id":"r-3","principal":{"type":"Agent","id":"a"},"action":{"type":"Action","id":"x"},"resource":{"type":"Tool","id":"t"},"decision":"allow","context":null}"#,
        ];
        for line in lines {
            let fast = Normaliser::new("Acme").normalise_fast(line).expect(line);
            let full = norm(serde_json::from_str(line).unwrap()).unwrap();
            assert_eq!(fast, full, "{line}");
        }
        for declined in [
            // No id: keyed by content, which the full path computes.
            r#"{"principal":{"type":"Agent","id":"a"},"action":{"type":"Action","id":"x"},"resource":{"type":"Tool","id":"t"}}"#,
            // String references, unknown fields, bad values: the full path reports them.
            r#"{"id":"r","principal":"Agent::\"a\"","action":"x","resource":"Tool::\"t\""}"#,
            r#"{"id":"r","principl":{"type":"Agent","id":"a"},"action":{"type":"Action","id":"x"},"resource":{"type":"Tool","id":"t"}}"#,
            r#"{"id":"r","principal":{"type":"Agent","id":"a"},"action":{"type":"Action","id":"x"},"resource":{"type":"Tool","id":"t"},"context":[]}"#,
            r#"{"id":"r","principal":{"type":"Agent","id":"a"},"action":{"type":"Action","id":"x"},"resource":{"type":"Tool","id":"t"},"decision":"maybe"}"#,
            r#"{"id":"r","principal":{"type":"Agent","id":"a"},"action":{"type":"Action","id":"x"},"resource":{"type":"Tool","id":"t"},"time":"later"}"#,
        ] {
            assert_eq!(
                Normaliser::new("Acme").normalise_fast(declined),
                None,
                "{declined}"
            );
        }
    }

    #[test]
    fn grades_and_content_keys() {
        let ids_only = norm(json!({"principal": "Agent::\"a\"", "action": "invoke_tool", "resource": "Tool::\"t\""})).unwrap();
        assert_eq!(ids_only.grade, GRADE_IDS_ONLY);
        assert!(ids_only.key.starts_with("sha256:"), "{}", ids_only.key);
        let same = norm(json!({"principal": {"type": "Agent", "id": "a"}, "action": "Action::\"invoke_tool\"", "resource": "Tool::\"t\""})).unwrap();
        assert_eq!(
            ids_only.key, same.key,
            "the same content in another spelling"
        );
        let no_context = norm(json!({"principal": "Agent::\"a\"", "action": "invoke_tool", "resource": "Tool::\"t\"", "decision": "deny"})).unwrap();
        assert_eq!(no_context.grade, GRADE_NO_CONTEXT);
        assert_ne!(no_context.key, ids_only.key);
    }

    #[test]
    fn every_problem_of_a_record_is_reported() {
        let problems = norm(
            json!({"principl": "x", "action": 3, "resource": "Tool::bad",
            "context": [], "decision": "maybe", "time": "yesterday"}),
        )
        .unwrap_err();
        let text = problems.join("\n");
        for needle in [
            "unknown field `principl`",
            "`time` `yesterday` is not an RFC 3339 time",
            "`principal` is missing",
            "`action`: expected an entity reference, found a number",
            "`resource`: `Tool::bad` is not an entity reference",
            "`context` must be a JSON object, found an array",
            "`decision` must be `allow` or `deny`, found `maybe`",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        assert_eq!(problems.len(), 7, "{text}");
    }

    #[test]
    fn cedarling_decision_logs_map_and_other_records_are_ignored() {
        let r = norm(json!({"request_id": "019394db", "timestamp": "2024-12-05T05:27:43.403Z",
            "log_kind": "Decision", "principal": "User & Workload",
            "workload_principal": "Jans::Workload::\"w-1\"",
            "action": "Jans::Action::\"Update\"", "resource": "Jans::Issue::\"random_id\"",
            "decision": "ALLOW", "context": {"network": "127.0.0.1"},
            "workload_diagnostics": {"reason": [{"id": "840da5", "description": "x"}], "errors": []}}))
        .unwrap();
        assert_eq!(r.principal, ("Jans::Workload".into(), "w-1".into()));
        assert_eq!(r.action, ("Jans::Action".into(), "Update".into()));
        assert_eq!(r.reasons.as_deref(), Some(r#"["840da5"]"#));
        assert_eq!(r.key, "id:019394db");
        assert_eq!(r.grade, GRADE_FULL);
        assert_eq!(
            norm(json!({"log_kind": "System", "msg": "started"})).unwrap_err(),
            vec!["ignored"]
        );
        let info = norm(json!({"log_type": "Decision", "principal": "User & Workload",
            "action": "Jans::Action::\"Update\"", "resource": "Jans::Issue::\"x\"", "decision": "DENY"}))
        .unwrap_err();
        assert!(info[0].contains("without a principal entity"), "{info:?}");
    }

    #[test]
    fn cedar_integration_test_entries_use_reason() {
        let r = norm(json!({"description": "alice views", "principal": {"type": "User", "id": "alice"},
            "action": {"type": "Action", "id": "view"}, "resource": {"type": "Photo", "id": "p.jpg"},
            "context": {}, "decision": "allow", "reason": ["policy0"], "errors": []}))
        .unwrap();
        assert_eq!(r.reasons.as_deref(), Some(r#"["policy0"]"#));
        assert_eq!(r.principal.0, "Acme::User");
    }

    #[test]
    fn unix_times_in_seconds_and_milliseconds() {
        assert_eq!(
            parse_time(&json!(1732752262)).unwrap().as_deref(),
            Some("2024-11-28T00:04:22.000Z")
        );
        assert_eq!(
            parse_time(&json!(1732752262123_i64)).unwrap().as_deref(),
            Some("2024-11-28T00:04:22.123Z")
        );
    }

    #[test]
    fn a_unix_time_of_i64_min_is_out_of_range_not_an_overflow() {
        let e = parse_time(&json!(i64::MIN)).unwrap_err();
        assert!(e.contains("out of range"), "{e}");
    }
}
