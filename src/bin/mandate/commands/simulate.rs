//! `mandate simulate`: loose files, or a stored set of a workspace; every output format.

use std::io::Write;
use std::path::PathBuf;

use mandate::api::dto::{Replayed, SideResult};
use mandate::api::{
    self, ApiResult, ChangedRow, ReplayHooks, ReplayOptions, ReportHeader, Session,
};
use serde::Serialize;

use super::io_error;
use crate::args::Format;
use crate::output;
use crate::ExitCode;

/// Changed requests listed in the human summary.
const SHOWN: usize = 20;
/// Rows of each breakdown in the human summary.
const TOP: usize = 8;

/// Loose files, or a stored set of a workspace.
pub enum Input<'a> {
    Files(&'a api::SimulateFiles),
    /// With `true`, the symbolic diff of the same sides too.
    Set(&'a Session, &'a ReplayOptions, &'a str, bool),
}

/// `--format json`: the totals and breakdowns, and the stored run's id with `--set`.
#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    run_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<&'a str>,
    summary: &'a api::dto::SimulateSummary,
    report: &'a api::dto::ReplayReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<&'a api::Analysis>,
}

const CSV_HEADER: [&str; 14] = [
    "id",
    "principal",
    "action",
    "resource",
    "time",
    "recorded",
    "baseline",
    "baseline_reasons",
    "baseline_errors",
    "candidate",
    "candidate_reasons",
    "candidate_errors",
    "changed",
    "line",
];

