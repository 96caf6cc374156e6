//! `mandate simulate` on loose files.

use std::io::Write;

use mandate::api::dto::SimulateSummary;
use mandate::api::{self, ApiResult, ReplayOptions, Session, SimulateFiles};

use super::io_error;
use crate::args::Format;
use crate::output;
use crate::ExitCode;

/// Changed requests listed in the human summary.
const SHOWN: usize = 20;

/// Loose files, or a stored set of a workspace.
pub enum Input<'a> {
    Files(&'a SimulateFiles),
    Set(&'a Session, &'a ReplayOptions),
}

pub fn run(
    input: &Input<'_>,
    fail_on_change: bool,
    format: Format,
    out: &mut dyn Write,
) -> ApiResult<ExitCode> {
    // Standard output is line-buffered: unbuffered, every JSON Lines result would be its own
    // write call.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    let out = &mut buffered;
    let mut shown = Vec::new();
    let mut each = |line: &api::dto::ReplayLine| match format {
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, line).map_err(std::io::Error::other)?;
            out.write_all(b"\n")
        }
        _ => {
            if line.changed && shown.len() < SHOWN {
                shown.push(line.clone());
            }
            Ok(())
        }
    };
    let (summary, requests) = match input {
        Input::Files(files) => (
            api::simulate(files, &mut each)?,
            files.requests.display().to_string(),
        ),
        Input::Set(session, opts) => (
            session.replay_set(opts, &mut each)?,
            format!("set {} row", opts.set),
        ),
    };
    match format {
        Format::Json => output::json(&summary, out).map_err(io_error)?,
        Format::Jsonl => {
            out.flush().map_err(io_error)?;
            // Results go to standard output; bad records to standard error.
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
            summary_text(&summary, &shown, out).map_err(io_error)?;
        }
    }
    out.flush().map_err(io_error)?;
    Ok(if fail_on_change && summary.changed > 0 {
        ExitCode::Findings
    } else {
        ExitCode::Ok
    })
}

fn summary_text(
    s: &SimulateSummary,
    shown: &[api::dto::ReplayLine],
    out: &mut dyn Write,
) -> std::io::Result<()> {
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
    for line in shown {
        writeln!(
            out,
            "  {}: {} → {}  (baseline: {}; candidate: {})",
            output::sanitize(&line.id),
            line.baseline.decision,
            line.candidate.decision,
            side(&line.baseline),
            side(&line.candidate)
        )?;
    }
    if s.changed as usize > shown.len() {
        writeln!(
            out,
            "  … {} more; --format jsonl lists every request",
            s.changed as usize - shown.len()
        )?;
    }
    Ok(())
}

/// The determining policies, and the erroring ones when there are any.
fn side(s: &api::dto::SideResult) -> String {
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
