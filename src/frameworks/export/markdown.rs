//! The Markdown report: a coverage summary of every framework, then per framework its
//! coverage, every assessable item with its status and the controls mapped to it (under its
//! NIST function and category or MAESTRO layer), the alignment table, its gaps grouped by
//! code and the items marked not applicable with their justifications; then every control
//! with its status, statement, evidence and mappings; last, the gaps about no framework.
//! Text typed by people is escaped so it cannot break a table or inject HTML into a
//! rendered page.

use std::fmt::Write as _;

use super::{
    alignments, evidence_tally, gap_heading, gaps_by_code, group_counts, item_controls, item_title,
    kind_str, location, mapping_rows, not_applicable, one_line, outline, state_str, status_word,
    Context,
};
use crate::frameworks::coverage::{
    ControlCoverage, CoverageReport, FrameworkCoverage, Gap, ItemCoverage, Status,
};

/// Inline text: one line, no raw HTML (a `<` is written as an entity; `&` stays readable).
fn inline(s: &str) -> String {
    one_line(s).replace('<', "&lt;")
}

/// A table cell: inline text with its pipes escaped.
fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

/// `20.0% (2 of 10)`.
pub(super) fn coverage_cell(fw: &FrameworkCoverage) -> String {
    format!(
        "{:.1}% ({} of {})",
        fw.percent, fw.implemented, fw.applicable
    )
}

/// How the report was made, as the lines under the title say it.
pub(super) fn facts(report: &CoverageReport, ctx: &Context<'_>) -> Vec<(String, String)> {
    vec![
        ("Workspace".into(), ctx.workspace.to_owned()),
        ("Generated".into(), report.generated_at.clone()),
        (
            "Catalog data".into(),
            format!("Mandate {}", report.catalog_version),
        ),
        (
            "Evidence".into(),
            format!(
                "counts for {} days; traffic: {}",
                report.max_evidence_age_days,
                match &report.traffic_set {
                    Some(s) => format!("request set {s}"),
                    None => "none recorded".into(),
                }
            ),
        ),
    ]
}

/// What the statuses mean, once, under the title.
pub(super) const STATUS_NOTE: &str = "Statuses are derived from evidence, never typed in: a control is implemented when all of its evidence holds (policies that validate and decide recent recorded traffic or are proved by analysis, inventory checks that pass on the inventory's agents, traffic insights with no finding or whose attempts were all denied, unexpired attestations), partial when some does or when a check or insight sees it operating with failures, planned when nothing of it operates yet. An item is implemented when every control mapped to it is, uncovered when no control maps to it; coverage is implemented items over applicable items.";

pub fn report(report: &CoverageReport, ctx: &Context<'_>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Framework coverage: {}\n", inline(ctx.workspace));
    for (k, v) in facts(report, ctx) {
        let _ = writeln!(s, "- **{k}:** {}", inline(&v));
    }
    let _ = writeln!(s, "\n{STATUS_NOTE}\n");

    s.push_str("## Summary\n\n");
    s.push_str(
        "| Framework | Coverage | Implemented | Partial | Planned | Uncovered | Not applicable |\n",
    );
    s.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for fw in &report.frameworks {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&fw.short_title),
            coverage_cell(fw),
            fw.implemented,
            fw.partial,
            fw.planned,
            fw.uncovered,
            fw.not_applicable
        );
    }

    let rows = alignments(report);
    for fw in &report.frameworks {
        let _ = writeln!(s, "\n## {}\n", inline(&fw.short_title));
        let mut about = vec![
            inline(&fw.title),
            format!("version {}", inline(&fw.version)),
        ];
        if !fw.publisher.is_empty() {
            about.push(inline(&fw.publisher));
        }
        let _ = writeln!(s, "{}.", about.join("; "));
        if !fw.url.is_empty() {
            let _ = writeln!(s, "Source: <{}>", fw.url.replace(['<', '>', ' '], ""));
        }
        let _ = writeln!(
            s,
            "\nCoverage **{:.1}%**: {} of {} applicable items implemented, {} partial, {} planned, {} uncovered; {} not applicable.",
            fw.percent, fw.implemented, fw.applicable, fw.partial, fw.planned, fw.uncovered, fw.not_applicable
        );

        items(&mut s, report, fw);

        s.push_str("\n### Alignment\n\n");
        let mine: Vec<_> = rows.iter().filter(|a| a.framework.id == fw.id).collect();
        if mine.is_empty() {
            s.push_str("No control maps to this framework yet.\n");
        } else {
            s.push_str("| Framework | Control / Reference | Relevance |\n|---|---|---|\n");
            for a in mine {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} |",
                    cell(&fw.short_title),
                    cell(&a.reference()),
                    cell(&a.relevance)
                );
            }
        }

        s.push_str("\n### Gaps\n\n");
        gaps(&mut s, report, Some(&fw.id), "####");

        let na: Vec<_> = not_applicable(fw).collect();
        if !na.is_empty() {
            s.push_str("\n### Not applicable\n\n| Item | Justification |\n|---|---|\n");
            for i in na {
                let _ = writeln!(
                    s,
                    "| {} | {} |",
                    cell(&super::item_name(i)),
                    cell(i.justification.as_deref().unwrap_or(""))
                );
            }
        }
    }

    controls(&mut s, report);

    s.push_str("\n## Gaps in controls and evidence\n\n");
    gaps(&mut s, report, None, "###");
    s
}

