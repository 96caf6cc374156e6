//! Presentation: turns api results into human text or JSON. Evaluation never prints.

use std::io::{IsTerminal as _, Write};
use std::path::Path;

use mandate::api::dto::{
    Agent, ApiError, CheckReport, Diagnostic, Finding, ImportReport, Severity, ValidationReport,
    WorkspaceInfo,
};

use crate::args::{ErrorFormat, Format};

/// Whether to colour a stream: only on a terminal, and never with `NO_COLOR` set.
pub fn colour(is_tty: bool) -> bool {
    is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn severity(&self, s: Severity) -> String {
        match s {
            Severity::Error => self.wrap("1;31", "error"),
            Severity::Warning => self.wrap("1;33", "warning"),
            Severity::Info => self.wrap("1;36", "info"),
        }
    }
}

/// Escapes control, bidi and zero-width characters so untrusted text (file contents, names
/// from inventories) cannot move the cursor, recolour or reorder a terminal.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if (c.is_control() && c != '\t') || mandate::api::is_hidden_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Standard output behind a last line of defence: whatever a command prints passes through
/// here, so untrusted text that a renderer forgot to [`sanitize`] still cannot reach the
/// terminal raw.
///
/// - Human text (and any format shown on a terminal): every line is sanitised; the colour
///   sequences this program writes (`ESC[…m`) pass only when colour is on.
/// - JSON and JSON Lines: C1 controls, DEL, bidi and zero-width characters are written as
///   `\uXXXX` escapes, which decode to the same value, so `jq` sees identical data.
/// - Other formats piped to a file or program pass through untouched (they are data).
///
/// Text is buffered to whole lines, so a character or an escape sequence is never split.
pub struct Sink<W: Write> {
    inner: W,
    mode: SinkMode,
    pending: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkMode {
    /// Sanitise each line; `colour` lets this program's own SGR sequences through.
    Text { colour: bool },
    /// Escape invisible characters inside JSON strings.
    Json,
    /// Data for a file or another program.
    Raw,
}

impl SinkMode {
    /// The mode for standard output in `format`.
    pub fn for_stdout(format: Format) -> Self {
        let tty = std::io::stdout().is_terminal();
        match format {
            Format::Json | Format::Jsonl => Self::Json,
            Format::Human => Self::Text {
                colour: colour(tty),
            },
            _ if tty => Self::Text { colour: false },
            _ => Self::Raw,
        }
    }
}

impl<W: Write> Sink<W> {
    pub fn new(inner: W, mode: SinkMode) -> Self {
        Self {
            inner,
            mode,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, line: &[u8]) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(line);
        let shown = match self.mode {
            SinkMode::Raw => return self.inner.write_all(line),
            SinkMode::Json => json_escape_hidden(&text),
            SinkMode::Text { colour } => sanitize_keeping_colour(&text, colour),
        };
        self.inner.write_all(shown.as_bytes())
    }
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.mode == SinkMode::Raw {
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        if let Some(end) = self.pending.iter().rposition(|&b| b == b'\n') {
            let rest = self.pending.split_off(end + 1);
            let lines = std::mem::replace(&mut self.pending, rest);
            for line in lines.split_inclusive(|&b| b == b'\n') {
                self.emit(line)?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Sink<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// [`sanitize`] for a line of output, keeping its newline and, when `colour` is on, the SGR
/// sequences (`ESC [ digits ; … m`) that [`Paint`] writes.
fn sanitize_keeping_colour(line: &str, colour: bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(['\u{1b}', '\n']) {
        out.push_str(&sanitize(&rest[..at]));
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix('\n') {
            out.push('\n');
            rest = after;
            continue;
        }
        let sgr = tail
            .strip_prefix("\u{1b}[")
            .and_then(|t| {
                t.find(|c: char| !(c.is_ascii_digit() || c == ';'))
                    .map(|n| (t, n))
            })
            .filter(|(t, n)| colour && t[*n..].starts_with('m'))
            .map(|(_, n)| 2 + n + 1);
        match sgr {
            Some(len) => {
                out.push_str(&tail[..len]);
                rest = &tail[len..];
            }
            None => {
                out.push_str(&sanitize("\u{1b}"));
                rest = &tail[1..];
            }
        }
    }
    out.push_str(&sanitize(rest));
    out
}

/// JSON text with C1 controls, DEL, bidi and zero-width characters as `\uXXXX` escapes.
/// They can only occur inside strings (serde writes nothing else outside ASCII), where the
/// escape decodes to the same character.
fn json_escape_hidden(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || mandate::api::is_hidden_char(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A diagnostic's path as the user reaches it from where they ran the command.
fn shown_path(workspace_arg: &Path, rel: &str) -> String {
    if workspace_arg.as_os_str().is_empty() || workspace_arg == Path::new(".") {
        rel.to_owned()
    } else {
        workspace_arg.join(rel).display().to_string()
    }
}

/// A diagnostic as one line (and its help). One without a position (`line` 0) is about
/// something outside the workspace — an entry of a bundle (`ARCHIVE!/entry`,
/// `FOLDER/entry`), a bundle, a file given on the command line — named as the user gave it:
/// printed as it is, never joined to the workspace and with no invented line or column.
pub fn diagnostic_line(d: &Diagnostic, workspace_arg: &Path, colour: bool) -> String {
    let p = Paint(colour);
    let at = if d.line == 0 {
        sanitize(&d.file)
    } else {
        format!(
            "{}:{}:{}",
            sanitize(&shown_path(workspace_arg, &d.file)),
            d.line,
            d.column
        )
    };
    let mut s = format!(
        "{at}: {}: {} [{}]",
        p.severity(d.severity),
        sanitize(&d.message),
        d.code
    );
    if let Some(help) = &d.help {
        s.push_str(&format!(
            "\n  {}: {}",
            p.wrap("1;36", "help"),
            sanitize(help)
        ));
    }
    s
}

pub fn validation(
    report: &ValidationReport,
    workspace_arg: &Path,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json(report, out),
        _ => {
            let colour = colour(std::io::stdout().is_terminal());
            for d in &report.diagnostics {
                writeln!(out, "{}", diagnostic_line(d, workspace_arg, colour))?;
            }
            let plural = |n: u32, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            let mode = if report.schema_used {
                "strict validation against schema.cedarschema"
            } else {
                "no schema: parsed and checked ids only"
            };
            let links = u32::try_from(report.links.len()).unwrap_or(u32::MAX);
            let statements = report.policy_count.saturating_sub(links);
            let links = if links == 0 {
                String::new()
            } else {
                format!(" and {}", plural(links, "template link"))
            };
            writeln!(
                out,
                "{} in {}{links}: {}, {} ({mode})",
                plural(statements, "policy").replace("policys", "policies"),
                plural(
                    u32::try_from(report.files.len()).unwrap_or(u32::MAX),
                    "file"
                ),
                plural(report.error_count, "error"),
                plural(report.warning_count, "warning"),
            )
        }
    }
}

pub fn initialised(
    info: &WorkspaceInfo,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json(info, out),
        _ => writeln!(
            out,
            "created workspace `{}` (namespace {}) in {}\nnext: `mandate --workspace {} validate`",
            sanitize(&info.name),
            info.namespace,
            sanitize(&info.root),
            sanitize(&info.root)
        ),
    }
}

/// Any result as pretty JSON.
pub fn json<T: serde::Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// Agents as an aligned table with their gap counts.
pub fn agents_table(
    agents: &[&Agent],
    findings: &[Finding],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let gaps = |id: &str| {
        findings
            .iter()
            .filter(|f| f.subject == format!("agent:{id}"))
            .count()
    };
    let rows: Vec<[String; 8]> = agents
        .iter()
        .map(|a| {
            [
                sanitize(&a.id),
                sanitize(&a.name),
                sanitize(&a.owner_team),
                a.accountable
                    .as_deref()
                    .map_or_else(|| "—".to_owned(), sanitize),
                a.risk_tier.as_str().to_owned(),
                a.environment.as_str().to_owned(),
                a.lifecycle.as_str().to_owned(),
                gaps(&a.id).to_string(),
            ]
        })
        .collect();
    let header = [
        "ID",
        "NAME",
        "TEAM",
        "ACCOUNTABLE",
        "TIER",
        "ENV",
        "LIFECYCLE",
        "GAPS",
    ];
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(out, "{}", line(&header.map(str::to_owned)))?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    writeln!(
        out,
        "{} agent{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}

pub fn agent_detail(
    a: &Agent,
    findings: &[Finding],
    workspace_arg: &Path,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let opt = |v: &Option<String>| v.as_deref().map_or_else(|| "—".to_owned(), sanitize);
    let list = |v: &[String]| {
        if v.is_empty() {
            "—".to_owned()
        } else {
            sanitize(&v.join(", "))
        }
    };
    writeln!(out, "{} — {}", sanitize(&a.id), sanitize(&a.name))?;
    if !a.purpose.is_empty() {
        writeln!(out, "  {}", sanitize(&a.purpose))?;
    }
    let identity = match (&a.spiffe_id, &a.oidc_issuer, &a.oidc_subject) {
        (Some(s), _, _) => sanitize(s),
        (None, Some(i), Some(s)) => format!("{} / {}", sanitize(i), sanitize(s)),
        _ => "—".to_owned(),
    };
    let fields = [
        ("identity", identity),
        ("lifecycle", a.lifecycle.as_str().to_owned()),
        (
            "approved",
            a.approved_by.as_ref().map_or_else(
                || "never".to_owned(),
                |b| {
                    format!(
                        "by {} on {}",
                        sanitize(b),
                        a.approved_on
                            .map_or_else(|| "?".to_owned(), |d| d.to_string())
                    )
                },
            ),
        ),
        ("risk tier", a.risk_tier.as_str().to_owned()),
        ("environment", a.environment.as_str().to_owned()),
        ("responsible", format!("team {}", sanitize(&a.owner_team))),
        ("accountable", opt(&a.accountable)),
        ("consulted", opt(&a.sponsor)),
        ("informed", opt(&a.escalation)),
        ("tools", list(&a.tools)),
        ("datasets", list(&a.datasets)),
        ("models", list(&a.models)),
        ("delegates", list(&a.delegates)),
        (
            "credentials",
            format!(
                "max TTL {} s, attestation {}",
                a.max_ttl_seconds,
                if a.attestation_required {
                    "required"
                } else {
                    "not required"
                }
            ),
        ),
        ("step-up", list(&a.step_up_actions)),
        (
            "recertify by",
            a.recertify_by
                .map_or_else(|| "—".to_owned(), |d| d.to_string()),
        ),
    ];
    for (k, v) in fields {
        writeln!(out, "  {k:<13} {v}")?;
    }
    if findings.is_empty() {
        writeln!(out, "no accountability gaps")
    } else {
        writeln!(
            out,
            "{} gap{}:",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        )?;
        for f in findings {
            writeln!(out, "{}", finding_line(f, workspace_arg, false))?;
        }
        Ok(())
    }
}

fn finding_line(f: &Finding, workspace_arg: &Path, colour: bool) -> String {
    let p = Paint(colour);
    format!(
        "{}:{}: {}: {} [{}]\n  {}: {}",
        sanitize(&shown_path(workspace_arg, &f.file)),
        f.line,
        p.severity(f.severity),
        sanitize(&f.message),
        f.code,
        p.wrap("1;36", "help"),
        sanitize(&f.help)
    )
}

pub fn check_report(
    report: &CheckReport,
    workspace_arg: &Path,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let colour = colour(std::io::stdout().is_terminal());
    for f in &report.findings {
        writeln!(out, "{}", finding_line(f, workspace_arg, colour))?;
    }
    writeln!(
        out,
        "{} agents checked: {} error{}, {} warning{}",
        report.agent_count,
        report.error_count,
        if report.error_count == 1 { "" } else { "s" },
        report.warning_count,
        if report.warning_count == 1 { "" } else { "s" }
    )
}

pub fn import_report(r: &ImportReport, out: &mut dyn Write) -> std::io::Result<()> {
    let plan = &r.plan;
    for d in &plan.problems {
        writeln!(out, "{}", diagnostic_line(d, Path::new("."), false))?;
    }
    for id in &plan.adds {
        writeln!(out, "add      {}", sanitize(id))?;
    }
    for c in &plan.changes {
        writeln!(
            out,
            "change   {} ({})",
            sanitize(&c.id),
            c.fields.join(", ")
        )?;
    }
    for c in &plan.conflicts {
        writeln!(out, "conflict {}: {}", sanitize(&c.id), sanitize(&c.reason))?;
    }
    let verdict = if r.applied {
        "written"
    } else if r.dry_run {
        "dry run: nothing written"
    } else if !plan.problems.is_empty() {
        "nothing written: fix the problems above"
    } else {
        "nothing to write"
    };
    writeln!(
        out,
        "{}: {} to add, {} to change, {} conflict{}, {} unchanged, {} problem{} — {verdict}",
        r.kind,
        plan.adds.len(),
        plan.changes.len(),
        plan.conflicts.len(),
        if plan.conflicts.len() == 1 { "" } else { "s" },
        plan.unchanged,
        plan.problems.len(),
        if plan.problems.len() == 1 { "" } else { "s" }
    )
}

/// Prints a fatal error on stderr in the chosen shape.
pub fn error(e: &ApiError, format: ErrorFormat, workspace_arg: &Path) {
    let mut err = std::io::stderr().lock();
    let colour = format == ErrorFormat::Human && colour(std::io::stderr().is_terminal());
    let p = Paint(colour);
    let _ = match format {
        ErrorFormat::Json => serde_json::to_writer(&mut err, e)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(err)),
        ErrorFormat::Human | ErrorFormat::Plain => {
            let mut s = format!("{}: {}", p.wrap("1;31", "error"), sanitize(&e.message));
            for d in &e.diagnostics {
                s.push('\n');
                s.push_str(&diagnostic_line(d, workspace_arg, colour));
            }
            if let Some(help) = &e.help {
                s.push_str(&format!("\n{}: {}", p.wrap("1;36", "help"), sanitize(help)));
            }
            writeln!(err, "{s}")
        }
    };
}

/// A progress bar on standard error when it is a terminal (and `NO_COLOR`-independent);
/// nothing otherwise, so pipes and CI logs stay clean.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// A bar counting bytes of a file being read.
    pub fn bytes(label: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self { bar: None };
        }
        let bar = indicatif::ProgressBar::new(0);
        let style = indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(label.to_owned());
        Self { bar: Some(bar) }
    }

    /// A bar counting items (requests replayed).
    pub fn items(label: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self { bar: None };
        }
        let bar = indicatif::ProgressBar::new(0);
        let style = indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} ({per_sec}, {eta})",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(label.to_owned());
        Self { bar: Some(bar) }
    }

    pub fn update(&mut self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Terminal text with every line sanitised (names come from inventories and traffic).
pub fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(&sanitize(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_control_bidi_and_zero_width() {
        assert_eq!(sanitize("ok\u{1b}[31m"), "ok\\u{1b}[31m");
        assert_eq!(sanitize("a\u{202E}b\u{200B}c"), "a\\u{202e}b\\u{200b}c");
        assert_eq!(sanitize("tab\tand é"), "tab\tand é");
        assert_eq!(
            sanitize("c1\u{9b}2J\u{2066}x\u{2028}"),
            "c1\\u{9b}2J\\u{2066}x\\u{2028}"
        );
    }

    fn through(mode: SinkMode, writes: &[&str]) -> String {
        let mut bytes = Vec::new();
        {
            let mut sink = Sink::new(&mut bytes, mode);
            for w in writes {
                sink.write_all(w.as_bytes()).unwrap();
            }
        }
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn sink_sanitises_text_lines_split_across_writes() {
        let shown = through(
            SinkMode::Text { colour: false },
            &["name: \u{1b}", "[2Jevil\u{202E}\n", "next"],
        );
        assert_eq!(shown, "name: \\u{1b}[2Jevil\\u{202e}\nnext");
    }

    #[test]
    fn sink_keeps_only_colour_sequences_and_only_with_colour_on() {
        let line = "\u{1b}[1;31merror\u{1b}[0m \u{1b}[2J\u{1b}]0;title\u{7}\n";
        assert_eq!(
            through(SinkMode::Text { colour: true }, &[line]),
            "\u{1b}[1;31merror\u{1b}[0m \\u{1b}[2J\\u{1b}]0;title\\u{7}\n"
        );
        assert_eq!(
            through(SinkMode::Text { colour: false }, &[line]),
            "\\u{1b}[1;31merror\\u{1b}[0m \\u{1b}[2J\\u{1b}]0;title\\u{7}\n"
        );
    }

    #[test]
    fn sink_escapes_invisible_characters_in_json_without_changing_the_value() {
        let value = serde_json::json!({"id": "a\u{202E}b\u{9b}c\u{200B}\u{7f}", "n": 1});
        let text = format!("{value}\n");
        let shown = through(SinkMode::Json, &[&text[..5], &text[5..]]);
        assert!(shown.is_ascii(), "{shown}");
        assert!(
            shown.contains("\\u202e") && shown.contains("\\u009b"),
            "{shown}"
        );
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn sink_passes_raw_data_untouched() {
        let data = "a,\u{202E}b\n\u{1b}";
        assert_eq!(through(SinkMode::Raw, &[data]), data);
    }

    #[test]
    fn diagnostic_lines_join_the_workspace_path() {
        let d = Diagnostic {
            file: "policies/a.cedar".into(),
            line: 3,
            column: 7,
            end_line: 3,
            end_column: 9,
            severity: Severity::Error,
            code: "cedar::parse".into(),
            message: "unexpected token".into(),
            help: Some("check it".into()),
            field: None,
        };
        assert_eq!(
            diagnostic_line(&d, Path::new("examples/demo"), false),
            "examples/demo/policies/a.cedar:3:7: error: unexpected token [cedar::parse]\n  help: check it"
        );
        assert!(diagnostic_line(&d, Path::new("."), false).starts_with("policies/a.cedar:3:7"));
    }

    #[test]
    fn diagnostics_without_a_position_are_named_as_given_never_in_the_workspace() {
        let d = Diagnostic {
            file: "/tmp/in/evil.mandate-bundle!/../evil.txt".into(),
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            severity: Severity::Error,
            code: "bundle::invalid".into(),
            message: "unsafe path: has a `..` component".into(),
            help: None,
            field: None,
        };
        for ws in ["/tmp/ws", ".", ""] {
            assert_eq!(
                diagnostic_line(&d, Path::new(ws), false),
                "/tmp/in/evil.mandate-bundle!/../evil.txt: error: unsafe path: has a `..` component [bundle::invalid]"
            );
        }
        let relative = Diagnostic {
            file: "drafts/1.0.0/schema.cedarschema".into(),
            ..d
        };
        assert!(diagnostic_line(&relative, Path::new("/tmp/ws"), false)
            .starts_with("drafts/1.0.0/schema.cedarschema: error: "));
    }
}
