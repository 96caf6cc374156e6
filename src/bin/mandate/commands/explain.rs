//! `mandate explain`: one request's decision, policy by policy and condition by condition.

use std::io::Write;

use mandate::api::dto::{ConditionResult, ExplainPair, Explanation, PolicyExplanation};
use mandate::api::{ApiError, ApiResult};
use mandate::ErrorCode;

use super::io_error;
use crate::args::Format;
use crate::output::{self, sanitize};
use crate::ExitCode;

/// `--request`: inline JSON when it looks like an object, else a file holding the record.
pub fn record_arg(arg: &str) -> ApiResult<String> {
    if arg.trim_start().starts_with('{') {
        return Ok(arg.to_owned());
    }
    std::fs::read_to_string(arg).map_err(|e| {
        ApiError::new(
            ErrorCode::Io,
            format!("cannot read `{arg}`: {e}"),
            Some(
                "--request takes a file holding one recorded request, or the request's JSON inline",
            ),
        )
    })
}

/// Both sides of a stored request; `sides` names them as given.
pub fn pair(
    p: &ExplainPair,
    sides: [&str; 2],
    format: Format,
    out: &mut dyn Write,
) -> ApiResult<ExitCode> {
    if format == Format::Json {
        output::json(p, out).map_err(io_error)?;
        return Ok(ExitCode::Ok);
    }
    let r = &p.request;
    let mut text = format!(
        "request {}: {} {} {}\n",
        r.id, r.principal, r.action, r.resource
    );
    if let Some(context) = &r.context {
        text.push_str(&format!("  context: {context}\n"));
    }
    if let Some(recorded) = &r.recorded {
        text.push_str(&format!("  recorded decision: {recorded}\n"));
    }
    for (name, (spec, e)) in ["baseline", "candidate"]
        .into_iter()
        .zip(sides.into_iter().zip([&p.baseline, &p.candidate]))
    {
        text.push_str(&format!("\n{name} ({spec}): "));
        side(e, &mut text);
    }
    text.push_str(if p.changed {
        "\nthe sides differ\n"
    } else {
        "\nthe sides agree\n"
    });
    out.write_all(sanitize_lines(&text).as_bytes())
        .map_err(io_error)?;
    Ok(ExitCode::Ok)
}

/// One side on loose files.
pub fn one(e: &Explanation, format: Format, out: &mut dyn Write) -> ApiResult<ExitCode> {
    if format == Format::Json {
        output::json(e, out).map_err(io_error)?;
        return Ok(ExitCode::Ok);
    }
    let mut text = String::new();
    side(e, &mut text);
    out.write_all(sanitize_lines(&text).as_bytes())
        .map_err(io_error)?;
    Ok(ExitCode::Ok)
}

/// Sanitises every line of a rendered text, keeping its line breaks.
fn sanitize_lines(text: &str) -> String {
    text.split('\n')
        .map(sanitize)
        .collect::<Vec<_>>()
        .join("\n")
}

fn side(e: &Explanation, out: &mut String) {
    out.push_str(&e.decision);
    out.push('\n');
    if e.default_deny {
        if e.errored.is_empty() {
            out.push_str("  no policy permitted this");
        } else {
            out.push_str("  no policy permitted this (policies that errored are skipped)");
        }
        let permits: Vec<&PolicyExplanation> =
            e.unmet.iter().filter(|p| p.effect == "permit").collect();
        if permits.is_empty() {
            out.push_str("; no permit's scope matched\n");
        } else {
            out.push_str("; permits whose scope matched:\n");
            for p in permits {
                heading(p, out);
                stopping(p, out);
            }
        }
    } else {
        let what = if e.decision == "allow" {
            "permitted by"
        } else {
            "forbidden by"
        };
        out.push_str(&format!("  {what}:\n"));
        for p in &e.determining {
            heading(p, out);
            for line in p.text.lines() {
                out.push_str(&format!("      | {line}\n"));
            }
            for c in &p.conditions {
                condition(c, out);
            }
        }
    }
    if !e.errored.is_empty() {
        out.push_str("  policies that errored (skipped by Cedar):\n");
        for p in &e.errored {
            heading(p, out);
            if let Some(message) = &p.error {
                out.push_str(&format!("      {}\n", one_line(message)));
            }
            stopping(p, out);
        }
    }
    let forbids: Vec<&PolicyExplanation> =
        e.unmet.iter().filter(|p| p.effect == "forbid").collect();
    if !forbids.is_empty() {
        out.push_str("  forbids whose scope matched but did not fire:\n");
        for p in forbids {
            heading(p, out);
            stopping(p, out);
        }
    }
    if e.decision == "deny" && !e.default_deny {
        let permits: Vec<&PolicyExplanation> =
            e.unmet.iter().filter(|p| p.effect == "permit").collect();
        if !permits.is_empty() {
            out.push_str("  permits whose scope matched but did not apply:\n");
            for p in permits {
                heading(p, out);
                stopping(p, out);
            }
        }
    }
    if !e.overridden.is_empty() {
        out.push_str("  permits whose conditions held, overruled by the forbid:\n");
        for p in &e.overridden {
            heading(p, out);
        }
    }
}

/// `file:line  id`.
fn heading(p: &PolicyExplanation, out: &mut String) {
    let at = match (&p.file, p.line) {
        (Some(f), Some(l)) => format!("{f}:{l}"),
        (Some(f), None) => f.clone(),
        _ => "(no file)".to_owned(),
    };
    out.push_str(&format!("    {at}  {} ({})\n", p.id, p.effect));
}

/// The conditions that stopped a policy (failed or errored).
fn stopping(p: &PolicyExplanation, out: &mut String) {
    for c in p
        .conditions
        .iter()
        .filter(|c| c.outcome == "failed" || c.outcome == "error")
    {
        condition(c, out);
    }
}

fn condition(c: &ConditionResult, out: &mut String) {
    let mark = match c.outcome.as_str() {
        "held" => "✓ held   ",
        "failed" => "✗ failed ",
        "error" => "! error  ",
        _ => "· skipped",
    };
    let at = match &c.file {
        Some(f) => format!("{f}:{}:{}", c.line, c.column),
        None => format!("{}:{}", c.line, c.column),
    };
    out.push_str(&format!(
        "      {mark}  {at}  {} {}\n",
        c.kind,
        one_line(&c.text)
    ));
    if let Some(e) = &c.error {
        out.push_str(&format!("                 {}\n", one_line(e)));
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
