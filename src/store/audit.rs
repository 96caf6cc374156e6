//! `audit_log`: who did what to which subject, when, with the before and after state.
//!
//! [`Db::audit`] is the one function that writes it; triggers make the table append-only.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::params;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::{Db, Result};

/// An entry to append. `at` comes from the caller so tests can control the clock.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    /// Dotted verb, e.g. `workspace.init`, `agent.lifecycle`.
    pub action: &'a str,
    /// What was acted on, e.g. `agent:billing-bot`.
    pub subject: &'a str,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
}

/// One entry of the append-only audit log, as stored and as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    /// JSON text of the subject before the action, when there was one.
    pub before: Option<String>,
    /// JSON text of the subject after the action, when there is one.
    pub after: Option<String>,
}

/// Which entries to list; newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub subject: Option<&'a str>,
    pub limit: Option<u32>,
}

/// A search of the log: every condition given must hold. Newest first by id — the order
/// entries were appended, which neither equal timestamps nor a clock stepping back can
/// shuffle, so a cursor (`before_id`) pages without repeating or skipping an entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditSearch<'a> {
    /// Exactly this actor, ignoring ASCII case (emails).
    pub actor: Option<&'a str>,
    /// This action; with a trailing `*`, every action starting with what precedes it
    /// (`agent.*`, `bundle.*`).
    pub action: Option<&'a str>,
    /// Exactly this subject.
    pub subject: Option<&'a str>,
    /// Subjects containing this text, ignoring ASCII case.
    pub subject_contains: Option<&'a str>,
    /// At or after this time: RFC 3339 UTC with milliseconds (`…T12:00:00.000Z`), as stored,
    /// so that text order is time order.
    pub since: Option<&'a str>,
    /// Before this time (same form).
    pub until: Option<&'a str>,
    /// Only entries appended before this id: the cursor of the next page.
    pub before_id: Option<i64>,
    pub limit: Option<u32>,
}

impl<'a> From<&AuditFilter<'a>> for AuditSearch<'a> {
    fn from(f: &AuditFilter<'a>) -> Self {
        Self {
            subject: f.subject,
            limit: f.limit,
            ..Self::default()
        }
    }
}

/// The distinct actions and actors in the log, sorted: what a filter can choose from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditFacets {
    pub actions: Vec<String>,
    pub actors: Vec<String>,
}

const ENTRY_COLUMNS: &str = "id, at, actor, action, subject, before_json, after_json";

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        before: r.get(5)?,
        after: r.get(6)?,
    })
}

/// The least text above every text starting with `prefix`: its last character moved one
/// up (`agent.` → `agent/`); `None` when there is no next character.
fn prefix_end(prefix: &str) -> Option<String> {
    let last = prefix.chars().next_back()?;
    let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32)?;
    let mut end = prefix[..prefix.len() - last.len_utf8()].to_owned();
    end.push(next);
    Some(end)
}