pub fn run(
    input: &Input<'_>,
    fail_on_change: bool,
    format: Format,
    out_file: Option<&PathBuf>,
    stdout: &mut dyn Write,
) -> ApiResult<ExitCode> {
    if !matches!(
        format,
        Format::Human | Format::Json | Format::Jsonl | Format::Csv | Format::Html
    ) {
        return Err(api::ApiError::new(
            mandate::ErrorCode::InvalidArgument,
            "simulate does not print this --format",
            Some("--format human, json, jsonl, csv or html"),
        ));
    }
    // With --out, everything is gathered and written atomically at the end.
    let mut buffer = Vec::new();
    let sink: &mut dyn Write = if out_file.is_some() {
        &mut buffer
    } else {
        stdout
    };
    // Standard output is line-buffered: unbuffered, every JSON Lines result would be its own
    // write call.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, sink);
    let out: &mut dyn Write = &mut buffered;
    let mut changed_rows: Vec<ChangedRow> = Vec::new();
    let keep_rows = match format {
        Format::Html => api::HTML_MAX_CHANGED_ROWS,
        Format::Human => SHOWN,
        _ => 0,
    };
    let mut csv = matches!(format, Format::Csv).then(|| csv::Writer::from_writer(Vec::new()));
    if let Some(w) = csv.as_mut() {
        w.write_record(CSV_HEADER).map_err(csv_error)?;
    }
    let mut each = |item: &api::ResultItem<'_>| -> std::io::Result<()> {
        let line = item.result;
        match format {
            Format::Jsonl => {
                serde_json::to_writer(&mut *out, line).map_err(std::io::Error::other)?;
                out.write_all(b"\n")
            }
            Format::Csv => {
                let Some(w) = csv.as_mut() else {
                    return Ok(());
                };
                let r = item.request;
                w.write_record([
                    line.id.as_str(),
                    &uid(&r.principal),
                    &r.action.1,
                    &uid(&r.resource),
                    r.time.as_deref().unwrap_or(""),
                    line.recorded.as_deref().unwrap_or(""),
                    &line.baseline.decision,
                    &line.baseline.reasons.join(" "),
                    &line.baseline.errors.join(" "),
                    &line.candidate.decision,
                    &line.candidate.reasons.join(" "),
                    &line.candidate.errors.join(" "),
                    if line.changed { "true" } else { "false" },
                    &item.line.to_string(),
                ])
                .map_err(std::io::Error::other)?;
                // Stream: hand over what the writer holds every so often.
                if w.get_ref().len() > 1 << 20 {
                    let full = std::mem::replace(w, csv::Writer::from_writer(Vec::new()));
                    let bytes = full.into_inner().map_err(|e| e.into_error())?;
                    out.write_all(&bytes)?;
                }
                Ok(())
            }
            _ => {
                if line.changed && changed_rows.len() < keep_rows {
                    changed_rows.push(ChangedRow {
                        id: line.id.clone(),
                        principal: uid(&item.request.principal),
                        action: item.request.action.1.clone(),
                        resource: uid(&item.request.resource),
                        baseline: line.baseline.clone(),
                        candidate: line.candidate.clone(),
                    });
                }
                Ok(())
            }
        }
    };
    let (replayed, run, requests) = match input {
        Input::Files(files) => (
            api::simulate(files, &mut each)?,
            None,
            files.requests.display().to_string(),
        ),
        Input::Set(session, opts, actor, _) => {
            let mut bar = output::Progress::items("replaying");
            let mut progress = |p: api::dto::ReplayProgress| bar.update(p.done, p.total);
            let run = session.replay_set(
                opts,
                actor,
                ReplayHooks {
                    each: Some(&mut each),
                    progress: Some(&mut progress),
                    cancel: None,
                },
            );
            bar.finish();
            let run = run?;
            let replayed = Replayed {
                summary: run.summary.clone(),
                report: run.report.clone(),
            };
            (replayed, Some(run), format!("set {} row", opts.set))
        }
    };
    let summary = &replayed.summary;
    // The symbolic diff of the same two sides, beside the replay.
    let analysis = match input {
        Input::Set(session, opts, _, true) => Some(session.analyze(
            &api::AnalyzeRequest {
                baseline: opts.baseline.clone(),
                candidate: opts.candidate.clone(),
                no_findings: true,
                ..api::AnalyzeRequest::default()
            },
            None,
        )?),
        _ => None,
    };
    match format {
        Format::Json => output::json(
            &JsonReport {
                run_id: run.as_ref().map(|r| r.id),
                digest: run.as_ref().and_then(|r| r.digest.as_deref()),
                summary,
                report: &replayed.report,
                analysis: analysis.as_ref(),
            },
            out,
        )
        .map_err(io_error)?,
        Format::Jsonl | Format::Csv => {
            if let Some(mut w) = csv {
                w.flush().map_err(io_error)?;
                out.write_all(w.get_ref()).map_err(io_error)?;
            }
            out.flush().map_err(io_error)?;
            // Results go to the output; bad records to standard error.
            let mut err = std::io::stderr().lock();
            for e in &summary.errors {
                let _ = writeln!(
                    err,
                    "{requests}:{}: {}",
                    e.line,
                    output::sanitize(&e.message)
                );
            }
        }
        Format::Html => {
            let header = match &run {
                Some(run) => api::run_header(run),
                None => ReportHeader {
                    title: "Replay".into(),
                    facts: match input {
                        Input::Files(f) => vec![
                            ("requests".into(), f.requests.display().to_string()),
                            ("baseline".into(), f.baseline.display().to_string()),
                            ("candidate".into(), f.candidate.display().to_string()),
                            ("schema".into(), f.schema.display().to_string()),
                            ("entities".into(), f.entities.display().to_string()),
                        ],
                        Input::Set(..) => Vec::new(),
                    },
                },
            };
            out.write_all(
                api::replay_html(&header, &replayed, &changed_rows, analysis.as_ref()).as_bytes(),
            )
            .map_err(io_error)?;
        }
        _ => {
            for e in &summary.errors {
                writeln!(
                    out,
                    "{requests}:{}: {}",
                    e.line,
                    output::sanitize(&e.message)
                )
                .map_err(io_error)?;
            }
            summary_text(&replayed, &changed_rows, out).map_err(io_error)?;
            if let Some(a) = &analysis {
                analysis_text(a, out).map_err(io_error)?;
            }
            if let Some(run) = &run {
                writeln!(
                    out,
                    "stored as run {}; `mandate review open --run {}` starts a review of it",
                    run.id, run.id
                )
                .map_err(io_error)?;
            }
        }
    }
    out.flush().map_err(io_error)?;
    drop(buffered);
    if let Some(path) = out_file {
        api::write_output_file(path, &String::from_utf8_lossy(&buffer))?;
    }
    Ok(if fail_on_change && summary.changed > 0 {
        ExitCode::Findings
    } else {
        ExitCode::Ok
    })
}

