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

/// A row of a framework's item table: an item, or a group (a NIST function or category, a
/// MAESTRO layer) heading the items under it, with its depth in the tree.
#[derive(Debug, Clone, Copy)]
pub struct OutlineRow<'a> {
    pub item: &'a ItemCoverage,
    pub depth: usize,
}

/// A framework's items as a tree, depth first, children in catalog order: each group is
/// followed by what it holds. Groups without an assessable item under them are left out;
/// an item whose parent is not in the framework is a root.
pub fn outline(fw: &FrameworkCoverage) -> Vec<OutlineRow<'_>> {
    let keys: std::collections::HashSet<&str> = fw.items.iter().map(|i| i.key.as_str()).collect();
    let mut children: BTreeMap<&str, Vec<&ItemCoverage>> = BTreeMap::new();
    let mut roots = Vec::new();
    for i in &fw.items {
        match i.parent.as_deref() {
            Some(p) if keys.contains(p) && p != i.key => children.entry(p).or_default().push(i),
            _ => roots.push(i),
        }
    }
    fn holds_items(
        i: &ItemCoverage,
        children: &BTreeMap<&str, Vec<&ItemCoverage>>,
        depth: usize,
    ) -> bool {
        i.assessable
            || (depth < 16
                && children
                    .get(i.key.as_str())
                    .is_some_and(|c| c.iter().any(|x| holds_items(x, children, depth + 1))))
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<(usize, &ItemCoverage)> = roots.into_iter().rev().map(|i| (0, i)).collect();
    while let Some((depth, i)) = stack.pop() {
        if !seen.insert(i.key.as_str()) || !holds_items(i, &children, 0) {
            continue;
        }
        out.push(OutlineRow { item: i, depth });
        if let Some(c) = children.get(i.key.as_str()) {
            stack.extend(c.iter().rev().map(|x| (depth + 1, *x)));
        }
    }
    // Items caught in a parent cycle are still listed, in catalog order.
    for i in fw.items.iter().filter(|i| i.assessable) {
        if seen.insert(i.key.as_str()) {
            out.push(OutlineRow { item: i, depth: 0 });
        }
    }
    out
}

/// The longest item text a report's table shows before cutting it (at a word, with `…`).
pub const ITEM_TEXT_CHARS: usize = 140;

/// What the item table says an item is: its title, or when it has none (NIST AI RMF) its
/// text, cut at a word past [`ITEM_TEXT_CHARS`]; `(unverified)` when the sources disagree.
/// Empty when the label already holds the title (`L7: Agent Tool Misuse`) and there is no
/// text.
pub fn item_title(item: &ItemCoverage) -> String {
    let title = one_line(&item.title);
    let mut out = if title.is_empty() || item.label.contains(&title) {
        shorten(&one_line(&item.text), ITEM_TEXT_CHARS)
    } else {
        title
    };
    if item.uncertain {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("(unverified)");
    }
    out
}

/// `s` cut to at most about `max` characters at a word boundary, with `…` when cut; a
/// single word longer than `max` is cut at `max`.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let head: String = s.chars().take(max).collect();
    let mut cut = match head.rfind(char::is_whitespace) {
        Some(n) if n > 0 => &head[..n],
        _ => return format!("{head}…"),
    };
    // Not a parenthesis opened and left hanging: `… a diverse team (e.g.…`.
    if let Some(n) = cut.rfind(char::is_whitespace) {
        let last = &cut[n..];
        if last.contains('(') && !last.contains(')') {
            cut = &cut[..n];
        }
    }
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

/// A status in words: `not applicable`, not the JSON `not-applicable`.
pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::NotApplicable => "not applicable",
        s => s.as_str(),
    }
}

/// A group's counts: `1 of 7 implemented, 3 partial`.
pub fn group_counts(item: &ItemCoverage) -> String {
    let mut out = format!("{} of {} implemented", item.implemented, item.applicable);
    if item.partial > 0 {
        let _ = std::fmt::Write::write_fmt(&mut out, format_args!(", {} partial", item.partial));
    }
    out
}

/// How much of a control's evidence holds: `2 of 5 pieces of evidence hold`, or
/// `no evidence`.
pub fn evidence_tally(control: &ControlCoverage) -> String {
    let n = control.evidence.len();
    if n == 0 {
        return "no evidence".into();
    }
    let holds = control
        .evidence
        .iter()
        .filter(|e| e.state == EvidenceState::Holds)
        .count();
    format!(
        "{holds} of {n} piece{} of evidence hold{}",
        if n == 1 { "" } else { "s" },
        if holds == 1 { "s" } else { "" }
    )
}

/// A control's mapping as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRow {
    /// The framework's short title (its id when the report does not hold it; `—` when the
    /// citation names no framework).
    pub framework: String,
    /// The item as a reader names it, or the citation as written when it names no item.
    pub item: String,
    pub relevance: String,
    /// Why it is not counted, when it is not.
    pub not_counted: Option<String>,
}