/// `WHERE …` for a search (cursor included when `paged`) and its parameters, in order. Only
/// the conditions given are written, so each can use an index; values are always bound.
fn where_clause(s: &AuditSearch<'_>, paged: bool) -> (String, Vec<SqlValue>) {
    let mut conds: Vec<&str> = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    if let Some(actor) = s.actor {
        conds.push("actor = ? COLLATE NOCASE");
        params.push(SqlValue::Text(actor.to_owned()));
    }
    match s.action.map(|a| (a.strip_suffix('*'), a)) {
        // A range rather than LIKE: the prefix is data, never a pattern, and the range
        // reads `audit_log_action`. Text compares by its UTF-8 bytes, which order as the
        // code points do, so every action with the prefix sorts below the prefix with its
        // last character moved one up.
        Some((Some(prefix), _)) if !prefix.is_empty() => match prefix_end(prefix) {
            Some(end) => {
                conds.push("action >= ? AND action < ?");
                params.push(SqlValue::Text(prefix.to_owned()));
                params.push(SqlValue::Text(end));
            }
            None => {
                conds.push("substr(action, 1, length(?)) = ?");
                params.push(SqlValue::Text(prefix.to_owned()));
                params.push(SqlValue::Text(prefix.to_owned()));
            }
        },
        Some((Some(_), _)) | None => {}
        Some((None, action)) => {
            conds.push("action = ?");
            params.push(SqlValue::Text(action.to_owned()));
        }
    }
    if let Some(subject) = s.subject {
        conds.push("subject = ?");
        params.push(SqlValue::Text(subject.to_owned()));
    }
    if let Some(text) = s.subject_contains.filter(|t| !t.is_empty()) {
        conds.push("instr(lower(subject), lower(?)) > 0");
        params.push(SqlValue::Text(text.to_owned()));
    }
    if let Some(since) = s.since {
        conds.push("at >= ?");
        params.push(SqlValue::Text(since.to_owned()));
    }
    if let Some(until) = s.until {
        conds.push("at < ?");
        params.push(SqlValue::Text(until.to_owned()));
    }
    if let Some(before) = s.before_id.filter(|_| paged) {
        conds.push("id < ?");
        params.push(SqlValue::Integer(before));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    (clause, params)
}

impl Db {
    /// Appends one audit entry and returns its id.
    pub fn audit(&self, rec: &NewAuditEntry<'_>) -> Result<i64> {
        let at = rec.at.to_rfc3339_opts(SecondsFormat::Millis, true);
        self.conn().execute(
            "INSERT INTO audit_log (at, actor, action, subject, before_json, after_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                at,
                rec.actor,
                rec.action,
                rec.subject,
                rec.before.map(Value::to_string),
                rec.after.map(Value::to_string)
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Lists entries, newest first.
    pub fn audit_entries(&self, filter: &AuditFilter<'_>) -> Result<Vec<AuditEntry>> {
        self.audit_search(&AuditSearch::from(filter))
    }

    /// The entries a search matches, newest first, from its cursor, up to its limit.
    pub fn audit_search(&self, search: &AuditSearch<'_>) -> Result<Vec<AuditEntry>> {
        let mut out = Vec::new();
        self.for_each_audit_entry(search, |e| {
            out.push(e);
            true
        })?;
        Ok(out)
    }

    /// Hands each entry a search matches to `f`, newest first, until `f` returns false:
    /// an export streams the whole log this way.
    pub fn for_each_audit_entry(
        &self,
        search: &AuditSearch<'_>,
        mut f: impl FnMut(AuditEntry) -> bool,
    ) -> Result<()> {
        let (clause, mut params) = where_clause(search, true);
        params.push(SqlValue::Integer(search.limit.map_or(-1, i64::from)));
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log{clause} ORDER BY id DESC LIMIT ?"
        ))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            if !f(entry_row(row)?) {
                break;
            }
        }
        Ok(())
    }

    /// How many entries a search matches, whatever its cursor and limit.
    pub fn audit_count(&self, search: &AuditSearch<'_>) -> Result<u64> {
        let (clause, params) = where_clause(search, false);
        let n: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM audit_log{clause}"),
            rusqlite::params_from_iter(params),
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The distinct actions and actors of the log.
    pub fn audit_facets(&self) -> Result<AuditFacets> {
        let distinct = |sql: &str| -> Result<Vec<String>> {
            let mut stmt = self.conn().prepare(sql)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        };
        Ok(AuditFacets {
            actions: distinct("SELECT DISTINCT action FROM audit_log ORDER BY action")?,
            actors: distinct(
                "SELECT actor FROM audit_log GROUP BY actor COLLATE NOCASE ORDER BY actor COLLATE NOCASE",
            )?,
        })
    }
}

impl Db {
    /// The newest lifecycle change of each agent: agent id → (state entered, when).
    pub fn latest_lifecycle_changes(
        &self,
    ) -> Result<std::collections::HashMap<String, (String, String)>> {
        let mut stmt = self.conn().prepare(
            "SELECT subject, at, after_json FROM audit_log
             WHERE action = 'agent.lifecycle' ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (subject, at, after) = row?;
            let Some(agent) = subject.strip_prefix("agent:") else {
                continue;
            };
            let state = after
                .and_then(|a| serde_json::from_str::<Value>(&a).ok())
                .and_then(|v| {
                    v.get("lifecycle")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
            if let Some(state) = state {
                out.insert(agent.to_owned(), (state, at));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use serde_json::json;

    fn entry<'a>(subject: &'a str, after: &'a Value) -> NewAuditEntry<'a> {
        NewAuditEntry {
            at: Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap(),
            actor: "dana@acme.example",
            action: "agent.lifecycle",
            subject,
            before: None,
            after: Some(after),
        }
    }

    #[test]
    fn writes_and_lists_newest_first_with_filter() {
        let db = Db::open_in_memory().unwrap();
        let a = json!({"lifecycle": "active"});
        let first = db.audit(&entry("agent:a", &a)).unwrap();
        let second = db.audit(&entry("agent:b", &a)).unwrap();
        assert!(second > first);
        let all = db.audit_entries(&AuditFilter::default()).unwrap();
        assert_eq!(
            all.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![second, first]
        );
        assert_eq!(all[0].at, "2026-05-01T12:00:00.000Z");
        assert_eq!(all[0].after.as_deref(), Some(r#"{"lifecycle":"active"}"#));
        let only_a = db
            .audit_entries(&AuditFilter {
                subject: Some("agent:a"),
                limit: None,
            })
            .unwrap();
        assert_eq!(only_a.len(), 1);
        assert_eq!(only_a[0].subject, "agent:a");
    }

    /// A log of six entries: (actor, action, subject, at), appended in this order.
    fn sample() -> (Db, Vec<i64>) {
        let db = Db::open_in_memory().unwrap();
        let rows = [
            (
                "dana@acme.example",
                "workspace.init",
                "workspace",
                "2026-05-01T08:00:00Z",
            ),
            (
                "Dana@Acme.example",
                "agent.save",
                "agent:billing-bot",
                "2026-05-01T09:00:00Z",
            ),
            (
                "ben@acme.example",
                "agent.lifecycle",
                "agent:billing-bot",
                "2026-05-02T10:00:00Z",
            ),
            (
                "ben@acme.example",
                "policy.save",
                "policy:policies/billing.cedar",
                "2026-05-02T11:00:00Z",
            ),
            (
                "dana@acme.example",
                "agent.lifecycle",
                "agent:Support-Bot",
                "2026-05-03T12:00:00Z",
            ),
            (
                "ana@acme.example",
                "agentx.other",
                "agent:billing-bot-2",
                "2026-05-04T13:00:00Z",
            ),
        ];
        let ids = rows
            .iter()
            .map(|(actor, action, subject, at)| {
                db.audit(&NewAuditEntry {
                    at: DateTime::parse_from_rfc3339(at)
                        .unwrap()
                        .with_timezone(&Utc),
                    actor,
                    action,
                    subject,
                    before: None,
                    after: None,
                })
                .unwrap()
            })
            .collect();
        (db, ids)
    }

    /// The ids a search (without cursor or limit) finds; its count must agree.
    fn ids(db: &Db, s: &AuditSearch<'_>) -> Vec<i64> {
        let found: Vec<i64> = db.audit_search(s).unwrap().iter().map(|e| e.id).collect();
        assert_eq!(db.audit_count(s).unwrap(), found.len() as u64);
        found
    }

    #[test]
    fn each_filter_narrows_the_search() {
        let (db, id) = sample();
        let all = ids(&db, &AuditSearch::default());
        assert_eq!(
            all,
            id.iter().rev().copied().collect::<Vec<_>>(),
            "newest first"
        );

        let actor = AuditSearch {
            actor: Some("dana@acme.example"),
            ..AuditSearch::default()
        };
        assert_eq!(
            ids(&db, &actor),
            vec![id[4], id[1], id[0]],
            "actor ignores case"
        );

        let exact = AuditSearch {
            action: Some("agent.lifecycle"),
            ..AuditSearch::default()
        };
        assert_eq!(ids(&db, &exact), vec![id[4], id[2]]);

        // `agent.*` is the prefix `agent.`: `agentx.other` is not in it.
        let prefix = AuditSearch {
            action: Some("agent.*"),
            ..AuditSearch::default()
        };
        assert_eq!(ids(&db, &prefix), vec![id[4], id[2], id[1]]);
        // The range ends right after the prefix: `agent/…` and `agent0…` sort above it.
        assert_eq!(prefix_end("agent.").as_deref(), Some("agent/"));
        assert_eq!(prefix_end("é").as_deref(), Some("ê"));
        assert_eq!(
            prefix_end("a\u{d7ff}").as_deref(),
            Some("a\u{e000}"),
            "past the surrogates"
        );
        // A prefix is data, never a pattern: `%` and `_` match only themselves.
        let pattern = AuditSearch {
            action: Some("agent_%*"),
            ..AuditSearch::default()
        };
        assert!(ids(&db, &pattern).is_empty());

        let text = AuditSearch {
            subject_contains: Some("SUPPORT"),
            ..AuditSearch::default()
        };
        assert_eq!(ids(&db, &text), vec![id[4]], "subject text ignores case");
        let billing = AuditSearch {
            subject_contains: Some("billing-bot"),
            ..AuditSearch::default()
        };
        assert_eq!(ids(&db, &billing), vec![id[5], id[2], id[1]]);

        let exact_subject = AuditSearch {
            subject: Some("agent:billing-bot"),
            ..AuditSearch::default()
        };
        assert_eq!(ids(&db, &exact_subject), vec![id[2], id[1]]);

        // since ≤ at < until, on the stored form.
        let window = AuditSearch {
            since: Some("2026-05-01T09:00:00.000Z"),
            until: Some("2026-05-03T12:00:00.000Z"),
            ..AuditSearch::default()
        };
        assert_eq!(ids(&db, &window), vec![id[3], id[2], id[1]]);
    }

    #[test]
    fn filters_combine_and_count_every_page() {
        let (db, id) = sample();
        let both = AuditSearch {
            actor: Some("ben@acme.example"),
            action: Some("agent.*"),
            subject_contains: Some("billing"),
            since: Some("2026-05-02T00:00:00.000Z"),
            ..AuditSearch::default()
        };
        assert_eq!(ids(&db, &both), vec![id[2]]);
        let none = AuditSearch {
            actor: Some("ana@acme.example"),
            action: Some("agent.lifecycle"),
            ..AuditSearch::default()
        };
        assert!(ids(&db, &none).is_empty());
        assert_eq!(db.audit_count(&none).unwrap(), 0);

        // The count ignores the cursor and the limit: it is the filter's total.
        let page = AuditSearch {
            action: Some("agent.*"),
            before_id: Some(id[4]),
            limit: Some(1),
            ..AuditSearch::default()
        };
        assert_eq!(
            db.audit_search(&page)
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect::<Vec<_>>(),
            vec![id[2]]
        );
        assert_eq!(db.audit_count(&page).unwrap(), 3);
    }

    #[test]
    fn paging_by_cursor_is_stable_with_equal_timestamps_and_new_entries() {
        let db = Db::open_in_memory().unwrap();
        let a = json!({});
        // Seven entries in the same millisecond.
        let mut all: Vec<i64> = (0..7)
            .map(|_| db.audit(&entry("agent:a", &a)).unwrap())
            .collect();
        all.reverse();
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = db
                .audit_search(&AuditSearch {
                    before_id: before,
                    limit: Some(3),
                    ..AuditSearch::default()
                })
                .unwrap();
            if page.is_empty() {
                break;
            }
            // An entry appended while paging never shifts the pages that follow.
            db.audit(&entry("agent:new", &a)).unwrap();
            before = page.last().map(|e| e.id);
            seen.extend(page.iter().map(|e| e.id));
        }
        assert_eq!(seen, all, "every entry once, newest first");
    }

    #[test]
    fn facets_list_distinct_actions_and_actors() {
        let (db, _) = sample();
        let f = db.audit_facets().unwrap();
        assert_eq!(
            f.actions,
            vec![
                "agent.lifecycle",
                "agent.save",
                "agentx.other",
                "policy.save",
                "workspace.init"
            ]
        );
        // Dana and dana are one actor.
        assert_eq!(f.actors.len(), 3, "{:?}", f.actors);
        assert_eq!(f.actors[0], "ana@acme.example");
        assert_eq!(f.actors[1], "ben@acme.example");
        assert!(f.actors[2].eq_ignore_ascii_case("dana@acme.example"));
    }

    #[test]
    fn audit_log_is_append_only() {
        let db = Db::open_in_memory().unwrap();
        let a = json!({});
        db.audit(&entry("agent:a", &a)).unwrap();
        let upd = db
            .conn()
            .execute("UPDATE audit_log SET actor = 'mallory'", []);
        assert!(upd.unwrap_err().to_string().contains("append-only"));
        let del = db.conn().execute("DELETE FROM audit_log", []);
        assert!(del.unwrap_err().to_string().contains("append-only"));
        // Regression: REPLACE deletes the old row without firing the delete trigger.
        let replace = db.conn().execute(
            "INSERT OR REPLACE INTO audit_log (id, at, actor, action, subject) \
             SELECT id, at, 'mallory', action, subject FROM audit_log",
            [],
        );
        assert!(replace.unwrap_err().to_string().contains("append-only"));
        db.audit(&entry("agent:b", &a)).unwrap();
        assert_eq!(db.audit_entries(&AuditFilter::default()).unwrap().len(), 2);
        assert_eq!(
            db.audit_entries(&AuditFilter::default()).unwrap()[0].actor,
            "dana@acme.example"
        );
    }
}
