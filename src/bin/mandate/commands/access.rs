//! `mandate access`: what an agent can do, and what a change moves.

use std::io::Write;

use mandate::api::{short_uid, Access, AccessEntry, AccessReview, AgentAccessReview, ApiResult};

use super::io_error;
use crate::args::Format;
use crate::output::{json, sanitize};

/// The review as JSON; for one agent its entries and changes; for several a line each.
pub fn print(r: &AccessReview, format: Format, out: &mut dyn Write) -> ApiResult<()> {
    if format == Format::Json {
        return json(r, out).map_err(io_error);
    }
    human(r, out).map_err(io_error)
}

fn human(r: &AccessReview, out: &mut dyn Write) -> std::io::Result<()> {
    match &r.solver {
        Some(s) => writeln!(out, "solver: {}", sanitize(&s.describe()))?,
        None => writeln!(
            out,
            "solver: none (conditions on the context are not settled)"
        )?,
    }
    let sides = if r.baseline.is_empty() {
        sanitize(&r.candidate)
    } else {
        format!("{} ⇢ {}", sanitize(&r.baseline), sanitize(&r.candidate))
    };
    if let [one] = r.agents.as_slice() {
        agent(one, &sides, out)?;
    } else {
        summary(r, &sides, out)?;
    }
    super::analyze::problems(&r.problems, out)?;
    writeln!(out, "\n{} queries in {} ms", r.queries, r.millis)
}

fn counts(a: &AgentAccessReview) -> (usize, usize) {
    let e = &a.review.candidate.entries;
    let allowed = e.iter().filter(|e| e.access == Access::Allowed).count();
    (allowed, e.len() - allowed)
}

fn summary(r: &AccessReview, sides: &str, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{} agents, {sides}\n", r.agents.len())?;
    let width = r
        .agents
        .iter()
        .map(|a| a.id.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "  {:<width$}  {:<8}  {:>7}  {:>11}  {:>7}",
        "AGENT", "TIER", "ALLOWED", "CONDITIONAL", "CHANGES"
    )?;
    for a in &r.agents {
        let (allowed, conditional) = counts(a);
        writeln!(
            out,
            "  {:<width$}  {:<8}  {allowed:>7}  {conditional:>11}  {:>7}",
            sanitize(&a.id),
            a.risk_tier,
            a.review.changes.len()
        )?;
    }
    let changed: Vec<&str> = r.changed().map(|a| a.id.as_str()).collect();
    if !changed.is_empty() {
        writeln!(
            out,
            "\naccess changed for {}: `mandate access AGENT` shows how",
            sanitize(&changed.join(", "))
        )?;
    }
    Ok(())
}

fn agent(a: &AgentAccessReview, sides: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let (allowed, conditional) = counts(a);
    writeln!(
        out,
        "{} ({}, {} risk), {sides}",
        sanitize(&a.id),
        sanitize(&a.name),
        a.risk_tier
    )?;
    writeln!(
        out,
        "{allowed} allowed, {conditional} conditional, of {} action × resource pairs\n",
        a.review.candidate.checked
    )?;
    for e in &a.review.candidate.entries {
        entry(e, "  ", out)?;
    }
    if !a.review.changes.is_empty() {
        writeln!(out, "\nchanges: {}", a.review.changes.len())?;
        for c in &a.review.changes {
            writeln!(
                out,
                "  {} {} {}",
                c.change,
                sanitize(&c.action),
                sanitize(&short_uid(&c.resource))
            )?;
            for (side, e) in [("before", &c.baseline), ("after", &c.candidate)] {
                match e {
                    Some(e) => {
                        write!(out, "    {side}: ")?;
                        entry(e, "", out)?;
                    }
                    None => writeln!(out, "    {side}: denied")?,
                }
            }
        }
    } else if !sides.contains('⇢') {
        // No baseline: nothing to compare.
    } else {
        writeln!(out, "\nno change in access")?;
    }
    Ok(())
}

fn entry(e: &AccessEntry, indent: &str, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{indent}{} {} {} (by {})",
        sanitize(&e.action),
        sanitize(&short_uid(&e.resource)),
        e.access.as_str(),
        sanitize(&e.permits.join(", "))
    )?;
    for w in &e.when {
        writeln!(out, "{indent}    when {}", sanitize(w))?;
    }
    for u in &e.unless {
        writeln!(out, "{indent}    unless {}", sanitize(u))?;
    }
    if let Some(ctx) = &e.example_context {
        writeln!(
            out,
            "{indent}    e.g. context {}",
            sanitize(&ctx.to_string())
        )?;
    }
    Ok(())
}
