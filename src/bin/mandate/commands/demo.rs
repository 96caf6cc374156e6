//! `mandate demo`: a fresh copy of the demo organisation, or its recorded traffic alone.

use std::io::Write;
use std::path::Path;

use mandate::api::{self, ApiResult, DemoWritten, TrafficSummary};

use super::io_error;
use crate::args::Format;
use crate::output::{self, sanitize};
use crate::ExitCode;

/// `mandate demo`'s flags, as given.
pub struct Args<'a> {
    pub dir: Option<&'a Path>,
    pub requests: usize,
    pub seed: u64,
    /// `None` with `--no-import`.
    pub set: Option<&'a str>,
    pub traffic: Option<&'a Path>,
}

pub fn run(
    args: &Args<'_>,
    actor: &str,
    format: Format,
    out: &mut dyn Write,
) -> ApiResult<ExitCode> {
    if !matches!(format, Format::Human | Format::Json) {
        return Err(api::ApiError::new(
            mandate::ErrorCode::InvalidArgument,
            "demo does not print this --format",
            Some("--format human or json"),
        ));
    }
    if let Some(file) = args.traffic {
        let summary = api::write_demo_traffic(file, args.requests, args.seed)?;
        match format {
            Format::Json => output::json(&summary, out),
            _ => traffic_text(&summary, file, out),
        }
        .map_err(io_error)?;
        return Ok(ExitCode::Ok);
    }
    let Some(dir) = args.dir else {
        return Err(api::ApiError::new(
            mandate::ErrorCode::InvalidArgument,
            "demo needs a folder, or --traffic FILE",
            Some("`mandate demo acme-demo` writes the demo into a new folder"),
        ));
    };
    let opts = api::DemoOptions {
        requests: args.requests,
        seed: args.seed,
        set: args.set.map(str::to_owned),
    };
    let written = api::write_demo(dir, &opts, actor)?;
    match format {
        Format::Json => output::json(&written, out),
        _ => written_text(&written, out),
    }
    .map_err(io_error)?;
    Ok(ExitCode::Ok)
}

/// `12345` as `12,345`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The recorded window as days: `2026-11-02 … 2026-11-22`.
fn span(t: &TrafficSummary) -> String {
    let day = |s: &str| s.get(..10).unwrap_or(s).to_owned();
    format!("{} … {}", day(&t.first), day(&t.last))
}

fn traffic_line(t: &TrafficSummary) -> String {
    format!(
        "{} recorded requests, {} (seed {}): {} tasks of {} agents; as production decided them, {} allowed and {} denied ({} drifted from the revision)",
        grouped(t.requests),
        span(t),
        t.seed,
        grouped(t.tasks),
        t.agents,
        grouped(t.allowed),
        grouped(t.denied),
        grouped(t.drifted),
    )
}

fn traffic_text(t: &TrafficSummary, file: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "wrote {}", sanitize(&file.display().to_string()))?;
    writeln!(out, "  {}", traffic_line(t))
}

fn written_text(w: &DemoWritten, out: &mut dyn Write) -> std::io::Result<()> {
    let root = sanitize(&w.root);
    writeln!(
        out,
        "wrote the demo organisation `{}` to {root}",
        sanitize(&w.name)
    )?;
    writeln!(
        out,
        "  {} agents in {} teams, {} people, {} tools, {} datasets, {} models",
        w.agents, w.teams, w.humans, w.tools, w.datasets, w.models
    )?;
    let links = match w.links {
        0 => String::new(),
        1 => " and 1 template link".to_owned(),
        n => format!(" and {n} template links"),
    };
    writeln!(
        out,
        "  {} policies{links} in policies/ (the working copy); the revision production ran in {}/",
        w.policies, w.previous_revision
    )?;
    writeln!(out, "  {}: {}", w.traffic_file, traffic_line(&w.traffic))?;
    match (&w.set, w.imported) {
        (Some(set), Some(kept)) => writeln!(
            out,
            "  imported into the request set `{}` ({} records, .mandate/mandate.db)",
            sanitize(set),
            grouped(kept)
        )?,
        _ => writeln!(
            out,
            "  not imported: `mandate --workspace {root} requests import {} --set production`",
            w.traffic_file
        )?,
    }
    let set = w
        .set
        .as_deref()
        .map_or_else(|| "production".to_owned(), sanitize);
    writeln!(out, "next:")?;
    writeln!(out, "  mandate-desktop {root}")?;
    writeln!(
        out,
        "      open it in the app (or Open workspace… in a running app)"
    )?;
    writeln!(out, "  cd {root} && mandate check")?;
    writeln!(out, "      the planted accountability gaps")?;
    writeln!(
        out,
        "  cd {root} && mandate simulate --set {set} --baseline {}",
        w.previous_revision
    )?;
    writeln!(
        out,
        "      what the working copy changes against the policies production ran"
    )?;
    writeln!(out, "  cd {root} && mandate insights --set {set}")?;
    writeln!(out, "      what the agents did that they should not have")
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(50_000), "50,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
