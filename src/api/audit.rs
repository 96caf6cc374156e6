//! The audit log as the shells read it: a filtered search a page at a time, the actions and
//! actors there are to filter by, and the filter's entries as CSV (written atomically).
//!
//! The log itself (`store::audit`) is append-only; nothing here writes to it.

use std::path::Path;

use chrono::{NaiveDate, SecondsFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::replay::time_bound;
use super::{dto, ApiError, ApiResult, Session};
use crate::error::ErrorCode;
use crate::frameworks::export::csv::cell;
use crate::store::audit::AuditSearch;

/// Entries per page when the query names no limit.
pub const AUDIT_PAGE: u32 = 200;
/// The largest page a shell may ask for.
pub const AUDIT_MAX_PAGE: u32 = 1000;

/// Which entries of the audit log to list, newest first. Every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditQuery {
    /// Exactly this actor (ignoring case), e.g. `dana@acme.example`.
    pub actor: Option<String>,
    /// This action (`agent.lifecycle`), or with a trailing `*` every action starting with
    /// what precedes it (`agent.*`).
    pub action: Option<String>,
    /// Text the subject contains, ignoring case (`billing-bot` finds `agent:billing-bot`).
    pub subject: Option<String>,
    /// At or after: RFC 3339, a date (`2026-05-01`, midnight UTC) or a span back from now
    /// (`7d`, `12h`, `30m`).
    pub since: Option<String>,
    /// Before (same forms).
    pub until: Option<String>,
    /// The cursor of the next page (`AuditListing.next`): entries appended before it.
    #[ts(type = "number | null")]
    pub before: Option<i64>,
    /// Entries per page: 200 when `None`, at most 1,000.
    pub limit: Option<u32>,
}

/// One page of a search of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditListing {
    /// Newest first.
    pub entries: Vec<dto::AuditEntry>,
    /// How many entries the filter matches, on every page.
    #[ts(type = "number")]
    pub total: u64,
    /// The cursor of the next page (pass it as `before`); `None` on the last page.
    #[ts(type = "number | null")]
    pub next: Option<i64>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditExport {
    pub path: String,
    /// Entries written (the header not counted).
    #[ts(type = "number")]
    pub rows: u64,
}

/// A query's text fields trimmed, blanks dropped, times normalised to the stored form.
struct Normalised {
    actor: Option<String>,
    action: Option<String>,
    subject: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

impl Normalised {
    fn new(q: &AuditQuery) -> ApiResult<Self> {
        let since = blank(q.since.as_deref())
            .map(|s| audit_time("since", s))
            .transpose()?;
        let until = blank(q.until.as_deref())
            .map(|s| audit_time("until", s))
            .transpose()?;
        if let (Some(s), Some(u)) = (&since, &until) {
            if s >= u {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("since `{s}` is not before until `{u}`"),
                    Some("the window is since ≤ time < until: give an earlier since or a later until"),
                ));
            }
        }
        Ok(Self {
            actor: blank(q.actor.as_deref()).map(str::to_owned),
            action: blank(q.action.as_deref()).map(str::to_owned),
            subject: blank(q.subject.as_deref()).map(str::to_owned),
            since,
            until,
        })
    }

    fn search(&self) -> AuditSearch<'_> {
        AuditSearch {
            actor: self.actor.as_deref(),
            action: self.action.as_deref(),
            subject_contains: self.subject.as_deref(),
            since: self.since.as_deref(),
            until: self.until.as_deref(),
            ..AuditSearch::default()
        }
    }
}

fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// A time bound as the log stores times (RFC 3339 UTC, milliseconds): an RFC 3339 time, a
/// date (midnight UTC) or a span back from now.
fn audit_time(which: &str, s: &str) -> ApiResult<String> {
    if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if let Some(t) = day.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc().to_rfc3339_opts(SecondsFormat::Millis, true));
        }
    }
    time_bound(which, s).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidArgument,
            format!("{which} `{s}` is not a time"),
            Some("give an RFC 3339 time (`2026-05-01T09:30:00Z`), a date (`2026-05-01`, midnight UTC) or a span back from now (`7d`, `12h`, `30m`)"),
        )
    })
}

