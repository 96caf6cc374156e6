//! The Markdown report: a coverage summary of every framework, then per framework its
//! coverage, the alignment table, its gaps grouped by code and the items marked not
//! applicable with their justifications; last, the gaps about no framework (controls and
//! their evidence). Text typed by people is escaped so it cannot break a table or inject
//! HTML into a rendered page.

use std::fmt::Write as _;

use super::{alignments, gap_heading, gaps_by_code, not_applicable, one_line, Context};
use crate::frameworks::coverage::{CoverageReport, FrameworkCoverage, Gap};

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
pub(super) const STATUS_NOTE: &str = "Statuses are derived from evidence, never typed in: a control is implemented when all of its evidence holds (policies that validate and decide recent recorded traffic, passing inventory checks, traffic insights absent, unexpired attestations), partial when some does, planned when none does. An item is implemented when every control mapped to it is, uncovered when no control maps to it; coverage is implemented items over applicable items.";

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

    s.push_str("\n## Controls and evidence: gaps about no framework\n\n");
    gaps(&mut s, report, None, "###");
    s
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
}
