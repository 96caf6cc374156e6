//! The HTML report: the Markdown report's content as one self-contained page (the replay
//! report's head and style, no script, no remote resource) that prints cleanly to PDF:
//! each framework starts a new page, table headers repeat on every page, rows are not split,
//! and statuses are words, never colour alone, so it reads in black and white.

use std::fmt::Write as _;

use super::markdown::{coverage_cell, facts, STATUS_NOTE};
use super::{alignments, gap_heading, gaps_by_code, item_name, location, not_applicable, Context};
use crate::frameworks::coverage::CoverageReport;
use crate::replay::html::{escape, page_head, ReportHeader};

const EXTRA_STYLE: &str = r#"
p.note { color: var(--muted); max-width: 60rem; }
section.framework { break-before: page; }
section.framework h2 { margin-top: 1.5rem; }
h3 { font-size: 1rem; margin: 1.4rem 0 .4rem; } h4 { font-size: .95rem; margin: 1rem 0 .3rem; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
ul.gaps { margin: .2rem 0 .4rem 1.2rem; padding: 0; }
@page { margin: 15mm; }
@media print {
  :root { --fg:#000; --muted:#333; --line:#888; --bg:#fff; --card:#fff; }
  body { margin: 0; max-width: none; font-size: 10pt; }
  thead { display: table-header-group; }
  tr, li { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
}
"#;

pub fn report(report: &CoverageReport, ctx: &Context<'_>) -> String {
    let mut h = String::new();
    let header = ReportHeader {
        title: format!("Framework coverage: {}", ctx.workspace),
        facts: facts(report, ctx),
    };
    page_head(&mut h, &header, EXTRA_STYLE);
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(STATUS_NOTE));

    h.push_str("<h2>Summary</h2>\n<table><thead><tr><th>Framework</th><th class=\"n\">Coverage</th><th class=\"n\">Implemented</th><th class=\"n\">Partial</th><th class=\"n\">Planned</th><th class=\"n\">Uncovered</th><th class=\"n\">Not applicable</th></tr></thead><tbody>\n");
    for fw in &report.frameworks {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&fw.short_title),
            escape(&coverage_cell(fw)),
            fw.implemented,
            fw.partial,
            fw.planned,
            fw.uncovered,
            fw.not_applicable
        );
    }
    h.push_str("</tbody></table>\n");

    let rows = alignments(report);
    for fw in &report.frameworks {
        let _ = writeln!(
            h,
            "<section class=\"framework\">\n<h2>{}</h2>",
            escape(&fw.short_title)
        );
        let mut about = vec![
            escape(&fw.title),
            format!("version {}", escape(&fw.version)),
        ];
        if !fw.publisher.is_empty() {
            about.push(escape(&fw.publisher));
        }
        let _ = write!(h, "<p>{}.", about.join("; "));
        if !fw.url.is_empty() {
            let _ = write!(h, "<br>Source: <code>{}</code>", escape(&fw.url));
        }
        h.push_str("</p>\n");
        let _ = writeln!(
            h,
            "<p>Coverage <b>{:.1}%</b>: {} of {} applicable items implemented, {} partial, {} planned, {} uncovered; {} not applicable.</p>",
            fw.percent, fw.implemented, fw.applicable, fw.partial, fw.planned, fw.uncovered, fw.not_applicable
        );

        h.push_str("<h3>Alignment</h3>\n");
        let mine: Vec<_> = rows.iter().filter(|a| a.framework.id == fw.id).collect();
        if mine.is_empty() {
            h.push_str("<p class=\"note\">No control maps to this framework yet.</p>\n");
        } else {
            h.push_str("<table><thead><tr><th>Framework</th><th>Control / Reference</th><th>Relevance</th></tr></thead><tbody>\n");
            for a in mine {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&fw.short_title),
                    escape(&a.reference()),
                    escape(&a.relevance)
                );
            }
            h.push_str("</tbody></table>\n");
        }

        h.push_str("<h3>Gaps</h3>\n");
        gaps(&mut h, report, Some(&fw.id), "h4");

        let na: Vec<_> = not_applicable(fw).collect();
        if !na.is_empty() {
            h.push_str("<h3>Not applicable</h3>\n<table><thead><tr><th>Item</th><th>Justification</th></tr></thead><tbody>\n");
            for i in na {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    escape(&item_name(i)),
                    escape(i.justification.as_deref().unwrap_or(""))
                );
            }
            h.push_str("</tbody></table>\n");
        }
        h.push_str("</section>\n");
    }

    h.push_str(
        "<section class=\"framework\">\n<h2>Controls and evidence: gaps about no framework</h2>\n",
    );
    gaps(&mut h, report, None, "h3");
    h.push_str("</section>\n</body></html>\n");
    h
}

fn gaps(h: &mut String, report: &CoverageReport, framework: Option<&str>, tag: &str) {
    let groups = gaps_by_code(report, framework);
    if groups.is_empty() {
        h.push_str("<p class=\"note\">None.</p>\n");
        return;
    }
    for (code, list) in groups {
        let _ = writeln!(
            h,
            "<{tag}>{} (<code>{}</code>, {})</{tag}>",
            escape(gap_heading(code)),
            escape(code),
            list.len()
        );
        let same_hint = list.windows(2).all(|w| w[0].hint == w[1].hint);
        if code == "item.no_control" {
            let items: Vec<String> = list
                .iter()
                .map(|g| escape(g.item.as_deref().unwrap_or(&g.message)))
                .collect();
            let _ = writeln!(h, "<p>{}.</p>", items.join(", "));
        } else {
            h.push_str("<ul class=\"gaps\">");
            for g in &list {
                let _ = write!(h, "<li>{}", escape(&g.message));
                if let Some(f) = &g.file {
                    let _ = write!(h, " (<code>{}</code>)", escape(&location(Some(f), g.line)));
                }
                if !same_hint {
                    let _ = write!(h, " — fix: {}", escape(&g.hint));
                }
                h.push_str("</li>");
            }
            h.push_str("</ul>\n");
        }
        if same_hint {
            if let Some(g) = list.first() {
                let _ = writeln!(h, "<p>Fix: {}.</p>", escape(&g.hint));
            }
        }
    }
}
