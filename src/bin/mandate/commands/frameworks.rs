//! `mandate frameworks list|show|import|import-mappings`.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use mandate::api::dto::{
    Diagnostic, FrameworkCatalog, FrameworkFormat, FrameworkImportOptions, FrameworkImportReport,
    FrameworkOrigin, FrameworksView, MappingImportReport, MappingOutcome, Severity,
};
use mandate::api::{ApiError, ApiResult};
use mandate::ErrorCode;

use super::agents::{wrong_format, Ctx};
use super::io_error;
use crate::args::{Format, FrameworksCommand, SourceFormat};
use crate::output::{self, sanitize};
use crate::ExitCode;

pub fn run(ctx: &mut Ctx<'_>, command: &FrameworksCommand) -> ApiResult<ExitCode> {
    if !matches!(ctx.format, Format::Human | Format::Json) {
        return Err(wrong_format("frameworks", "human or json"));
    }
    match command {
        FrameworksCommand::List => {
            let view = ctx.session.frameworks();
            match ctx.format {
                Format::Json => output::json(&view, ctx.out).map_err(io_error)?,
                _ => list(&view, ctx.shown, ctx.out).map_err(io_error)?,
            }
            let broken = view
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error);
            Ok(if broken {
                ExitCode::Findings
            } else {
                ExitCode::Ok
            })
        }
        FrameworksCommand::Show { id } => {
            let view = ctx.session.frameworks();
            let Some(f) = view.frameworks.iter().find(|f| f.id == *id) else {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("no framework `{id}`"),
                    Some("`mandate frameworks list` shows their ids"),
                ));
            };
            match ctx.format {
                Format::Json => output::json(f, ctx.out).map_err(io_error)?,
                _ => show(f, ctx.out).map_err(io_error)?,
            }
            Ok(ExitCode::Ok)
        }
        FrameworksCommand::Import {
            file,
            from,
            id,
            title,
            framework_version,
            publisher,
            dry_run,
        } => {
            let opts = FrameworkImportOptions {
                format: from.map(|f| match f {
                    SourceFormat::Json => FrameworkFormat::Json,
                    SourceFormat::Csv => FrameworkFormat::Csv,
                    SourceFormat::Oscal => FrameworkFormat::Oscal,
                }),
                id: id.clone(),
                title: title.clone(),
                version: framework_version.clone(),
                publisher: publisher.clone(),
                dry_run: *dry_run,
            };
            let report = ctx
                .session
                .import_framework(&absolute(file), &opts, &ctx.actor)?;
            match ctx.format {
                Format::Json => output::json(&report, ctx.out).map_err(io_error)?,
                _ => imported(&report, file, ctx.out).map_err(io_error)?,
            }
            Ok(ExitCode::Ok)
        }
        FrameworksCommand::ImportMappings { file, dry_run } => {
            let report = ctx
                .session
                .import_mappings(&absolute(file), *dry_run, &ctx.actor)?;
            match ctx.format {
                Format::Json => output::json(&report, ctx.out).map_err(io_error)?,
                _ => mappings(&report, file, ctx.out).map_err(io_error)?,
            }
            Ok(if report.invalid > 0 {
                ExitCode::Findings
            } else {
                ExitCode::Ok
            })
        }
    }
}

/// The file as the core is given it: absolute, so that the problems it locates name a path
/// that works from anywhere (paths in diagnostics are otherwise shown under `--workspace`).
fn absolute(file: &Path) -> PathBuf {
    std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf())
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn table(header: &[&str], rows: &[Vec<String>], out: &mut dyn Write) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    writeln!(out, "{}", line(&header))?;
    for r in rows {
        writeln!(out, "{}", line(r))?;
    }
    Ok(())
}