fn uid((ty, id): &(String, String)) -> String {
    format!("{ty}::{id:?}")
}

fn csv_error(e: csv::Error) -> api::ApiError {
    io_error(std::io::Error::other(e))
}

fn summary_text(r: &Replayed, shown: &[ChangedRow], out: &mut dyn Write) -> std::io::Result<()> {
    let s = &r.summary;
    writeln!(
        out,
        "{} requests replayed: {} changed ({} allow → deny, {} deny → allow, {} same decision with other reasons or errors)",
        s.requests, s.changed, s.allow_to_deny, s.deny_to_allow, s.reasons_changed
    )?;
    writeln!(
        out,
        "errors: {} request(s) with new policy errors, {} with errors resolved; recorded decision differs from the baseline on {}",
        s.new_errors, s.resolved_errors, s.drift
    )?;
    if s.skipped > 0 {
        writeln!(out, "{} bad record(s) skipped", s.skipped)?;
    }
    let report = &r.report;
    for (title, rows) in [
        ("by action", &report.by_action),
        ("by agent", &report.by_agent),
        ("by resource type", &report.by_resource_type),
    ] {
        let changed: Vec<_> = rows.iter().filter(|b| b.changed > 0).take(TOP).collect();
        if changed.is_empty() {
            continue;
        }
        writeln!(out, "changes {title}:")?;
        for b in changed {
            writeln!(
                out,
                "  {:<40} {:>7} of {:<7} ({} allow → deny, {} deny → allow)",
                output::sanitize(&b.key),
                b.changed,
                b.requests,
                b.allow_to_deny,
                b.deny_to_allow
            )?;
        }
    }
    let policies: Vec<_> = report
        .by_policy
        .iter()
        .filter(|p| p.changed > 0)
        .take(TOP)
        .collect();
    if !policies.is_empty() {
        writeln!(
            out,
            "policies behind the changes (hits baseline → candidate):"
        )?;
        for p in policies {
            writeln!(
                out,
                "  {:<40} {} → {}, {} changed",
                output::sanitize(&p.id),
                p.baseline_hits,
                p.candidate_hits,
                p.changed
            )?;
        }
    }
    if !report.all_changed.is_empty() {
        writeln!(
            out,
            "every hit changed: {}",
            output::sanitize(&report.all_changed.join(", "))
        )?;
    }
    if !report.never_fired.is_empty() {
        writeln!(
            out,
            "never fired (candidate): {}",
            output::sanitize(&report.never_fired.join(", "))
        )?;
    }
    if !shown.is_empty() {
        writeln!(out, "changed decisions:")?;
    }
    for row in shown {
        writeln!(
            out,
            "  {}: {} → {}  (baseline: {}; candidate: {})",
            output::sanitize(&row.id),
            row.baseline.decision,
            row.candidate.decision,
            side(&row.baseline),
            side(&row.candidate)
        )?;
    }
    if s.changed as usize > shown.len() {
        writeln!(
            out,
            "  … {} more; --format jsonl or csv lists every request, --format html makes a report page",
            s.changed as usize - shown.len()
        )?;
    }
    Ok(())
}

/// The determining policies, and the erroring ones when there are any.
fn side(s: &SideResult) -> String {
    let reasons = if s.reasons.is_empty() {
        "no policy".to_owned()
    } else {
        output::sanitize(&s.reasons.join(", "))
    };
    if s.errors.is_empty() {
        reasons
    } else {
        format!(
            "{reasons}, errors in {}",
            output::sanitize(&s.errors.join(", "))
        )
    }
}

/// The symbolic diff beside the replay: a line per environment, with one request each
/// non-equivalent one decides differently.
fn analysis_text(a: &api::Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "\nsymbolic analysis, {} ⇢ {} ({}):",
        output::sanitize(&a.baseline),
        output::sanitize(&a.candidate),
        output::sanitize(&a.solver.describe())
    )?;
    super::analyze::environments(a, true, out)
}
