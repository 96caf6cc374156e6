//! Diagnostics: one problem in one file, located by line and column, with help.
//!
//! Cedar reports byte offsets into the source it parsed; [`LineIndex`] turns them into the
//! 1-based line and column (counted in characters) that editors and terminals show.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// One problem at one place in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Diagnostic {
    /// Workspace-relative path with `/` separators.
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub severity: Severity,
    /// Stable code, e.g. `cedar::parse`, `cedar::validation`, `policy::duplicate_id`.
    pub code: String,
    pub message: String,
    pub help: Option<String>,
    /// The record field at fault, when the file is a record (e.g. an agent's `spiffe_id`),
    /// so a form can show the problem beside the field.
    pub field: Option<String>,
}

impl Diagnostic {
    /// The same diagnostic, attributed to a record field.
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// A diagnostic spanning `start..end` (byte offsets) of `text`.
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is one field of the diagnostic"
    )]
    pub fn at_span(
        file: &str,
        text: &str,
        start: usize,
        end: usize,
        severity: Severity,
        code: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let index = LineIndex::new(text);
        let (line, column) = index.position(start);
        let (end_line, end_column) = index.position(end.max(start));
        Self {
            file: file.to_owned(),
            line,
            column,
            end_line,
            end_column,
            severity,
            code: code.to_owned(),
            message: message.into(),
            help,
            field: None,
        }
    }

    /// A diagnostic at one position (1-based line and column).
    pub fn at_line(
        file: &str,
        line: usize,
        column: usize,
        severity: Severity,
        code: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let line = u32::try_from(line.max(1)).unwrap_or(u32::MAX);
        let column = u32::try_from(column.max(1)).unwrap_or(u32::MAX);
        Self {
            file: file.to_owned(),
            line,
            column,
            end_line: line,
            end_column: column,
            severity,
            code: code.to_owned(),
            message: message.into(),
            help,
            field: None,
        }
    }

    /// A diagnostic about a whole file (line 1, column 1).
    pub fn whole_file(
        file: &str,
        severity: Severity,
        code: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            severity,
            code: code.to_owned(),
            message: message.into(),
            help,
            field: None,
        }
    }

    /// A diagnostic about something with no position in it (line 0, column 0): an entry
    /// inside a bundle, a file outside the workspace. Shells print the name as it is.
    pub fn unlocated(file: String, severity: Severity, code: &str, message: String) -> Self {
        Self {
            file,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            severity,
            code: code.to_owned(),
            message,
            help: None,
            field: None,
        }
    }

    /// Sort key: file, then position, then severity.
    pub fn sort_key(&self) -> (&str, u32, u32, Severity, &str) {
        (
            &self.file,
            self.line,
            self.column,
            self.severity,
            &self.message,
        )
    }
}

/// Sorts diagnostics by file, line and column so output is stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Reports each id that occurs twice in a TOML file of `[[records]]` with `id = "…"` keys,
/// at its second `id = …` line, naming the line of the first.
pub fn duplicate_ids<'a>(
    file: &str,
    text: &str,
    code: &str,
    what: &str,
    ids: impl Iterator<Item = &'a str>,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let index = LineIndex::new(text);
    for id in ids {
        let count = seen.entry(id).or_default();
        *count += 1;
        if *count != 2 {
            continue;
        }
        let needle = format!("id = {}", toml::Value::String(id.to_owned()));
        let first = text.find(&needle).unwrap_or(0);
        let after = first + needle.len();
        let second = text
            .get(after..)
            .and_then(|r| r.find(&needle))
            .map_or(0, |i| after + i);
        out.push(Diagnostic::at_span(
            file,
            text,
            second,
            second + needle.len(),
            Severity::Error,
            code,
            format!(
                "duplicate {what} id `{id}`: also at line {}",
                index.position(first).0
            ),
            Some("ids are unique within their kind; rename or merge the two".to_owned()),
        ));
    }
}

