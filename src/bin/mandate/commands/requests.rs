//! `mandate requests import|list|stats`.

use std::io::Write;

use mandate::api::dto::{Count, ImportSummary, RequestSetSummary, RequestStats};
use mandate::api::ApiResult;

use super::agents::Ctx;
use super::io_error;
use crate::args::{Format, RequestsCommand};
use crate::output;
use crate::ExitCode;

pub fn run(ctx: &mut Ctx<'_>, command: &RequestsCommand) -> ApiResult<ExitCode> {
    match command {
        RequestsCommand::Import { file, set, strict } => {
            let mut bar = output::Progress::bytes("importing");
            let summary =
                ctx.session
                    .import_requests(file, set, *strict, &ctx.actor, &mut |p| {
                        bar.update(p.bytes_read, p.bytes_total)
                    })?;
            bar.finish();
            match ctx.format {
                Format::Json => output::json(&summary, ctx.out).map_err(io_error)?,
                _ => import_summary(&summary, ctx.out).map_err(io_error)?,
            }
            Ok(if summary.skipped > 0 || summary.failed_strict {
                ExitCode::Findings
            } else {
                ExitCode::Ok
            })
        }
        RequestsCommand::List => {
            let sets = ctx.session.request_sets()?;
            match ctx.format {
                Format::Json => output::json(&sets, ctx.out).map_err(io_error)?,
                _ => sets_table(&sets, ctx.out).map_err(io_error)?,
            }
            Ok(ExitCode::Ok)
        }
        RequestsCommand::Stats { set } => {
            let stats = ctx.session.request_stats(set)?;
            match ctx.format {
                Format::Json => output::json(&stats, ctx.out).map_err(io_error)?,
                _ => stats_text(&stats, ctx.out).map_err(io_error)?,
            }
            Ok(ExitCode::Ok)
        }
    }
}

fn import_summary(s: &ImportSummary, out: &mut dyn Write) -> std::io::Result<()> {
    let file = output::sanitize(&s.file);
    for e in &s.errors {
        writeln!(out, "{file}:{}: {}", e.line, output::sanitize(&e.message))?;
    }
    if s.skipped > s.errors.len() as u64 {
        writeln!(
            out,
            "… and {} more bad records",
            s.skipped - s.errors.len() as u64
        )?;
    }
    if s.failed_strict {
        writeln!(
            out,
            "import failed (--strict): {} bad record(s); nothing was written to set `{}`",
            s.skipped,
            output::sanitize(&s.set)
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "imported {file} ({}) into set `{}`: {} kept, {} duplicate(s), {} skipped{}",
        s.format,
        output::sanitize(&s.set),
        s.kept,
        s.duplicates,
        s.skipped,
        if s.ignored > 0 {
            format!(", {} not requests (ignored)", s.ignored)
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "replay grades: {} full, {} without context, {} ids only",
        s.grades.full, s.grades.no_context, s.grades.ids_only
    )
}

fn sets_table(sets: &[RequestSetSummary], out: &mut dyn Write) -> std::io::Result<()> {
    if sets.is_empty() {
        return writeln!(
            out,
            "no request sets; import one with `mandate requests import FILE --set NAME`"
        );
    }
    let width = sets.iter().map(|s| s.name.len()).max().unwrap_or(3).max(3);
    writeln!(
        out,
        "{:width$}  {:>10}  {:>7}  FROM → TO",
        "SET", "REQUESTS", "IMPORTS"
    )?;
    for s in sets {
        let span = match (&s.first, &s.last) {
            (Some(a), Some(b)) => format!("{a} → {b}"),
            _ => "(no times)".to_owned(),
        };
        writeln!(
            out,
            "{:width$}  {:>10}  {:>7}  {span}",
            output::sanitize(&s.name),
            s.requests,
            s.imports
        )?;
    }
    Ok(())
}

fn stats_text(s: &RequestStats, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "set `{}`: {} requests from {} import(s)",
        output::sanitize(&s.set.name),
        s.set.requests,
        s.set.imports
    )?;
    if let (Some(a), Some(b)) = (&s.set.first, &s.set.last) {
        writeln!(out, "recorded {a} → {b}")?;
    }
    let section = |out: &mut dyn Write, title: &str, counts: &[Count]| -> std::io::Result<()> {
        writeln!(out, "\n{title}")?;
        for c in counts {
            writeln!(out, "  {:>9}  {}", c.count, output::sanitize(&c.value))?;
        }
        Ok(())
    };
    section(out, "replay grade", &s.grades)?;
    section(out, "recorded decision", &s.decisions)?;
    section(out, "action", &s.actions)?;
    section(out, "principal type", &s.principal_types)?;
    section(out, "resource type", &s.resource_types)?;
    section(out, "top principals", &s.top_principals)
}