/// A page size as the CLI's `--limit` gives it.
pub fn audit_limit(text: &str) -> ApiResult<u32> {
    match text.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ApiError::new(
            ErrorCode::InvalidArgument,
            format!("limit `{text}` is not a number of entries"),
            Some("give a whole number from 1, e.g. `--limit 50`"),
        )),
    }
}

impl Session {
    /// One page of the entries `query` matches, newest first, with how many match in all
    /// and the cursor of the next page.
    pub fn audit_page(&self, query: &AuditQuery) -> ApiResult<AuditListing> {
        let limit = query.limit.unwrap_or(AUDIT_PAGE);
        if limit == 0 || limit > AUDIT_MAX_PAGE {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("limit `{limit}` is not between 1 and {AUDIT_MAX_PAGE}"),
                Some("ask for pages of at most 1,000 entries and follow `next`"),
            ));
        }
        let filter = Normalised::new(query)?;
        let db = self.db()?;
        let search = filter.search();
        // One more than the page: whether there is a next page without a second query.
        let mut entries = db.audit_search(&AuditSearch {
            before_id: query.before,
            limit: Some(limit + 1),
            ..search
        })?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        let next = more.then(|| entries.last().map(|e| e.id)).flatten();
        Ok(AuditListing {
            total: db.audit_count(&search)?,
            entries,
            next,
        })
    }

    /// Every entry `query` matches, newest first (its cursor ignored; its limit, when
    /// given, caps the count), handed to `each`.
    pub fn audit_each(
        &self,
        query: &AuditQuery,
        each: impl FnMut(dto::AuditEntry) -> bool,
    ) -> ApiResult<()> {
        let filter = Normalised::new(query)?;
        self.db()?.for_each_audit_entry(
            &AuditSearch {
                limit: query.limit,
                ..filter.search()
            },
            each,
        )?;
        Ok(())
    }

    /// The distinct actions and actors of the log, for the filters.
    pub fn audit_facets(&self) -> ApiResult<dto::AuditFacets> {
        Ok(self.db()?.audit_facets()?)
    }

    /// Every entry `query` matches as CSV (see [`audit_csv`]), newest first, and how many
    /// there are; its cursor is ignored, its limit (when given) caps the count. Rows go
    /// straight into the text, so a large log is held once, as CSV.
    pub fn audit_csv(&self, query: &AuditQuery) -> ApiResult<(String, u64)> {
        let mut w = CsvOut::new()?;
        let mut failed = None;
        self.audit_each(query, |e| match w.row(&e) {
            Ok(()) => true,
            Err(err) => {
                failed = Some(err);
                false
            }
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        w.finish()
    }

    /// Writes every entry `query` matches (all pages) as CSV to `out`, atomically.
    pub fn export_audit(&self, query: &AuditQuery, out: &Path) -> ApiResult<AuditExport> {
        let all = AuditQuery {
            before: None,
            limit: None,
            ..query.clone()
        };
        let (text, rows) = self.audit_csv(&all)?;
        super::write_output_file(out, &text)?;
        Ok(AuditExport {
            path: out.display().to_string(),
            rows,
        })
    }
}

/// The CSV header of an audit export.
pub const AUDIT_CSV_HEADER: [&str; 7] =
    ["id", "at", "actor", "action", "subject", "before", "after"];

/// Audit entries as CSV (RFC 4180, CRLF): one row per entry, `before` and `after` as their
/// JSON text. A cell a spreadsheet would read as a formula gets a leading apostrophe.
pub fn audit_csv(entries: &[dto::AuditEntry]) -> ApiResult<String> {
    let mut w = CsvOut::new()?;
    for e in entries {
        w.row(e)?;
    }
    Ok(w.finish()?.0)
}

/// An audit CSV being written: the header first, then a row per entry.
struct CsvOut {
    w: csv::Writer<Vec<u8>>,
    rows: u64,
}

fn csv_error(e: csv::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("cannot write CSV: {e}"), None)
}

