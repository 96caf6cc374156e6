//! Turning Cedar's `miette` diagnostics (byte-offset labels) into located [`Diagnostic`]s.

use crate::diagnostics::{Diagnostic, Severity};

/// One diagnostic per error (and per related error), spanning its first label, or the
/// start of the file when Cedar gives no location. Cedar's own help wins over `default_help`.
pub fn from_miette(
    d: &dyn miette::Diagnostic,
    file: &str,
    text: &str,
    severity: Severity,
    code: &str,
    default_help: &str,
) -> Vec<Diagnostic> {
    let one = |d: &dyn miette::Diagnostic| {
        let (start, end) = d
            .labels()
            .and_then(|mut labels| labels.next())
            .map_or((0, 0), |l| (l.offset(), l.offset() + l.len()));
        let help = d
            .help()
            .map(|h| h.to_string())
            .or_else(|| (!default_help.is_empty()).then(|| default_help.to_owned()));
        let message = one_line(&d.to_string());
        Diagnostic::at_span(file, text, start, end, severity, code, message, help)
    };
    std::iter::once(one(d))
        .chain(d.related().into_iter().flatten().map(one))
        .collect()
}

/// Cedar messages sometimes span lines; a diagnostic message is one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
