//! CSV exports: the alignment table agent-security guidance prints (framework, control /
//! reference, relevance) and the full traceability matrix (item × control × evidence).
//!
//! RFC 4180: fields quoted where needed, records ended by CRLF. These files are opened in
//! spreadsheets, so a cell that a spreadsheet would read as a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe — relevance texts,
//! attestation statements and item titles are typed by people.

use std::borrow::Cow;

use super::{alignments, item_controls, kind_str, location, state_str, ExportError};
use crate::frameworks::coverage::CoverageReport;

/// The alignment table's header, exactly as the guidance writes it.
pub const ALIGNMENT_HEADER: [&str; 3] = ["Framework", "Control / Reference", "Relevance"];

/// The matrix's header.
pub const MATRIX_HEADER: [&str; 14] = [
    "Framework",
    "Item",
    "Official ID",
    "Item title",
    "Status",
    "Control",
    "Control status",
    "Evidence kind",
    "Evidence subject",
    "Evidence state",
    "Evidence detail",
    "Evidence at",
    "Location",
    "Justification",
];

/// A cell as written: a leading apostrophe when a spreadsheet would read it as a formula.
pub fn cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn writer() -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(w: ::csv::Writer<Vec<u8>>) -> Result<String, ExportError> {
    let bytes = w
        .into_inner()
        .map_err(|e| ExportError::Csv(e.into_error().into()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn row<const N: usize>(
    w: &mut ::csv::Writer<Vec<u8>>,
    cells: [&str; N],
) -> Result<(), ExportError> {
    w.write_record(cells.iter().map(|c| cell(c).into_owned()))?;
    Ok(())
}

/// `Framework, Control / Reference, Relevance`: one row per counted mapping. Framework is
/// the framework's short title; Control / Reference is `<control id> → <item label>` (the
/// item's title follows its label unless the label holds it, e.g.
/// `MND-CRED-01 → ASI03 Identity and Privilege Abuse`); Relevance is the mapping's.
pub fn alignment(report: &CoverageReport) -> Result<String, ExportError> {
    let mut w = writer();
    row(&mut w, ALIGNMENT_HEADER)?;
    for a in alignments(report) {
        row(
            &mut w,
            [&a.framework.short_title, &a.reference(), &a.relevance],
        )?;
    }
    finish(w)
}

/// The traceability matrix: for every assessable item, one row per mapped control and piece
/// of that control's evidence (a control without evidence, and an item without a control,
/// still get one row). `Official ID` is empty where the framework assigns none (MAESTRO
/// threats): Mandate's internal keys are never printed as ids.
pub fn matrix(report: &CoverageReport) -> Result<String, ExportError> {
    let mut w = writer();
    row(&mut w, MATRIX_HEADER)?;
    for fw in &report.frameworks {
        for item in fw.items.iter().filter(|i| i.assessable) {
            let official = item.official_id.as_deref().unwrap_or("");
            let justification = item.justification.as_deref().unwrap_or("");
            let head = [
                fw.short_title.as_str(),
                item.label.as_str(),
                official,
                item.title.as_str(),
                item.status.as_str(),
            ];
            let controls = item_controls(report, item);
            if controls.is_empty() {
                let [a, b, c, d, e] = head;
                row(
                    &mut w,
                    [a, b, c, d, e, "", "", "", "", "", "", "", "", justification],
                )?;
                continue;
            }
            for control in controls {
                let [a, b, c, d, e] = head;
                if control.evidence.is_empty() {
                    row(
                        &mut w,
                        [
                            a,
                            b,
                            c,
                            d,
                            e,
                            &control.id,
                            control.status.as_str(),
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            justification,
                        ],
                    )?;
                }
                for ev in &control.evidence {
                    row(
                        &mut w,
                        [
                            a,
                            b,
                            c,
                            d,
                            e,
                            &control.id,
                            control.status.as_str(),
                            kind_str(ev.kind),
                            &ev.subject,
                            state_str(ev.state),
                            &ev.detail,
                            ev.at.as_deref().unwrap_or(""),
                            &location(ev.file.as_deref(), ev.line),
                            justification,
                        ],
                    )?;
                }
            }
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_an_apostrophe() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(cell(bad), format!("'{bad}"), "{bad:?}");
        }
        for fine in [
            "MND-CRED-01 → ASI03",
            "GOVERN 1.1",
            "",
            "a=b",
            "L7: Agent Tool Misuse",
        ] {
            assert_eq!(cell(fine), fine);
        }
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        let mut w = writer();
        row(&mut w, ["a,b", "say \"hi\"", "two\nlines", "=1+1", "plain"]).unwrap();
        assert_eq!(
            finish(w).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",'=1+1,plain\r\n"
        );
    }
}
