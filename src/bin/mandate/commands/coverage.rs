//! `mandate coverage`.

use std::path::Path;

use mandate::api::{self, ApiError, ApiResult};

use super::agents::{wrong_format, Ctx};
use super::{emit, io_error};
use crate::args::Format;
use crate::output::{self, terminal};
use crate::ExitCode;

pub fn run(
    ctx: &mut Ctx<'_>,
    framework: Option<&str>,
    fail_under: Option<f64>,
    out: Option<&Path>,
) -> ApiResult<ExitCode> {
    if let Some(p) = fail_under {
        if !(0.0..=100.0).contains(&p) {
            return Err(ApiError::new(
                api::dto::ErrorCode::InvalidArgument,
                format!("--fail-under `{p}` is not a percentage"),
                Some("give a number from 0 to 100, e.g. `--fail-under 80`"),
            ));
        }
    }
    let mut report = ctx.session.coverage(None)?;
    if let Some(f) = framework {
        api::coverage_only(&mut report, f)?;
    }
    let text = match ctx.format {
        Format::Human => terminal(&api::coverage_text(&report)),
        Format::Json => {
            let mut buf = Vec::new();
            output::json(&report, &mut buf).map_err(io_error)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        _ => {
            return Err(wrong_format(
                "coverage",
                "human or json (`mandate export` writes CSV, OSCAL, Markdown and HTML)",
            ))
        }
    };
    emit(&text, out, ctx.out)?;
    Ok(match fail_under {
        Some(p) if report.frameworks.iter().any(|f| f.percent < p) => ExitCode::Findings,
        _ => ExitCode::Ok,
    })
}