/// Maps byte offsets of one text to 1-based line and character column.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    /// 1-based (line, column) of a byte offset; offsets past the end clamp to the end, and an
    /// offset inside a multi-byte character counts as that character.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..)
            .map(|rest| {
                rest.char_indices()
                    .take_while(|(i, _)| start + i < offset)
                    .count()
            })
            .unwrap_or(0);
        (to_u32(line + 1), to_u32(column + 1))
    }

    /// Byte offset where a 1-based line starts (clamped to the text).
    pub fn line_start(&self, line: u32) -> usize {
        let i = (line as usize).saturating_sub(1);
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Bidi controls, zero-width characters and line separators: invisible, yet able to reorder or
/// hide text, so a policy can read one way and evaluate another ("Trojan Source",
/// CVE-2021-42574) and a terminal can show something other than the data. The policy lint and
/// the CLI's output escaping share this one list.
pub fn is_hidden_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The largest workspace text file (a policy file, an inventory file) Mandate reads: some
/// 25,000 policies, far above a hand-kept file, and small enough that parsing and validating
/// it stays interactive. Larger sets belong in several files.
pub const MAX_TEXT_FILE: u64 = 4 << 20;

/// A problem for a file over [`MAX_TEXT_FILE`], found before reading it.
pub fn oversize(rel: &str, path: &std::path::Path) -> Option<Diagnostic> {
    let len = std::fs::metadata(path).ok()?.len();
    (len > MAX_TEXT_FILE).then(|| {
        Diagnostic::whole_file(
            rel,
            Severity::Error,
            "io::too_large",
            format!(
                "is {:.1} MiB, over the {} MiB Mandate reads from one policy, schema or inventory file; it was not read",
                len as f64 / (1024.0 * 1024.0),
                MAX_TEXT_FILE >> 20
            ),
            Some("split it into several files (policies may live in any number of `.cedar` files)".to_owned()),
        )
    })
}

/// Where `path` (the workspace file `rel`) really leads, when a symbolic link on the way
/// takes it out of the workspace; `None` for a file inside it, or one that does not exist.
pub fn link_out_of_workspace(rel: &str, path: &std::path::Path) -> Option<std::path::PathBuf> {
    let depth = rel.split('/').filter(|c| !c.is_empty()).count();
    let root = path.ancestors().nth(depth)?.canonicalize().ok()?;
    let real = path.canonicalize().ok()?;
    (!real.starts_with(&root)).then_some(real)
}

/// Reads a workspace file as UTF-8 text. A file that cannot be read, or is not UTF-8
/// (located at the first bad byte), becomes a diagnostic in `problems` and `None`; a missing
/// file is `None` without one when `missing_ok`.
pub fn read_text(
    rel: &str,
    path: &std::path::Path,
    missing_ok: bool,
    problems: &mut Vec<Diagnostic>,
) -> Option<String> {
    if let Some(target) = link_out_of_workspace(rel, path) {
        problems.push(Diagnostic::whole_file(
            rel,
            Severity::Error,
            "io::outside_workspace",
            format!("is a link to `{}`, outside the workspace; it was not read", target.display()),
            Some("Mandate reads only files inside the workspace (a link from git could point at any file on this machine): replace the link with the file".to_owned()),
        ));
        return None;
    }
    if let Some(d) = oversize(rel, path) {
        problems.push(d);
        return None;
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                problems.push(Diagnostic::at_span(
                    rel,
                    &text,
                    valid,
                    valid + 1,
                    Severity::Error,
                    "io::utf8",
                    format!("file is not UTF-8 (invalid byte at offset {valid})"),
                    Some("save the file as UTF-8".to_owned()),
                ));
                None
            }
        },
        Err(e) if missing_ok && e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            problems.push(Diagnostic::whole_file(
                rel,
                Severity::Error,
                "io::read",
                format!("cannot read: {e}"),
                None,
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncdé\nfg";
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(1), (1, 2));
        assert_eq!(index.position(3), (2, 1));
        // 'é' is two bytes: the offset after it is column 4 in characters.
        assert_eq!(index.position(7), (2, 4));
        assert_eq!(index.position(8), (3, 1));
        assert_eq!(index.position(999), (3, 3));
        assert_eq!(index.line_start(2), 3);
    }

    #[test]
    fn sorting_orders_by_file_then_position() {
        let mk = |f: &str| Diagnostic::at_span(f, "", 0, 0, Severity::Error, "x", "m", None);
        let mut v = vec![mk("b"), mk("a")];
        v[0].line = 3;
        sort(&mut v);
        assert_eq!(v[0].file, "a");
        assert_eq!(v[1].file, "b");
    }
}
