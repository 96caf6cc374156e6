//! The replay report as one self-contained HTML page: summary cards, bar charts of the
//! changes by action and by agent (inline SVG), the policy breakdown, and the changed
//! decisions. No script, no external resource: it opens anywhere, offline, and can be
//! attached to a change request as it is.

use std::fmt::Write as _;

use super::report::{Breakdown, ReplayReport};
use super::simulate::{SideResult, SimulateSummary};

/// Changed decisions listed in the page; the rest are counted.
pub const MAX_CHANGED_ROWS: usize = 500;
/// Bars per chart.
const BARS: usize = 12;

/// What the page says the replay compared.
#[derive(Debug, Clone, Default)]
pub struct ReportHeader {
    pub title: String,
    /// `(label, value)` lines under the title: set, baseline, candidate, window, run, digest.
    pub facts: Vec<(String, String)>,
}

/// One changed decision as the page lists it.
#[derive(Debug, Clone)]
pub struct ChangedRow {
    pub id: String,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub baseline: SideResult,
    pub candidate: SideResult,
}

/// Starts a self-contained report page: the document head with the shared style (and
/// `extra_style`), the title and the facts list.
pub(crate) fn page_head(h: &mut String, header: &ReportHeader, extra_style: &str) {
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}{extra_style}</style></head><body>\n<h1>{}</h1>\n<dl class=\"facts\">",
        escape(&header.title),
        escape(&header.title)
    );
    for (k, v) in &header.facts {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    }
    h.push_str("</dl>\n");
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --fg:#1d2330; --muted:#5b6475; --line:#d9dee7; --bg:#ffffff; --card:#f5f7fa;
  --deny:#b42318; --allow:#067647; --other:#6941c6; }