/// An item's status cell: the word, and for an item marked not applicable its
/// justification.
pub(super) fn item_status(item: &ItemCoverage) -> String {
    match justification(item) {
        Some(j) => format!("not applicable: {j}"),
        None => status_word(item.status).to_owned(),
    }
}

/// Why a not-applicable item is not applicable, on one line (`None` for any other item, or
/// one with no justification written).
pub(super) fn justification(item: &ItemCoverage) -> Option<String> {
    match (&item.status, item.justification.as_deref().map(str::trim)) {
        (Status::NotApplicable, Some(j)) if !j.is_empty() => Some(one_line(j)),
        _ => None,
    }
}

/// The framework's item table: every assessable item in tree order, each group (a NIST
/// function or category, a MAESTRO layer) as a bold row with its counts.
fn items(s: &mut String, report: &CoverageReport, fw: &FrameworkCoverage) {
    s.push_str("\n### Items\n\n");
    let rows = outline(fw);
    if rows.is_empty() {
        s.push_str("This framework has no assessable item.\n");
        return;
    }
    s.push_str("| Item | Title | Status | Controls |\n|---|---|---|---|\n");
    for r in rows {
        let i = r.item;
        if i.assessable {
            let controls: Vec<String> = item_controls(report, i)
                .iter()
                .map(|c| format!("{} ({})", c.id, status_word(c.status)))
                .collect();
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                cell(&i.label),
                cell(&item_title(i)),
                cell(&item_status(i)),
                cell(&controls.join(", "))
            );
        } else {
            let _ = writeln!(
                s,
                "| **{}** | *{}* | {} | |",
                cell(&i.label),
                cell(&item_title(i)),
                cell(&group_counts(i))
            );
        }
    }
}

/// Every control: status, statement, its evidence and its mappings.
fn controls(s: &mut String, report: &CoverageReport) {
    s.push_str("\n## Controls\n\n");
    if report.controls.is_empty() {
        s.push_str("No control is defined (`controls/controls.toml`).\n");
        return;
    }
    s.push_str(EVIDENCE_NOTE);
    s.push('\n');
    for c in &report.controls {
        control(s, report, c);
    }
}

/// What the evidence tables show, once, above the controls.
pub(super) const EVIDENCE_NOTE: &str = "Each control's evidence: the policies that enforce it (with their file and line), the inventory checks and traffic insights that watch it, analyses and attestations. A piece of evidence holds, is stale (held longer ago than the evidence age), failing, or missing.";

