//! `mandate analyze`: the symbolic diff per request environment and the findings.

use std::io::Write;

use mandate::api::{Analysis, ApiResult};

use super::io_error;
use crate::args::Format;
use crate::output::{json, sanitize};

/// The analysis as JSON, or as lines a reviewer reads: one per environment with its
/// relation, each counterexample under it, then the findings and the problems.
pub fn print(a: &Analysis, format: Format, out: &mut dyn Write) -> ApiResult<()> {
    if format == Format::Json {
        return json(a, out).map_err(io_error);
    }
    human(a, out).map_err(io_error)
}

/// A line per environment with its relation; `brief`: each with its first counterexample in
/// one line (beside a replay), else every counterexample with its entities and replay.
pub fn environments(a: &Analysis, brief: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let width = a
        .environments
        .iter()
        .map(|e| e.label().chars().count())
        .max()
        .unwrap_or(0);
    for e in &a.environments {
        let l = e.label();
        let pad = width.saturating_sub(l.chars().count());
        writeln!(
            out,
            "  {}{} {:<16} {:>6} ms",
            sanitize(&l),
            " ".repeat(pad),
            e.relation.as_str(),
            e.millis
        )?;
        if brief {
            if let Some(c) = e.counterexamples.first() {
                writeln!(out, "      {}", sanitize(&c.summary()))?;
            }
        }
        for c in e.counterexamples.iter().filter(|_| !brief) {
            let what = if c.direction == "candidate-allows" {
                "now allowed"
            } else {
                "now denied"
            };
            writeln!(
                out,
                "      {what}: {} {} {}",
                sanitize(&c.request.principal),
                sanitize(&c.request.action),
                sanitize(&c.request.resource)
            )?;
            writeln!(
                out,
                "        context: {}",
                sanitize(&c.request.context.to_string())
            )?;
            for line in entity_lines(&c.request.entities) {
                writeln!(out, "        entity {}", sanitize(&line))?;
            }
            writeln!(
                out,
                "        replayed: baseline {} → candidate {}{}",
                c.baseline.decision,
                c.candidate.decision,
                if c.confirmed {
                    " (confirmed)"
                } else {
                    " (NOT confirmed by the replay engine)"
                }
            )?;
        }
        if let Some(p) = &e.problem {
            writeln!(out, "      problem: {}", sanitize(p))?;
        }
    }
    Ok(())
}

fn human(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "solver: {}{}",
        sanitize(&a.solver.describe()),
        a.solver
            .caveat
            .as_deref()
            .map(|c| format!("\nwarning: {c}"))
            .unwrap_or_default()
    )?;
    if !a.environments.is_empty() {
        writeln!(
            out,
            "\n{} ⇢ {} ({} environments)",
            sanitize(&a.baseline),
            sanitize(&a.candidate),
            a.environments.len()
        )?;
        environments(a, false, out)?;
    }
    writeln!(out, "\nfindings: {}", a.findings.len())?;
    for f in &a.findings {
        let at = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!("{}:{line}: ", sanitize(file)),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {at}{} [{}] {}",
            f.finding.severity,
            f.finding.kind.code(),
            sanitize(&f.finding.message)
        )?;
        if let Some(w) = &f.finding.witness {
            writeln!(
                out,
                "      errors on: {} {} {} context {}",
                sanitize(&w.principal),
                sanitize(&w.action),
                sanitize(&w.resource),
                sanitize(&w.context.to_string())
            )?;
        }
    }
    problems(&a.problems, out)?;
    writeln!(
        out,
        "\n{} queries in {} ms (limit {} ms per query)",
        a.queries, a.millis, a.time_limit_ms
    )
}

/// The witness's entities other than actions, one per line: `Doc::"" {classification: -9…}`.
fn entity_lines(entities: &serde_json::Value) -> Vec<String> {
    let Some(list) = entities.as_array() else {
        return Vec::new();
    };
    list.iter()
        .filter(|e| {
            e["uid"]["type"]
                .as_str()
                .is_some_and(|t| !t.ends_with("Action"))
        })
        .map(|e| {
            let uid = format!(
                "{}::{}",
                e["uid"]["type"].as_str().unwrap_or("?"),
                e["uid"]["id"]
            );
            let attrs = e["attrs"].as_object().map_or_else(String::new, |a| {
                a.iter()
                    .map(|(k, v)| format!("{k}: {}", value_text(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            let parents = e["parents"].as_array().map_or(0, Vec::len);
            let parents = if parents == 0 {
                String::new()
            } else {
                format!(" in {}", value_text(&e["parents"]))
            };
            format!("{uid} {{{attrs}}}{parents}")
        })
        .collect()
}

/// Cedar JSON as a reader writes it: entity references as `Type::"id"`.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(o) if o.contains_key("__entity") => format!(
            "{}::{}",
            o["__entity"]["type"].as_str().unwrap_or("?"),
            o["__entity"]["id"]
        ),
        serde_json::Value::Object(o) if o.contains_key("type") && o.contains_key("id") => {
            format!("{}::{}", o["type"].as_str().unwrap_or("?"), o["id"])
        }
        serde_json::Value::Array(a) => format!(
            "[{}]",
            a.iter().map(value_text).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// The queries the solver could not answer, with what to do (nothing when there are none).
pub fn problems(list: &[mandate::api::Problem], out: &mut dyn Write) -> std::io::Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nproblems: {} (the rest ran)", list.len())?;
    for p in list {
        writeln!(
            out,
            "  {} — {}: {}\n    help: {}",
            sanitize(&p.environment),
            sanitize(&p.query),
            sanitize(&p.message),
            sanitize(&p.help)
        )?;
    }
    Ok(())
}