fn list(view: &FrameworksView, shown: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> = view
        .frameworks
        .iter()
        .map(|f| {
            vec![
                sanitize(&f.id),
                sanitize(&f.short_title),
                short_version(&f.version),
                match f.origin {
                    FrameworkOrigin::BuiltIn => "built-in".to_owned(),
                    FrameworkOrigin::Custom => "custom".to_owned(),
                },
                f.items.iter().filter(|i| i.assessable).count().to_string(),
            ]
        })
        .collect();
    table(&["ID", "TITLE", "VERSION", "ORIGIN", "ITEMS"], &rows, out)?;
    for d in &view.diagnostics {
        writeln!(out, "{}", output::diagnostic_line(d, shown, false))?;
    }
    writeln!(
        out,
        "{} (built-in catalog data {}); ITEMS counts the assessable ones",
        plural(view.frameworks.len(), "framework"),
        view.catalog_version
    )
}

/// A version for a table: the part before a parenthetical remark (`show` has the rest).
fn short_version(version: &str) -> String {
    let short = version.split(" (").next().unwrap_or_default().trim();
    if short.is_empty() {
        "—".to_owned()
    } else {
        sanitize(short)
    }
}

fn show(f: &FrameworkCatalog, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{} — {}", sanitize(&f.id), sanitize(&f.title))?;
    let origin = match f.origin {
        FrameworkOrigin::BuiltIn => "built-in",
        FrameworkOrigin::Custom => "custom",
    };
    let mut facts = Vec::new();
    if !f.version.is_empty() {
        facts.push(format!("version {}", sanitize(&f.version)));
    }
    if !f.publisher.is_empty() {
        facts.push(sanitize(&f.publisher));
    }
    facts.push(origin.to_owned());
    facts.push(plural(
        f.items.iter().filter(|i| i.assessable).count(),
        "assessable item",
    ));
    writeln!(out, "  {}", facts.join(", "))?;
    if !f.url.is_empty() {
        writeln!(out, "  {}", sanitize(&f.url))?;
    }
    // Roots are the items without a (known) parent; `seen` keeps a bad file from looping.
    let keys: HashSet<&str> = f.items.iter().map(|i| i.key.as_str()).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack: Vec<(&str, usize)> = f
        .items
        .iter()
        .filter(|i| i.parent.as_deref().is_none_or(|p| !keys.contains(p)))
        .map(|i| (i.key.as_str(), 0))
        .rev()
        .collect();
    while let Some((key, depth)) = stack.pop() {
        if !seen.insert(key) {
            continue;
        }
        let Some(item) = f.items.iter().find(|i| i.key == key) else {
            continue;
        };
        // Shown by label: for MAESTRO threats the label (layer and name) is the only official
        // form, never the internal key. A label that already holds the title shows once.
        let text = if item.title.is_empty() {
            first_sentence(&item.text)
        } else {
            item.title.clone()
        };
        let mut line = format!("{}{}", "  ".repeat(depth), sanitize(&item.label));
        if !text.is_empty() && !item.label.ends_with(&text) {
            line.push_str("  ");
            line.push_str(&sanitize(&text));
        }
        if item.uncertain {
            line.push_str("  (unverified)");
        }
        if item.notes == "withdrawn" {
            line.push_str("  (withdrawn)");
        }
        writeln!(out, "{line}")?;
        for child in f
            .items
            .iter()
            .filter(|i| i.parent.as_deref() == Some(key))
            .rev()
        {
            stack.push((child.key.as_str(), depth + 1));
        }
    }
    Ok(())
}

/// The text's first sentence, at most 100 characters: what a tree line can hold.
fn first_sentence(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = one_line
        .split_inclusive(". ")
        .next()
        .unwrap_or_default()
        .trim_end();
    if sentence.chars().count() > 100 {
        let cut: String = sentence.chars().take(99).collect();
        format!("{}…", cut.trim_end())
    } else {
        sentence.to_owned()
    }
}

