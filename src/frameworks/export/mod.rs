//! Exports of a coverage report for compliance teams: CSV (the alignment table or the full
//! traceability matrix), JSON, Markdown, HTML that prints to PDF, and OSCAL (a
//! component-definition plus one catalog per framework, derived by Mandate).
//!
//! Pure functions over a [`CoverageReport`] and the [`Catalogs`] it was computed from: they
//! return the files' text and the caller writes them. Nothing here reads a clock; every
//! timestamp comes from the report, so the same report always exports to the same bytes.

pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod oscal;

use std::collections::BTreeMap;

use super::catalog::Catalogs;
use super::coverage::{
    ControlCoverage, CoverageReport, EvidenceKind, EvidenceState, FrameworkCoverage, Gap,
    ItemCoverage, Status,
};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Oscal,
    Markdown,
    Html,
}

impl Format {
    /// The names `parse` accepts, for help texts.
    pub const NAMES: &'static str = "csv, json, oscal, md or html";

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "oscal" => Some(Self::Oscal),
            "md" | "markdown" => Some(Self::Markdown),
            "html" => Some(Self::Html),
            _ => None,
        }
    }
}

/// Which table a CSV export holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Table {
    /// `Framework, Control / Reference, Relevance`: one row per counted mapping.
    Alignment,
    /// Item × control × evidence, every assessable item (the default).
    #[default]
    Matrix,
}

impl Table {
    pub const NAMES: &'static str = "alignment or matrix";

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "alignment" => Some(Self::Alignment),
            "matrix" => Some(Self::Matrix),
            _ => None,
        }
    }
}

/// What an export needs besides the report.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The workspace's name (`mandate.toml`), e.g. `Acme agent governance`.
    pub workspace: &'a str,
    /// The catalogs the report was computed from (aliases, notes and licences for OSCAL).
    pub catalogs: &'a Catalogs,
    /// The main file's name without its last extension: OSCAL writes the derived catalogs
    /// beside it as `<stem>.<framework-id>.catalog.json`.
    pub stem: &'a str,
}

/// Where a file of an export goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The file the user named.
    Main,
    /// Beside it, with this file name (OSCAL catalogs: `<stem>.<framework-id>.catalog.json`).
    Beside(String),
}

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub place: Place,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write CSV: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Renders `report` (already filtered with [`filter`] when the user picked a framework).
/// The main file comes first; OSCAL adds one catalog per framework after it.
pub fn render(
    report: &CoverageReport,
    ctx: &Context<'_>,
    format: Format,
    table: Table,
) -> Result<Vec<File>, ExportError> {
    let main = |text| {
        vec![File {
            place: Place::Main,
            text,
        }]
    };
    Ok(match format {
        Format::Csv => main(match table {
            Table::Alignment => csv::alignment(report)?,
            Table::Matrix => csv::matrix(report)?,
        }),
        Format::Json => main(json::report(report)?),
        Format::Markdown => main(markdown::report(report, ctx)),
        Format::Html => main(html::report(report, ctx)),
        Format::Oscal => oscal::export(report, ctx)?,
    })
}

/// The report restricted to one framework: that framework, the controls with a mapping to
/// it (only those mappings), and the gaps about it or about those controls. `None` when the
/// report has no such framework.
pub fn filter(report: &CoverageReport, framework: &str) -> Option<CoverageReport> {
    let fw = report.frameworks.iter().find(|f| f.id == framework)?;
    let controls: Vec<ControlCoverage> = report
        .controls
        .iter()
        .filter(|c| c.mappings.iter().any(|m| m.framework == framework))
        .map(|c| ControlCoverage {
            mappings: c
                .mappings
                .iter()
                .filter(|m| m.framework == framework)
                .cloned()
                .collect(),
            ..c.clone()
        })
        .collect();
    let gaps = report
        .gaps
        .iter()
        .filter(|g| match (&g.framework, &g.control) {
            (Some(f), _) => f == framework,
            (None, Some(c)) => controls.iter().any(|x| &x.id == c),
            (None, None) => false,
        })
        .cloned()
        .collect();
    Some(CoverageReport {
        frameworks: vec![fw.clone()],
        controls,
        gaps,
        ..report.clone()
    })
}

/// The OSCAL implementation state of a (framework item, control) pair: the control's own
/// status, unless the organisation marked the item not applicable. `None` for an item no
/// control maps to (it has no implemented requirement).
pub fn oscal_state(item: Status, control: Status) -> Option<&'static str> {
    match (item, control) {
        (Status::Uncovered, _) => None,
        (Status::NotApplicable, _) => Some("not-applicable"),
        (_, Status::Implemented) => Some("implemented"),
        (_, Status::Partial) => Some("partial"),
        (_, Status::Planned) => Some("planned"),
        (_, Status::NotApplicable) => Some("not-applicable"),
        (_, Status::Uncovered) => None,
    }
}

/// A counted mapping, as the alignment table shows it.
#[derive(Debug, Clone)]
pub struct Alignment<'a> {
    pub framework: &'a FrameworkCoverage,
    pub item: &'a ItemCoverage,
    pub control: &'a ControlCoverage,
    /// The mapping's relevance (several mappings of the same pair joined with `; `).
    pub relevance: String,
}

impl Alignment<'_> {
    /// The `Control / Reference` cell: `MND-CRED-01 → ASI03 Identity and Privilege Abuse`
    /// (the control, an arrow, then the item's label and, unless the label already holds
    /// it, its title).
    pub fn reference(&self) -> String {
        format!("{} → {}", self.control.id, item_name(self.item))
    }
}

