//! `mandate export`: framework coverage as CSV, JSON, OSCAL, Markdown or HTML files.

use std::path::Path;

use mandate::api::dto::ExportRequest;
use mandate::api::ApiResult;

use super::agents::{wrong_format, Ctx};
use super::io_error;
use crate::args::{Format, TableArg};
use crate::output::sanitize;
use crate::ExitCode;

pub fn run(
    ctx: &mut Ctx<'_>,
    framework: Option<&str>,
    table: Option<TableArg>,
    out: &Path,
) -> ApiResult<ExitCode> {
    let format = match ctx.format {
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Oscal => "oscal",
        Format::Md => "md",
        Format::Html => "html",
        _ => return Err(wrong_format("export", "csv, json, oscal, md or html")),
    };
    let req = ExportRequest {
        format: format.to_owned(),
        framework: framework.map(str::to_owned),
        table: table.map(|t| {
            match t {
                TableArg::Alignment => "alignment",
                TableArg::Matrix => "matrix",
            }
            .to_owned()
        }),
        out: out.display().to_string(),
    };
    let result = ctx.session.export_coverage(&req, None)?;
    for f in &result.files {
        writeln!(ctx.out, "wrote {}", sanitize(f)).map_err(io_error)?;
    }
    Ok(ExitCode::Ok)
}