fn imported(r: &FrameworkImportReport, file: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let f = &r.framework;
    let what = format!(
        "framework `{}` ({}{}) from {} ({}), {}, {} assessable",
        sanitize(&f.id),
        sanitize(&f.title),
        if f.version.is_empty() {
            String::new()
        } else {
            format!(", version {}", sanitize(&f.version))
        },
        sanitize(&file.display().to_string()),
        match r.format {
            FrameworkFormat::Json => "json",
            FrameworkFormat::Csv => "csv",
            FrameworkFormat::Oscal => "oscal",
        },
        plural(r.item_count as usize, "item"),
        r.assessable_count
    );
    let replaces = if r.replaced {
        " (replacing the workspace's earlier version)"
    } else {
        ""
    };
    if r.written {
        writeln!(out, "imported {what} → {}{replaces}", r.path)?;
    } else {
        writeln!(
            out,
            "dry run: would write {}{replaces}: {what}; nothing written",
            r.path
        )?;
    }
    if !r.stale_mappings.is_empty() {
        writeln!(
            out,
            "warning: {} name items this framework does not have (`mandate check` and coverage report them):",
            plural(r.stale_mappings.len(), "mapping")
        )?;
        for m in &r.stale_mappings {
            writeln!(out, "  {}", sanitize(m))?;
        }
    }
    Ok(())
}

fn mappings(r: &MappingImportReport, file: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let name = sanitize(&file.display().to_string());
    let help_at =
        |line: u32| -> Vec<&Diagnostic> { r.problems.iter().filter(|d| d.line == line).collect() };
    for row in &r.rows {
        let at = format!("{name}:{}", row.line);
        let control = sanitize(&row.control);
        let cited = sanitize(&row.cited);
        let duplicate = if row.duplicate {
            " — already mapped, not added again"
        } else {
            ""
        };
        let target = || {
            format!(
                "{} {}",
                sanitize(row.framework.as_deref().unwrap_or_default()),
                sanitize(row.item.as_deref().unwrap_or_default())
            )
        };
        match row.outcome {
            MappingOutcome::Exact => {
                write!(out, "{at}: {control}: `{cited}` → {} (exact)", target())?;
                if let Some(note) = &row.note {
                    write!(out, "; {}", sanitize(note))?;
                }
                writeln!(out, "{duplicate}")?;
            }
            MappingOutcome::Variant => writeln!(
                out,
                "{at}: {control}: `{cited}` → {} (variant: {}){duplicate}",
                target(),
                sanitize(row.note.as_deref().unwrap_or_default())
            )?,
            MappingOutcome::Unresolved => {
                writeln!(
                    out,
                    "{at}: {control}: `{cited}` unresolved, kept as cited and not counted: {}{duplicate}",
                    sanitize(row.reason.as_deref().unwrap_or_default())
                )?;
                for s in &row.suggestions {
                    writeln!(
                        out,
                        "  suggestion: {} ({}): {} — {}",
                        sanitize(&s.label),
                        sanitize(&s.framework),
                        sanitize(&s.title),
                        sanitize(&s.why)
                    )?;
                }
            }
            MappingOutcome::Invalid => {
                writeln!(
                    out,
                    "{at}: error: {} — row skipped",
                    sanitize(row.reason.as_deref().unwrap_or_default())
                )?;
                for d in help_at(row.line) {
                    if let Some(help) = &d.help {
                        writeln!(out, "  help: {}", sanitize(help))?;
                    }
                }
            }
        }
    }
    if !r.ignored_columns.is_empty() {
        writeln!(
            out,
            "note: columns not read: {}",
            sanitize(&r.ignored_columns.join(", "))
        )?;
    }
    let mut summary = format!(
        "{}: {} exact, {} variant, {} unresolved (kept as cited, not counted), {} invalid (skipped); {} added, {}",
        plural(r.rows.len(), "row"),
        r.exact,
        r.variant,
        r.unresolved,
        r.invalid,
        plural(r.added as usize, "mapping"),
        plural(r.duplicates as usize, "duplicate"),
    );
    if !r.adopted.is_empty() {
        summary.push_str(&format!(
            "; library controls adopted: {}",
            sanitize(&r.adopted.join(", "))
        ));
    }
    let verdict = if r.written {
        "written to controls/controls.toml"
    } else if r.dry_run {
        "dry run: nothing written"
    } else {
        "nothing to write"
    };
    writeln!(out, "{summary} — {verdict}")
}