/// A control's mappings, as written in `controls.toml`.
pub fn mapping_rows(report: &CoverageReport, control: &ControlCoverage) -> Vec<MappingRow> {
    use super::resolve::Resolution;
    control
        .mappings
        .iter()
        .map(|m| {
            let fw = report.frameworks.iter().find(|f| f.id == m.framework);
            let item = m
                .key
                .as_deref()
                .and_then(|k| fw.and_then(|f| f.items.iter().find(|i| i.key == k)));
            let name = match (item, &m.label) {
                (Some(i), _) => item_name(i),
                (None, Some(l)) => l.clone(),
                (None, None) => m.written.clone(),
            };
            let not_counted = (!m.counted).then(|| match &m.resolution {
                Resolution::Unresolved { reason, .. } => one_line(reason),
                _ if item.is_some_and(|i| !i.assessable) => {
                    "a group of items, not an assessable item".into()
                }
                _ => "not an assessable item".into(),
            });
            MappingRow {
                framework: match fw {
                    Some(f) => f.short_title.clone(),
                    None if m.framework.trim().is_empty() => "—".into(),
                    None => m.framework.clone(),
                },
                item: name,
                relevance: m.relevance.clone(),
                not_counted,
            }
        })
        .collect()
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

/// A small report for the renderers' tests: one framework with a group and two items (one
/// marked not applicable), one control whose title, statement and evidence detail hold
/// markup, pipes and line breaks, and a citation naming no item.
#[cfg(test)]
pub(crate) fn sample_report() -> CoverageReport {
    use super::catalog::Origin;
    use super::coverage::{Evidence, MappingView};
    use super::resolve::Resolution;
    let item = |key: &str, parent: Option<&str>, assessable: bool, status: Status| {
        ItemCoverage {
        key: key.into(),
        label: key.into(),
        official_id: Some(key.into()),
        title: if assessable { format!("Title of {key}") } else { String::new() },
        text: "A group whose text is long enough to be cut somewhere in the middle of a sentence, at a word and not inside one, so that nothing reads individually.".into(),
        text_is_official: true,
        kind: if assessable { "risk" } else { "category" }.into(),
        parent: parent.map(Into::into),
        assessable,
        uncertain: false,
        status,
        controls: if key == "X1" { vec!["C-1".into()] } else { Vec::new() },
        justification: (status == Status::NotApplicable).then(|| "Not | ours\nat all".into()),
        applicable: 1,
        implemented: 0,
        partial: u32::from(key == "G"),
    }
    };
    CoverageReport {
        generated_at: "2026-01-01T00:00:00Z".into(),
        catalog_version: "test".into(),
        max_evidence_age_days: 90,
        traffic_set: None,
        frameworks: vec![FrameworkCoverage {
            id: "fw".into(),
            title: "A framework".into(),
            short_title: "FW".into(),
            version: "1".into(),
            publisher: String::new(),
            url: String::new(),
            origin: Origin::Custom,
            applicable: 1,
            implemented: 0,
            partial: 1,
            planned: 0,
            uncovered: 0,
            not_applicable: 1,
            percent: 0.0,
            items: vec![
                item("X2", Some("G"), true, Status::NotApplicable),
                item("G", None, false, Status::Partial),
                item("X1", Some("G"), true, Status::Partial),
            ],
        }],
        controls: vec![ControlCoverage {
            id: "C-1".into(),
            title: "<script>alert(1)</script> | title".into(),
            statement: "First line\nsecond | line".into(),
            status: Status::Partial,
            evidence: vec![
                Evidence {
                    kind: EvidenceKind::Policy,
                    subject: "p-1".into(),
                    state: EvidenceState::Holds,
                    detail: "decided 3 recorded request(s)".into(),
                    at: Some("2025-12-30T10:00:00Z".into()),
                    file: Some("policies/a.cedar".into()),
                    line: Some(7),
                },
                Evidence {
                    kind: EvidenceKind::Attestation,
                    subject: "Reviewed by | Alice".into(),
                    state: EvidenceState::Failing,
                    detail: "<script>x</script>\nexpired".into(),
                    at: Some("2025-01-01".into()),
                    file: None,
                    line: None,
                },
            ],
            mappings: vec![
                MappingView {
                    framework: "fw".into(),
                    key: Some("X1".into()),
                    label: Some("X1".into()),
                    written: "X1".into(),
                    relevance: "Covers | it".into(),
                    resolution: Resolution::Exact {
                        framework: "fw".into(),
                        key: "X1".into(),
                    },
                    counted: true,
                },
                MappingView {
                    framework: String::new(),
                    key: None,
                    label: None,
                    written: "FW T9".into(),
                    relevance: "Cited by a standard".into(),
                    resolution: Resolution::Unresolved {
                        reason: "`T9` is not an item of FW".into(),
                        suggestions: Vec::new(),
                    },
                    counted: false,
                },
            ],
        }],
        gaps: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_puts_items_under_their_groups_in_catalog_order() {
        let r = sample_report();
        let rows: Vec<(&str, usize)> = outline(&r.frameworks[0])
            .iter()
            .map(|x| (x.item.key.as_str(), x.depth))
            .collect();
        assert_eq!(rows, [("G", 0), ("X2", 1), ("X1", 1)]);
    }

    #[test]
    fn shorten_cuts_at_a_word() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("one two individually", 12), "one two…");
        assert_eq!(shorten("documented. More text", 13), "documented…");
        assert_eq!(shorten("abcdefghijkl", 5), "abcde…");
        assert_eq!(
            shorten("a diverse team (e.g. of people", 22),
            "a diverse team…"
        );
    }

    #[test]
    fn mappings_say_why_a_citation_is_not_counted() {
        let r = sample_report();
        let rows = mapping_rows(&r, &r.controls[0]);
        assert_eq!(rows[0].framework, "FW");
        assert_eq!(rows[0].item, "X1 Title of X1");
        assert_eq!(rows[0].not_counted, None);
        assert_eq!(rows[1].framework, "—");
        assert_eq!(rows[1].item, "FW T9");
        assert_eq!(
            rows[1].not_counted.as_deref(),
            Some("`T9` is not an item of FW")
        );
        assert_eq!(
            evidence_tally(&r.controls[0]),
            "1 of 2 pieces of evidence holds"
        );
    }

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