/// An item as a reader names it: its label, then its title unless the label holds it
/// (`ASI03 Identity and Privilege Abuse`, `GOVERN 1.1`, `L7: Agent Tool Misuse`).
pub fn item_name(item: &ItemCoverage) -> String {
    let title = item.title.trim();
    if title.is_empty() || item.label.contains(title) {
        item.label.clone()
    } else {
        format!("{} {title}", item.label)
    }
}

/// The distinct controls mapped to an item, in the order they were mapped.
pub fn item_controls<'a>(
    report: &'a CoverageReport,
    item: &ItemCoverage,
) -> Vec<&'a ControlCoverage> {
    let mut out: Vec<&ControlCoverage> = Vec::new();
    for id in &item.controls {
        if out.iter().any(|c| &c.id == id) {
            continue;
        }
        if let Some(c) = report.controls.iter().find(|c| &c.id == id) {
            out.push(c);
        }
    }
    out
}

/// Every counted mapping: frameworks in catalog order, items in framework order, controls
/// in the order they map the item.
pub fn alignments(report: &CoverageReport) -> Vec<Alignment<'_>> {
    let mut out = Vec::new();
    for fw in &report.frameworks {
        for item in fw.items.iter().filter(|i| i.assessable) {
            for control in item_controls(report, item) {
                let mut relevance: Vec<&str> = Vec::new();
                for m in control.mappings.iter().filter(|m| {
                    m.counted && m.framework == fw.id && m.key.as_deref() == Some(item.key.as_str())
                }) {
                    let r = m.relevance.trim();
                    if !r.is_empty() && !relevance.contains(&r) {
                        relevance.push(r);
                    }
                }
                out.push(Alignment {
                    framework: fw,
                    item,
                    control,
                    relevance: relevance.join("; "),
                });
            }
        }
    }
    out
}

/// Gaps grouped by code (codes sorted), each group in report order. `framework`: only the
/// gaps about that framework; `None`: only the gaps about no framework.
pub fn gaps_by_code<'a>(
    report: &'a CoverageReport,
    framework: Option<&str>,
) -> BTreeMap<&'a str, Vec<&'a Gap>> {
    let mut out: BTreeMap<&str, Vec<&Gap>> = BTreeMap::new();
    for g in report
        .gaps
        .iter()
        .filter(|g| g.framework.as_deref() == framework)
    {
        out.entry(g.code.as_str()).or_default().push(g);
    }
    out
}

/// What a gap code means, as a group heading.
pub fn gap_heading(code: &str) -> &'static str {
    match code {
        "item.no_control" => "Items no control maps to",
        "control.no_evidence" => "Controls without evidence",
        "policy.missing" => "Policies a control lists that are not in the workspace",
        "policy.invalid" => "Policies that do not validate",
        "policy.never_fired" => "Policies that never decided a recorded request",
        "check.failing" => "Failing inventory checks",
        "insight.found" => "Findings in recorded traffic",
        "evidence.stale" => "Stale evidence",
        "attestation.expired" => "Expired attestations",
        "attestation.invalid" => "Invalid attestations",
        "mapping.unresolved" => "Citations naming no official item, not counted",
        "mapping.group" => "Mappings to groups of items, not counted",
        "not_applicable.unknown" => {
            "Not-applicable entries that name no item or lack a justification"
        }
        _ => "Other gaps",
    }
}

/// The items marked not applicable, with their justifications.
pub fn not_applicable(fw: &FrameworkCoverage) -> impl Iterator<Item = &ItemCoverage> {
    fw.items
        .iter()
        .filter(|i| i.assessable && i.status == Status::NotApplicable)
}

/// Text on one line: every run of whitespace (line breaks included) becomes one space.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An evidence kind as exports spell it (as in the JSON report).
pub fn kind_str(k: EvidenceKind) -> &'static str {
    match k {
        EvidenceKind::Policy => "policy",
        EvidenceKind::Check => "check",
        EvidenceKind::Insight => "insight",
        EvidenceKind::Analysis => "analysis",
        EvidenceKind::Attestation => "attestation",
    }
}

/// An evidence state as exports spell it (as in the JSON report).
pub fn state_str(s: EvidenceState) -> &'static str {
    match s {
        EvidenceState::Holds => "holds",
        EvidenceState::Stale => "stale",
        EvidenceState::Failing => "failing",
        EvidenceState::Missing => "missing",
    }
}

/// Where a piece of evidence is: `file:line`, `file`, or empty.
pub fn location(file: Option<&str>, line: Option<u32>) -> String {
    match (file, line) {
        (Some(f), Some(l)) => format!("{f}:{l}"),
        (Some(f), None) => f.to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_maps_to_oscal_implementation_states() {
        use Status::*;
        assert_eq!(oscal_state(Partial, Implemented), Some("implemented"));
        assert_eq!(oscal_state(Implemented, Implemented), Some("implemented"));
        assert_eq!(oscal_state(Partial, Partial), Some("partial"));
        assert_eq!(oscal_state(Planned, Planned), Some("planned"));
        // The organisation's judgement on the item wins over the control's state.
        assert_eq!(
            oscal_state(NotApplicable, Implemented),
            Some("not-applicable")
        );
        // An item no control maps to has no implemented requirement at all.
        assert_eq!(oscal_state(Uncovered, Planned), None);
    }

    #[test]
    fn formats_and_tables_parse() {
        assert_eq!(Format::parse("md"), Some(Format::Markdown));
        assert_eq!(Format::parse("oscal"), Some(Format::Oscal));
        assert_eq!(Format::parse("pdf"), None);
        assert_eq!(Table::parse("alignment"), Some(Table::Alignment));
        assert_eq!(Table::parse("rows"), None);
        assert_eq!(Table::default(), Table::Matrix);
    }

    #[test]
    fn one_line_collapses_breaks() {
        assert_eq!(one_line("  a\r\n b\tc  "), "a b c");
    }
}