impl CsvOut {
    fn new() -> ApiResult<Self> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        w.write_record(AUDIT_CSV_HEADER).map_err(csv_error)?;
        Ok(Self { w, rows: 0 })
    }

    fn row(&mut self, e: &dto::AuditEntry) -> ApiResult<()> {
        let id = e.id.to_string();
        let cells = [
            cell(&id),
            cell(&e.at),
            cell(&e.actor),
            cell(&e.action),
            cell(&e.subject),
            cell(e.before.as_deref().unwrap_or("")),
            cell(e.after.as_deref().unwrap_or("")),
        ];
        self.w
            .write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(csv_error)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(self) -> ApiResult<(String, u64)> {
        let bytes = self
            .w
            .into_inner()
            .map_err(|e| csv_error(e.into_error().into()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            ApiError::new(ErrorCode::Internal, format!("CSV is not UTF-8: {e}"), None)
        })?;
        Ok((text, self.rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, actor: &str, subject: &str, after: Option<&str>) -> dto::AuditEntry {
        dto::AuditEntry {
            id,
            at: "2026-05-01T12:00:00.000Z".into(),
            actor: actor.into(),
            action: "agent.save".into(),
            subject: subject.into(),
            before: None,
            after: after.map(str::to_owned),
        }
    }

    #[test]
    fn csv_guards_formula_cells_and_quotes_the_rest() {
        let rows = [
            entry(
                1,
                "=HYPERLINK(\"http://x\")",
                "+agent:a",
                Some(r#"{"a":"x,y"}"#),
            ),
            entry(2, "-dana", "@sum", None),
            entry(3, "\tana", "\rsubject", Some("line\nbreak")),
            entry(4, "ben", "agent:b", Some(r#"{"q":"say \"hi\""}"#)),
        ];
        let text = audit_csv(&rows).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            AUDIT_CSV_HEADER
        );
        let read: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(read.len(), 4);
        assert_eq!(read[0][2], "'=HYPERLINK(\"http://x\")");
        assert_eq!(read[0][4], "'+agent:a");
        assert_eq!(
            read[0][6], r#"{"a":"x,y"}"#,
            "a comma stays inside its quoted cell"
        );
        assert_eq!(read[1][2], "'-dana");
        assert_eq!(read[1][4], "'@sum");
        assert_eq!(read[1][6], "", "no after state is an empty cell");
        assert_eq!(read[2][2], "'\tana");
        assert_eq!(read[2][4], "'\rsubject");
        assert_eq!(read[2][6], "line\nbreak");
        assert_eq!(read[3][2], "ben", "a plain cell is left as it is");
        assert_eq!(read[3][6], r#"{"q":"say \"hi\""}"#);
        assert!(text.starts_with("id,at,actor,action,subject,before,after\r\n"));
        assert!(
            text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
            "quotes are doubled: {text}"
        );
    }

    #[test]
    fn times_take_dates_rfc3339_and_spans_and_name_a_bad_value() {
        assert_eq!(
            audit_time("since", "2026-05-01").unwrap(),
            "2026-05-01T00:00:00.000Z"
        );
        assert_eq!(
            audit_time("since", "2026-05-01T14:30:00+02:00").unwrap(),
            "2026-05-01T12:30:00.000Z"
        );
        assert!(audit_time("since", "7d").unwrap().ends_with('Z'));
        let e = audit_time("until", "yesterday").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert!(e.message.contains("until `yesterday`"), "{}", e.message);
        assert!(e.help.unwrap().contains("2026-05-01"));
    }

    #[test]
    fn a_limit_is_a_positive_whole_number() {
        assert_eq!(audit_limit(" 50 ").unwrap(), 50);
        for bad in ["0", "-3", "ten", "1.5", ""] {
            let e = audit_limit(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument);
            assert!(e.message.contains(&format!("`{bad}`")), "{}", e.message);
        }
    }

    #[test]
    fn a_window_must_open_before_it_closes() {
        let q = AuditQuery {
            since: Some("2026-05-02".into()),
            until: Some("2026-05-01".into()),
            ..AuditQuery::default()
        };
        let e = Normalised::new(&q).err().unwrap();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert!(
            e.message.contains("2026-05-02T00:00:00.000Z"),
            "{}",
            e.message
        );
    }
}