fn control(s: &mut String, report: &CoverageReport, c: &ControlCoverage) {
    let _ = writeln!(s, "\n### {} {}\n", inline(&c.id), inline(&c.title));
    let _ = writeln!(
        s,
        "**Status: {}** ({}).\n",
        status_word(c.status),
        evidence_tally(c)
    );
    if !c.statement.trim().is_empty() {
        let _ = writeln!(s, "{}\n", inline(&c.statement));
    }
    if c.evidence.is_empty() {
        s.push_str("Evidence: none.\n");
    } else {
        s.push_str(
            "| Evidence | Subject | State | Detail | When | Where |\n|---|---|---|---|---|---|\n",
        );
        for e in &c.evidence {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                kind_str(e.kind),
                cell(&e.subject),
                state_str(e.state),
                cell(&e.detail),
                cell(e.at.as_deref().unwrap_or("")),
                cell(&location(e.file.as_deref(), e.line))
            );
        }
    }
    let maps = mapping_rows(report, c);
    if maps.is_empty() {
        s.push_str("\nMappings: none; this control maps to no framework item.\n");
    } else {
        s.push_str("\n| Framework | Mapped item | Relevance |\n|---|---|---|\n");
        for m in maps {
            let item = match &m.not_counted {
                Some(why) => format!("{} — not counted: {why}", m.item),
                None => m.item,
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                cell(&m.framework),
                cell(&item),
                cell(&m.relevance)
            );
        }
    }
}

fn gaps(s: &mut String, report: &CoverageReport, framework: Option<&str>, level: &str) {
    let groups = gaps_by_code(report, framework);
    if groups.is_empty() {
        s.push_str("None.\n");
        return;
    }
    let mut first = true;
    for (code, list) in groups {
        if !first {
            s.push('\n');
        }
        first = false;
        let _ = writeln!(
            s,
            "{level} {} (`{code}`, {})\n",
            gap_heading(code),
            list.len()
        );
        let same_hint = list.windows(2).all(|w| w[0].hint == w[1].hint);
        if code == "item.no_control" {
            let items: Vec<String> = list
                .iter()
                .map(|g| inline(g.item.as_deref().unwrap_or(&g.message)))
                .collect();
            let _ = writeln!(s, "{}.", items.join(", "));
        } else {
            for g in &list {
                let _ = writeln!(s, "- {}", line(g, !same_hint));
            }
        }
        if same_hint {
            if let Some(g) = list.first() {
                let _ = writeln!(s, "\nFix: {}.", inline(&g.hint));
            }
        }
    }
}

fn line(g: &Gap, with_hint: bool) -> String {
    let mut out = inline(&g.message);
    if let Some(f) = &g.file {
        let at = super::location(Some(f), g.line);
        let _ = write!(out, " ({})", inline(&at));
    }
    if with_hint {
        let _ = write!(out, " — fix: {}", inline(&g.hint));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_tables_or_inject_html() {
        assert_eq!(cell("a | b\n<script>"), "a \\| b &lt;script>");
    }

    #[test]
    fn report_lists_items_and_control_evidence_escaped() {
        let r = super::super::sample_report();
        let catalogs = crate::frameworks::catalog::Catalogs::default();
        let ctx = Context {
            workspace: "W",
            catalogs: &catalogs,
            stem: "w",
        };
        let md = report(&r, &ctx);
        assert!(!md.contains("<script"), "{md}");
        // The group row, then its items in catalog order, with statuses and controls.
        let items = md.split("### Items").nth(1).unwrap();
        let g = items.find("| **G** |").unwrap();
        let x2 = items
            .find("| X2 | Title of X2 | not applicable: Not \\| ours at all |  |")
            .unwrap();
        let x1 = items
            .find("| X1 | Title of X1 | partial | C-1 (partial) |")
            .unwrap();
        assert!(g < x2 && x2 < x1);
        assert!(items.contains("A group whose text is long enough to be cut somewhere in the middle of a sentence, at a word and not inside one, so that nothing reads…"));
        // The control: status, statement on one line, evidence rows, mappings.
        assert!(md.contains("### C-1 &lt;script>alert(1)&lt;/script> | title\n"));
        assert!(md.contains("**Status: partial** (1 of 2 pieces of evidence holds)."));
        assert!(md.contains("\nFirst line second | line\n"));
        assert!(md.contains(
            "| policy | p-1 | holds | decided 3 recorded request(s) | 2025-12-30T10:00:00Z | policies/a.cedar:7 |"
        ));
        assert!(md.contains(
            "| attestation | Reviewed by \\| Alice | failing | &lt;script>x&lt;/script> expired | 2025-01-01 |  |"
        ));
        assert!(md.contains("| FW | X1 Title of X1 | Covers \\| it |"));
        assert!(md.contains(
            "| — | FW T9 — not counted: `T9` is not an item of FW | Cited by a standard |"
        ));
    }
}
