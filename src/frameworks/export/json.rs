//! The JSON export: the coverage report itself (filtered to one framework when asked),
//! pretty-printed. Its order is the report's: frameworks and items in catalog order,
//! controls in file order, gaps as computed — stable from one export to the next.

use super::ExportError;
use crate::frameworks::coverage::CoverageReport;

pub fn report(report: &CoverageReport) -> Result<String, ExportError> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}
