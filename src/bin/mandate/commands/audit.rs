//! `mandate audit`: the audit log, newest first, filtered; as text, JSON or CSV.

use std::fmt::Write as _;
use std::path::Path;

use mandate::api::dto::{AuditEntry, AuditQuery};
use mandate::api::{self, ApiResult};
use serde_json::Value;

use super::agents::{wrong_format, Ctx};
use super::{emit, io_error};
use crate::args::Format;
use crate::output::{self, terminal};
use crate::ExitCode;

/// `mandate audit`'s flags, as given.
pub struct Args<'a> {
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    pub limit: Option<&'a str>,
    pub out: Option<&'a Path>,
}

/// A changed value shown on one line at most this long.
const VALUE_WIDTH: usize = 60;

pub fn run(ctx: &mut Ctx<'_>, args: &Args<'_>) -> ApiResult<ExitCode> {
    if !matches!(ctx.format, Format::Human | Format::Json | Format::Csv) {
        return Err(wrong_format("audit", "human, json or csv"));
    }
    let query = AuditQuery {
        actor: args.actor.map(str::to_owned),
        action: args.action.map(str::to_owned),
        subject: args.subject.map(str::to_owned),
        since: args.since.map(str::to_owned),
        until: args.until.map(str::to_owned),
        before: None,
        limit: args.limit.map(api::audit_limit).transpose()?,
    };
    if ctx.format == Format::Csv {
        let (text, _) = ctx.session.audit_csv(&query)?;
        emit(&text, args.out, ctx.out)?;
        return Ok(ExitCode::Ok);
    }
    let mut entries = Vec::new();
    ctx.session.audit_each(&query, |e| {
        entries.push(e);
        true
    })?;
    let text = match ctx.format {
        Format::Json => {
            let shown: Vec<Value> = entries.iter().map(json_entry).collect();
            let mut buf = Vec::new();
            output::json(&shown, &mut buf).map_err(io_error)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        _ => terminal(&human(&entries)),
    };
    emit(&text, args.out, ctx.out)?;
    Ok(ExitCode::Ok)
}

/// An entry for JSON output: `before` and `after` as JSON values (their text when a stored
/// state is not JSON), so `jq '.[0].after.lifecycle'` works.
fn json_entry(e: &AuditEntry) -> Value {
    let state = |s: &Option<String>| match s {
        Some(t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())),
        None => Value::Null,
    };
    serde_json::json!({
        "id": e.id,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "subject": e.subject,
        "before": state(&e.before),
        "after": state(&e.after),
    })
}

/// One line per entry, then a line per changed field of its state.
fn human(entries: &[AuditEntry]) -> String {
    let mut out = String::new();
    if entries.is_empty() {
        out.push_str("no audit entries match\n");
        return out;
    }
    for e in entries {
        let _ = writeln!(
            out,
            "#{}  {}  {}  {}  {}",
            e.id, e.at, e.actor, e.action, e.subject
        );
        for line in changes(e.before.as_deref(), e.after.as_deref()) {
            let _ = writeln!(out, "      {line}");
        }
    }
    let _ = writeln!(
        out,
        "{} {}",
        entries.len(),
        if entries.len() == 1 {
            "entry"
        } else {
            "entries"
        }
    );
    out
}

/// `field: before → after` for each top-level field that differs (an absent state counts as
/// an empty object beside an object; other states compare whole).
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<String> {
    let parse = |s: Option<&str>| {
        s.map(|t| serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_owned())))
    };
    let (b, a) = (parse(before), parse(after));
    let empty = serde_json::Map::new();
    let object = |v: &Option<Value>| match v {
        Some(Value::Object(o)) => Some(o.clone()),
        None => Some(empty.clone()),
        Some(_) => None,
    };
    match (object(&b), object(&a)) {
        (Some(bo), Some(ao)) => {
            let mut keys: Vec<&String> = bo.keys().chain(ao.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| bo.get(*k) != ao.get(*k))
                .map(|k| format!("{k}: {} → {}", short(bo.get(k)), short(ao.get(k))))
                .collect()
        }
        _ if b == a => Vec::new(),
        _ => vec![format!("{} → {}", short(b.as_ref()), short(a.as_ref()))],
    }
}

fn short(v: Option<&Value>) -> String {
    let text = v.map_or_else(|| "(none)".to_owned(), Value::to_string);
    if text.chars().count() > VALUE_WIDTH {
        let cut: String = text.chars().take(VALUE_WIDTH - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_each_changed_field() {
        let lines = changes(
            Some(r#"{"lifecycle":"approved","reason":"x","same":1}"#),
            Some(r#"{"lifecycle":"active","same":1,"by":"dana"}"#),
        );
        assert_eq!(
            lines,
            vec![
                r#"by: (none) → "dana""#,
                r#"lifecycle: "approved" → "active""#,
                r#"reason: "x" → (none)"#,
            ]
        );
        assert_eq!(
            changes(None, Some(r#"{"sha256":"ab"}"#)),
            vec![r#"sha256: (none) → "ab""#]
        );
        assert_eq!(changes(Some("\"x\""), None), vec![r#""x" → (none)"#]);
        assert!(changes(None, None).is_empty());
        assert!(changes(None, Some("{}")).is_empty());
        let long = format!(r#"{{"t":"{}"}}"#, "a".repeat(100));
        let line = &changes(None, Some(&long))[0];
        assert!(line.ends_with('…') && line.chars().count() < 80, "{line}");
    }
}