@media (prefers-color-scheme: dark) { :root { --fg:#e6e9ef; --muted:#a3abba; --line:#3a4150;
  --bg:#161a22; --card:#1f2430; --deny:#f97066; --allow:#47cd89; --other:#b692f6; } }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg);
  margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; } h2 { font-size: 1.1rem; margin: 2rem 0 .6rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; color: var(--muted); margin: 0; }
dl.facts dd { margin: 0; font-family: ui-monospace, monospace; color: var(--fg); overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: .6rem; margin-top: 1.2rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
.card b { display: block; font-size: 1.4rem; } .card span { color: var(--muted); font-size: .85rem; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
@media (max-width: 800px) { .charts { grid-template-columns: 1fr; } }
svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
.legend span { display: inline-block; margin-right: 1rem; color: var(--muted); }
.legend i { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, monospace; font-size: .9em; overflow-wrap: anywhere; }
.allow { color: var(--allow); font-weight: 600; } .deny { color: var(--deny); font-weight: 600; }
.muted { color: var(--muted); }
"#;

/// Renders the page.
/// One request environment of a symbolic analysis shown beside the replay: its label, the
/// relation, and a request the two sides decide differently (empty when equivalent).
pub struct AnalysisRow {
    pub environment: String,
    pub relation: String,
    pub example: String,
}

pub fn render(
    header: &ReportHeader,
    summary: &SimulateSummary,
    report: &ReplayReport,
    changed: &[ChangedRow],
    analysis: Option<&[AnalysisRow]>,
) -> String {
    let mut h = String::with_capacity(64 * 1024);
    page_head(&mut h, header, "");
    h.push_str("<div class=\"cards\">");
    let cards = [
        ("requests replayed", summary.requests),
        ("changed", summary.changed),
        ("allow → deny", summary.allow_to_deny),
        ("deny → allow", summary.deny_to_allow),
        ("other reasons or errors", summary.reasons_changed),
        ("new errors", summary.new_errors),
        ("resolved errors", summary.resolved_errors),
        ("recorded ≠ baseline", summary.drift),
        ("bad records skipped", summary.skipped),
    ];
    for (label, value) in cards {
        let _ = write!(
            h,
            "<div class=\"card\"><b>{value}</b><span>{label}</span></div>"
        );
    }
    h.push_str("</div>\n");
    if let Some(rows) = analysis {
        h.push_str("<h2>Symbolic analysis</h2>\n<p class=\"muted\">What the change can do on any request, proved per request environment; replay above shows what it did on recorded traffic.</p>\n<table><thead><tr><th>Environment</th><th>Relation</th><th>A request the two sides decide differently</th></tr></thead><tbody>");
        for r in rows {
            let _ = write!(
                h,
                "<tr><td>{}</td><td><b>{}</b></td><td><code>{}</code></td></tr>",
                escape(&r.environment),
                escape(&r.relation),
                escape(&r.example)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("<h2>Changes</h2>\n<p class=\"legend\"><span><i style=\"background:var(--deny)\"></i>allow → deny</span><span><i style=\"background:var(--allow)\"></i>deny → allow</span><span><i style=\"background:var(--other)\"></i>same decision, other reasons or errors</span></p>\n<div class=\"charts\">");
    chart(&mut h, "By action", &report.by_action);
    chart(&mut h, "By agent", &report.by_agent);
    h.push_str("</div>\n");
    breakdown_table(&mut h, "By resource type", &report.by_resource_type);

    h.push_str("<h2>Policies</h2>\n");
    if report.by_policy.is_empty() {
        h.push_str("<p class=\"muted\">No policy determined any request.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th>Policy</th><th class=\"n\">baseline hits</th><th class=\"n\">candidate hits</th><th class=\"n\">changed</th><th class=\"n\">errors</th></tr></thead><tbody>");
        for p in &report.by_policy {
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&p.id),
                p.baseline_hits,
                p.candidate_hits,
                p.changed,
                p.errors
            );
        }
        h.push_str("</tbody></table>\n");
    }
    id_list(
        &mut h,
        "Candidate policies that never fired",
        &report.never_fired,
        "Every candidate policy determined or errored on some request.",
    );
    id_list(
        &mut h,
        "Policies whose every hit changed",
        &report.all_changed,
        "No policy had all of its hits change.",
    );

    h.push_str("<h2>Changed decisions</h2>\n");
    if changed.is_empty() {
        h.push_str("<p class=\"muted\">No decision changed.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th>Request</th><th>Principal</th><th>Action</th><th>Resource</th><th>Baseline</th><th>Candidate</th></tr></thead><tbody>");
        for row in changed.iter().take(MAX_CHANGED_ROWS) {
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(&row.id),
                escape(&row.principal),
                escape(&row.action),
                escape(&row.resource),
                side(&row.baseline),
                side(&row.candidate)
            );
        }
        h.push_str("</tbody></table>\n");
        if summary.changed as usize > changed.len().min(MAX_CHANGED_ROWS) {
            let _ = write!(
                h,
                "<p class=\"muted\">{} more changed decisions are not listed; <code>--format jsonl</code> or <code>--format csv</code> list every request.</p>",
                summary.changed as usize - changed.len().min(MAX_CHANGED_ROWS)
            );
        }
    }
    if !summary.errors.is_empty() {
        h.push_str("<h2>Bad records</h2>\n<table><thead><tr><th class=\"n\">line</th><th>problem</th></tr></thead><tbody>");
        for e in &summary.errors {
            let _ = write!(
                h,
                "<tr><td class=\"n\">{}</td><td>{}</td></tr>",
                e.line,
                escape(&e.message)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("<p class=\"muted\">Generated by Mandate.</p>\n</body></html>\n");
    h
}

fn side(s: &SideResult) -> String {
    let mut out = format!(
        "<span class=\"{0}\">{0}</span>",
        if s.decision == "allow" {
            "allow"
        } else {
            "deny"
        }
    );
    if s.reasons.is_empty() {
        out.push_str(" <span class=\"muted\">no policy</span>");
    } else {
        let _ = write!(out, " <code>{}</code>", escape(&s.reasons.join(", ")));
    }
    if !s.errors.is_empty() {
        let _ = write!(
            out,
            " <span class=\"deny\">errors:</span> <code>{}</code>",
            escape(&s.errors.join(", "))
        );
    }
    out
}

fn id_list(h: &mut String, title: &str, ids: &[String], empty: &str) {
    let _ = writeln!(h, "<h3>{}</h3>", escape(title));
    if ids.is_empty() {
        let _ = writeln!(h, "<p class=\"muted\">{}</p>", escape(empty));
    } else {
        h.push_str("<p>");
        let list: Vec<String> = ids
            .iter()
            .map(|i| format!("<code>{}</code>", escape(i)))
            .collect();
        h.push_str(&list.join(", "));
        h.push_str("</p>\n");
    }
}

fn breakdown_table(h: &mut String, title: &str, rows: &[Breakdown]) {
    let _ = writeln!(h, "<h2>{}</h2>", escape(title));
    h.push_str("<table><thead><tr><th></th><th class=\"n\">requests</th><th class=\"n\">changed</th><th class=\"n\">allow → deny</th><th class=\"n\">deny → allow</th><th class=\"n\">new errors</th></tr></thead><tbody>");
    for r in rows {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&r.key),
            r.requests,
            r.changed,
            r.allow_to_deny,
            r.deny_to_allow,
            r.new_errors
        );
    }
    h.push_str("</tbody></table>\n");
}

/// Horizontal stacked bars of the changes per key (the keys with most changes first).
fn chart(h: &mut String, title: &str, rows: &[Breakdown]) {
    let rows: Vec<&Breakdown> = rows.iter().filter(|r| r.changed > 0).take(BARS).collect();
    let _ = write!(
        h,
        "<figure><figcaption><b>{}</b></figcaption>",
        escape(title)
    );
    if rows.is_empty() {
        h.push_str("<p class=\"muted\">No changes.</p></figure>");
        return;
    }
    let (label_w, bar_w, row_h) = (220.0, 300.0, 22.0);
    let max = rows.iter().map(|r| r.changed).max().unwrap_or(1).max(1) as f64;
    let height = rows.len() as f64 * row_h + 4.0;
    let _ = write!(
        h,
        "<svg role=\"img\" aria-label=\"{} changes\" viewBox=\"0 0 {} {height}\" width=\"100%\">",
        escape(title),
        label_w + bar_w + 60.0
    );
    for (i, r) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 2.0;
        let label: String = if r.key.chars().count() > 32 {
            let tail: String = r
                .key
                .chars()
                .rev()
                .take(31)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("…{tail}")
        } else {
            r.key.clone()
        };
        let _ = write!(
            h,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\"><title>{}</title>{}</text>",
            label_w - 6.0,
            y + 14.0,
            escape(&r.key),
            escape(&label)
        );
        let other = r.changed.saturating_sub(r.allow_to_deny + r.deny_to_allow);
        let mut x = label_w;
        for (count, colour) in [
            (r.allow_to_deny, "var(--deny)"),
            (r.deny_to_allow, "var(--allow)"),
            (other, "var(--other)"),
        ] {
            if count == 0 {
                continue;
            }
            let w = count as f64 / max * bar_w;
            let _ = write!(
                h,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{}\" rx=\"2\" style=\"fill:{colour}\"/>",
                row_h - 6.0
            );
            x += w;
        }
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{}\">{}</text>",
            x + 6.0,
            y + 14.0,
            r.changed
        );
    }
    h.push_str("</svg></figure>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(decision: &str, reasons: &[&str]) -> SideResult {
        SideResult {
            decision: decision.into(),
            reasons: reasons.iter().map(|s| (*s).to_owned()).collect(),
            errors: Vec::new(),
        }
    }

    #[test]
    fn the_page_is_self_contained_escaped_and_complete() {
        let summary = SimulateSummary {
            requests: 10,
            changed: 2,
            allow_to_deny: 1,
            deny_to_allow: 1,
            ..SimulateSummary::default()
        };
        let report = ReplayReport {
            by_action: vec![Breakdown {
                key: "invoke_tool".into(),
                requests: 10,
                changed: 2,
                allow_to_deny: 1,
                deny_to_allow: 1,
                new_errors: 0,
            }],
            never_fired: vec!["old-permit".into()],
            ..ReplayReport::default()
        };
        let rows = vec![ChangedRow {
            id: "<script>alert(1)</script>".into(),
            principal: "Agent::\"a\"".into(),
            action: "invoke_tool".into(),
            resource: "Tool::\"t\"".into(),
            baseline: side("allow", &["p1"]),
            candidate: side("deny", &[]),
        }];
        let header = ReportHeader {
            title: "Replay of prod".into(),
            facts: vec![("baseline".into(), "git:HEAD".into())],
        };
        let page = render(&header, &summary, &report, &rows, None);
        assert!(!page.contains("Symbolic analysis"));
        let analysis = [AnalysisRow {
            environment: "Agent × invoke_tool × Tool".into(),
            relation: "more-permissive".into(),
            example: "now allowed: Agent::\"<b>\" invoke_tool Tool::\"t\"".into(),
        }];
        let with = render(&header, &summary, &report, &rows, Some(&analysis));
        assert!(with.contains("<h2>Symbolic analysis</h2>"));
        assert!(with.contains("<td><b>more-permissive</b></td>"));
        assert!(
            with.contains("Agent::&quot;&lt;b&gt;&quot;") || with.contains("Agent::\"&lt;b&gt;\""),
            "{with}"
        );
        assert!(!page.contains("<script"), "raw markup must be escaped");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        // No external resources: no src= or href= at all.
        assert!(!page.contains("src=") && !page.contains("href="));
        // The chart has one bar per non-zero transition of the action.
        let chart = &page[page.find("aria-label=\"By action changes\"").unwrap()..];
        let chart = &chart[..chart.find("</svg>").unwrap()];
        assert_eq!(chart.matches("<rect").count(), 2);
        assert!(page.contains("<code>old-permit</code>"));
        assert!(page.contains("<b>2</b><span>changed</span>"));
    }
}
