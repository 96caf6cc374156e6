//! `audit_log`: who did what to which subject, when, with the before and after state.
//!
//! [`Db::audit`] is the one function that writes it; triggers make the table append-only.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::params;
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
        let mut stmt = self.conn().prepare(
            "SELECT id, at, actor, action, subject, before_json, after_json FROM audit_log
             WHERE (?1 IS NULL OR subject = ?1) ORDER BY id DESC LIMIT ?2",
        )?;
        let limit = filter.limit.map_or(-1, i64::from);
        let rows = stmt.query_map(params![filter.subject, limit], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                before: r.get(5)?,
                after: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
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
