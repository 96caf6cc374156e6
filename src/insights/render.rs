//! `mandate insights` output: a terminal report, CSV (one row per finding) and one
//! self-contained HTML page (no script, no remote content).

use std::fmt::Write as _;

use super::{Finding, InsightsReport, Level};
use crate::replay::html::{escape, page_head, ReportHeader};

fn window(r: &InsightsReport) -> String {
    match (&r.since, &r.until) {
        (None, None) => "all recorded time".into(),
        (s, u) => format!(
            "{} … {}",
            s.as_deref().unwrap_or("the start"),
            u.as_deref().unwrap_or("now")
        ),
    }
}

fn share(part: u64, total: u64) -> String {
    if total == 0 {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / total as f64)
    }
}

/// The terminal report: totals, every finding worst first with its fix, logging coverage.
pub fn human(r: &InsightsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "insights for set `{}` ({}): {} requests, {} denied, {} agents, {} tasks",
        r.set,
        window(r),
        r.requests,
        r.denies,
        r.agents,
        r.tasks
    );
    if let (Some(a), Some(b)) = (&r.first_seen, &r.last_seen) {
        let _ = writeln!(out, "recorded from {a} to {b}");
    }
    if r.other_principals > 0 {
        let _ = writeln!(
            out,
            "{} request(s) had a principal that is not an agent (not analysed per agent)",
            r.other_principals
        );
    }
    let _ = writeln!(out);
    if r.findings.is_empty() {
        let _ = writeln!(out, "no findings");
    } else {
        let count = |l: Level| r.findings.iter().filter(|f| f.level == l).count();
        let _ = writeln!(
            out,
            "{} findings: {} critical, {} high, {} medium, {} low",
            r.findings.len(),
            count(Level::Critical),
            count(Level::High),
            count(Level::Medium),
            count(Level::Low)
        );
        for f in &r.findings {
            let _ = writeln!(out);
            let _ = writeln!(out, "{:<8} {}  {}", f.level.as_str(), f.code, f.title);
            if let (Some(a), Some(b)) = (&f.first_seen, &f.last_seen) {
                let _ = writeln!(out, "         seen {a} … {b}");
            }
            for item in &f.items {
                let _ = writeln!(out, "         - {item}");
            }
            if !f.examples.is_empty() {
                let _ = writeln!(out, "         requests: {}", f.examples.join(", "));
            }
            let mut at = Vec::new();
            if let Some(file) = &f.fix.file {
                at.push(match &f.fix.field {
                    Some(field) => format!("{file} ({field})"),
                    None => file.clone(),
                });
            }
            if !f.fix.policies.is_empty() {
                at.push(format!("policies {}", f.fix.policies.join(", ")));
            }
            if let Some(c) = &f.fix.control {
                at.push(format!("control {c}"));
            }
            let _ = writeln!(out, "         fix: {}", f.fix.hint);
            if !at.is_empty() {
                let _ = writeln!(out, "         at: {}", at.join("; "));
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "logging completeness ({} requests):",
        r.logging.requests
    );
    for c in &r.logging.fields {
        let _ = writeln!(
            out,
            "  {:<28} {:>7}  {}",
            c.field,
            share(c.present, r.logging.requests),
            if c.read_by.is_empty() {
                String::new()
            } else {
                format!("read by {}", c.read_by.join(", "))
            }
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

/// One row per finding.
pub fn csv(r: &InsightsReport) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "level",
        "code",
        "subject_kind",
        "subject",
        "agent",
        "team",
        "count",
        "allowed",
        "first_seen",
        "last_seen",
        "examples",
        "fix_kind",
        "fix_file",
        "fix_field",
        "fix_policies",
        "control",
        "title",
        "hint",
        "items",
    ])?;
    for f in &r.findings {
        w.write_record([
            f.level.as_str(),
            &f.code,
            f.subject_kind.as_str(),
            &f.subject,
            f.agent.as_deref().unwrap_or(""),
            f.team.as_deref().unwrap_or(""),
            &f.count.to_string(),
            &f.allowed.to_string(),
            f.first_seen.as_deref().unwrap_or(""),
            f.last_seen.as_deref().unwrap_or(""),
            &f.examples.join(" "),
            &f.fix.kind,
            f.fix.file.as_deref().unwrap_or(""),
            f.fix.field.as_deref().unwrap_or(""),
            &f.fix.policies.join(" "),
            f.fix.control.as_deref().unwrap_or(""),
            &f.title,
            &f.fix.hint,
            &f.items.join("\n"),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

const EXTRA_STYLE: &str = r#"
.level { font-weight: 700; text-transform: uppercase; font-size: .75rem; letter-spacing: .04em; }
.critical { color: #b42318; } .high { color: #c4320a; } .medium { color: #b54708; } .low { color: var(--muted); }
td ul { margin: .2rem 0 0 1rem; padding: 0; }
"#;

/// The report as one page.
pub fn html(r: &InsightsReport) -> String {
    let mut h = String::new();
    let mut facts = vec![
        ("Request set".to_owned(), r.set.clone()),
        ("Window".to_owned(), window(r)),
    ];
    if let (Some(a), Some(b)) = (&r.first_seen, &r.last_seen) {
        facts.push(("Recorded".to_owned(), format!("{a} … {b}")));
    }
    let header = ReportHeader {
        title: format!("Insights: {}", r.set),
        facts,
    };
    page_head(&mut h, &header, EXTRA_STYLE);
    h.push_str("<div class=\"cards\">");
    let count = |l: Level| r.findings.iter().filter(|f| f.level == l).count();
    for (n, label) in [
        (r.requests.to_string(), "requests"),
        (r.denies.to_string(), "denied"),
        (r.agents.to_string(), "agents"),
        (r.tasks.to_string(), "tasks"),
        (count(Level::Critical).to_string(), "critical findings"),
        (count(Level::High).to_string(), "high findings"),
        (
            (count(Level::Medium) + count(Level::Low)).to_string(),
            "medium and low",
        ),
    ] {
        let _ = write!(
            h,
            "<div class=\"card\"><b>{}</b><span>{}</span></div>",
            escape(&n),
            label
        );
    }
    h.push_str("</div>\n");
    activity_chart(&mut h, r);
    h.push_str("<h2>Findings</h2>");
    if r.findings.is_empty() {
        h.push_str("<p class=\"muted\">No findings.</p>");
    } else {
        h.push_str(
            "<table><thead><tr><th>Level</th><th>Finding</th><th>Requests</th><th>Fix</th></tr></thead><tbody>",
        );
        for f in &r.findings {
            finding_row(&mut h, f);
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("<h2>Most used tools</h2>");
    if r.top_tools.is_empty() {
        h.push_str("<p class=\"muted\">No tool requests.</p>");
    } else {
        h.push_str("<table><thead><tr><th>Tool</th><th>System</th><th>Requests</th><th>Denied</th><th>Agents</th></tr></thead><tbody>");
        for t in &r.top_tools {
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&t.tool),
                escape(t.system.as_deref().unwrap_or("–")),
                t.requests,
                t.denies,
                t.agents
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("<h2>Agents</h2><table><thead><tr><th>Agent</th><th>Team</th><th>Lifecycle</th><th>Requests</th><th>Denied</th><th>First seen</th><th>Last seen</th></tr></thead><tbody>");
    for a in &r.agent_activity {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&a.agent),
            escape(a.team.as_deref().unwrap_or("–")),
            escape(a.lifecycle.as_deref().unwrap_or("not in the inventory")),
            a.requests,
            a.denies,
            escape(a.first_seen.as_deref().unwrap_or("–")),
            escape(a.last_seen.as_deref().unwrap_or("–"))
        );
    }
    h.push_str("</tbody></table>");
    let _ = write!(
        h,
        "<h2>Logging completeness</h2><table><thead><tr><th>Field</th><th>Present</th><th>Share</th><th>Read by</th></tr></thead><tbody>"
    );
    for c in &r.logging.fields {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&c.field),
            c.present,
            share(c.present, r.logging.requests),
            escape(&c.read_by.join(", "))
        );
    }
    h.push_str("</tbody></table>");
    for n in &r.notes {
        let _ = write!(h, "<p class=\"muted\">Note: {}</p>", escape(n));
    }
    h.push_str("</body></html>\n");
    h
}

fn finding_row(h: &mut String, f: &Finding) {
    let level = f.level.as_str();
    let _ = write!(
        h,
        "<tr><td><span class=\"level {level}\">{level}</span></td><td><code>{}</code><br>{}",
        escape(&f.code),
        escape(&f.title)
    );
    if !f.items.is_empty() {
        h.push_str("<ul>");
        for i in &f.items {
            let _ = write!(h, "<li>{}</li>", escape(i));
        }
        h.push_str("</ul>");
    }
    let seen = match (&f.first_seen, &f.last_seen) {
        (Some(a), Some(b)) => format!(
            "<br><span class=\"muted\">{} … {}</span>",
            escape(a),
            escape(b)
        ),
        _ => String::new(),
    };
    let _ = write!(
        h,
        "</td><td class=\"n\">{}{seen}<br><span class=\"muted\">{}</span></td><td>{}",
        f.count,
        escape(&f.examples.join(", ")),
        escape(&f.fix.hint)
    );
    if let Some(file) = &f.fix.file {
        let _ = write!(h, "<br><code>{}</code>", escape(file));
    }
    if !f.fix.policies.is_empty() {
        let _ = write!(
            h,
            "<br>policies <code>{}</code>",
            escape(&f.fix.policies.join(", "))
        );
    }
    if let Some(c) = &f.fix.control {
        let _ = write!(h, "<br>control <code>{}</code>", escape(c));
    }
    h.push_str("</td></tr>");
}

/// Requests and denies per bucket as bars.
fn activity_chart(h: &mut String, r: &InsightsReport) {
    let buckets = &r.activity.buckets;
    if buckets.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<h2>Activity per {}</h2><p class=\"legend\"><span><i style=\"background:var(--allow)\"></i>requests</span><span><i style=\"background:var(--deny)\"></i>denied</span></p>",
        escape(&r.activity.unit)
    );
    let (w, ht) = (1000.0, 160.0);
    let max = buckets.iter().map(|b| b.requests).max().unwrap_or(1).max(1) as f64;
    let bw = w / buckets.len() as f64;
    let _ = write!(
        h,
        "<svg role=\"img\" aria-label=\"requests per {}\" viewBox=\"0 0 {w} {}\" width=\"100%\">",
        escape(&r.activity.unit),
        ht + 20.0
    );
    for (i, b) in buckets.iter().enumerate() {
        let x = i as f64 * bw;
        let rh = b.requests as f64 / max * ht;
        let dh = b.denies as f64 / max * ht;
        let _ = write!(
            h,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{rh:.1}\" fill=\"var(--allow)\"><title>{}: {} requests, {} denied</title></rect>\
             <rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{dh:.1}\" fill=\"var(--deny)\"></rect>",
            ht - rh,
            (bw - 1.0).max(0.5),
            escape(&b.start),
            b.requests,
            b.denies,
            ht - dh,
            (bw - 1.0).max(0.5)
        );
    }
    if let (Some(first), Some(last)) = (buckets.first(), buckets.last()) {
        let _ = write!(
            h,
            "<text x=\"0\" y=\"{}\">{}</text><text x=\"{w}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            ht + 16.0,
            escape(&first.start),
            ht + 16.0,
            escape(&last.start)
        );
    }
    h.push_str("</svg>");
}
