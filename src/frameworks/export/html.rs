//! The HTML report: the Markdown report's content as one self-contained page (the replay
//! report's head and style, no script, no remote resource) that prints cleanly to PDF:
//! each framework and the controls start a new page, table headers repeat on every page,
//! rows are not split, and statuses are words, never colour alone, so it reads in black and
//! white. Items link to the controls mapped to them (in-page anchors, kept in a PDF).

use std::fmt::Write as _;

use super::markdown::{coverage_cell, facts, justification, EVIDENCE_NOTE, STATUS_NOTE};
use super::{
    alignments, evidence_tally, gap_heading, gaps_by_code, group_counts, item_controls, item_name,
    item_title, kind_str, location, mapping_rows, not_applicable, one_line, outline, state_str,
    status_word, Context,
};
use crate::frameworks::coverage::{
    ControlCoverage, CoverageReport, EvidenceKind, FrameworkCoverage, Status,
};
use crate::replay::html::{escape, page_head, ReportHeader};

const EXTRA_STYLE: &str = r#"
p.note { color: var(--muted); max-width: 60rem; }
section.framework, section.controls { break-before: page; }
section.framework h2, section.controls h2 { margin-top: 1.5rem; }
tr.group td { background: var(--card); font-weight: 600; border-top: 1px solid var(--muted); }
tr.group td.t { font-weight: normal; font-style: italic; }
tr.d1 td:first-child { padding-left: 1.2rem; } tr.d2 td:first-child { padding-left: 2rem; }
td.item { min-width: 7.5em; } span.c { white-space: nowrap; } td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
.st { font-weight: 600; } .st-implemented, .ev-holds { color: var(--allow); }
.st-partial, .st-planned, .ev-stale, .ev-missing { color: var(--other); }
.st-uncovered, .ev-failing { color: var(--deny); }
div.control { margin-top: 1.6rem; } div.control h3 { margin-top: 0; }
div.control p { margin: .3rem 0; max-width: 60rem; }
p.label { font-weight: 600; margin: .8rem 0 .2rem; color: var(--muted); }
h3 { font-size: 1rem; margin: 1.4rem 0 .4rem; } h4 { font-size: .95rem; margin: 1rem 0 .3rem; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
ul.gaps { margin: .2rem 0 .4rem 1.2rem; padding: 0; }
@page { margin: 15mm; }
@media print {
  :root { --fg:#000; --muted:#333; --line:#888; --bg:#fff; --card:#fff; }
  body { margin: 0; max-width: none; font-size: 10pt; }
  thead { display: table-header-group; }
  tr, li, div.head { break-inside: avoid; }
  h2, h3, h4, p.label, tr.group { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
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

        items(&mut h, report, fw);

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

    controls(&mut h, report);

    h.push_str("<section class=\"framework\">\n<h2>Gaps in controls and evidence</h2>\n");
    gaps(&mut h, report, None, "h3");
    h.push_str("</section>\n</body></html>\n");
    h
}

/// Text typed by people, on one line and escaped.
fn text(s: &str) -> String {
    escape(&one_line(s))
}

/// A status as a word, with a class for colour (never colour alone).
fn status(s: Status) -> String {
    format!(
        "<span class=\"st st-{}\">{}</span>",
        s.as_str(),
        status_word(s)
    )
}

/// Escaped text on one line whose `backticked` parts are set as code, as messages and
/// hints write them.
fn rich(s: &str) -> String {
    let s = one_line(s);
    if !s.matches('`').count().is_multiple_of(2) {
        return escape(&s);
    }
    s.split('`')
        .enumerate()
        .map(|(n, part)| {
            if n % 2 == 1 {
                format!("<code>{}</code>", escape(part))
            } else {
                escape(part)
            }
        })
        .collect()
}

/// `<code>` around escaped text, or nothing when the text is empty.
fn code(s: &str) -> String {
    if s.trim().is_empty() {
        String::new()
    } else {
        format!("<code>{}</code>", text(s))
    }
}

/// The in-page anchor of a control.
fn anchor(id: &str) -> String {
    escape(&format!("control-{}", one_line(id).replace(' ', "-")))
}

/// The framework's item table: every assessable item in tree order under its groups.
fn items(h: &mut String, report: &CoverageReport, fw: &FrameworkCoverage) {
    h.push_str("<h3>Items</h3>\n");
    let rows = outline(fw);
    if rows.is_empty() {
        h.push_str("<p class=\"note\">This framework has no assessable item.</p>\n");
        return;
    }
    h.push_str("<table class=\"items\"><thead><tr><th>Item</th><th>Title</th><th>Status</th><th>Controls</th></tr></thead><tbody>\n");
    for r in rows {
        let i = r.item;
        let depth = r.depth.min(2);
        if !i.assessable {
            let _ = writeln!(
                h,
                "<tr class=\"group d{depth}\"><td>{}</td><td class=\"t\">{}</td><td colspan=\"2\">{}</td></tr>",
                text(&i.label),
                text(&item_title(i)),
                escape(&group_counts(i))
            );
            continue;
        }
        let st = match justification(i) {
            Some(why) => format!("{}: {}", status(i.status), escape(&why)),
            None => status(i.status),
        };
        let controls: Vec<String> = item_controls(report, i)
            .iter()
            .map(|c| {
                format!(
                    "<span class=\"c\"><a href=\"#{}\">{}</a> ({})</span>",
                    anchor(&c.id),
                    text(&c.id),
                    status_word(c.status)
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<tr class=\"d{depth}\"><td class=\"item\">{}</td><td>{}</td><td>{st}</td><td>{}</td></tr>",
            text(&i.label),
            text(&item_title(i)),
            controls.join(", ")
        );
    }
    h.push_str("</tbody></table>\n");
}

/// Every control: status, statement, evidence and mappings.
fn controls(h: &mut String, report: &CoverageReport) {
    h.push_str("<section class=\"controls\">\n<h2>Controls</h2>\n");
    if report.controls.is_empty() {
        h.push_str("<p class=\"note\">No control is defined (<code>controls/controls.toml</code>).</p>\n</section>\n");
        return;
    }
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(EVIDENCE_NOTE));
    for c in &report.controls {
        control(h, report, c);
    }
    h.push_str("</section>\n");
}

fn control(h: &mut String, report: &CoverageReport, c: &ControlCoverage) {
    let _ = writeln!(
        h,
        "<div class=\"control\" id=\"{}\"><div class=\"head\"><h3>{} {}</h3>\n<p>Status: {} ({}).</p>",
        anchor(&c.id),
        text(&c.id),
        text(&c.title),
        status(c.status),
        escape(&evidence_tally(c))
    );
    if !c.statement.trim().is_empty() {
        let _ = writeln!(h, "<p>{}</p>", text(&c.statement));
    }
    h.push_str("</div>\n");
    if c.evidence.is_empty() {
        h.push_str("<p class=\"label\">Evidence: none.</p>\n");
    } else {
        h.push_str("<p class=\"label\">Evidence</p>\n<table class=\"evidence\"><thead><tr><th>Evidence</th><th>Subject</th><th>State</th><th>Detail</th><th>When</th><th>Where</th></tr></thead><tbody>\n");
        for e in &c.evidence {
            let state = state_str(e.state);
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"st ev-{state}\">{state}</td><td>{}</td><td class=\"when\">{}</td><td>{}</td></tr>",
                kind_str(e.kind),
                // An attestation's subject is its statement, a sentence; others are ids.
                if e.kind == EvidenceKind::Attestation {
                    text(&e.subject)
                } else {
                    code(&e.subject)
                },
                text(&e.detail),
                text(e.at.as_deref().unwrap_or("")),
                code(&location(e.file.as_deref(), e.line))
            );
        }
        h.push_str("</tbody></table>\n");
    }
    let maps = mapping_rows(report, c);
    if maps.is_empty() {
        h.push_str(
            "<p class=\"label\">Mappings: none; this control maps to no framework item.</p>\n",
        );
    } else {
        h.push_str("<p class=\"label\">Mappings</p>\n<table class=\"mappings\"><thead><tr><th>Framework</th><th>Mapped item</th><th>Relevance</th></tr></thead><tbody>\n");
        for m in maps {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}",
                text(&m.framework),
                text(&m.item)
            );
            if let Some(why) = &m.not_counted {
                let _ = write!(h, " — <b>not counted</b>: {}", rich(why));
            }
            let _ = writeln!(h, "</td><td>{}</td></tr>", text(&m.relevance));
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</div>\n");
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
                let _ = write!(h, "<li>{}", rich(&g.message));
                if let Some(f) = &g.file {
                    let _ = write!(h, " (<code>{}</code>)", escape(&location(Some(f), g.line)));
                }
                if !same_hint {
                    let _ = write!(h, " — fix: {}", rich(&g.hint));
                }
                h.push_str("</li>");
            }
            h.push_str("</ul>\n");
        }
        if same_hint {
            if let Some(g) = list.first() {
                let _ = writeln!(h, "<p>Fix: {}.</p>", rich(&g.hint));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::catalog::Catalogs;

    fn html() -> String {
        let catalogs = Catalogs::default();
        let ctx = Context {
            workspace: "<b>W</b>",
            catalogs: &catalogs,
            stem: "w",
        };
        report(&super::super::sample_report(), &ctx)
    }

    #[test]
    fn markup_in_titles_and_evidence_is_escaped() {
        let h = html();
        assert!(!h.contains("<script") && !h.contains("<b>W</b>"), "{h}");
        assert!(h.contains("<h3>C-1 &lt;script&gt;alert(1)&lt;/script&gt; | title</h3>"));
        assert!(h.contains("<td>&lt;script&gt;x&lt;/script&gt; expired</td>"));
        assert!(h.contains("<p>First line second | line</p>"));
    }

    #[test]
    fn items_and_evidence_are_tables_that_print() {
        let h = html();
        assert!(h.contains("<tr class=\"group d0\"><td>G</td>"));
        assert!(h.contains("<tr class=\"d1\"><td class=\"item\">X2</td><td>Title of X2</td><td><span class=\"st st-not-applicable\">not applicable</span>: Not | ours at all</td><td></td></tr>"));
        assert!(h.contains("<tr class=\"d1\"><td class=\"item\">X1</td><td>Title of X1</td><td><span class=\"st st-partial\">partial</span></td><td><span class=\"c\"><a href=\"#control-C-1\">C-1</a> (partial)</span></td></tr>"));
        assert!(h.contains("<div class=\"control\" id=\"control-C-1\">"));
        assert!(h.contains("<tr><td>policy</td><td><code>p-1</code></td><td class=\"st ev-holds\">holds</td><td>decided 3 recorded request(s)</td><td class=\"when\">2025-12-30T10:00:00Z</td><td><code>policies/a.cedar:7</code></td></tr>"));
        assert!(h.contains("FW T9 — <b>not counted</b>: <code>T9</code> is not an item of FW"));
        for rule in [
            "@page",
            "thead { display: table-header-group; }",
            "break-inside: avoid",
        ] {
            assert!(h.contains(rule), "{rule}");
        }
        assert_eq!(h.matches("<section class=\"framework\">").count(), 2);
    }
}
